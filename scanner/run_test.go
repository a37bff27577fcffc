package scanner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// fakeConfig scripts a fake provider's behaviour.
type fakeConfig struct {
	Records    int
	FailAfter  int  // return an error after emitting this many records (0: never)
	PanicAfter int  // panic after emitting this many (0: never)
	Hang       bool // block ignoring ctx until released
	Slow       bool // block until ctx is done, then return its error
	DiagErrors int
	EmitLate   bool // emit from a goroutine after Collect returned
	Gate       chan struct{}
	Release    chan struct{}
	Emitted    chan struct{} // closed once the records are emitted
	Hint       Hint
}

func (c *fakeConfig) Validate() error { return nil }

type fakeProvider struct {
	cfg  *fakeConfig
	deps Deps
}

func (p *fakeProvider) Collect(ctx context.Context, emit func(Record) error) error {
	for i := 0; i < p.cfg.Records; i++ {
		if p.cfg.FailAfter > 0 && i == p.cfg.FailAfter {
			return errors.New("API exploded")
		}
		if p.cfg.PanicAfter > 0 && i == p.cfg.PanicAfter {
			panic("boom")
		}
		r := Record{Kind: KindOAuthGrant, ID: fmt.Sprintf("%s-%d", p.deps.Name, i),
			Principal: &Principal{Type: "user", Email: fmt.Sprintf("User%d@Example.com", i%3)}}
		if p.cfg.Hint.Value != "" {
			r.Hints = []Hint{p.cfg.Hint}
		}
		if err := emit(r); err != nil {
			return err
		}
		if p.cfg.Gate != nil {
			<-p.cfg.Gate
		}
	}
	if p.cfg.Emitted != nil {
		close(p.cfg.Emitted)
	}
	for i := 0; i < p.cfg.DiagErrors; i++ {
		p.deps.Diagnostics.Error("users.list", fmt.Sprintf("user%d", i), errors.New("403 forbidden"))
	}
	if p.cfg.Hang {
		<-p.cfg.Release
	}
	if p.cfg.Slow {
		<-ctx.Done()
		return ctx.Err()
	}
	if p.cfg.EmitLate {
		go func() {
			time.Sleep(20 * time.Millisecond)
			_ = emit(Record{Kind: KindOAuthGrant, ID: "late"})
			close(p.cfg.Release)
		}()
	}
	return nil
}

func init() {
	Register(Registration[ProviderConfig]{
		Type:      "fake",
		NewConfig: func() ProviderConfig { return &fakeConfig{} },
		New: func(cfg ProviderConfig, d Deps) (Provider, error) {
			return &fakeProvider{cfg: cfg.(*fakeConfig), deps: d}, nil
		},
	})
}

func testOpts(t *testing.T, insts ...Instance) Options {
	return Options{Instances: insts, Logger: zerolog.New(zerolog.NewTestWriter(t)), Grace: 200 * time.Millisecond,
		Now: func() time.Time { return time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC) }}
}

func fake(name string, c *fakeConfig) Instance { return Instance{Name: name, Type: "fake", Config: c} }

func cov(t *testing.T, rep *Report, name string) Coverage {
	t.Helper()
	for _, c := range rep.Coverage {
		if c.Provider == name {
			return c
		}
	}
	t.Fatalf("no coverage for %s", name)
	return Coverage{}
}

