package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestManPages: `shadowscan man --dir` writes a page per command, and docs/man is what the commands generate now
// (run `go generate ./cmd/shadowscan` after changing a command). The date line is left out of the comparison.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if r := run(t, nil, "man", "--dir", dir); r.code != 0 {
		t.Fatalf("man: exit %d %s", r.code, r.stderr)
	}
	th := regexp.MustCompile(`(?m)^\.TH .*$`)
	for _, name := range []string{"shadowscan.1", "shadowscan-scan.1", "shadowscan-check.1", "shadowscan-catalog-list.1"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s not written: %v", name, err)
		}
		if !strings.Contains(string(got), ".SH SYNOPSIS") {
			t.Errorf("%s is not a man page", name)
		}
		want, err := os.ReadFile(filepath.Join("../../docs/man", name))
		if err != nil || th.ReplaceAllString(string(got), "") != th.ReplaceAllString(string(want), "") {
			t.Errorf("docs/man/%s is stale (%v): run go generate ./cmd/shadowscan", name, err)
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
