package rules

import (
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(f *testing.F, globs ...string) {
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzParseRules: any input gives rules or errors, never a panic, and every error names the file.
func FuzzParseRules(f *testing.F) {
	addSeeds(f, "builtin/*.yaml", "testdata/valid/*.yaml", "testdata/invalid/*.yaml")
	f.Add([]byte("rules:\n  - id: a\n    when: |\n      record.kind ==\n"))
	f.Add([]byte("a: &a [1,1,1,1]\nb: &b [*a,*a,*a,*a]\nrules: [*b]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, errs := ParseFile("fuzz.yaml", data)
		for _, e := range errs {
			if e.File != "fuzz.yaml" && e.File != "config" {
				t.Errorf("error without the file: %v", e)
			}
			_ = e.Error()
		}
		if len(errs) == 0 {
			for _, r := range rs {
				_ = RunRuleExamples(t.Context(), r)
			}
		}
	})
}
