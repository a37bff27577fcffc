package rules

import (
	"context"
	"fmt"
	"os"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"go.yaml.in/yaml/v3"
)

// TestRun is what `shadowscan rules test FILE` found: the rules without examples (a rules file only) and one
// result per case. cmd prints it.
type TestRun struct {
	NoExamples []string // IDs of the file's rules that have no examples
	Results    []CaseResult
}

// OK reports whether every case passed.
func (r *TestRun) OK() bool {
	for _, res := range r.Results {
		if !res.OK {
			return false
		}
	}
	return true
}

// TestFile runs `shadowscan rules test FILE`. FILE is either a rules file (top-level `rules:`), whose rules are
// compiled on their own and whose examples are run, or a cases file (top-level `cases:`), a list of
// {rule, expect: match|no_match, name, record, vendor, approval, org, usage} run against rs. err is for a file that
// cannot be read or compiled; failing cases are in the TestRun.
func TestFile(rs *RuleSet, file string) (*TestRun, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return TestData(rs, file, data)
}

// TestData is TestFile over file contents.
func TestData(rs *RuleSet, file string, data []byte) (*TestRun, error) {
	doc, err := yamlpos.Parse(file, data)
	if err != nil {
		return nil, err
	}
	if doc.Root == nil {
		return nil, &Error{File: file, Msg: "empty file: expected `rules:` (a rules file) or `cases:` (test cases)"}
	}
	top, _, errs := doc.Fields(doc.Root, "", "test file", "rules", "cases")
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	ctx := context.Background()
	run := &TestRun{}
	switch {
	case top["rules"] != nil && top["cases"] != nil:
		return nil, doc.ErrAt(doc.Root, "", "a test file has either `rules:` or `cases:`, not both")
	case top["rules"] != nil:
		own, err := LoadFiles(map[string][]byte{file: data})
		if err != nil {
			return nil, err
		}
		for _, r := range own.Rules {
			if len(r.Examples.Match)+len(r.Examples.NoMatch) == 0 {
				run.NoExamples = append(run.NoExamples, r.ID)
			}
		}
		run.Results = RunExamples(ctx, own)
	case top["cases"] != nil:
		list := top["cases"]
		if list.Kind != yaml.SequenceNode {
			return nil, doc.ErrAt(list, "", "`cases` must be a list")
		}
		var errs Errors
		for i, n := range list.Content {
			c, es := parseCase(doc, "", "", fmt.Sprintf("cases[%d]", i), yamlpos.ResolveAlias(n), true)
			errs = append(errs, es...)
			if c == nil {
				continue
			}
			r, ok := rs.Rule(c.Rule)
			if !ok {
				msg := fmt.Sprintf("cases[%d]: no rule with id %q", i, c.Rule)
				if s := yamlpos.Nearest(c.Rule, rs.IDs()); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				errs = append(errs, doc.ErrAt(n, "", "%s", msg))
				continue
			}
			if es := stageCheck(doc, r, c, i, n); es != nil {
				errs = append(errs, es)
				continue
			}
			run.Results = append(run.Results, runOne(ctx, r, c, c.Expect, i))
		}
		if len(errs) > 0 {
			return nil, errs.Err()
		}
	}
	return run, nil
}

func stageCheck(doc *yamlDoc, r *Rule, c *Case, i int, n *yaml.Node) *Error {
	switch {
	case r.Stage == StageRecord && c.Record == nil:
		return doc.ErrAt(n, "", "cases[%d]: rule %s is a record-stage rule: give a record", i, r.ID)
	case r.Stage == StageInventory && c.Usage == nil:
		return doc.ErrAt(n, "", "cases[%d]: rule %s is an inventory-stage rule: give usage and vendor", i, r.ID)
	case r.Stage == StageUnidentified && c.Unidentified == nil:
		return doc.ErrAt(n, "", "cases[%d]: rule %s is an unidentified-stage rule: give usage (with key or hint_type and value) and no vendor", i, r.ID)
	}
	return nil
}
