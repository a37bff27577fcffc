package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiscover walks the search order with an injected search list: nothing here reads the real /etc or the
// user's config folder.
func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	touch := func(p string) string {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("organization: {name: x}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cwd := filepath.Join(dir, "cwd", FileName)
	user := filepath.Join(dir, "home", ".config", "shadowscan", FileName)
	etc := filepath.Join(dir, "etc", "shadowscan", FileName)
	env := touch(filepath.Join(dir, "env.yaml"))
	search := []string{cwd, user, etc}

	check := func(name, flag string, environ []string, wantPath, wantHow string) {
		t.Helper()
		f, err := Discover(flag, environ, search)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.Path != wantPath || !strings.Contains(f.How, wantHow) {
			t.Errorf("%s: got %q (%s), want %q (%s)", name, f.Path, f.How, wantPath, wantHow)
		}
	}
	check("nothing anywhere", "", nil, "", "")
	if f, _ := Discover("", nil, search); !strings.HasPrefix(f.Describe(), "looked at --config, SHADOWSCAN_CONFIG, ") || !strings.Contains(f.Describe(), etc) {
		t.Errorf("Describe without a config: %q", f.Describe())
	}
	touch(etc)
	check("/etc", "", nil, etc, "found at "+etc)
	touch(user)
	check("user dir before /etc", "", nil, user, "found at "+user)
	touch(cwd)
	check("working folder before user dir", "", nil, cwd, "found at "+cwd)
	check("SHADOWSCAN_CONFIG before the search", "", []string{"SHADOWSCAN_CONFIG=" + env}, env, "SHADOWSCAN_CONFIG")
	check("--config before everything", "x.yaml", []string{"SHADOWSCAN_CONFIG=" + env}, "x.yaml", "--config")
	if _, err := Discover("", []string{"SHADOWSCAN_CONFIG=" + filepath.Join(dir, "missing.yaml")}, search); err == nil ||
		!strings.Contains(err.Error(), "SHADOWSCAN_CONFIG") {
		t.Errorf("a missing SHADOWSCAN_CONFIG file: %v", err)
	}
}

func TestSearchPaths(t *testing.T) {
	got := SearchPaths("/home/u/.config")
	want := []string{FileName, "/home/u/.config/shadowscan/" + FileName, "/etc/shadowscan/" + FileName}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("SearchPaths = %v, want %v", got, want)
	}
	if got := SearchPaths(""); len(got) != 2 {
		t.Errorf("without a user config dir: %v", got)
	}
}

func TestValidateRequestTo(t *testing.T) {
	for s, ok := range map[string]bool{
		"": true, "it@example.com": true, "https://it.example.com/forms/saas": true, "http://helpdesk.local/new": true,
		"IT <it@example.com>": false, "ftp://x.example": false, "https://": false, "not an address": false,
		"javascript://alert(1)": false,
	} {
		if err := ValidateRequestTo(s); (err == nil) != ok {
			t.Errorf("%q: err %v, want ok=%v", s, err, ok)
		}
	}
}

func TestCheckKeys(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("check: {request_to: it@example.com, report: r/last.json}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadWithEnv(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Check.RequestTo != "it@example.com" || cfg.Check.Report != filepath.Join(dir, "r/last.json") {
		t.Errorf("check = %+v", cfg.Check)
	}
	if err := os.WriteFile(p, []byte("check: {request_to: \"call Bob\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadWithEnv(p, nil); err == nil || !strings.Contains(err.Error(), "c.yaml:1: check.request_to") {
		t.Errorf("bad request_to: %v", err)
	}
}
