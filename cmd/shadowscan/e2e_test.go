package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestDemoGolden runs the embedded demo end to end, as the README's first command does, and compares the JSON
// report with testdata/demo.json.golden. The clock and scan ID are fixed; durations and the version are masked.
func TestDemoGolden(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo.json")
	r := run(t, nil, "scan", "--config", "../../configs/demo.yaml", "--format", "json", "--output", out, "--log-level", "warn")
	if r.code != exitFindings {
		t.Fatalf("demo exit %d, want 1 (high findings, complete coverage); stderr:\n%s", r.code, r.stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got = regexp.MustCompile(`"duration_ms": \d+`).ReplaceAll(got, []byte(`"duration_ms": 0`))
	got = regexp.MustCompile(`"version": "[^"]*"`).ReplaceAll(got, []byte(`"version": "test"`))
	golden := filepath.Join("testdata", "demo.json.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/shadowscan -run TestDemoGolden -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("demo report differs from %s; run with -update and review the diff", golden)
	}
}
