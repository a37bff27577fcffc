package rules

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"go.yaml.in/yaml/v3"
)

// clean makes text safe for a terminal: control characters removed.
func clean(s string) string { return sanitize(strings.ReplaceAll(s, "\t", " ")) }

// WriteList prints `shadowscan rules list`: one rule per line, by severity then ID.
func WriteList(w io.Writer, rs *RuleSet) error {
	rules := append([]*Rule(nil), rs.Rules...)
	sort.SliceStable(rules, func(i, j int) bool {
		a, b := rules[i], rules[j]
		if ra, rb := sevRank(a.Severity), sevRank(b.Severity); ra != rb {
			return ra > rb
		}
		return a.ID < b.ID
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tSTAGE\tSOURCE\tTITLE")
	for _, r := range rules {
		sev := r.Severity
		if sev != r.DefaultSeverity {
			sev += " (was " + r.DefaultSeverity + ")"
		}
		src := "builtin"
		if !r.Builtin {
			src = r.File
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", clean(r.ID), sev, r.Stage, clean(src), clean(r.Title))
	}
	return tw.Flush()
}

// WriteShow prints `shadowscan rules show ID`.
func WriteShow(w io.Writer, rs *RuleSet, id string) error {
	r, ok := rs.Rule(id)
	if !ok {
		msg := fmt.Sprintf("no rule with id %q", id)
		if s := yamlpos.Nearest(id, rs.IDs()); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fmt.Errorf("%s", clean(msg))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n", clean(r.ID), clean(r.Title))
	sev := r.Severity
	if sev != r.DefaultSeverity {
		sev += " (overridden; rule file says " + r.DefaultSeverity + ")"
	}
	fmt.Fprintf(&b, "severity:    %s\n", sev)
	fmt.Fprintf(&b, "stage:       %s (variables: %s)\n", r.Stage, strings.Join(Variables()[r.Stage], ", "))
	where := fmt.Sprintf("%s:%d", r.File, r.Line)
	if r.Builtin {
		where += " (built in)"
	}
	fmt.Fprintf(&b, "defined at:  %s\n", clean(where))
	if len(r.Tags) > 0 {
		fmt.Fprintf(&b, "tags:        %s\n", clean(strings.Join(r.Tags, ", ")))
	}
	if r.Description != "" {
		fmt.Fprintf(&b, "\n%s\n", indentText(clean(strings.TrimSpace(r.Description)), ""))
	}
	fmt.Fprintf(&b, "\nwhen:\n%s\n", indentText(clean(strings.TrimSpace(r.When)), "  "))
	gb := r.GroupBy
	if strings.TrimSpace(gb) == "" {
		gb = "vendor.key (default)"
	}
	fmt.Fprintf(&b, "group_by:\n%s\n", indentText(clean(strings.TrimSpace(gb)), "  "))
	for _, v := range r.Vars {
		fmt.Fprintf(&b, "var %s:\n%s\n", clean(v.Name), indentText(clean(strings.TrimSpace(v.Expr)), "  "))
	}
	fmt.Fprintf(&b, "message:\n%s\n", indentText(clean(strings.TrimSpace(r.Message)), "  "))
	fmt.Fprintf(&b, "remediation:\n%s\n", indentText(clean(strings.TrimSpace(r.Remediation)), "  "))
	fmt.Fprintf(&b, "examples:    %d match, %d no_match\n", len(r.Examples.Match), len(r.Examples.NoMatch))
	_, err := io.WriteString(w, b.String())
	return err
}

func indentText(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func sevRank(s string) int {
	for i, v := range []string{"info", "low", "medium", "high", "critical"} {
		if v == s {
			return i + 1
		}
	}
	return 0
}

// TestFile runs `shadowscan rules test FILE`. FILE is either a rules file (top-level `rules:`), whose rules are
// compiled on their own and whose examples are run, or a cases file (top-level `cases:`), a list of
// {rule, expect: match|no_match, name, record, vendor, approval, org, usage} run against rs. It prints one line
// per case and a summary; ok is false when any case fails. err is for a file that cannot be read or compiled.
func TestFile(w io.Writer, rs *RuleSet, file string) (ok bool, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return false, err
	}
	return TestData(w, rs, file, data)
}

// TestData is TestFile over file contents.
func TestData(w io.Writer, rs *RuleSet, file string, data []byte) (bool, error) {
	doc, err := yamlpos.Parse(file, data)
	if err != nil {
		return false, err
	}
	if doc.Root == nil {
		return false, &Error{File: file, Msg: "empty file: expected `rules:` (a rules file) or `cases:` (test cases)"}
	}
	top, _, errs := doc.Fields(doc.Root, "", "test file", "rules", "cases")
	if len(errs) > 0 {
		return false, errs.Err()
	}
	ctx := context.Background()
	var results []CaseResult
	switch {
	case top["rules"] != nil && top["cases"] != nil:
		return false, doc.ErrAt(doc.Root, "", "a test file has either `rules:` or `cases:`, not both")
	case top["rules"] != nil:
		own, err := LoadFiles(map[string][]byte{file: data})
		if err != nil {
			return false, err
		}
		for _, r := range own.Rules {
			if len(r.Examples.Match)+len(r.Examples.NoMatch) == 0 {
				fmt.Fprintf(w, "warn %s: no examples\n", clean(r.ID))
			}
		}
		results = RunExamples(ctx, own)
	case top["cases"] != nil:
		list := top["cases"]
		if list.Kind != yaml.SequenceNode {
			return false, doc.ErrAt(list, "", "`cases` must be a list")
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
			results = append(results, runOne(ctx, r, c, c.Expect, i))
		}
		if len(errs) > 0 {
			return false, errs.Err()
		}
	}
	failed := 0
	for _, res := range results {
		if !res.OK {
			failed++
		}
		fmt.Fprintln(w, clean(res.String()))
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", len(results)-failed, failed)
	return failed == 0, nil
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
