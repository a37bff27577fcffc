package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner"
)

// synthetic is a sharding provider for the shard tests: a tenant of Users users with grants to catalogue apps and
// unknown apps (some users granting many, so grouped findings have more evidence than is kept), and an
// organisation of Accounts AWS accounts with vendor trusts and Marketplace spend. It partitions users and accounts
// by Deps.Shard as the real providers do.
type synthetic struct {
	Users    int `mapstructure:"users"`
	Accounts int `mapstructure:"accounts"`
	Grants   int `mapstructure:"grants"` // per user; default 2
}

func (c *synthetic) Validate() error { return nil }

type syntheticProvider struct {
	c *synthetic
	d scanner.Deps
}

var syntheticApps = []struct{ name, scope string }{
	{"HubSpot", "https://www.googleapis.com/auth/gmail.readonly"},
	{"Mailchimp", "https://www.googleapis.com/auth/contacts.readonly"},
	{"Zoom", "https://www.googleapis.com/auth/calendar"},
	{"Calendly", "https://www.googleapis.com/auth/calendar"},
	{"Grammarly", "openid"},
	{"Unknown Lead Scraper", "https://mail.google.com/"},
	{"Canva", "https://www.googleapis.com/auth/drive.file"},
}

var syntheticVendorAccounts = []string{"595280932656", "834469178297", "338661164609", "999988887777"}

