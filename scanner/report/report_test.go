package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// fixture is a fixed report with hostile strings in every untrusted field.
func fixture() *scanner.Report {
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	hubspot := scanner.Vendor{ID: "hubspot", Name: "HubSpot", Category: "content_experience", Martech: true}
	evil := scanner.Vendor{ID: "evil", Name: "Evil\x1b[31mRed\x1b[0m <b>Corp</b>", Category: "data", Martech: true}
	return &scanner.Report{
		SchemaVersion: scanner.SchemaVersion,
		Tool:          scanner.Tool{Name: "shadowscan", Version: "v0.0.0-test"},
		Scan: scanner.ScanInfo{ID: "20261122T030000Z-0000", StartedAt: t0, FinishedAt: t0.Add(90 * time.Second),
			Organization: "Northwind Outfitters"},
		Coverage: []scanner.Coverage{
			{Provider: "workspace", Type: "google_workspace", Status: scanner.CoverageComplete, Records: 42, DurationMS: 1200, Errors: []scanner.CoverageError{}},
			{Provider: "aws-org", Type: "aws", Status: scanner.CoveragePartial, Records: 7, DurationMS: 3400,
				Errors:  []scanner.CoverageError{{API: "iam:ListRoles", Target: "123456789012", Message: "AccessDenied: not authorized"}},
				Skipped: []string{"account 210987654321 (SUSPENDED)"}},
		},
		Summary: scanner.Summary{Findings: 3, BySeverity: map[string]int{"critical": 0, "high": 2, "medium": 0, "low": 0, "info": 1},
			Vendors: 2, MartechVendors: 2, UnapprovedMartechVendors: 1, NewFindings: 2, SuppressedFindings: 1, UnidentifiedApps: 1,
			UnapprovedMonthlySpend: map[string]float64{"USD": 39, "EUR": 12.5}},
		Inventory: []scanner.InventoryItem{
			{Vendor: evil, Approval: scanner.ApprovalUnapproved, Sources: []string{"expenses", "google_workspace"}, UserCount: 2,
				Users: []string{"alice@northwind.example", "ben@northwind.example"}, Records: 5,
				MonthlySpend: map[string]float64{"USD": 39, "EUR": 12.5}, FirstSeen: t0.AddDate(0, -6, 0), LastSeen: t0},
			{Vendor: hubspot, Approval: scanner.ApprovalApproved, Sources: []string{"dns"}, Users: []string{}, Records: 1,
				MonthlySpend: map[string]float64{}},
		},
		Unidentified: []scanner.Unidentified{{Key: "google_client_id:48213377201-leadmagnet.apps.googleusercontent.com",
			HintType: scanner.HintGoogleClientID, Value: "48213377201-leadmagnet.apps.googleusercontent.com",
			Name: "LeadMagnet\x07 Pro\u202e", Kinds: []string{"oauth_grant"}, Sources: []string{"google_workspace"}, Records: 2,
			UserCount: 2, Users: []string{"ben@northwind.example", "priya@northwind.example"},
			Scopes: []string{"https://www.googleapis.com/auth/gmail.readonly"}}},
		Findings: []scanner.Finding{
			{Fingerprint: "0123456789abcdef0123456789abcdef", RuleID: "unapproved-martech", Title: "Unapproved martech vendor in use",
				Severity: "high", Status: "new", Vendor: &evil,
				Message:     "Evil Corp is used by 2 people and was never approved | *not* a [link](http://x) <script>alert(1)</script>",
				Remediation: "Request approval or remove it.", FirstSeen: t0.AddDate(0, 0, -2),
				Evidence:      []scanner.Evidence{{Provider: "cards", Kind: "saas_subscription", ID: "expenses:evil:alice", Summary: "=HYPERLINK(\"http://evil.example\",\"x\")"}},
				EvidenceCount: 4},
			{Fingerprint: "fedcba9876543210fedcba9876543210", RuleID: "restricted-scopes", Title: "Unknown app holds Gmail access",
				Severity: "high", Status: "existing", Message: "LeadMagnet Pro holds gmail.readonly for 2 people.",
				Remediation: "Revoke the grant in the Admin console.", Evidence: []scanner.Evidence{}, EvidenceCount: 0},
			{Fingerprint: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", RuleID: "redundant-tool", Title: "Redundant tool", Severity: "info",
				Status: "suppressed", Vendor: &hubspot, Message: "x", Remediation: "y", Evidence: []scanner.Evidence{},
				Suppression: &scanner.Suppression{RuleID: "redundant-tool", Vendor: "hubspot", Owner: "it@northwind.example", Reason: "migration", Expires: t0.AddDate(0, 2, 0)}},
		},
		Resolved: []scanner.Finding{{Fingerprint: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", RuleID: "banned-vendor", Title: "Banned vendor in use", Severity: "critical", Status: "existing",
			FirstSeen: t0.AddDate(0, 0, -9), LastSeen: t0.AddDate(0, 0, -1), ResolvedAt: t0}},
		Rules: []scanner.RuleInfo{
			{ID: "banned-vendor", Title: "Banned vendor in use", Severity: "critical", Description: "IT banned it; it is in use.", Tags: []string{"approvals"}},
			{ID: "redundant-tool", Title: "Redundant tool", Severity: "info", Description: "Another tool of the category is approved.", Tags: []string{"usage"}},
			{ID: "restricted-scopes", Title: "Unknown app holds Gmail access", Severity: "high", Description: "Restricted scopes <b>held</b> by an =app.", Tags: []string{"oauth", "data-access"}},
			{ID: "unapproved-martech", Title: "Unapproved martech vendor in use", Severity: "high", Description: "Never approved.", Tags: []string{"approvals"}},
		},
		Trend: []scanner.TrendPoint{
			{ScanID: "20261120T030000Z-0000", StartedAt: t0.AddDate(0, 0, -2), Complete: true, Findings: 4, NewFindings: 4, UnapprovedMartechVendors: 2, UnapprovedMonthlySpend: map[string]float64{"USD": 60}},
			{ScanID: "20261121T030000Z-0000", StartedAt: t0.AddDate(0, 0, -1), Complete: false, Findings: 3, NewFindings: 0, ResolvedFindings: 1, UnapprovedMartechVendors: 1, UnapprovedMonthlySpend: map[string]float64{"USD": 39}},
			{ScanID: "20261122T030000Z-0000", StartedAt: t0, Complete: false, Findings: 3, NewFindings: 2, ResolvedFindings: 1, UnapprovedMartechVendors: 1, UnapprovedMonthlySpend: map[string]float64{"USD": 39, "EUR": 12.5}},
		},
	}
}

