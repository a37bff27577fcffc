package configs

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// demoFiles is the demo company, Northwind Outfitters: its config and every data file beside it, so that
// `shadowscan scan --demo` works from the bare binary. The whole demo/ folder is embedded: new files come along.
//
//go:embed demo.yaml demo
var demoFiles embed.FS

// DemoConfig is the demo config's name inside DemoFS.
const DemoConfig = "demo.yaml"

// DemoFS returns the embedded demo: demo.yaml and the demo/ folder it points to.
func DemoFS() fs.FS { return demoFiles }

// ExtractDemo writes the embedded demo into dir (which must exist) and returns the path of its config. Providers
// read real files, so the demo runs from a copy on disk exactly as the checked-out one does.
func ExtractDemo(dir string) (string, error) {
	err := fs.WalkDir(demoFiles, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(path))
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		data, err := demoFiles.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
	if err != nil {
		return "", fmt.Errorf("extracting the embedded demo: %w", err)
	}
	return filepath.Join(dir, DemoConfig), nil
}
