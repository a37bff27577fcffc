package scanner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/golden"
)

// partitionedConfig scripts a provider that splits its users between the shards of a scan by Deps.Shard, as the
// Google and Microsoft providers do (Registration.Shards).
type partitionedConfig struct {
	Users    int
	Denied   int    // the user whose listing is refused (a per-user coverage error); -1: none
	Fail     string // returned after the users, by every shard (the organisation could not be listed)
	SkipEach bool   // every shard skips the same archived unit
}

func (*partitionedConfig) Validate() error { return nil }

type partitionedProvider struct {
	c *partitionedConfig
	d Deps
}

var partitionedVendors = []string{"acme", "beta", "gamma"}

func partitionedSeen(h int) time.Time {
	return time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
}

func (p *partitionedProvider) Collect(_ context.Context, emit func(Record) error) error {
	if p.c.SkipEach {
		p.d.Diagnostics.Skip("org unit /Archive")
	}
	for u := range p.c.Users {
		email := fmt.Sprintf("User%02d@Example.com", u)
		if !p.d.Shard.Owns("user:" + email) {
			continue
		}
		if u == p.c.Denied {
			p.d.Diagnostics.Error("tokens.list", email, errors.New("403 forbidden"))
			continue
		}
		person := &Principal{Type: "user", Email: email}
		vendor := partitionedVendors[u%3]
		recs := []Record{
			{Kind: KindOAuthGrant, ID: fmt.Sprintf("grant-%02d", u), Hints: []Hint{{Type: HintName, Value: vendor}},
				Principal: person, Scopes: []string{fmt.Sprintf("scope.%d", u%4)}, FirstSeen: partitionedSeen(100 - u),
				LastSeen: partitionedSeen(100 + u)},
			// An app nobody catalogued, named in two spellings: the smallest name of the best rank is shown.
			{Kind: KindOAuthGrant, ID: fmt.Sprintf("mystery-%02d", u), Principal: person, Scopes: []string{"openid"},
				Hints:    []Hint{{Type: HintName, Value: []string{"mystery tool", "Mystery Tool"}[u%2]}},
				LastSeen: partitionedSeen(3 * u)},
		}
		if u%5 == 0 {
			recs = append(recs, Record{Kind: KindSaaSSubscription, ID: fmt.Sprintf("sub-%02d", u), Principal: person,
				Hints:  []Hint{{Type: HintName, Value: vendor}},
				Amount: &Amount{Value: 12.25 + float64(u), Currency: "usd", Period: PeriodMonthly}})
		}
		if u%7 == 0 {
			// The same unknown app seen as a card descriptor only (a worse name than a name hint).
			recs = append(recs, Record{Kind: KindExpense, ID: fmt.Sprintf("card-%02d", u),
				Hints: []Hint{{Type: HintMerchant, Value: "MYSTERY TOOL"}}, FirstSeen: partitionedSeen(u)})
		}
		if u%4 == 1 {
			// Nothing but a summary, owned by no person: the smallest summary names the group.
			recs = append(recs, Record{Kind: KindCloudResource, ID: fmt.Sprintf("bucket-%02d", u),
				Summary: fmt.Sprintf("bucket b%02d", 90-u), Principal: &Principal{Type: "account", ID: "123456789012"}})
		}
		for _, r := range recs {
			if err := emit(r); err != nil {
				return err
			}
		}
	}
	if p.c.Fail != "" {
		return errors.New(p.c.Fail)
	}
	return nil
}

func init() {
	Register(Registration[*partitionedConfig]{Type: "partitioned", Shards: true,
		NewConfig: func() *partitionedConfig { return &partitionedConfig{} },
		New:       func(c *partitionedConfig, d Deps) (Provider, error) { return &partitionedProvider{c: c, d: d}, nil }})
}

// partitionedResolver knows three vendors by name; a merchant descriptor of the unknown app resolves to nothing
// but points at the app's name hint, so both kinds of record fall in one unidentified group.
type partitionedResolver struct{}

func (partitionedResolver) Resolve(rec *Record) Resolution {
	if h, ok := rec.Hint(HintName); ok {
		id := strings.ToLower(h.Value)
		if slices.Contains(partitionedVendors, id) {
			return Resolution{Vendor: &Vendor{ID: id, Name: strings.ToUpper(id[:1]) + id[1:], Category: "crm",
				Martech: true, Subcategories: []string{"sub-" + id}}, Confidence: 1}
		}
		return Resolution{Hint: h}
	}
	if h, ok := rec.Hint(HintMerchant); ok {
		return Resolution{Hint: Hint{Type: HintName, Value: strings.ToLower(h.Value)}}
	}
	return Resolution{}
}

