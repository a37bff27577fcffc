package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner"
)

// What init writes loads as a config and an approved-tools file, for every provider type it offers.
func TestInitWritesWhatScanAccepts(t *testing.T) {
	var types []string
	for typ := range starterBlocks {
		if _, ok := scanner.Lookup(typ); ok {
			types = append(types, typ)
		}
	}
	slices.Sort(types)
	dir := t.TempDir()
	r := run(t, nil, "init", "--providers", strings.Join(types, ","), "--domain", "Example.COM.", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, cmd := range []string{"shadowscan permissions --config", "shadowscan doctor --config", "shadowscan scan --config"} {
		if !strings.Contains(r.stdout, cmd) {
			t.Errorf("next steps lack %q:\n%s", cmd, r.stdout)
		}
	}
	cfgPath := filepath.Join(dir, "shadowscan.yaml")
	cfg, err := configs.LoadWithEnv(cfgPath, nil)
	if err != nil {
		t.Fatalf("init's config does not load: %v", err)
	}
	if len(cfg.Providers) != len(types) || cfg.Organization.Domains[0] != "example.com" {
		t.Errorf("providers %d, domains %v", len(cfg.Providers), cfg.Organization.Domains)
	}
	a := newApp(&strings.Builder{}, &strings.Builder{})
	a.environ, a.logLevel = nil, "error" // the machine's SHADOWSCAN_* variables are not this test's config
	if err := a.buildLogger(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.buildPipeline(cfg); err != nil {
		t.Fatalf("init's approved-tools file is refused: %v", err)
	}
	for _, f := range []string{"shadowscan.yaml", "approved.yaml"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, fi, err)
		}
	}
	// Existing files are kept.
	if r := run(t, nil, "init", "--providers", "dns", "--domain", "example.com", "--dir", dir); r.code != exitUsage ||
		!strings.Contains(r.stderr, "--force") {
		t.Errorf("overwrite without --force: exit %d %s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"init", "--domain", "example.com"},
		{"init", "--providers", "dnz", "--domain", "example.com"},
		{"init", "--providers", "dns", "--domain", "not a domain"},
	} {
		if r := run(t, nil, append(args, "--dir", t.TempDir())...); r.code != exitUsage {
			t.Errorf("%v: exit %d", args, r.code)
		}
	}
}

// A scan of what init writes runs end to end (DNS from a zone file, so no network).
func TestInitThenScan(t *testing.T) {
	dir := t.TempDir()
	if r := run(t, nil, "init", "--providers", "dns", "--domain", "example.com", "--dir", dir); r.code != 0 {
		t.Fatalf("init: %s", r.stderr)
	}
	zone := testfile.Write(t, dir, "example.com.zone", "$ORIGIN example.com.\n@ 60 IN SOA ns1 h 1 2 3 4 5\n"+
		"@ 60 IN TXT \"v=spf1 include:_spf.google.com include:servers.mcsv.net -all\"\n")
	env := []string{"SHADOWSCAN_PROVIDERS_0_ZONE_FILES=" + zone}
	r := run(t, env, "scan", "--config", filepath.Join(dir, "shadowscan.yaml"), "--format", "json")
	if r.code != 1 || !strings.Contains(r.stdout, `"mailchimp"`) {
		t.Errorf("scan exit %d (want 1: Mailchimp sends unapproved): %s", r.code, r.stderr)
	}
}
