// Command prepare writes the prepared form of the built-in catalogue (rules/catalog/builtin.gob.gz) from the
// embedded YAML. Run it with `go generate ./rules/catalog/` (scripts/build.py does) after any catalogue edit.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/shadowscan/shadowscan/rules/catalog"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "prepare:", err)
		os.Exit(1)
	}
}

// run writes the file next to the YAML (go generate runs in the package's folder), through a temporary file
// renamed into place, so an interrupted run leaves the old file.
func run() error {
	data, err := catalog.PreparedBuiltin()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(".", ".prepared-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(".", catalog.PreparedFile))
}
