// Package faulttest is the fault matrix every API provider is tested over: one table of faults (a 429 storm with
// and without Retry-After, 5xx, a reset connection, a truncated or malformed body, a paging token that repeats, a
// body slower than the timeout, access denied on one user or account) with what the provider must do about each,
// and an HTTP middleware that injects them in front of a provider's httptest fake. A provider's matrix test is a
// short adapter: which request a fault hits, how its wire format spells an error and a next-page token, and which
// records come from what the fake served.
//
// Every case asserts that nothing the fake served successfully is lost (each record a clean run emits whose
// source was served in full is emitted), that coverage is exact (the status the scanner would give, and the reason
// in the coverage errors), and that no goroutine is left behind (goleak). Nothing is timed: faults are triggered by
// request counts, and "slower than the timeout" ends the scan's context the moment the stalled body is being read.
package faulttest

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/shadowscan/shadowscan/scanner"
)

// Kind names a fault.
type Kind string

// The faults of the matrix.
const (
	Storm429RetryAfter Kind = "429 storm with Retry-After"
	Storm429           Kind = "429 storm without Retry-After"
	ServerErrorOnce    Kind = "5xx then recovery"
	ServerErrorStorm   Kind = "5xx storm"
	Reset              Kind = "connection reset"
	Truncated          Kind = "truncated body"
	Malformed          Kind = "malformed body"
	RepeatToken        Kind = "repeating page token"
	SlowBody           Kind = "body slower than the timeout"
	DeniedOne          Kind = "access denied on one user or account"
)

// Case is one row of the matrix: a fault and what the provider must make of it.
type Case struct {
	Kind Kind
	// Times is how often the target request gets the fault before it is answered normally; 0 means always.
	Times int
	// Status is the coverage status expected ("" means: failed when nothing was emitted, else partial — the
	// scanner's rule for a provider that returned an error).
	Status string
	// Reason lists words one of the coverage errors (or the provider's error) must contain, lower-cased.
	Reason []string
	// Why is what the row proves, for failure messages.
	Why string
}

// Cases is the fault table shared by every provider. Persistent faults hit a page after the first of the
// provider's main listing, so that what came before must be kept (partial); transient ones must be retried away
// (complete).
var Cases = []Case{
	{Kind: Storm429RetryAfter, Status: scanner.CoveragePartial, Reason: []string{"429"},
		Why: "the provider waits what Retry-After asks, gives up after its attempt budget with a reason naming the throttling, keeps the pages read"},
	{Kind: Storm429, Status: scanner.CoveragePartial, Reason: []string{"429"},
		Why: "without Retry-After the provider backs off on its own and gives up after its budget"},
	{Kind: ServerErrorOnce, Times: 2, Status: scanner.CoverageComplete,
		Why: "two 503s are retried away: nothing lost, no coverage error"},
	{Kind: ServerErrorStorm, Status: scanner.CoveragePartial, Reason: []string{"500"},
		Why: "a page that always answers 500 is given up on; the pages before are kept"},
	{Kind: Reset, Times: 1, Status: scanner.CoverageComplete,
		Why: "a connection reset before the answer is retried"},
	{Kind: Truncated, Times: 1, Status: scanner.CoverageComplete,
		Why: "a body cut off mid-way (connection dropped) is asked for again"},
	{Kind: Malformed, Status: scanner.CoveragePartial,
		Why: "a 200 whose body never parses is a coverage error, not a silent empty page"},
	{Kind: RepeatToken, Status: scanner.CoveragePartial, Reason: []string{"repeat"},
		Why: "a next-page token that points back at a page already read stops the listing (no loop) and coverage says why"},
	{Kind: SlowBody, Reason: []string{"deadline"},
		Why: "a body that stalls past the timeout ends the provider promptly with the timeout as reason, leaving no goroutine"},
	{Kind: DeniedOne, Status: scanner.CoveragePartial, Reason: []string{"403"},
		Why: "access denied on one user or account is a coverage error naming it; everyone else is read"},
}

// Outcome is what one run of a provider gave.
type Outcome struct {
	Records []scanner.Record
	Errors  []scanner.CoverageError
	Err     error // Collect's error
}

// Collect runs p with ctx and returns what it emitted, its coverage errors (from diag) and its error.
func Collect(ctx context.Context, p scanner.Provider, diag *scanner.Diagnostics) Outcome {
	var mu sync.Mutex
	var out Outcome
	err := p.Collect(ctx, func(r scanner.Record) error {
		mu.Lock()
		defer mu.Unlock()
		out.Records = append(out.Records, r)
		return nil
	})
	out.Err, out.Errors = err, diag.Errors()
	return out
}

