package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner"
)

// A provider that fails does not resolve its findings. Night 1 finds the banned Mailchimp through provider
// "tools"; on night 2 "tools" cannot read its file, so the finding is unconfirmed (with the reason), not resolved,
// and the state stores no resolution; on night 3 "tools" completes without Mailchimp and the finding is resolved.
// Run once with the state folder as the baseline and once with the previous night's report as --baseline.
func TestFailedProviderDoesNotResolve(t *testing.T) {
	for _, mode := range []string{"state", "baseline-file"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			testfile.Write(t, dir, "approved.yaml", "- {vendor: mailchimp, status: banned, owner: it@example.com}\n")
			testfile.Write(t, dir, "other.ndjson", `{"kind":"app","id":"o1","hints":[{"type":"name","value":"Hotjar"}]}`+"\n")
			tools := testfile.Write(t, dir, "tools.ndjson", `{"kind":"app","id":"m1","hints":[{"type":"name","value":"Mailchimp"}]}`+"\n")
			cfg := testfile.Write(t, dir, "shadowscan.yaml", `organization: {name: Example, domains: [example.com]}
policy: {approved_file: approved.yaml}
providers:
  - {type: inventory, name: tools, files: [tools.ndjson]}
  - {type: inventory, name: other, files: [other.ndjson]}
`)
			stateDir := filepath.Join(dir, "state")
			night := func(n int, wantCode int) scanner.Report {
				t.Helper()
				out := filepath.Join(dir, "night"+string(rune('0'+n))+".json")
				args := []string{"scan", "--config", cfg, "--format", "json", "--output", out, "--fail-on", "none"}
				if mode == "state" {
					args = append(args, "--state-dir", stateDir)
				} else if n > 1 {
					args = append(args, "--baseline", filepath.Join(dir, "night"+string(rune('0'+n-1))+".json"))
				}
				if r := nightly(t, n, nil, args...); r.code != wantCode {
					t.Fatalf("night %d: exit %d, want %d: %s", n, r.code, wantCode, r.stderr)
				}
				return readReport(t, out)
			}
			banned := func(fs []scanner.Finding) *scanner.Finding {
				for i := range fs {
					if fs[i].Vendor != nil && fs[i].Vendor.ID == "mailchimp" && fs[i].RuleID == "banned-vendor" {
						return &fs[i]
					}
				}
				return nil
			}

			n1 := night(1, exitClean)
			x := banned(n1.Findings)
			if x == nil {
				t.Fatalf("night 1 has no banned-vendor finding for Mailchimp: %+v", n1.Findings)
			}

			// Night 2: the provider that found it fails.
			if err := os.Remove(tools); err != nil {
				t.Fatal(err)
			}
			n2 := night(2, exitCoverage)
			if f := banned(n2.Resolved); f != nil {
				t.Fatalf("night 2: a failed provider resolved %s", f.Fingerprint)
			}
			u := banned(n2.Unconfirmed)
			if u == nil || u.Fingerprint != x.Fingerprint {
				t.Fatalf("night 2: the finding is not listed as unconfirmed: %+v", n2.Unconfirmed)
			}
			if !strings.Contains(u.Unconfirmed, "provider tools was failed") || n2.Summary.UnconfirmedFindings != 1 {
				t.Errorf("night 2: reason %q, summary %d", u.Unconfirmed, n2.Summary.UnconfirmedFindings)
			}
			if mode == "state" && u.FirstSeen.IsZero() {
				t.Error("night 2: the state did not say when the unconfirmed finding was first seen")
			}
			if f := banned(n2.Findings); f != nil {
				t.Errorf("night 2: a finding nobody saw is reported as seen: %+v", f)
			}

			// Night 3: the provider completes and Mailchimp is gone: now it is resolved.
			testfile.Write(t, dir, "tools.ndjson", `{"kind":"app","id":"t1","hints":[{"type":"name","value":"Typeform"}]}`+"\n")
			n3 := night(3, exitClean)
			if f := banned(n3.Resolved); f == nil || f.Fingerprint != x.Fingerprint {
				t.Fatalf("night 3: not resolved: resolved %+v, unconfirmed %+v", n3.Resolved, n3.Unconfirmed)
			}
			if len(n3.Unconfirmed) != 0 {
				t.Errorf("night 3: still unconfirmed: %+v", n3.Unconfirmed)
			}
			if mode == "state" {
				if f := banned(n3.Resolved); f.ResolvedAt.IsZero() || f.FirstSeen.IsZero() {
					t.Errorf("night 3: the state did not record the resolution: %+v", f)
				}
				r := run(t, nil, "history", "--state-dir", stateDir, "--format", "json", "--since", "0")
				if r.code != 0 || strings.Count(strings.ReplaceAll(r.stdout, " ", ""), `"resolved_findings":1`) != 1 {
					t.Errorf("history: exactly night 3 resolves one finding: %s %s", r.stdout, r.stderr)
				}
			}
		})
	}
}
