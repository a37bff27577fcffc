package scanner

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// ParseShard reads K/N with 0 ≤ K < N ≤ 1024, spaces around allowed, and names the value it refuses.
func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/4", Shard{0, 4}, ""},
		{" 3/4 ", Shard{3, 4}, ""},
		{"0/1", Shard{0, 1}, ""},
		{"1023/1024", Shard{1023, 1024}, ""},
		{"0/1024", Shard{0, 1024}, ""},
		{"4/4", Shard{}, `"4/4": want 0 ≤ K < N ≤ 1024`},
		{"1/1", Shard{}, "want 0 ≤ K < N"},
		{"-1/4", Shard{}, "want 0 ≤ K < N"},
		{"0/0", Shard{}, "want 0 ≤ K < N"},
		{"0/-2", Shard{}, "want 0 ≤ K < N"},
		{"0/1025", Shard{}, "want 0 ≤ K < N ≤ 1024"},
		{"x", Shard{}, `"x" is not K/N (e.g. 0/4)`},
		{"3", Shard{}, "is not K/N"},
		{"1/", Shard{}, "is not K/N"},
		{"/2", Shard{}, "is not K/N"},
		{"a/2", Shard{}, "is not K/N"},
		{"1/b", Shard{}, "is not K/N"},
		{"auto", Shard{}, "is not K/N"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseShard(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) || got != (Shard{}) {
			t.Errorf("ParseShard(%q) = %+v, %v; want an error with %q", tc.in, got, err, tc.err)
		}
	}
	if s := (Shard{Index: 2, Count: 8}).String(); s != "2/8" {
		t.Errorf("String = %q", s)
	}
}

// Owns hashes a key with 64-bit FNV-1a: the same key is in the same shard on every run and machine (the values
// below are that hash modulo N, computed apart), every key is in exactly one shard, and an unsharded scan owns
// everything.
func TestShardOwns(t *testing.T) {
	for _, tc := range []struct {
		key   string
		count int
		index int
	}{
		{"user:alice@example.com", 2, 1}, {"user:alice@example.com", 3, 1}, {"user:alice@example.com", 1024, 797},
		{"aws-account:123456789012", 2, 0}, {"aws-account:123456789012", 4, 0}, {"aws-account:123456789012", 1024, 232},
		{"instance:dns", 4, 3}, {"instance:dns", 1024, 615},
	} {
		for k := range tc.count {
			if got := (Shard{Index: k, Count: tc.count}).Owns(tc.key); got != (k == tc.index) {
				t.Errorf("shard %d/%d owns %q: %v; want only shard %d", k, tc.count, tc.key, got, tc.index)
			}
		}
	}
	for _, s := range []Shard{{}, {Index: 0, Count: 1}, {Index: 5, Count: 0}} {
		if !s.Owns("anything") {
			t.Errorf("%+v (not sharded) must own every key", s)
		}
	}
	for n := 2; n <= 7; n++ {
		owned := make([]int, n)
		for i := range 500 {
			owners := 0
			for k := range n {
				if (Shard{Index: k, Count: n}).Owns(fmt.Sprint("user:", i)) {
					owners++
					owned[k]++
				}
			}
			if owners != 1 {
				t.Fatalf("key %d owned by %d of %d shards", i, owners, n)
			}
		}
		for k, c := range owned {
			if c < 500/n/2 {
				t.Errorf("shard %d/%d owns %d of 500 keys: the hash does not spread", k, n, c)
			}
		}
	}
}

// shardReport is a minimal shard report of organisation Example.
func shardReport(k, n int, scan string, started time.Time) *Report {
	return &Report{SchemaVersion: SchemaVersion, Tool: Tool{Name: "shadowscan", Version: "v" + scan},
		Scan:  ScanInfo{ID: scan, StartedAt: started, FinishedAt: started.Add(time.Duration(10+k) * time.Minute), Organization: "Example"},
		Shard: &ShardState{Version: ShardStateVersion, Shard: Shard{Index: k, Count: n}}}
}