func TestRunCoverage(t *testing.T) {
	release, emitted := make(chan struct{}), make(chan struct{})
	defer close(release)
	opts := testOpts(t,
		fake("ok", &fakeConfig{Records: 5}),
		fake("half", &fakeConfig{Records: 10, FailAfter: 4}),
		fake("empty", &fakeConfig{}),
		fake("panics", &fakeConfig{Records: 5, PanicAfter: 2}),
		fake("diag", &fakeConfig{Records: 2, DiagErrors: 2}),
		Instance{Name: "hangs", Type: "fake", Config: &fakeConfig{Records: 1, Hang: true, Release: release, Emitted: emitted}, Timeout: 50 * time.Millisecond},
		Instance{Name: "slow", Type: "fake", Config: &fakeConfig{Slow: true}, Timeout: 50 * time.Millisecond},
		Instance{Name: "ghost", Type: "nope"},
	)
	opts.Concurrency = 3
	// "hangs" times out once it has emitted its record, not when a clock says so: on a loaded machine the 50 ms
	// could pass before the provider ran at all.
	opts.withTimeout = func(ctx context.Context, inst Instance, d time.Duration) (context.Context, context.CancelFunc) {
		if inst.Name != "hangs" {
			return context.WithTimeout(ctx, d)
		}
		return expireOn(ctx, emitted)
	}
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		status  string
		records int
		msg     string
	}{
		"ok":     {CoverageComplete, 5, ""},
		"half":   {CoveragePartial, 4, "API exploded"},
		"empty":  {CoverageComplete, 0, ""},
		"panics": {CoveragePartial, 2, "provider panicked: boom"},
		"diag":   {CoveragePartial, 2, "users.list"},
		"hangs":  {CoveragePartial, 1, "timed out after 50ms and did not stop within 200ms; abandoned"},
		"slow":   {CoverageFailed, 0, "timed out after 50ms"},
		"ghost":  {CoverageFailed, 0, `unknown provider type "nope"`},
	}
	for name, w := range want {
		c := cov(t, rep, name)
		if c.Status != w.status || c.Records != w.records {
			t.Errorf("%s: status %s records %d, want %s %d (errors %v)", name, c.Status, c.Records, w.status, w.records, c.Errors)
		}
		if w.msg != "" {
			text := fmt.Sprint(c.Errors)
			if !strings.Contains(text, w.msg) {
				t.Errorf("%s: errors %s do not mention %q", name, text, w.msg)
			}
		}
	}
	// Records of a provider that failed half way are kept.
	total := 0
	for _, u := range rep.Unidentified {
		total += u.Records
	}
	if total != 5+4+2+2+1 {
		t.Errorf("unidentified records %d, want every emitted record counted", total)
	}
}

// expiring is a context whose deadline passes when a channel closes (or its parent ends).
type expiring struct {
	context.Context
	done chan struct{}
	err  atomic.Value
}

func expireOn(parent context.Context, trigger <-chan struct{}) (context.Context, context.CancelFunc) {
	e := &expiring{Context: parent, done: make(chan struct{})}
	var once sync.Once
	end := func(err error) {
		once.Do(func() { e.err.Store(err); close(e.done) })
	}
	go func() {
		select {
		case <-trigger:
			end(context.DeadlineExceeded)
		case <-parent.Done():
			end(parent.Err())
		case <-e.done:
		}
	}()
	return e, func() { end(context.Canceled) }
}

func (e *expiring) Done() <-chan struct{} { return e.done }

func (e *expiring) Err() error {
	if err, ok := e.err.Load().(error); ok {
		return err
	}
	return nil
}

// errProvider fails at once.
type errConfig struct{}

func (errConfig) Validate() error { return nil }

type errProvider struct{}

func (errProvider) Collect(context.Context, func(Record) error) error {
	return errors.New("credentials rejected")
}

func init() {
	Register(Registration[ProviderConfig]{Type: "err", NewConfig: func() ProviderConfig { return errConfig{} },
		New: func(ProviderConfig, Deps) (Provider, error) { return errProvider{}, nil }})
	Register(Registration[ProviderConfig]{Type: "badnew", NewConfig: func() ProviderConfig { return errConfig{} },
		New: func(ProviderConfig, Deps) (Provider, error) { return nil, errors.New("no key file") }})
}