func (p *syntheticProvider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	grants := p.c.Grants
	if grants == 0 {
		grants = 2
	}
	for u := range p.c.Users {
		email := fmt.Sprintf("user%06d@example.com", u)
		if !p.d.Shard.Owns("google-user:" + email) {
			continue
		}
		dept := []string{"Marketing", "Sales", "Engineering"}[u%3]
		for g := range grants {
			app := syntheticApps[(u*7+g*3)%len(syntheticApps)]
			rec := scanner.Record{Kind: scanner.KindOAuthGrant, ID: fmt.Sprintf("google:c:%d:%s", u, app.name),
				Summary: email + " granted " + app.name,
				Hints:   []scanner.Hint{{Type: scanner.HintName, Value: app.name}},
				Principal: &scanner.Principal{Type: "user", ID: fmt.Sprint(u), Email: email, Department: dept,
					OrgUnit: "/" + dept},
				Scopes:    []string{app.scope, "openid"},
				FirstSeen: day.Add(time.Duration(u%300) * time.Hour), LastSeen: day.Add(time.Duration(u%700) * time.Hour),
				Attributes: map[string]any{"source": "tokens", "revoked": u%97 == 0, "native_app": false, "anonymous": false}}
			if err := emit(rec); err != nil {
				return err
			}
		}
	}
	for a := range p.c.Accounts {
		id := fmt.Sprintf("%012d", 400000000000+a)
		if !p.d.Shard.Owns("aws-account:" + id) {
			continue
		}
		vendor := syntheticVendorAccounts[a%len(syntheticVendorAccounts)]
		recs := []scanner.Record{
			{Kind: scanner.KindCloudTrust, ID: "aws:" + id + ":role/vendor:trust:" + vendor, Summary: "role vendor in " + id + " trusts " + vendor,
				Hints:      []scanner.Hint{{Type: scanner.HintAWSAccount, Value: vendor}},
				Principal:  &scanner.Principal{Type: "account", ID: id},
				Attributes: map[string]any{"account_id": id, "external_id_present": a%2 == 0, "wildcard": false, "principal_type": "account"}},
			{Kind: scanner.KindSaaSSubscription, ID: "aws:" + id + ":marketplace-agreement/agmt-" + id, Summary: "Marketplace agreement",
				Hints:      []scanner.Hint{{Type: scanner.HintAWSAccount, Value: vendor}},
				Amount:     &scanner.Amount{Value: 100 + float64(a%13)*0.37, Currency: "USD", Period: scanner.PeriodMonthly},
				Attributes: map[string]any{"account_id": id, "source": "marketplace_agreement"}},
		}
		for _, r := range recs {
			if err := emit(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func init() {
	scanner.Register(scanner.Registration[scanner.ProviderConfig]{Type: "test_synthetic", Shards: true,
		NewConfig: func() scanner.ProviderConfig { return &synthetic{} },
		New: func(cfg scanner.ProviderConfig, d scanner.Deps) (scanner.Provider, error) {
			return &syntheticProvider{c: cfg.(*synthetic), d: d}, nil
		}})
}

func shardCaseConfig(t *testing.T, users, accounts, grants int) string {
	dir := t.TempDir()
	testfile.Write(t, dir, "approved.yaml", "- {vendor: zoom, status: approved, owner: it@example.com}\n- {vendor: mailchimp, status: banned, owner: it@example.com}\n")
	testfile.Write(t, dir, "inv-a.ndjson", `{"kind":"app","id":"a1","hints":[{"type":"name","value":"Hotjar"}]}`+"\n")
	testfile.Write(t, dir, "inv-b.ndjson", `{"kind":"app","id":"b1","hints":[{"type":"name","value":"Typeform"}]}`+"\n"+
		`{"kind":"app","id":"b2","hints":[{"type":"name","value":"Some Tool Nobody Knows"}]}`+"\n")
	return testfile.Write(t, dir, "shadowscan.yaml", fmt.Sprintf(`organization: {name: Example, domains: [example.com],
  marketing: {departments: [Marketing], org_units: ["/Marketing"]}}
policy: {approved_file: approved.yaml}
providers:
  - {type: test_synthetic, name: tenant, users: %d, accounts: %d, grants: %d}
  - {type: inventory, name: imports, files: [inv-a.ndjson, inv-b.ndjson]}
`, users, accounts, grants))
}

var reDuration = regexp.MustCompile(`"duration_ms": \d+`)

// normalise blanks what differs between two runs over the same data: durations (scan IDs and times are fixed by
// the test app's clock and ID).
func normalise(b []byte) []byte { return reDuration.ReplaceAll(b, []byte(`"duration_ms": 0`)) }

// N = 1, 2, 4, 8 shards of a 20,000-user, 200-account case, merged, give byte for byte the report of one
// unsharded scan: coverage, inventory, unidentified apps, grouped findings with their evidence, fingerprints.
func TestShardMergeEqualsUnsharded(t *testing.T) {
	users, accounts := 20000, 200
	if testing.Short() || raceEnabled {
		users, accounts = 2000, 40
	}
	cfg := shardCaseConfig(t, users, accounts, 2)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.json")
	if r := run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", whole, "--fail-on", "none"); r.code != 0 {
		t.Fatalf("unsharded scan: %+v", r)
	}
	want := normalise(mustRead(t, whole))
	var wantRep scanner.Report
	if err := json.Unmarshal(want, &wantRep); err != nil {
		t.Fatal(err)
	}
	if len(wantRep.Findings) < 5 || len(wantRep.Inventory) < 5 || len(wantRep.Unidentified) == 0 {
		t.Fatalf("the case is too thin to prove anything: %d findings, %d vendors, %d unidentified",
			len(wantRep.Findings), len(wantRep.Inventory), len(wantRep.Unidentified))
	}
	truncated := false
	for _, f := range wantRep.Findings {
		truncated = truncated || f.EvidenceCount > len(f.Evidence)
	}
	if !truncated {
		t.Fatal("no finding has more evidence than is kept; the evidence merge is not exercised")
	}
	for _, n := range []int{1, 2, 4, 8} {
		sdir := filepath.Join(dir, fmt.Sprint(n))
		if err := os.MkdirAll(sdir, 0o755); err != nil {
			t.Fatal(err)
		}
		for k := range n {
			out := filepath.Join(sdir, fmt.Sprintf("shard-%d.json", k))
			if r := run(t, nil, "scan", "--config", cfg, "--shard", fmt.Sprintf("%d/%d", k, n), "--format", "json",
				"--output", out, "--fail-on", "none"); r.code != 0 {
				t.Fatalf("shard %d/%d: %+v", k, n, r)
			}
		}
		merged := filepath.Join(dir, fmt.Sprintf("merged-%d.json", n))
		if r := run(t, nil, "report", "merge", sdir, "--config", cfg, "--output", merged, "--fail-on", "none"); r.code != 0 {
			t.Fatalf("merge of %d: %+v", n, r)
		}
		if got := normalise(mustRead(t, merged)); !bytes.Equal(got, want) {
			t.Errorf("%d shards merged differ from the unsharded report:\n%s", n, firstDiff(got, want))
		}
	}
}

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func firstDiff(got, want []byte) string {
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range min(len(gl), len(wl)) {
		if !bytes.Equal(gl[i], wl[i]) {
			return fmt.Sprintf("line %d:\n  got  %s\n  want %s", i+1, gl[i], wl[i])
		}
	}
	return fmt.Sprintf("lengths %d vs %d lines", len(gl), len(wl))
}

// An incomplete or mixed set of shard reports is refused, never merged into a report that looks whole.
func TestMergeRefusesIncompleteSets(t *testing.T) {
	cfg := shardCaseConfig(t, 50, 4, 1)
	dir := t.TempDir()
	shard := func(spec string) string {
		p := filepath.Join(dir, "s-"+regexp.MustCompile(`\W`).ReplaceAllString(spec, "_")+".json")
		if r := run(t, nil, "scan", "--config", cfg, "--shard", spec, "--format", "json", "--output", p, "--fail-on", "none"); r.code != 0 {
			t.Fatalf("shard %s: %+v", spec, r)
		}
		return p
	}
	s0, s1, s0of3 := shard("0/2"), shard("1/2"), shard("0/3")
	whole := filepath.Join(dir, "whole.json")
	run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", whole, "--fail-on", "none")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{s0}, "shards missing: 1/2"},
		{[]string{s0, s0}, "shard 0/2 is given twice"},
		{[]string{s0, s1, s0of3}, "of 2 shards"},
		{[]string{s0, whole}, "not a shard report"},
	} {
		r := run(t, nil, append(append([]string{"report", "merge"}, tc.args...), "--config", cfg, "--output", filepath.Join(dir, "m.json"))...)
		if r.code != exitUsage || !bytes.Contains([]byte(r.stderr), []byte(tc.want)) {
			t.Errorf("merge %v: code %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	// A shard report of an earlier night (its scan started two days before the other) is refused.
	stale := filepath.Join(t.TempDir(), "s1.json")
	b := bytes.Replace(mustRead(t, s1), []byte(`"started_at": "2026-11-22T03:00:00Z"`), []byte(`"started_at": "2026-11-20T03:00:00Z"`), 1)
	if err := os.WriteFile(stale, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "report", "merge", s0, stale, "--config", cfg, "--output", filepath.Join(dir, "m.json")); r.code != exitUsage ||
		!bytes.Contains([]byte(r.stderr), []byte("shard reports of different scans")) {
		t.Errorf("stale shard: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "m.json")); err == nil {
		t.Error("a refused merge wrote a report")
	}
}

func TestShardFlags(t *testing.T) {
	cfg := shardCaseConfig(t, 10, 2, 1)
	out := filepath.Join(t.TempDir(), "s.json")
	for _, tc := range []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{nil, []string{"--shard", "2/2"}, exitUsage, "0 ≤ K < N"},
		{nil, []string{"--shard", "x"}, exitUsage, "is not K/N"},
		{nil, []string{"--shard", "auto"}, exitUsage, "JOB_COMPLETION_INDEX is not set"},
		{[]string{"JOB_COMPLETION_INDEX=1"}, []string{"--shard", "auto"}, exitUsage, "shard count is not set"},
		{nil, []string{"--shard", "0/2", "--shard-count", "2"}, exitUsage, "only with --shard auto"},
		{[]string{"JOB_COMPLETION_INDEX=1"}, []string{"--shard", "auto", "--shard-count", "2"}, 0, ""},
		{nil, []string{"--shard", "0/2", "--format", "table"}, exitUsage, "a shard report is JSON"},
	} {
		args := append([]string{"scan", "--config", cfg, "--output", out, "--format", "json", "--fail-on", "none"}, tc.args...)
		r := run(t, tc.env, args...)
		if r.code != tc.code || !bytes.Contains([]byte(r.stderr), []byte(tc.want)) {
			t.Errorf("%v %v: code %d stderr %q; want %d %q", tc.env, tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
	var rep scanner.Report
	if err := json.Unmarshal(mustRead(t, out), &rep); err != nil || rep.Shard == nil || rep.Shard.Index != 1 || rep.Shard.Count != 2 || rep.Shard.Version != scanner.ShardStateVersion {
		t.Errorf("shard report: %v %+v", err, rep.Shard)
	}
}
