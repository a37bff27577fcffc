package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The limits of ReadTokenFile, at their edges: 16 characters is the shortest token, 4096 bytes the largest file.
func TestReadTokenFileLimits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok16 := "0123456789abcdef"
	for _, tc := range []struct {
		name, content string
		ok            bool
	}{
		{"sixteen", tok16, true},
		{"fifteen", tok16[:15] + "\n", false},
		{"file of 4096 bytes", tok16 + "\n" + strings.Repeat("#", 4096-17), true},
		{"file of 4097 bytes", tok16 + "\n" + strings.Repeat("#", 4097-17), false},
		{"CRLF", tok16 + "\r\n", true},
		{"NUL inside", tok16 + "\x00x\n", false},
		{"tab inside", "01234567\t89abcdef\n", false},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
		if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := ReadTokenFile(p)
		switch {
		case tc.ok && (err != nil || got != tok16):
			t.Errorf("%s: %q, %v; want the token", tc.name, got, err)
		case !tc.ok && err == nil:
			t.Errorf("%s: accepted %q", tc.name, got)
		case !tc.ok && strings.Contains(err.Error(), tok16[:15]):
			t.Errorf("%s: the error repeats the token: %v", tc.name, err)
		}
	}
}
