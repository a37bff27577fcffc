package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

func TestSARIFLevel(t *testing.T) {
	for sev, want := range map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note", "": "note"} {
		if got := sarifLevel(sev); got != want {
			t.Errorf("sarifLevel(%q) = %q, want %q", sev, got, want)
		}
	}
}

func TestRuleName(t *testing.T) {
	for id, want := range map[string]string{
		"banned-vendor":      "BannedVendor",
		"restricted_scopes":  "RestrictedScopes",
		"two words":          "TwoWords",
		"ünicode-rule":       "ÜnicodeRule",
		"--x--":              "X",
		"":                   "",
		"a\x1b[31m-b":        "AB", // escape removed first
		"already-PascalCase": "AlreadyPascalCase",
	} {
		if got := ruleName(id); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", id, got, want)
		}
	}
}

// uriSegment keeps exactly [A-Za-z0-9._-]: every boundary of each range, and the characters just outside it.
func TestURISegment(t *testing.T) {
	for in, want := range map[string]string{
		"azAZ09-_.":     "azAZ09-_.",
		"`{@[/:":        "______",
		"a b/c":         "a_b_c",
		"ü":             "_",
		"":              "_",
		"\x1b[31m":      "_",
		"../../etc":     ".._.._etc",
		"hub\u202espot": "hubspot",
	} {
		if got := uriSegment(in); got != want {
			t.Errorf("uriSegment(%q) = %q, want %q", in, got, want)
		}
	}
}

func sarifDoc(t *testing.T, rep *scanner.Report) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := (SARIF{}).Write(context.Background(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc["runs"].([]any)[0].(map[string]any)
}

func TestSARIFInvocation(t *testing.T) {
	rep := fixture()
	for i := range rep.Coverage {
		rep.Coverage[i].Status = scanner.CoverageComplete
		rep.Coverage[i].Errors = nil
	}
	inv := sarifDoc(t, rep)["invocations"].([]any)[0].(map[string]any)
	if inv["executionSuccessful"] != true {
		t.Error("executionSuccessful false with complete coverage")
	}
	if _, ok := inv["toolExecutionNotifications"]; ok {
		t.Error("notifications without coverage errors")
	}

	rep.Coverage[0].Status = scanner.CoverageFailed
	rep.Coverage[0].Errors = []scanner.CoverageError{{API: "admin.directory", Message: "403"}, {Message: "gave up"}}
	inv = sarifDoc(t, rep)["invocations"].([]any)[0].(map[string]any)
	if inv["executionSuccessful"] != false {
		t.Error("executionSuccessful true with failed coverage")
	}
	notes, _ := inv["toolExecutionNotifications"].([]any)
	var texts []string
	for _, n := range notes {
		texts = append(texts, n.(map[string]any)["message"].(map[string]any)["text"].(string))
	}
	want := "workspace (google_workspace, failed): admin.directory: 403|workspace (google_workspace, failed): gave up"
	if strings.Join(texts, "|") != want {
		t.Errorf("notifications = %q, want %q", strings.Join(texts, "|"), want)
	}
}

func TestSARIFRulesAndResults(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	vendor := &scanner.Vendor{ID: "acme crm", Name: "Acme"}
	rep := &scanner.Report{
		Rules: []scanner.RuleInfo{
			{ID: "b-rule", Title: "B", Severity: "medium", Tags: []string{"t1"}},
			{ID: "a-rule", Title: "A", Severity: "critical", Description: "About A."},
			{ID: "unused", Title: "Unused", Severity: "low"},
		},
		Findings: []scanner.Finding{
			{RuleID: "b-rule", Severity: "medium", Status: scanner.StatusExisting, Message: "m1", Fingerprint: "f1"},
			{RuleID: "a-rule", Severity: "critical", Status: scanner.StatusNew, Message: "m2", Remediation: "fix it", Vendor: vendor, FirstSeen: t0},
			{RuleID: "no-info", Severity: "weird", Status: scanner.StatusSuppressed, Message: "m3",
				Suppression: &scanner.Suppression{Owner: "it@x.example", Reason: "trial"}},
			{RuleID: "b-rule", Severity: "medium", Status: scanner.StatusSuppressed, Message: "m4"},
		},
	}
	run := sarifDoc(t, rep)
	rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
	var got []string
	for _, r := range rules {
		m := r.(map[string]any)
		props := m["properties"].(map[string]any)
		got = append(got, strings.Join([]string{m["id"].(string), m["name"].(string),
			m["fullDescription"].(map[string]any)["text"].(string),
			m["defaultConfiguration"].(map[string]any)["level"].(string),
			toString(props["security-severity"]), toString(props["tags"])}, ";"))
	}
	// Only rules with findings, sorted; the description falls back to the title; a rule the report does not
	// describe gets its ID as title and no security-severity.
	want := []string{
		"a-rule;ARule;About A.;error;9.5;[security]",
		"b-rule;BRule;B;warning;5.5;[security t1]",
		"no-info;NoInfo;no-info;note;<nil>;[security]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	got = nil
	for _, r := range run["results"].([]any) {
		m := r.(map[string]any)
		props := m["properties"].(map[string]any)
		loc := m["locations"].([]any)[0].(map[string]any)
		uri := loc["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)["uri"].(string)
		sup := ""
		if s, ok := m["suppressions"].([]any); ok {
			sup = s[0].(map[string]any)["justification"].(string)
		}
		got = append(got, strings.Join([]string{m["ruleId"].(string), toString(m["ruleIndex"]), m["level"].(string),
			m["message"].(map[string]any)["text"].(string), m["baselineState"].(string), uri, sup, toString(props["first_seen"])}, ";"))
	}
	want = []string{
		"b-rule;1;warning;m1;unchanged;vendors/unidentified;;<nil>",
		"a-rule;0;error;m2 Remediation: fix it;new;vendors/acme_crm;;2026-11-01T00:00:00Z",
		"no-info;2;note;m3;unchanged;vendors/unidentified;trial (owner it@x.example);<nil>",
		"b-rule;1;warning;m4;unchanged;vendors/unidentified;;<nil>", // suppressed without a suppression record
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case string:
		return x
	case float64:
		return fmt.Sprint(x)
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, toString(e))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