func TestRunFailedStatus(t *testing.T) {
	rep, _ := Run(context.Background(), testOpts(t, Instance{Name: "e", Type: "err", Config: errConfig{}},
		Instance{Name: "n", Type: "badnew", Config: errConfig{}}))
	if c := cov(t, rep, "e"); c.Status != CoverageFailed || !strings.Contains(fmt.Sprint(c.Errors), "credentials rejected") {
		t.Errorf("e: %+v", c)
	}
	if c := cov(t, rep, "n"); c.Status != CoverageFailed || !strings.Contains(fmt.Sprint(c.Errors), "setting up: no key file") {
		t.Errorf("n: %+v", c)
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	gate := make(chan struct{})
	opts := testOpts(t, fake("busy", &fakeConfig{Records: 100, Gate: gate}), fake("idle", &fakeConfig{Slow: true}))
	go func() {
		gate <- struct{}{}
		gate <- struct{}{}
		cancel()
		close(gate)
	}()
	rep, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	busy := cov(t, rep, "busy")
	if busy.Status != CoveragePartial || busy.Records < 2 || !strings.Contains(fmt.Sprint(busy.Errors), "scan interrupted") {
		t.Errorf("busy: %+v", busy)
	}
	if idle := cov(t, rep, "idle"); idle.Status != CoverageFailed {
		t.Errorf("idle: %+v", idle)
	}
}

func TestEmitAfterReturnIsDropped(t *testing.T) {
	release := make(chan struct{})
	rep, _ := Run(context.Background(), testOpts(t, fake("late", &fakeConfig{Records: 1, EmitLate: true, Release: release})))
	<-release
	if c := cov(t, rep, "late"); c.Records != 1 {
		t.Errorf("records %d, want the late record dropped", c.Records)
	}
}

// streamResolver proves records reach resolve while the provider is still collecting.
type streamResolver struct{ seen chan string }

func (r streamResolver) Resolve(rec *Record) Resolution {
	r.seen <- rec.ID
	return Resolution{Vendor: &Vendor{ID: "acme", Name: "Acme", Category: "data", Martech: true}, Confidence: 1}
}

func TestRunStreams(t *testing.T) {
	gate := make(chan struct{})
	seen := make(chan string, 10)
	opts := testOpts(t, fake("p", &fakeConfig{Records: 3, Gate: gate}))
	opts.Resolver = streamResolver{seen: seen}
	done := make(chan *Report)
	go func() { rep, _ := Run(context.Background(), opts); done <- rep }()
	for i := 0; i < 3; i++ {
		select {
		case <-seen: // resolved before the provider was allowed to emit the next record
		case <-time.After(5 * time.Second):
			t.Fatal("record not resolved while the provider was still running")
		}
		gate <- struct{}{}
	}
	rep := <-done
	if len(rep.Inventory) != 1 || rep.Inventory[0].Records != 3 || rep.Inventory[0].UserCount != 3 {
		t.Fatalf("inventory %+v", rep.Inventory)
	}
	if got := rep.Inventory[0].Users; got[0] != "user0@example.com" {
		t.Errorf("users must be lower-cased and sorted: %v", got)
	}
}

// ruleEval matches every record into one finding per vendor.
type ruleEval struct{}

func (ruleEval) EvaluateRecord(_ context.Context, rec *Record, res Resolution, appr Approval, emit func(Match)) error {
	if res.Vendor == nil {
		return nil
	}
	emit(Match{RuleID: "unapproved", Title: "Unapproved", Severity: SeverityHigh, GroupKey: res.Vendor.ID,
		Vendor: res.Vendor, Message: "m", Evidence: []Evidence{{Provider: rec.Provider, Kind: rec.Kind, ID: rec.ID}}})
	return nil
}

func (ruleEval) EvaluateInventory(_ context.Context, inv []InventoryItem, _ []Unidentified, emit func(Match)) error {
	for _, it := range inv {
		emit(Match{RuleID: "inv", Title: "Inventory", Severity: SeverityInfo, GroupKey: it.Vendor.ID, Vendor: &it.Vendor})
	}
	return nil
}

type vendorByHint struct{}

func (vendorByHint) Resolve(rec *Record) Resolution {
	if h, ok := rec.Hint(HintName); ok {
		return Resolution{Vendor: &Vendor{ID: h.Value, Name: strings.ToUpper(h.Value), Martech: true}, Confidence: 1}
	}
	return Resolution{}
}

func TestFindingsGroupedAndEvidenceDeterministic(t *testing.T) {
	opts := testOpts(t, fake("b", &fakeConfig{Records: 150, Hint: Hint{Type: HintName, Value: "acme"}}),
		fake("a", &fakeConfig{Records: 50, Hint: Hint{Type: HintName, Value: "acme"}}))
	opts.Resolver, opts.Evaluator, opts.MaxEvidence = vendorByHint{}, ruleEval{}, 10
	rep, _ := Run(context.Background(), opts)
	if len(rep.Findings) != 2 {
		t.Fatalf("findings %d, want one per rule", len(rep.Findings))
	}
	f := rep.Findings[0]
	if f.RuleID != "unapproved" || f.EvidenceCount != 200 || len(f.Evidence) != 10 {
		t.Fatalf("finding %s count %d kept %d", f.RuleID, f.EvidenceCount, len(f.Evidence))
	}
	if f.Evidence[0].ID != "a-0" || f.Evidence[9].ID != "a-17" {
		t.Errorf("evidence must be the first 10 in (provider, kind, id) order: %v", f.Evidence)
	}
	if f.Fingerprint != Fingerprint("unapproved", "acme") {
		t.Errorf("fingerprint must depend on rule and group only")
	}
}

func TestLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	mk := func(rule, vendor, sev string) Finding {
		return Finding{Fingerprint: Fingerprint(rule, vendor), RuleID: rule, Title: rule, Severity: sev,
			Vendor: &Vendor{ID: vendor, Name: vendor}}
	}
	rep := &Report{Findings: []Finding{mk("r1", "acme", "high"), mk("r2", "acme", "low"), mk("r3", "zeta", "medium"),
		mk("r4", "zeta", "critical")}}
	baseline := &Report{Findings: []Finding{mk("r1", "acme", "high"), mk("gone", "old", "medium")}}
	sups := []Suppression{
		{RuleID: "r2", Vendor: "acme", Owner: "it", Reason: "accepted", Expires: now.AddDate(0, 1, 0)},
		{Fingerprint: Fingerprint("r3", "zeta"), Owner: "it", Reason: "pilot", Expires: now.AddDate(0, 0, -1)},
	}
	applyLifecycle(rep, baseline, sups, now)
	byRule := map[string]Finding{}
	for _, f := range rep.Findings {
		byRule[f.RuleID] = f
	}
	if byRule["r1"].Status != StatusExisting || byRule["r4"].Status != StatusNew {
		t.Errorf("new/existing wrong: %+v", byRule)
	}
	if byRule["r2"].Status != StatusSuppressed || byRule["r2"].Suppression.Owner != "it" {
		t.Errorf("r2 should be suppressed: %+v", byRule["r2"])
	}
	if byRule["r3"].Status != StatusNew || byRule["r3"].Suppression == nil || !byRule["r3"].Suppression.Expired {
		t.Errorf("r3's expired suppression must not suppress: %+v", byRule["r3"])
	}
	exp, ok := byRule[RuleSuppressionExpired]
	if !ok || !strings.Contains(exp.Message, "expired on 2026-11-21") {
		t.Errorf("expired suppression must raise a finding: %+v", exp)
	}
	if len(rep.Resolved) != 1 || rep.Resolved[0].RuleID != "gone" {
		t.Errorf("resolved %+v", rep.Resolved)
	}
	if rep.Findings[0].Severity != SeverityCritical {
		t.Errorf("findings not sorted by severity")
	}
	s := summarise(rep)
	if s.SuppressedFindings != 1 || s.Findings != 4 || s.NewFindings != 3 {
		t.Errorf("summary %+v", s)
	}
}

