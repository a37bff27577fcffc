package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/rules"
	"github.com/shadowscan/shadowscan/scanner"
)

// zeroCount catches "Move its 0 users", "used by 0 people": a count that should have switched the sentence.
var zeroCount = regexp.MustCompile(`(^|[^\d.,])0 (users?|people|persons?|records?|grants?|members?|accounts?|scopes?)\b`)

// parenthesised finds "(…)" groups, the usual place where a message names a thing a second time.
var parenthesised = regexp.MustCompile(`\(([^()]+)\)`)

// wordingProblems returns what reads wrong in a rendered message: zero counts, and self-references where a value
// in parentheses repeats elsewhere in the sentence ("An IAM role (999988887777) trusts AWS account 999988887777").
func wordingProblems(text, vendorName string) []string {
	var out []string
	if m := zeroCount.FindString(text); m != "" {
		out = append(out, "zero count "+strings.TrimSpace(m))
	}
	for _, m := range parenthesised.FindAllStringSubmatchIndex(text, -1) {
		inner := strings.TrimSpace(text[m[2]:m[3]])
		if len(inner) < 4 || strings.ContainsAny(inner, " ,") {
			continue // words such as "(banned)" or lists are not names
		}
		rest := text[:m[0]] + text[m[1]:]
		if strings.Contains(rest, inner) {
			out = append(out, "self-reference: "+inner+" in parentheses and again outside them")
		}
	}
	if vendorName != "" {
		if _, after, ok := strings.Cut(text, "same job as "); ok && strings.Contains(after, vendorName+",") {
			out = append(out, "vendor named as its own alternative")
		}
	}
	if strings.Contains(text, "<no value>") || strings.Contains(text, "%!") {
		out = append(out, "unrendered template value")
	}
	return out
}

func TestWordingProblemsCatches(t *testing.T) {
	bad := map[string]string{
		"An IAM role (999988887777) trusts AWS account 999988887777 without requiring an sts:ExternalId.": "self-reference",
		"Move its 0 users to Segment and cancel Hightouch.":                                               "zero count",
		"Acme is used by 0 people.": "zero count",
		"finding abc (recurring-spend-unapproved) is back; rule recurring-spend-unapproved": "self-reference",
	}
	for text, want := range bad {
		if got := wordingProblems(text, ""); len(got) == 0 || !strings.Contains(got[0], want) {
			t.Errorf("%q: got %v, want %s", text, got, want)
		}
	}
	good := []string{
		"IAM role partner-data-export in account 210987654321 trusts AWS account 999988887777.",
		"Apollo.io (banned) holds restricted scopes.",
		"It costs USD 350.00 a month; 10 users.",
		"Move its 1 user to FullStory and cancel Hotjar.",
	}
	for _, text := range good {
		if got := wordingProblems(text, ""); len(got) > 0 {
			t.Errorf("%q: false alarm %v", text, got)
		}
	}
}

// TestBuiltinRuleWording renders every built-in rule's message and remediation, on the rule's own examples and on
// the demo, and fails on zero counts and self-references.
func TestBuiltinRuleWording(t *testing.T) {
	rs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, res := range rules.RunExamples(context.Background(), rs) {
		if res.Match == nil {
			continue
		}
		seen[res.Rule] = true
		name := ""
		if res.Match.Vendor != nil {
			name = res.Match.Vendor.Name
		}
		for _, text := range []string{res.Match.Message, res.Match.Remediation} {
			for _, p := range wordingProblems(text, name) {
				t.Errorf("%s example %d: %s\n  %s", res.Rule, res.Index, p, text)
			}
		}
	}
	for _, r := range rs.Rules {
		if !seen[r.ID] {
			t.Errorf("rule %s: no match example rendered a message", r.ID)
		}
	}

	data, _ := scanDemo(t, filepath.Join(t.TempDir(), "demo.json"), "--log-level", "warn")
	var rep scanner.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		name := ""
		if f.Vendor != nil {
			name = f.Vendor.Name
		}
		for _, text := range []string{f.Message, f.Remediation} {
			for _, p := range wordingProblems(text, name) {
				t.Errorf("demo %s: %s\n  %s", f.RuleID, p, text)
			}
		}
	}
}
