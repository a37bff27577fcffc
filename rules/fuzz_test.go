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

// FuzzParseApprovals: any input gives approvals or an error, never a panic.
func FuzzParseApprovals(f *testing.F) {
	f.Add([]byte(demoApprovals))
	f.Add([]byte(benchApprovals))
	f.Add([]byte("- {vendor: hubspt, status: aproved, expires: 2026-13-45, scopes: ['[']}"))
	f.Add([]byte("- vendor: [a]\n  status: {x: y}\n"))
	idx := newFakeIndex()
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseApprovals("approved.yaml", data, idx, testNow)
		if err != nil {
			_ = err.Error()
			return
		}
		for _, e := range a.Entries() {
			_ = a.Approval(e.Vendor.ID)
			for _, sc := range e.Vendor.Subcategories {
				_ = a.ApprovedIn(sc)
			}
		}
	})
}

// FuzzParseSuppressions: any input gives suppressions or an error, never a panic.
func FuzzParseSuppressions(f *testing.F) {
	f.Add([]byte("- {rule: banned-vendor, vendor: apollo, owner: a, reason: b, expires: 2027-01-01}\n- {fingerprint: 0123456789abcdef0123456789abcdef, owner: a, reason: b, expires: \"2027-01-01T00:00:00Z\"}"))
	f.Add([]byte("- {rule: [x]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSuppressions("s.yaml", data, nil)
		if err == nil && s == nil {
			t.Error("nil suppressions without error")
		}
	})
}