// partitionedEval raises a grouped finding per vendor whose severity and message depend on which record it is (the
// merge must pick the same one), a finding with explicit evidence per unknown app, an evaluation error on two
// records, and an inventory finding that reads everything the inventory-stage rules see, reported or not.
type partitionedEval struct{}

func (partitionedEval) EvaluateRecord(_ context.Context, rec *Record, res Resolution, appr Approval, emit func(Match)) error {
	if rec.ID == "grant-03" || rec.ID == "grant-20" {
		return errors.New("rule broken: no such key")
	}
	if res.Vendor != nil {
		sev, title := SeverityHigh, "Unapproved "+res.Vendor.Name
		if strings.HasSuffix(rec.ID, "7") {
			sev, title = SeverityCritical, "Unapproved and critical "+res.Vendor.Name
		}
		emit(Match{RuleID: "unapproved", Title: title, Severity: sev, GroupKey: res.Vendor.ID, Vendor: res.Vendor,
			Message: "seen in " + rec.ID + " (" + appr.Status + ")", Remediation: "review " + rec.ID})
		return nil
	}
	emit(Match{RuleID: "unknown-app", Title: "Unknown app", Severity: SeverityMedium, GroupKey: res.Hint.Value,
		Message: "first " + rec.ID, Evidence: []Evidence{{Provider: rec.Provider, Kind: rec.Kind, ID: rec.ID, Summary: "s " + rec.ID}}})
	return nil
}

func (partitionedEval) EvaluateInventory(_ context.Context, inv []InventoryItem, un []Unidentified, emit func(Match)) error {
	for _, it := range inv {
		emit(Match{RuleID: "inventory", Title: "Vendor", Severity: SeverityInfo, GroupKey: it.Vendor.ID, Vendor: &it.Vendor,
			Message: fmt.Sprintf("%s: %d users %v, %d records, kinds %v, scopes %v, subcategories %v, spend %v, sources %v, %s, seen %s–%s",
				it.Approval, it.UserCount, it.Users, it.Records, it.Kinds, it.Scopes, it.Vendor.Subcategories, it.MonthlySpend,
				it.Sources, it.Vendor.Category, it.FirstSeen.Format(time.RFC3339), it.LastSeen.Format(time.RFC3339))})
	}
	for _, u := range un {
		emit(Match{RuleID: "unidentified", Title: "Unidentified", Severity: SeverityLow, GroupKey: u.Key,
			Message: fmt.Sprintf("%q (%s %q): %d records, %d users, kinds %v, scopes %v, sources %v, seen %s–%s", u.Name,
				u.HintType, u.Value, u.Records, u.UserCount, u.Kinds, u.Scopes, u.Sources,
				u.FirstSeen.Format(time.RFC3339), u.LastSeen.Format(time.RFC3339))})
	}
	return nil
}

// partitionedPolicy bans beta and accepts the risk of gamma's unapproved finding until December.
type partitionedPolicy struct{}

func (partitionedPolicy) Approval(id string) Approval {
	if id == "beta" {
		return Approval{Status: ApprovalBanned}
	}
	return Approval{Status: ApprovalUnapproved}
}
func (partitionedPolicy) Tools() []ApprovedTool { return nil }
func (partitionedPolicy) Suppressions() []Suppression {
	return []Suppression{{RuleID: "unapproved", Vendor: "gamma", Owner: "it@example.com", Reason: "trial",
		Expires: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}}
}
func (partitionedPolicy) ScopeClass(s string) ScopeClass {
	return ScopeClass{Scope: s, Class: "unknown"}
}
func (partitionedPolicy) BeyondCeiling(scopes, _ []string) []string { return nil }

// partitionedBaseline had acme's finding (existing now), a finding no longer seen (resolved) and one whose
// evidence came from the provider that fails (unconfirmed).
func partitionedBaseline() *Report {
	return &Report{SchemaVersion: SchemaVersion, Findings: []Finding{
		{Fingerprint: Fingerprint("unapproved", "acme"), RuleID: "unapproved", Severity: SeverityHigh},
		{Fingerprint: Fingerprint("unapproved", "delta"), RuleID: "unapproved", Severity: SeverityHigh,
			Evidence: []Evidence{{Provider: "whole", Kind: KindOAuthGrant, ID: "whole-9"}}},
		{Fingerprint: Fingerprint("unapproved", "omega"), RuleID: "unapproved", Severity: SeverityHigh,
			Evidence: []Evidence{{Provider: "org", Kind: KindOAuthGrant, ID: "grant-01"}}},
	}}
}