// Status is the coverage status the scanner gives this outcome (scanner.SettleStatus, as runInstance does).
func (o Outcome) Status() string {
	status := scanner.CoverageComplete
	if o.Err != nil {
		status = scanner.CoverageFailed
	}
	return scanner.SettleStatus(status, len(o.Records), len(o.Errors))
}

// Text is every coverage error and the provider's error, one a line, for matching and messages.
func (o Outcome) Text() string {
	var b strings.Builder
	for _, e := range o.Errors {
		b.WriteString(e.API + " | " + e.Target + " | " + e.Message + "\n")
	}
	if o.Err != nil {
		b.WriteString("error: " + o.Err.Error() + "\n")
	}
	return b.String()
}

// Check asserts a case's outcome: the status, the reason words (and extra, the provider's own words for the
// case, e.g. the name of the denied user), and that every record of the clean run whose sources were all served
// is there. sourcesOf gives a record's sources in the key space of served.
func Check(t *testing.T, c Case, clean []scanner.Record, got Outcome, served map[string]bool, sourcesOf func(scanner.Record) []string, extra ...string) {
	t.Helper()
	want := c.Status
	if want == "" {
		want = scanner.CoverageFailed
		if len(got.Records) > 0 {
			want = scanner.CoveragePartial
		}
	}
	text := got.Text()
	if st := got.Status(); st != want {
		t.Errorf("%s: coverage %s, want %s (%s)\n%s", c.Kind, st, want, c.Why, text)
	}
	if want == scanner.CoverageComplete && text != "" {
		t.Errorf("%s: coverage errors on a run that must be complete:\n%s", c.Kind, text)
	}
	low := strings.ToLower(text)
	for _, w := range append(append([]string(nil), c.Reason...), extra...) {
		if !strings.Contains(low, strings.ToLower(w)) {
			t.Errorf("%s: coverage does not say %q (%s):\n%s", c.Kind, w, c.Why, text)
		}
	}
	if c.Kind == SlowBody {
		// The scan is over: the scanner drops what comes after the timeout, so only the reason is checked.
		return
	}
	have := map[string]bool{}
	for _, r := range got.Records {
		have[r.ID] = true
	}
	var lost []string
	for _, r := range clean {
		if have[r.ID] {
			continue
		}
		srcs := sourcesOf(r)
		all := len(srcs) > 0
		for _, s := range srcs {
			all = all && served[s]
		}
		if all {
			lost = append(lost, r.ID+" (from "+strings.Join(srcs, ", ")+")")
		}
	}
	if len(lost) > 0 {
		sort.Strings(lost)
		t.Errorf("%s: %d records lost although the fake served their sources:\n  %s", c.Kind, len(lost), strings.Join(lost, "\n  "))
	}
	if want == scanner.CoverageComplete && len(got.Records) != len(clean) {
		t.Errorf("%s: %d records, the clean run emitted %d", c.Kind, len(got.Records), len(clean))
	}
}

// NoLeak fails the test when goroutines started since ignore was taken are still running. Close servers and idle
// client connections first.
func NoLeak(t *testing.T, ignore goleak.Option) {
	t.Helper()
	if err := goleak.Find(ignore); err != nil {
		t.Errorf("goroutines left behind: %v", err)
	}
}

// Trigger is a scan context that ends on demand, deterministically, instead of on a timer: Fire makes it done with
// context.DeadlineExceeded, as if the provider's timeout had expired at that very moment.
type Trigger struct {
	context.Context
	once sync.Once
	done chan struct{}
	err  error
	mu   sync.Mutex
}

// NewTrigger returns a context with no deadline that ends when Fire is called.
func NewTrigger() *Trigger {
	return &Trigger{Context: context.Background(), done: make(chan struct{})}
}

// Fire ends the context with err (nil means context.DeadlineExceeded).
func (c *Trigger) Fire(err error) {
	if err == nil {
		err = context.DeadlineExceeded
	}
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.done)
	})
}

// Done is closed by Fire.
func (c *Trigger) Done() <-chan struct{} { return c.done }

// Err is nil until Fire, then its error.
func (c *Trigger) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Fired reports whether Fire was called.
func (c *Trigger) Fired() bool { return c.Err() != nil }

// ErrLoop is what the loop guard ends the scan with when a provider keeps asking for a repeating page.
var ErrLoop = errors.New("faulttest: the provider kept following a repeating page token")