func render(t *testing.T, format string, opts Options) []byte {
	t.Helper()
	w, err := New(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(context.Background(), &buf, fixture()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGoldens(t *testing.T) {
	for _, tc := range []struct {
		format, file string
		opts         Options
	}{
		{"table", "report.txt.golden", Options{}},
		{"table", "report.color.txt.golden", Options{Color: true}},
		{"json", "report.json.golden", Options{}},
		{"ndjson", "report.ndjson.golden", Options{}},
		{"csv", "report.csv.golden", Options{}},
		{"markdown", "report.md.golden", Options{}},
		{"sarif", "report.sarif.golden", Options{}},
		{"ocsf", "report.ocsf.golden", Options{}},
		{"html", "report.html.golden", Options{CategoryName: categoryNames}},
		{"inventory-csv", "report.inventory.csv.golden", Options{CategoryName: categoryNames}},
	} {
		t.Run(tc.file, func(t *testing.T) { golden.Check(t, filepath.Join("testdata", tc.file), render(t, tc.format, tc.opts)) })
	}
}

// Every writer neutralises hostile strings.
func TestHostileStringsNeutralised(t *testing.T) {
	for _, f := range Formats {
		out := render(t, f, Options{})
		if bytes.ContainsAny(out, "\x1b\x07") || strings.Contains(string(out), "\u202e") {
			t.Errorf("%s: terminal control characters survive", f)
		}
		// HTML only matters where the output is rendered as a page.
		if f == "markdown" && strings.Contains(string(out), "<script>") {
			t.Errorf("%s: raw HTML survives", f)
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", Options{}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("csv cell %q would run as a formula", cell)
			}
		}
	}
	table := string(render(t, "table", Options{}))
	for i, line := range strings.Split(table, "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("table line %d is %d columns wide: %q", i+1, n, line)
		}
	}
}

func TestJSONFieldNames(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(render(t, "json", Options{}), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema_version", "tool", "scan", "coverage", "summary", "inventory", "unidentified", "findings", "resolved"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	fields := func(v any) map[string]any { return v.(map[string]any) }
	check := func(obj map[string]any, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				t.Errorf("missing %q in %v", k, obj)
			}
		}
	}
	check(fields(m["scan"]), "id", "started_at", "finished_at", "organization")
	check(fields(m["coverage"].([]any)[0]), "provider", "type", "status", "records", "duration_ms", "errors")
	check(fields(m["inventory"].([]any)[0]), "vendor", "approval", "sources", "user_count", "users", "records", "monthly_spend", "first_seen", "last_seen")
	check(fields(fields(m["inventory"].([]any)[0])["vendor"]), "id", "name", "category", "martech")
	check(fields(m["findings"].([]any)[0]), "fingerprint", "rule_id", "title", "severity", "status", "vendor", "message", "remediation", "evidence", "evidence_count")
	check(fields(fields(m["findings"].([]any)[0])["evidence"].([]any)[0]), "provider", "kind", "id", "summary")
}