// partitionedScan is one scan of the case; shard is the zero Shard for the whole scan.
func partitionedScan(t *testing.T, shard Shard) *Report {
	t.Helper()
	opts := testOpts(t,
		Instance{Name: "tenant", Type: "partitioned", Config: &partitionedConfig{Users: 40, Denied: 11}},
		Instance{Name: "org", Type: "partitioned", Config: &partitionedConfig{Users: 9, Denied: -1, Fail: "listing users: 503", SkipEach: true}},
		fake("whole", &fakeConfig{Records: 3, Hint: Hint{Type: HintName, Value: "Acme"}}),
		Instance{Name: "cards", Type: "err", Config: errConfig{}},
		fake("quiet", &fakeConfig{}),
	)
	opts.Resolver, opts.Evaluator, opts.Policy, opts.Baseline = partitionedResolver{}, partitionedEval{}, partitionedPolicy{}, partitionedBaseline()
	opts.MaxEvidence, opts.Shard, opts.Org, opts.Tool, opts.ScanID = 4, shard, Organization{Name: "Example"}, Tool{Name: "shadowscan", Version: "t"}, "scan-1"
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// reportJSON is a report as written, with the durations (wall clock) blanked.
func reportJSON(t *testing.T, rep *Report) []byte {
	t.Helper()
	r := *rep
	r.Coverage = slices.Clone(rep.Coverage)
	for i := range r.Coverage {
		r.Coverage[i].DurationMS = 0
	}
	b, err := json.MarshalIndent(&r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// roundTrip is a shard report written to disk and read back by report merge.
func roundTrip(t *testing.T, rep *Report) *Report {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var out Report
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// The README's promise for sharded scans: report merge of every shard rebuilds exactly the unsharded report —
// coverage (records added, an error every shard met listed once, complete/partial/failed as one process would
// say), the inventory with its users, spend and first/last seen, unidentified apps and their names, grouped
// findings with the same severity, message and first evidence, evidence counts, inventory-stage rules over the
// whole organisation, the rules coverage line, and the baseline and suppressions applied afterwards.
func TestShardsMergedEqualUnshardedScan(t *testing.T) {
	whole := partitionedScan(t, Shard{})
	want := reportJSON(t, whole)
	// The case must exercise what it claims to.
	if len(whole.Inventory) != 3 || len(whole.Unidentified) != 2 || len(whole.Resolved) != 1 || len(whole.Unconfirmed) != 1 {
		t.Fatalf("case too thin: %d vendors, %d unidentified, %d resolved, %d unconfirmed", len(whole.Inventory),
			len(whole.Unidentified), len(whole.Resolved), len(whole.Unconfirmed))
	}
	statuses := map[string]bool{}
	for _, c := range whole.Coverage {
		statuses[c.Status] = true
	}
	suppressed, truncated := false, false
	for _, f := range whole.Findings {
		suppressed = suppressed || f.Status == StatusSuppressed
		truncated = truncated || f.EvidenceCount > len(f.Evidence)
	}
	if len(statuses) != 3 || !suppressed || !truncated {
		t.Fatalf("case too thin: statuses %v, suppressed %v, evidence truncated %v", statuses, suppressed, truncated)
	}
	for _, n := range []int{1, 2, 3, 5} {
		shards := make([]*Report, n)
		for k := range n {
			shards[n-1-k] = roundTrip(t, partitionedScan(t, Shard{Index: k, Count: n})) // given in reverse order
		}
		merged, err := Merge(context.Background(), shards, MergeOptions{Evaluator: partitionedEval{}, Policy: partitionedPolicy{},
			Baseline: partitionedBaseline(), MaxEvidence: 4, Now: testOpts(t).Now})
		if err != nil {
			t.Fatalf("%d shards: %v", n, err)
		}
		if got := reportJSON(t, merged); !bytes.Equal(got, want) {
			t.Errorf("%d shards merged differ from the unsharded scan: %s", n, golden.FirstDiff(string(want), string(got)))
		}
	}
}

// Absorbing the shards in any order gives the same accumulated state (the merge sorts them, but the folding rules
// themselves must not depend on order: names, severities, messages, evidence, first/last seen).
func TestAbsorbOrderDoesNotMatter(t *testing.T) {
	const n = 4
	states := make([]*ShardState, n)
	for k := range n {
		states[k] = roundTrip(t, partitionedScan(t, Shard{Index: k, Count: n})).Shard
	}
	fold := func(order []int) []byte {
		a := newAccumulator(Options{Evaluator: partitionedEval{}, MaxEvidence: 4})
		for _, k := range order {
			a.absorb(states[k])
		}
		rep := a.finish(context.Background())
		c, _ := a.rulesCoverage()
		rep.Coverage = []Coverage{c}
		return reportJSON(t, rep)
	}
	want := fold([]int{0, 1, 2, 3})
	for _, order := range [][]int{{3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}} {
		if got := fold(order); !bytes.Equal(got, want) {
			t.Errorf("absorbed in order %v: %s", order, golden.FirstDiff(string(want), string(got)))
		}
	}
}
