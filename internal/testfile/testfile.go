// Package testfile writes the input files of tests. It is for tests only.
package testfile

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes body to dir/name, making the folders name needs, readable by the owner only, and returns the path;
// an error fails the test.
func Write[B string | []byte](t testing.TB, dir, name string, body B) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