// Merge refuses a set that is not every shard of one scan exactly once, saying which report is wrong and how.
func TestMergeRefuses(t *testing.T) {
	day := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	r := func(k, n int) *Report { return shardReport(k, n, fmt.Sprintf("s%d", k), day) }
	whole := r(1, 2)
	whole.Shard = nil
	v2 := r(1, 2)
	v2.Shard.Version = ShardStateVersion + 1
	schema := r(1, 2)
	schema.SchemaVersion = SchemaVersion + 1
	other := r(1, 2)
	other.Scan.Organization = "Other"
	for _, tc := range []struct {
		name   string
		shards []*Report
		want   string
	}{
		{"none", nil, "no shard reports"},
		{"whole", []*Report{r(0, 2), whole}, "report 2 (scan s1) is not a shard report: it has no shard field"},
		{"version", []*Report{r(0, 2), v2}, fmt.Sprintf("report 2 (scan s1): shard state version %d, this shadowscan merges version %d", ShardStateVersion+1, ShardStateVersion)},
		{"schema", []*Report{r(0, 2), schema}, fmt.Sprintf("report 2 (scan s1): schema_version %d, this shadowscan reads %d", SchemaVersion+1, SchemaVersion)},
		{"counts", []*Report{r(0, 2), r(1, 3)}, "report 2 (scan s1) is shard 1/3, but the first is of 2 shards"},
		{"twice", []*Report{r(1, 2), r(0, 2), r(1, 2)}, "shard 1/2 is given twice (report 3, scan s1)"},
		{"organisation", []*Report{r(0, 2), other}, `report 2 is of organisation "Other", the first of "Example"`},
		{"missing", []*Report{r(1, 4), r(3, 4)}, "shards missing: 0/4, 2/4 (a merged report must cover every shard)"},
		{"missing last", []*Report{r(0, 2)}, "shards missing: 1/2"},
	} {
		rep, err := Merge(context.Background(), tc.shards, MergeOptions{})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || rep != nil {
			t.Errorf("%s: %v (report %v); want %q", tc.name, err, rep != nil, tc.want)
		}
	}
	// Count 0 (a state without a shard count) merges as the one shard of one.
	lone := r(0, 0)
	if _, err := Merge(context.Background(), []*Report{lone}, MergeOptions{}); err != nil {
		t.Errorf("a lone state without a count: %v", err)
	}
}