func TestClean(t *testing.T) {
	cases := map[string]string{
		"plain":                     "plain",
		"red\x1b[31mtext\x1b[0m":    "redtext",
		"title\x1b]0;pwned\x07 ok":  "title ok",
		"osc\x1b]8;;http://x\x1b\\": "osc",
		"bell\x07tab\tnl\nend":      "belltab nl end",
		"c1\u009bX":                 "c1X",
		"rtl\u202eevil":             "rtlevil",
		"trailing esc\x1b":          "trailing esc",
		"héllo wörld":               "héllo wörld",
	}
	for in, want := range cases {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"=1+1": "'=1+1", "+x": "'+x", "-2": "'-2", "@SUM": "'@SUM", "ok": "ok", "\t=x": "' =x", " =x": "' =x"} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"a\x1b[31mb", "\x1b]0;x\x07", "\u202e", "=cmd|' /C calc'!A0", "\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || textsafe.IsBidiControl(r) {
				t.Fatalf("Clean(%q) kept control rune %U", s, r)
			}
		}
		cell := SafeCell(s)
		if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Fatalf("SafeCell(%q) = %q starts a formula", s, cell)
		}
		md := MarkdownText(s)
		if strings.ContainsAny(md, "<>") {
			t.Fatalf("MarkdownText(%q) = %q keeps angle brackets", s, md)
		}
	})
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A writer that fails half way must leave the previous report and no temp file.
	err := WriteFile(context.Background(), path, 0, failingWriter{}, fixture())
	if err == nil {
		t.Fatal("want error")
	}
	if b, _ := os.ReadFile(path); string(b) != "previous" {
		t.Errorf("previous report clobbered: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	if err := WriteFile(context.Background(), path, 0, JSON{}, fixture()); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("existing report's mode 644 became %o", fi.Mode().Perm())
	}
	fresh := filepath.Join(dir, "new.json")
	if err := WriteFile(context.Background(), fresh, 0, JSON{}, fixture()); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o600 {
		t.Errorf("new report mode %o, want 600 (it holds people's emails)", fi.Mode().Perm())
	}
	var rep scanner.Report
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &rep); err != nil || rep.Scan.Organization != "Northwind Outfitters" {
		t.Errorf("report not written: %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write(_ context.Context, w io.Writer, _ *scanner.Report) error {
	_, _ = w.Write([]byte(`{"half":`))
	return os.ErrClosed
}

func TestCheckWritable(t *testing.T) {
	if err := CheckWritable(filepath.Join(t.TempDir(), "missing-dir", "r.json")); err == nil {
		t.Error("a path in a missing folder must be refused")
	}
	if err := CheckWritable(t.TempDir()); err == nil {
		t.Error("a directory must be refused")
	}
	if err := CheckWritable(filepath.Join(t.TempDir(), "r.json")); err != nil {
		t.Error(err)
	}
}

// tableFixture is fixture with a rule that fired for two vendors with the same fix, and long source lists.
func tableFixture() *scanner.Report {
	rep := fixture()
	zoom := scanner.Vendor{ID: "zoominfo", Name: "ZoomInfo", Category: "data", Martech: true}
	rep.Inventory = append(rep.Inventory, scanner.InventoryItem{Vendor: zoom, Approval: scanner.ApprovalUnapproved,
		Sources: []string{"aws", "dns", "expenses", "google_workspace", "microsoft"}, UserCount: 1, Records: 9,
		MonthlySpend: map[string]float64{"USD": 1249.58}})
	evil := rep.Inventory[0].Vendor
	for _, v := range []*scanner.Vendor{&zoom, &evil} {
		rep.Findings = append(rep.Findings, scanner.Finding{Fingerprint: "cccc" + v.ID, RuleID: "recurring-spend-unapproved",
			Title: "Recurring spend on an unapproved tool", Severity: "medium", Status: "new", Vendor: v,
			Message: "The organisation pays " + v.Name + " every month.", Remediation: "Bring the subscription into procurement.",
			Evidence: []scanner.Evidence{}})
	}
	rep.Findings = append(rep.Findings, scanner.Finding{Fingerprint: "dddd", RuleID: "banned-vendor", Title: "Banned vendor in use",
		Severity: "critical", Status: "new", Vendor: &zoom, Message: "ZoomInfo is banned.", Remediation: "Revoke it.", Evidence: []scanner.Evidence{}})
	scanner.SortFindings(rep.Findings)
	return rep
}

func categoryNames(id string) string {
	return map[string]string{"data": "Data", "content_experience": "Content & experience"}[id]
}

func renderTable(t *testing.T, rep *scanner.Report, opts Options) string {
	t.Helper()
	w, err := New("table", opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(context.Background(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestTableLayoutGoldens(t *testing.T) {
	for _, tc := range []struct {
		file  string
		width int
	}{{"table.w80.txt.golden", 80}, {"table.w100.txt.golden", 100}, {"table.w160.txt.golden", 160}} {
		t.Run(tc.file, func(t *testing.T) {
			golden.Check(t, filepath.Join("testdata", tc.file), []byte(renderTable(t, tableFixture(), Options{Width: tc.width, CategoryName: categoryNames})))
		})
	}
}

// TestTableLayout: the table fits the width it is given, never cuts sources, names categories, shows a rule's
// shared fix once, and puts what is new and critical first.
func TestTableLayout(t *testing.T) {
	for _, width := range []int{60, 80, 100, 132, 200} {
		out := renderTable(t, tableFixture(), Options{Width: width, CategoryName: categoryNames})
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > max(width, 80) {
				t.Errorf("width %d: line %d is %d columns: %q", width, i+1, n, line)
			}
		}
		flat := strings.Join(strings.Fields(out), " ")
		for _, src := range []string{"aws,", "dns,", "expenses,", "google_workspace,", "microsoft"} {
			if !strings.Contains(flat, src) {
				t.Errorf("width %d: source %q cut off", width, src)
			}
		}
		if strings.Contains(out, "content_experience") || !strings.Contains(out, "Content &") {
			t.Errorf("width %d: category IDs instead of names", width)
		}
		if n := strings.Count(out, "Bring the subscription into procurement"); n != 1 {
			t.Errorf("width %d: a rule's shared fix shown %d times, want once", width, n)
		}
		morning, coverage := strings.Index(out, "NEW SINCE THE LAST SCAN"), strings.Index(out, "COVERAGE")
		if morning < 0 || morning > coverage {
			t.Errorf("width %d: what is new does not come first", width)
		}
		top := out[morning:coverage]
		if !strings.Contains(top, "CRITICAL") || !strings.Contains(top, "ZoomInfo — Banned vendor in use") {
			t.Errorf("width %d: the new critical finding is not listed at the top:\n%s", width, top)
		}
		if !strings.Contains(top, "coverage incomplete: aws-org partial") {
			t.Errorf("width %d: incomplete coverage not said at the top:\n%s", width, top)
		}
	}
}
