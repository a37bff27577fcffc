package scanner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func validReport() Report {
	f := Finding{Fingerprint: "f1", RuleID: "r", Severity: SeverityHigh, Status: StatusNew}
	return Report{SchemaVersion: SchemaVersion,
		Coverage:    []Coverage{{Provider: "p", Status: CoverageComplete}},
		Findings:    []Finding{f},
		Resolved:    []Finding{f},
		Unconfirmed: []Finding{f},
		Inventory:   []InventoryItem{{Vendor: Vendor{ID: "hubspot"}, Approval: ApprovalBanned}},
		Rules:       []RuleInfo{{ID: "r", Severity: SeverityHigh}}}
}

// Each enumeration read back from a report is checked; a hostile value is refused with the file and field named
// and its control characters escaped in the message.
func TestValidateReport(t *testing.T) {
	t.Parallel()
	if r := validReport(); ValidateReport(&r) != nil {
		t.Fatalf("a valid report is refused: %v", ValidateReport(&r))
	}
	const esc = "high\x1b[2J\x1b]8;;https://evil.example\x07"
	for _, tc := range []struct {
		field  string
		poison func(*Report, string)
	}{
		{"coverage[0].status", func(r *Report, v string) { r.Coverage[0].Status = v }},
		{"findings[0].severity", func(r *Report, v string) { r.Findings[0].Severity = v }},
		{"findings[0].status", func(r *Report, v string) { r.Findings[0].Status = v }},
		{"resolved[0].severity", func(r *Report, v string) { r.Resolved[0].Severity = v }},
		{"resolved[0].status", func(r *Report, v string) { r.Resolved[0].Status = v }},
		{"unconfirmed[0].severity", func(r *Report, v string) { r.Unconfirmed[0].Severity = v }},
		{"inventory[0].approval", func(r *Report, v string) { r.Inventory[0].Approval = v }},
		{"rules[0].severity", func(r *Report, v string) { r.Rules[0].Severity = v }},
	} {
		for _, v := range []string{esc, "=HYPERLINK(\"x\")", "resolved", "High"} {
			rep := validReport()
			tc.poison(&rep, v)
			b, _ := json.Marshal(rep)
			p := filepath.Join(t.TempDir(), "base.json")
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ReadReport(p)
			if err == nil {
				t.Errorf("%s = %q: accepted", tc.field, v)
				continue
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "report base.json: "+tc.field+": ") || strings.ContainsAny(msg, "\x1b\x07") {
				t.Errorf("%s = %q: error %q does not name file and field, or carries control characters", tc.field, v, msg)
			}
			if v == esc && !strings.Contains(msg, "holds control characters") {
				t.Errorf("%s: error %q does not say why", tc.field, msg)
			}
		}
	}
}

// FuzzValidateReport: whatever JSON a report file holds, a report ValidateReport accepts has every enumeration
// empty or in its set, so no writer prints a control character from one.
func FuzzValidateReport(f *testing.F) {
	good, _ := json.Marshal(validReport())
	f.Add(good)
	f.Add([]byte(strings.Replace(string(good), `"severity":"high"`, `"severity":"hi\u001bgh"`, 1)))
	f.Add([]byte(`{"coverage":[{"status":"complete\r"}],"inventory":[{"approval":"banned"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rep Report
		if json.Unmarshal(data, &rep) != nil || ValidateReport(&rep) != nil {
			return
		}
		in := func(v string, set []string) bool { return v == "" || slices.Contains(set, v) }
		for _, c := range rep.Coverage {
			if !in(c.Status, coverageStatuses) {
				t.Fatalf("coverage status %q accepted", c.Status)
			}
		}
		for _, fs := range [][]Finding{rep.Findings, rep.Resolved, rep.Unconfirmed} {
			for _, fd := range fs {
				if !in(fd.Severity, Severities) || !in(fd.Status, findingStatuses) {
					t.Fatalf("finding %q/%q accepted", fd.Severity, fd.Status)
				}
			}
		}
		for _, it := range rep.Inventory {
			if !in(it.Approval, Approvals) {
				t.Fatalf("approval %q accepted", it.Approval)
			}
		}
		for _, r := range rep.Rules {
			if !in(r.Severity, Severities) {
				t.Fatalf("rule severity %q accepted", r.Severity)
			}
		}
	})
}
