package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/testfile"
)

// Issue 13: a scan with no providers is a config error, not a clean scan.
func TestScanWithoutProvidersIsAConfigError(t *testing.T) {
	dir := t.TempDir()
	for _, body := range []string{"organization: {name: X}\n", "", "root:*:1:0:::\n"} {
		cfg := testfile.Write(t, dir, "c.yaml", body)
		r := run(t, nil, "scan", "--config", cfg, "--output", filepath.Join(dir, "r.json"))
		if r.code != exitUsage {
			t.Errorf("%q: exit %d, want 2: %s", body, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "r.json")); err == nil {
		t.Error("a report was written for a config error")
	}
}

// Issue 13: the report goes through a symlink to its target, the link stays, a new file is private.
func TestScanOutputThroughSymlinkAndMode(t *testing.T) {
	cfg := inventoryConfig(t, goodRecord)
	dir := t.TempDir()
	target := filepath.Join(dir, "shared", "report.json")
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "out.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", link); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v %v", fi, err)
	}
	fi, err := os.Stat(target)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("target: %v %v (want a 0600 file)", fi, err)
	}
	b, _ := os.ReadFile(target)
	if !strings.Contains(string(b), `"schema_version"`) {
		t.Errorf("target holds %q", b)
	}
}

// Issue 13: serve on a non-loopback address without a token is refused before listening.
func TestServePublicWithoutTokenRefused(t *testing.T) {
	r := run(t, nil, "serve", "--addr", "0.0.0.0:0")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--allow-public-without-token") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}
