package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManPages: `shadowscan man --dir` writes a page per command, with its flags; docs/man holds the same pages
// (rebuilt with `go generate ./cmd/shadowscan`; not compared byte for byte, so that a new flag does not fail
// everyone's tests).
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if r := run(t, nil, "man", "--dir", dir); r.code != 0 {
		t.Fatalf("man: exit %d %s", r.code, r.stderr)
	}
	for _, name := range []string{"shadowscan.1", "shadowscan-scan.1", "shadowscan-check.1", "shadowscan-catalog-list.1"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s not written: %v", name, err)
		}
		if !strings.Contains(string(got), ".SH SYNOPSIS") || (name == "shadowscan-scan.1" && !strings.Contains(string(got), `\fB--demo\fP`)) {
			t.Errorf("%s is not a man page", name)
		}
		if _, err := os.Stat(filepath.Join("../../docs/man", name)); err != nil {
			t.Errorf("docs/man/%s: %v (run go generate ./cmd/shadowscan)", name, err)
		}
	}
}

// TestCompletion: vendor names and IDs complete for check and catalog show, rule IDs for rules show (cobra's
// __complete is what the shell scripts from `shadowscan completion` call).
func TestCompletion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "check", "hotj"}, "hotjar\tHotjar"},
		{[]string{"__complete", "catalog", "show", "mailc"}, "mailchimp\tMailchimp"},
		{[]string{"__complete", "rules", "show", "redund"}, "redundant-tool"},
	} {
		r := run(t, nil, tc.args...)
		if r.code != 0 || !strings.Contains(r.stdout, tc.want+"\n") || !strings.Contains(r.stdout, ":4") {
			t.Errorf("%v: exit %d, got\n%s", tc.args, r.code, r.stdout)
		}
	}
	if r := run(t, nil, "__complete", "catalog", "show", "hotjar", ""); strings.Contains(r.stdout, "hubspot") {
		t.Errorf("catalog show takes one vendor, but a second is offered:\n%s", r.stdout)
	}
}
