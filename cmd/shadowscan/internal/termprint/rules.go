package termprint

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"github.com/shadowscan/shadowscan/rules"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// RuleList prints `shadowscan rules list`: one rule per line, by severity then ID.
func RuleList(w io.Writer, rs *rules.RuleSet) error {
	list := append([]*rules.Rule(nil), rs.Rules...)
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if ra, rb := scanner.SeverityRank(a.Severity), scanner.SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		return a.ID < b.ID
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tSTAGE\tSOURCE\tTITLE")
	for _, r := range list {
		sev := r.Severity
		if sev != r.DefaultSeverity {
			sev += " (was " + r.DefaultSeverity + ")"
		}
		src := "builtin"
		if !r.Builtin {
			src = r.File
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(r.ID), sev, r.Stage, cell(src), cell(r.Title))
	}
	return tw.Flush()
}

// RuleShow prints `shadowscan rules show ID`.
func RuleShow(w io.Writer, rs *rules.RuleSet, id string) error {
	r, ok := rs.Rule(id)
	if !ok {
		msg := fmt.Sprintf("no rule with id %q", id)
		if s := yamlpos.Nearest(id, rs.IDs()); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return errors.New(cell(msg))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n", cell(r.ID), cell(r.Title))
	sev := r.Severity
	if sev != r.DefaultSeverity {
		sev += " (overridden; rule file says " + r.DefaultSeverity + ")"
	}
	fmt.Fprintf(&b, "severity:    %s\n", sev)
	fmt.Fprintf(&b, "stage:       %s (variables: %s)\n", r.Stage, strings.Join(rules.Variables()[r.Stage], ", "))
	where := fmt.Sprintf("%s:%d", r.File, r.Line)
	if r.Builtin {
		where += " (built in)"
	}
	fmt.Fprintf(&b, "defined at:  %s\n", cell(where))
	if len(r.Tags) > 0 {
		fmt.Fprintf(&b, "tags:        %s\n", cell(strings.Join(r.Tags, ", ")))
	}
	if r.Description != "" {
		fmt.Fprintf(&b, "\n%s\n", block(r.Description, ""))
	}
	fmt.Fprintf(&b, "\nwhen:\n%s\n", block(r.When, "  "))
	gb := r.GroupBy
	if strings.TrimSpace(gb) == "" {
		gb = "vendor.key (default)"
	}
	fmt.Fprintf(&b, "group_by:\n%s\n", block(gb, "  "))
	for _, v := range r.Vars {
		fmt.Fprintf(&b, "var %s:\n%s\n", cell(v.Name), block(v.Expr, "  "))
	}
	fmt.Fprintf(&b, "message:\n%s\n", block(r.Message, "  "))
	fmt.Fprintf(&b, "remediation:\n%s\n", block(r.Remediation, "  "))
	fmt.Fprintf(&b, "examples:    %d match, %d no_match\n", len(r.Examples.Match), len(r.Examples.NoMatch))
	_, err := io.WriteString(w, b.String())
	return err
}

// TestRun prints `shadowscan rules test`: a warning per rule without examples, one line per case and a summary.
func TestRun(w io.Writer, run *rules.TestRun) error {
	var b strings.Builder
	for _, id := range run.NoExamples {
		fmt.Fprintf(&b, "warn %s: no examples\n", cell(id))
	}
	failed := 0
	for _, res := range run.Results {
		if !res.OK {
			failed++
		}
		fmt.Fprintln(&b, textsafe.Lines(res.String()))
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", len(run.Results)-failed, failed)
	_, err := io.WriteString(w, b.String())
	return err
}