func TestMonthly(t *testing.T) {
	cases := map[string]float64{PeriodMonthly: 120, PeriodAnnual: 10, PeriodQuarterly: 40, PeriodWeekly: 520}
	for p, want := range cases {
		v := 120.0
		if p == PeriodWeekly {
			v = 120
			want = 120 * 52 / 12
		}
		if got, ok := (Amount{Value: v, Period: p}).Monthly(); !ok || got != want {
			t.Errorf("%s: %v", p, got)
		}
	}
	if _, ok := (Amount{Value: 5, Period: PeriodOneTime}).Monthly(); ok {
		t.Error("one-off amounts have no monthly value")
	}
}

type notSoftwareConfig struct{}

func (*notSoftwareConfig) Validate() error { return nil }

type notSoftwareProvider struct{}

func (notSoftwareProvider) Collect(_ context.Context, emit func(Record) error) error {
	for i, soft := range []any{false, true, nil} {
		r := Record{Kind: KindExpense, ID: fmt.Sprint(i), Hints: []Hint{{Type: HintMerchant, Value: fmt.Sprint("M", i)}}}
		if soft != nil {
			r.Attributes = map[string]any{"software_likely": soft}
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	Register(Registration[ProviderConfig]{Type: "notsoftware", NewConfig: func() ProviderConfig { return &notSoftwareConfig{} },
		New: func(ProviderConfig, Deps) (Provider, error) { return notSoftwareProvider{}, nil }})
}

func TestUnresolvedNonSoftwareLeftOut(t *testing.T) {
	rep, _ := Run(context.Background(), testOpts(t, Instance{Name: "cards", Type: "notsoftware", Config: &notSoftwareConfig{}}))
	if len(rep.Unidentified) != 2 {
		t.Errorf("unidentified %+v: the record marked software_likely=false must be left out, the others kept", rep.Unidentified)
	}
	if c := cov(t, rep, "cards"); c.Records != 3 {
		t.Errorf("coverage must still count every record read: %d", c.Records)
	}
}

// TestReportIndependentOfArrivalOrder runs the same providers in both orders: the report must not change.
func TestReportIndependentOfArrivalOrder(t *testing.T) {
	a := fake("a", &fakeConfig{Records: 2, Hint: Hint{Type: HintName, Value: "Zeta App"}})
	b := fake("b", &fakeConfig{Records: 2, Hint: Hint{Type: HintName, Value: "zeta app"}})
	runOrder := func(insts ...Instance) *Report {
		opts := testOpts(t, insts...)
		opts.Concurrency = 1
		opts.Evaluator = ruleEval{}
		opts.Resolver = vendorByHint{}
		rep, _ := Run(context.Background(), opts)
		opts.Resolver = nil
		rep2, _ := Run(context.Background(), opts)
		rep.Unidentified = rep2.Unidentified
		return rep
	}
	r1, r2 := runOrder(a, b), runOrder(b, a)
	if r1.Unidentified[0].Name != r2.Unidentified[0].Name {
		t.Errorf("unidentified name depends on arrival order: %q vs %q", r1.Unidentified[0].Name, r2.Unidentified[0].Name)
	}
	j1, _ := json.Marshal(r1.Findings)
	j2, _ := json.Marshal(r2.Findings)
	if string(j1) != string(j2) {
		t.Errorf("findings depend on arrival order:\n%v\n%v", r1.Findings, r2.Findings)
	}
}

// ctxEval fails when asked to evaluate under a cancelled context; the first record waits for the cancellation,
// as a record still buffered when Ctrl-C arrives would.
type ctxEval struct {
	cancelled <-chan struct{}
	once      *sync.Once
}

func (e ctxEval) EvaluateRecord(ctx context.Context, rec *Record, _ Resolution, _ Approval, emit func(Match)) error {
	e.once.Do(func() { <-e.cancelled })
	if err := ctx.Err(); err != nil {
		return err
	}
	emit(Match{RuleID: "r", Title: "t", Severity: SeverityLow, GroupKey: rec.ID})
	return nil
}

func (e ctxEval) EvaluateInventory(ctx context.Context, _ []InventoryItem, _ []Unidentified, emit func(Match)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	emit(Match{RuleID: "inv", Title: "t", Severity: SeverityInfo, GroupKey: "all"})
	return nil
}

// TestInterruptedScanStillEvaluatesWhatWasRead: after cancellation, records already read are still resolved and
// evaluated, and inventory rules still run, so the partial report has their findings.
func TestInterruptedScanStillEvaluatesWhatWasRead(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan struct{})
	opts := testOpts(t, fake("p", &fakeConfig{Records: 3, Slow: true}))
	opts.Evaluator = ctxEval{cancelled: cancelled, once: &sync.Once{}}
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
		close(cancelled)
	}()
	rep, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Coverage {
		if c.Provider == "rules" {
			t.Errorf("rule evaluation failed after the interrupt: %+v", c.Errors)
		}
	}
	if len(rep.Findings) != 4 {
		t.Errorf("findings %d, want 3 record findings and 1 inventory finding", len(rep.Findings))
	}
}