// The merged scan is the first shard's (by index, whatever order they are given in) unless options name another
// ID or tool; it started when the first shard started and finished when the last one finished.
func TestMergeScanInfo(t *testing.T) {
	day := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	s0, s1, s2 := shardReport(0, 3, "a", day.Add(time.Minute)), shardReport(1, 3, "b", day), shardReport(2, 3, "c", day.Add(2*time.Minute))
	s2.Scan.FinishedAt = day.Add(time.Hour)
	s1.Scan.FinishedAt = day.Add(time.Minute) // finished before shard 0 started
	rep, err := Merge(context.Background(), []*Report{s2, s1, s0}, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := ScanInfo{ID: "a", StartedAt: day, FinishedAt: day.Add(time.Hour), Organization: "Example"}
	if rep.Scan != want || rep.Tool != s0.Tool || rep.SchemaVersion != SchemaVersion || rep.Shard != nil {
		t.Errorf("scan %+v tool %+v schema %d shard %v; want %+v, the first shard's tool, no shard state", rep.Scan, rep.Tool,
			rep.SchemaVersion, rep.Shard, want)
	}
	rep, err = Merge(context.Background(), []*Report{s0, s1, s2}, MergeOptions{ScanID: "merged", Tool: Tool{Name: "shadowscan", Version: "v9"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Scan.ID != "merged" || rep.Tool.Version != "v9" {
		t.Errorf("options' scan ID and tool not used: %+v %+v", rep.Scan, rep.Tool)
	}
	// A tool without a name is no tool: the first shard's stays.
	if rep, _ = Merge(context.Background(), []*Report{s0, s1, s2}, MergeOptions{Tool: Tool{Version: "v9"}}); rep.Tool != s0.Tool {
		t.Errorf("tool %+v, want the first shard's", rep.Tool)
	}
}

// mergeCoverage joins each provider's lines: records add up, the longest duration is kept, errors and skips are
// listed once each in shard order, providers in the order they first appear; the status is complete only when
// every shard was complete without errors, otherwise partial if anything was read and failed if nothing was. The
// rules line is not a provider's and is left out (the merge counts rule errors itself).
func TestMergeCoverage(t *testing.T) {
	e := func(m string) CoverageError { return CoverageError{API: "list", Message: m} }
	c := func(p, status string, records int, ms int64, errs []CoverageError, skipped ...string) Coverage {
		if errs == nil {
			errs = []CoverageError{}
		}
		return Coverage{Provider: p, Type: "t-" + p, Status: status, Records: records, DurationMS: ms, Errors: errs, Skipped: skipped}
	}
	shards := []*Report{
		{Coverage: []Coverage{
			c("a", CoverageComplete, 2, 10, nil, "ou /Archive"),
			c("b", CoveragePartial, 1, 50, []CoverageError{e("e1"), e("e2")}),
			c("failed-everywhere", CoverageFailed, 0, 1, []CoverageError{e("denied")}),
			{Provider: "rules", Type: rulesCoverageType, Status: CoveragePartial, Records: 7, Errors: []CoverageError{e("r")}},
		}},
		{Coverage: []Coverage{
			c("c", CoverageFailed, 0, 5, []CoverageError{e("boom")}),
			c("a", CoverageComplete, 3, 30, nil, "ou /Archive", "user x"),
			c("b", CoveragePartial, 4, 20, []CoverageError{e("e2"), e("e3")}),
			c("failed-everywhere", CoverageFailed, 0, 1, []CoverageError{e("denied")}),
			c("complete-with-errors", CoverageComplete, 1, 1, []CoverageError{e("odd")}),
			c("failed-read-elsewhere", CoverageFailed, 0, 1, []CoverageError{e("x")}),
		}},
		{Coverage: []Coverage{
			c("c", CoverageComplete, 0, 1, nil),
			c("failed-read-elsewhere", CoverageComplete, 6, 1, nil),
			c("complete-no-records-errors", CoverageComplete, 0, 1, []CoverageError{e("y")}),
		}},
	}
	want := []Coverage{
		c("a", CoverageComplete, 5, 30, nil, "ou /Archive", "user x"),
		c("b", CoveragePartial, 5, 50, []CoverageError{e("e1"), e("e2"), e("e3")}),
		c("failed-everywhere", CoverageFailed, 0, 1, []CoverageError{e("denied")}),
		c("c", CoverageFailed, 0, 5, []CoverageError{e("boom")}),
		c("complete-with-errors", CoveragePartial, 1, 1, []CoverageError{e("odd")}),
		c("failed-read-elsewhere", CoveragePartial, 6, 1, []CoverageError{e("x")}),
		c("complete-no-records-errors", CoverageFailed, 0, 1, []CoverageError{e("y")}),
	}
	if got := mergeCoverage(shards); !reflect.DeepEqual(got, want) {
		t.Errorf("merged coverage\n%+v\nwant\n%+v", got, want)
	}
	if got := mergeCoverage(nil); got == nil || len(got) != 0 {
		t.Errorf("no shards: %#v, want an empty list", got)
	}
}

// Rule evaluation errors add up over the shards; the first error shown is the first failing shard's, and the
// rules line counts every record evaluated in any shard.
func TestMergeRuleErrors(t *testing.T) {
	day := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	s := []*Report{shardReport(0, 4, "a", day), shardReport(1, 4, "a", day), shardReport(2, 4, "a", day), shardReport(3, 4, "a", day)}
	s[0].Shard.Evaluated = 10
	s[1].Shard.Evaluated, s[1].Shard.EvalErrors, s[1].Shard.FirstError = 20, 2, "first: no such key"
	s[2].Shard.Evaluated = 30
	s[3].Shard.Evaluated, s[3].Shard.EvalErrors, s[3].Shard.FirstError = 40, 3, "later: division by zero"
	rep, err := Merge(context.Background(), []*Report{s[3], s[2], s[1], s[0]}, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := Coverage{Provider: "rules", Type: rulesCoverageType, Status: CoveragePartial, Records: 100,
		Errors: []CoverageError{{API: "evaluate", Message: "5 rule evaluations failed; findings may be missing (first: first: no such key)"}}}
	if len(rep.Coverage) != 1 || !reflect.DeepEqual(rep.Coverage[0], want) {
		t.Errorf("coverage %+v\nwant the rules line %+v", rep.Coverage, want)
	}
	for i := range s {
		s[i].Shard.EvalErrors = 0
	}
	if rep, _ = Merge(context.Background(), s, MergeOptions{}); len(rep.Coverage) != 0 {
		t.Errorf("no rule errors, but coverage %+v", rep.Coverage)
	}
}

// A finding found in several shards keeps the most severe shard's text (among equals, the one whose first
// evidence sorts first), counts every shard's evidence and keeps the first MaxEvidence of the union; the status
// and suppression a shard gave it are dropped (the merge applies the lifecycle itself).
func TestMergeFindings(t *testing.T) {
	day := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	fp := Fingerprint("r", "acme")
	ev := func(ids ...string) []Evidence {
		var out []Evidence
		for _, id := range ids {
			out = append(out, Evidence{Provider: "p", Kind: KindOAuthGrant, ID: id, Summary: "s" + id})
		}
		return out
	}
	sf := func(sev, msg, key string, count int, ids ...string) ShardFinding {
		return ShardFinding{Finding: Finding{Fingerprint: fp, RuleID: "r", Title: "T " + msg, Severity: sev, Status: StatusExisting,
			Vendor: &Vendor{ID: "acme", Name: "Acme"}, Message: msg, Remediation: "fix " + msg, Evidence: ev(ids...), EvidenceCount: count,
			Suppression: &Suppression{RuleID: "r", Owner: "x", Reason: "y"}}, MessageKey: key}
	}
	key := func(id string) string { return evKey{"p", KindOAuthGrant, id}.String() }
	cases := []struct {
		name     string
		findings [][]ShardFinding
		msg      string
		count    int
		ids      []string
	}{
		{"more severe later", [][]ShardFinding{{sf(SeverityLow, "low", key("a"), 1, "a")}, {sf(SeverityHigh, "high", key("z"), 2, "y", "z")}},
			"high", 3, []string{"a", "y", "z"}},
		{"more severe first", [][]ShardFinding{{sf(SeverityHigh, "high", key("z"), 1, "z")}, {sf(SeverityLow, "low", key("a"), 1, "a")}},
			"high", 2, []string{"a", "z"}},
		{"equal, smaller key later", [][]ShardFinding{{sf(SeverityHigh, "m", key("m"), 1, "m")}, {sf(SeverityHigh, "b", key("b"), 1, "b")}},
			"b", 2, []string{"b", "m"}},
		{"equal, larger key later", [][]ShardFinding{{sf(SeverityHigh, "b", key("b"), 1, "b")}, {sf(SeverityHigh, "m", key("m"), 1, "m")}},
			"b", 2, []string{"b", "m"}},
		{"cap over the union", [][]ShardFinding{{sf(SeverityHigh, "a", key("a"), 7, "a", "c", "e")}, {sf(SeverityHigh, "b", key("b"), 5, "b", "d", "f")}},
			"a", 12, []string{"a", "b", "c", "d"}},
	}
	for _, tc := range cases {
		var shards []*Report
		for k, fs := range tc.findings {
			r := shardReport(k, len(tc.findings), "s", day)
			r.Shard.Findings = fs
			shards = append(shards, r)
		}
		rep, err := Merge(context.Background(), shards, MergeOptions{MaxEvidence: 4})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 1 {
			t.Fatalf("%s: %d findings, want the one", tc.name, len(rep.Findings))
		}
		f := rep.Findings[0]
		var ids []string
		for _, e := range f.Evidence {
			ids = append(ids, e.ID)
		}
		if f.Message != tc.msg || f.Title != "T "+tc.msg || f.Remediation != "fix "+tc.msg || f.EvidenceCount != tc.count ||
			!reflect.DeepEqual(ids, tc.ids) {
			t.Errorf("%s: message %q title %q remediation %q, %d evidence %v; want %q, %d %v", tc.name, f.Message, f.Title,
				f.Remediation, f.EvidenceCount, ids, tc.msg, tc.count, tc.ids)
		}
		if f.Status != StatusNew || f.Suppression != nil {
			t.Errorf("%s: status %q suppression %+v; want new (no baseline) and none", tc.name, f.Status, f.Suppression)
		}
	}
	// Without MaxEvidence the merge keeps 100, as a scan does.
	var many []string
	for i := range 150 {
		many = append(many, fmt.Sprintf("%03d", i))
	}
	r := shardReport(0, 1, "s", day)
	r.Shard.Findings = []ShardFinding{sf(SeverityHigh, "m", key("000"), 150, many...)}
	rep, err := Merge(context.Background(), []*Report{r}, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Findings[0]; len(f.Evidence) != 100 || f.EvidenceCount != 150 || f.Evidence[99].ID != "099" {
		t.Errorf("default cap: %d kept of %d, last %s; want 100 of 150, the first 100", len(f.Evidence), f.EvidenceCount, f.Evidence[99].ID)
	}
}

type expiringPolicy struct {
	partitionedPolicy
	expires time.Time
}

func (p expiringPolicy) Suppressions() []Suppression {
	return []Suppression{{RuleID: "unapproved", Vendor: "gamma", Owner: "it@example.com", Reason: "trial", Expires: p.expires}}
}

// The merge applies the lifecycle at its own clock (Now; the wall clock when none is given): a suppression that
// expired before it is reported as expired.
func TestMergeClock(t *testing.T) {
	day := time.Date(1999, 11, 22, 3, 0, 0, 0, time.UTC)
	r := shardReport(0, 1, "s", day)
	r.Shard.Findings = []ShardFinding{{Finding: Finding{Fingerprint: Fingerprint("unapproved", "gamma"), RuleID: "unapproved",
		Severity: SeverityHigh, Vendor: &Vendor{ID: "gamma", Name: "Gamma"}}}}
	status := func(now func() time.Time) string {
		rep, err := Merge(context.Background(), []*Report{r}, MergeOptions{Policy: expiringPolicy{expires: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			if f.RuleID == "unapproved" {
				return f.Status
			}
		}
		return "none"
	}
	if got := status(func() time.Time { return day }); got != StatusSuppressed {
		t.Errorf("before the suppression expires: %s, want suppressed", got)
	}
	// The suppression ended in 2000; the wall clock is past it.
	if got := status(nil); got != StatusNew {
		t.Errorf("on the wall clock, after the suppression expired: %s, want new", got)
	}
}

// Unidentified apps met in several shards: records add up, the best-ranked then smallest name and the smallest
// spelling of the value win, first/last seen widen, and a shard that knew no name does not erase another's.
func TestAbsorbUnidentified(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	su := func(value, name string, rank, records int, first, last time.Time, users ...string) ShardUnidentified {
		return ShardUnidentified{Unidentified: Unidentified{Key: "name:tool", HintType: HintName, Value: value, Name: name,
			Records: records, Users: users, Sources: []string{"google"}, Kinds: []string{KindOAuthGrant}, FirstSeen: first, LastSeen: last}}
	}
	for _, tc := range []struct {
		name string
		in   []ShardUnidentified
		want Unidentified
	}{
		{"rank beats name", []ShardUnidentified{
			withRank(su("tool", "A summary", 0, 1, t0, t0, "a@x"), 3), withRank(su("Tool", "Zed Tool", 0, 2, time.Time{}, t0.Add(time.Hour), "b@x"), 1)},
			Unidentified{Key: "name:tool", HintType: HintName, Value: "Tool", Name: "Zed Tool", Records: 3, UserCount: 2,
				Users: []string{"a@x", "b@x"}, Sources: []string{"google"}, Kinds: []string{KindOAuthGrant}, Scopes: []string{},
				FirstSeen: t0, LastSeen: t0.Add(time.Hour)}},
		{"unnamed shard later", []ShardUnidentified{
			withRank(su("tool", "Tool B", 0, 1, t0.Add(time.Hour), t0.Add(time.Hour)), 2), withRank(su("tool", "", 0, 1, t0, time.Time{}), 0)},
			Unidentified{Key: "name:tool", HintType: HintName, Value: "tool", Name: "Tool B", Records: 2, UserCount: 0,
				Users: []string{}, Sources: []string{"google"}, Kinds: []string{KindOAuthGrant}, Scopes: []string{},
				FirstSeen: t0, LastSeen: t0.Add(time.Hour)}},
		{"same rank, smaller name later", []ShardUnidentified{
			withRank(su("tool", "Tool B", 0, 1, t0, t0), 1), withRank(su("tool", "Tool A", 0, 1, t0, t0), 1)},
			Unidentified{Key: "name:tool", HintType: HintName, Value: "tool", Name: "Tool A", Records: 2,
				Users: []string{}, Sources: []string{"google"}, Kinds: []string{KindOAuthGrant}, Scopes: []string{},
				FirstSeen: t0, LastSeen: t0}},
		{"same rank, larger name later", []ShardUnidentified{
			withRank(su("tool", "Tool A", 0, 1, t0, t0), 1), withRank(su("tool", "Tool B", 0, 1, t0, t0), 1)},
			Unidentified{Key: "name:tool", HintType: HintName, Value: "tool", Name: "Tool A", Records: 2,
				Users: []string{}, Sources: []string{"google"}, Kinds: []string{KindOAuthGrant}, Scopes: []string{},
				FirstSeen: t0, LastSeen: t0}},
	} {
		a := newAccumulator(Options{MaxEvidence: 4})
		for _, s := range tc.in {
			a.absorb(&ShardState{Unidentified: []ShardUnidentified{s}})
		}
		rep := a.finish(context.Background())
		if len(rep.Unidentified) != 1 || !reflect.DeepEqual(rep.Unidentified[0], tc.want) {
			t.Errorf("%s:\n%+v\nwant\n%+v", tc.name, rep.Unidentified, tc.want)
		}
	}
}

func withRank(s ShardUnidentified, rank int) ShardUnidentified { s.NameRank = rank; return s }

// A vendor met in several shards: records, kinds and spend add up (spend rounded only at the end), users,
// sources and scopes are unions, first/last seen widen, and the first shard's vendor, subcategories and approval
// stand.
func TestAbsorbVendors(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	sv := func(records int, first, last time.Time, spend float64, users ...string) ShardVendor {
		return ShardVendor{Vendor: Vendor{ID: "acme", Name: "Acme", Martech: true}, Subcategories: []string{"email"},
			Approval: ApprovalBanned, Users: users, Sources: []string{"google"}, Scopes: []string{"s" + fmt.Sprint(records)},
			Kinds: map[string]int{KindOAuthGrant: records}, Records: records, MonthlySpend: map[string]float64{"USD": spend},
			FirstSeen: first, LastSeen: last}
	}
	a := newAccumulator(Options{MaxEvidence: 4})
	var seen []InventoryItem
	a.opts.Evaluator = inventorySpy{&seen}
	a.absorb(&ShardState{Vendors: []ShardVendor{sv(2, time.Time{}, t0.Add(time.Hour), 0.004, "a@x", "b@x")}})
	a.absorb(&ShardState{Vendors: []ShardVendor{sv(3, t0, time.Time{}, 0.003, "b@x", "c@x")}})
	a.absorb(&ShardState{Vendors: []ShardVendor{sv(1, t0.Add(time.Minute), t0.Add(time.Minute), 0, "c@x")}})
	rep := a.finish(context.Background())
	want := InventoryItem{Vendor: Vendor{ID: "acme", Name: "Acme", Martech: true, Subcategories: []string{"email"}},
		Approval: ApprovalBanned, Sources: []string{"google"}, UserCount: 3, Users: []string{"a@x", "b@x", "c@x"}, Records: 6,
		MonthlySpend: map[string]float64{"USD": 0.01}, FirstSeen: t0, LastSeen: t0.Add(time.Hour),
		Kinds: map[string]int{KindOAuthGrant: 6}, Scopes: []string{"s1", "s2", "s3"}}
	if len(rep.Inventory) != 1 || !reflect.DeepEqual(rep.Inventory[0], want) {
		t.Errorf("inventory\n%+v\nwant\n%+v", rep.Inventory, want)
	}
	if len(seen) != 1 || !reflect.DeepEqual(seen[0].Vendor.Subcategories, []string{"email"}) {
		t.Errorf("inventory-stage rules saw %+v; want the vendor with its subcategories", seen)
	}
}

type inventorySpy struct{ seen *[]InventoryItem }

func (inventorySpy) EvaluateRecord(context.Context, *Record, Resolution, Approval, func(Match)) error {
	return nil
}
func (s inventorySpy) EvaluateInventory(_ context.Context, inv []InventoryItem, _ []Unidentified, _ func(Match)) error {
	*s.seen = append(*s.seen, inv...)
	return nil
}

// A shard's state carries the accumulator before finish: spend not rounded, no inventory-stage findings, each
// list sorted (vendors by ID, unidentified by key, findings by fingerprint, evidence in order), the message key
// of each finding, and the rule counters.
func TestShardStateContents(t *testing.T) {
	rep := partitionedScan(t, Shard{Index: 0, Count: 1})
	st := rep.Shard
	if st == nil || st.Version != ShardStateVersion || st.Shard != (Shard{Index: 0, Count: 1}) {
		t.Fatalf("state %+v", st)
	}
	var ids, keys, fps []string
	for _, v := range st.Vendors {
		ids = append(ids, v.Vendor.ID)
	}
	for _, u := range st.Unidentified {
		keys = append(keys, u.Key)
		if u.UserCount != len(u.Users) || u.NameRank == 0 {
			t.Errorf("unidentified %s: %d users counted for %v, rank %d", u.Key, u.UserCount, u.Users, u.NameRank)
		}
	}
	for _, f := range st.Findings {
		fps = append(fps, f.Fingerprint)
		if f.RuleID == "inventory" || f.RuleID == "unidentified" {
			t.Errorf("inventory-stage finding %s in the shard state", f.RuleID)
		}
		for i := 1; i < len(f.Evidence); i++ {
			if !evidenceLess(f.Evidence[i-1], f.Evidence[i]) {
				t.Errorf("finding %s: evidence out of order at %d", f.RuleID, i)
			}
		}
		if f.MessageKey == "" || parseEvKey(f.MessageKey).String() != f.MessageKey {
			t.Errorf("finding %s: message key %q does not round-trip", f.RuleID, f.MessageKey)
		}
	}
	for _, l := range [][]string{ids, keys, fps} {
		if len(l) < 2 || !sortedStrings(l) {
			t.Errorf("not sorted, or too few to tell: %v", l)
		}
	}
	for _, v := range st.Vendors {
		if v.Subcategories[0] != "sub-"+v.Vendor.ID || v.Kinds[KindOAuthGrant] == 0 || len(v.Scopes) == 0 {
			t.Errorf("vendor %+v", v)
		}
		// acme's subscriptions (tenant's users 0, 15, 30 and org's user 0) cost 12.25, 27.25, 42.25 and 12.25.
		if got := v.MonthlySpend["USD"]; v.Vendor.ID == "acme" && got != 94 {
			t.Errorf("acme's spend %v, want 94", got)
		}
	}
	if st.Evaluated == 0 || st.EvalErrors != 3 || st.FirstError != "rule broken: no such key" {
		t.Errorf("rule counters %d evaluated, %d errors, first %q", st.Evaluated, st.EvalErrors, st.FirstError)
	}
}

func sortedStrings(l []string) bool {
	for i := 1; i < len(l); i++ {
		if l[i-1] >= l[i] {
			return false
		}
	}
	return true
}

// Message keys round-trip through the text a shard state carries; no evidence is the empty key.
func TestEvKeyString(t *testing.T) {
	for _, k := range []evKey{{}, {"p", "k", "id"}, {"p", "", ""}, {"", "", "id"}, {"p", "k", "a\x00b"}} {
		if got := parseEvKey(k.String()); got != k {
			t.Errorf("%q: parsed back as %q", k.String(), got)
		}
	}
	if s := (evKey{}).String(); s != "" {
		t.Errorf("empty key as %q", s)
	}
	if got := parseEvKey("p\x00k"); got != (evKey{"p", "k", ""}) {
		t.Errorf("a short key: %q", got)
	}
}

// A shard's unidentified key splits back into the parts a record builds, values with colons included, so merged
// groups land where the unsharded scan puts them.
func TestParseUnidKey(t *testing.T) {
	for _, key := range []string{"domain:calendly.com", "kind:oauth_grant", "google_client_id:1-a:b.apps.googleusercontent.com", "name:", "name::x"} {
		k := parseUnidKey(key)
		if k.kind+":"+k.value != key || strings.Contains(k.kind, ":") {
			t.Errorf("parseUnidKey(%q) = %+v", key, k)
		}
	}
}
