package testfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"a.yaml": "a: 1\n", "nested/deeper/b.json": "{}", "empty": ""} {
		p := Write(t, dir, name, body)
		if p != filepath.Join(dir, name) {
			t.Errorf("Write(%q) = %q, want it under %s", name, p, dir)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != body {
			t.Errorf("%s holds %q, %v; want %q", name, got, err, body)
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", name, fi.Mode(), err)
		}
	}
	if got, _ := os.ReadFile(Write(t, dir, "bytes", []byte{0, 1, 2})); string(got) != "\x00\x01\x02" {
		t.Errorf("bytes: %q", got)
	}
}