type stateDirConfig struct{ got *string }

func (stateDirConfig) Validate() error { return nil }

type stateDirProvider struct{}

func (stateDirProvider) Collect(context.Context, func(Record) error) error { return nil }

func init() {
	Register(Registration[ProviderConfig]{Type: "statedir", NewConfig: func() ProviderConfig { return stateDirConfig{} },
		New: func(cfg ProviderConfig, d Deps) (Provider, error) {
			*cfg.(stateDirConfig).got = d.StateDir
			return stateDirProvider{}, nil
		}})
}

func TestStateDirReachesProviders(t *testing.T) {
	var got string
	opts := testOpts(t, Instance{Name: "s", Type: "statedir", Config: stateDirConfig{got: &got}})
	opts.StateDir = "/var/lib/shadowscan"
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if got != opts.StateDir {
		t.Fatalf("Deps.StateDir = %q, want %q", got, opts.StateDir)
	}
}

// The README's promise: 400 grants of one app are one finding that counts 400 pieces of evidence and keeps the
// first 100 (the default cap) in a stable order.
func TestEvidenceCapDefault(t *testing.T) {
	opts := testOpts(t, fake("w", &fakeConfig{Records: 400, Hint: Hint{Type: HintName, Value: "acme"}}))
	opts.Resolver, opts.Evaluator = vendorByHint{}, ruleEval{}
	rep, _ := Run(context.Background(), opts)
	var f *Finding
	for i := range rep.Findings {
		if rep.Findings[i].RuleID == "unapproved" {
			f = &rep.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no record-stage finding: %+v", rep.Findings)
	}
	if f.EvidenceCount != 400 || len(f.Evidence) != 100 {
		t.Errorf("evidence_count %d with %d kept, want 400 and 100", f.EvidenceCount, len(f.Evidence))
	}
	b, _ := json.Marshal(f)
	if !strings.Contains(string(b), `"evidence_count":400`) {
		t.Errorf("evidence_count missing from the JSON: %s", b)
	}
}
