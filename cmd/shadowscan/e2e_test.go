package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/shadowscan/shadowscan/internal/golden"
)

// TestDemoGolden runs the embedded demo end to end, as the README's first command does, and compares the JSON
// report with testdata/demo.json.golden. The clock and scan ID are fixed; durations and the version are masked.
func TestDemoGolden(t *testing.T) {
	got, _ := scanDemo(t, filepath.Join(t.TempDir(), "demo.json"), "--log-level", "warn")
	got = regexp.MustCompile(`"duration_ms": \d+`).ReplaceAll(got, []byte(`"duration_ms": 0`))
	got = regexp.MustCompile(`"version": "[^"]*"`).ReplaceAll(got, []byte(`"version": "test"`))
	golden.Check(t, filepath.Join("testdata", "demo.json.golden"), got)
}

// TestScanDemoFlag: `scan --demo` runs the demo built into the binary and reports what --config configs/demo.yaml
// reports; --demo and --config together, or neither, is a usage error.
func TestScanDemoFlag(t *testing.T) {
	dir := t.TempDir()
	embedded, checkedOut := filepath.Join(dir, "embedded.json"), filepath.Join(dir, "checked-out.json")
	r := run(t, nil, "scan", "--demo", "--format", "json", "--output", embedded, "--log-level", "warn")
	if r.code != exitFindings {
		t.Fatalf("scan --demo: exit %d, want 1: %s", r.code, r.stderr)
	}
	b, _ := scanDemo(t, checkedOut, "--log-level", "warn")
	a, err := os.ReadFile(embedded)
	if err != nil {
		t.Fatal(err)
	}
	mask := regexp.MustCompile(`"duration_ms": \d+`)
	if string(mask.ReplaceAll(a, nil)) != string(mask.ReplaceAll(b, nil)) {
		t.Error("scan --demo and scan --config configs/demo.yaml report differently")
	}
	for _, args := range [][]string{{"scan"}, {"scan", "--demo", "--config", demoConfig}} {
		if r := run(t, nil, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
}
