package check_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/rules/check"
)

// sparseResults are answers with as little as an answer can have: a vendor the catalogue knows by name only (no
// category, subcategories, domains or data access) that the report lists with no users and no sources, under an
// approval whose scope ceiling has no scopes to apply to; and an unknown app, asked about by a query of exactly the
// 300 bytes the Markdown quotes whole, that the report saw with two people whose names are withheld. The writers
// print no empty "Domains:", "Who:" or "Sources:" line for what is missing.
func sparseResults() map[string]*check.Result {
	day := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	vendor := &check.Result{Query: "sparse", QueryKind: check.KindName, Verdict: check.VerdictUnapproved,
		VerdictLabel: check.VerdictLabel(check.VerdictUnapproved), Reason: "name sparse", ExitCode: 1, CheckedAt: day,
		// "Sparse Tool (sparse)" padded to exactly 60 runes: a line that fits the width is not cut.
		Vendor:       &check.VendorInfo{ID: "sparse", Name: "Sparse Tool" + strings.Repeat("·", 60-len("Sparse Tool (sparse)"))},
		Approval:     &check.ApprovalInfo{Status: check.VerdictUnapproved, Scopes: []string{"openid"}},
		Alternatives: []check.Alternative{{Vendor: check.VendorRef{ID: "x", Name: "X Suite"}, Status: check.VerdictApproved, Subcategory: "X"}},
		Usage:        &check.Usage{InReport: true, Sources: []string{}, ScanID: "scan-1", ScanFinished: day},
		NextStep:     "Sparse Tool is not approved.", Redacted: true, Config: "shadowscan.yaml (--config)"}
	withheld := &check.Result{Query: strings.Repeat("q", 300), QueryKind: check.KindName, Verdict: check.VerdictUnknown,
		VerdictLabel: check.VerdictLabel(check.VerdictUnknown), Reason: "no vendor matched", AppName: "Some App", ExitCode: 1,
		CheckedAt: day, Usage: &check.Usage{InReport: true, UserCount: 2, Sources: []string{"google"}, ScanID: "scan-1", ScanFinished: day},
		NextStep: "Send the request below.", Redacted: true, Config: "shadowscan.yaml (--config)"}
	for _, r := range []*check.Result{vendor, withheld} {
		r.RequestMarkdown = check.RequestMarkdown(r)
	}
	return map[string]*check.Result{"sparse-vendor": vendor, "withheld-users": withheld}
}

func TestGoldenSparse(t *testing.T) {
	t.Parallel()
	for name, r := range sparseResults() {
		var text, md bytes.Buffer
		if err := check.WriteText(&text, r, 60); err != nil {
			t.Fatal(err)
		}
		if err := check.WriteMarkdown(&md, r); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "golden", name+".60.txt"), text.Bytes())
		golden.Check(t, filepath.Join("testdata", "golden", name+".md"), md.Bytes())
	}
}

// A scan ID of nothing but UTF-8 continuation bytes (a hostile report) is cut to "…", not indexed before its start.
func TestTruncateAllContinuationBytes(t *testing.T) {
	t.Parallel()
	r := sparseResults()["withheld-users"]
	r.Usage.InReport = false
	r.Usage.ScanID = strings.Repeat("\x80", 50)
	var buf bytes.Buffer
	if err := check.WriteText(&buf, r, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Not seen in scan … of 2026-11-22.") {
		t.Errorf("scan ID of continuation bytes:\n%s", buf.String())
	}
}
