package aws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

func collectAll(t *testing.T, h *harness) []scanner.Record {
	t.Helper()
	var recs []scanner.Record
	if err := h.provider(t).Collect(context.Background(), func(r scanner.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return recs
}

// IAM throttling on every account slows the scan down but loses nothing: each throttled request is retried with
// backoff, and the records equal those of an unthrottled scan.
func TestIAMThrottlingLosesNothing(t *testing.T) {
	clean := collectAll(t, newHarness(t, largeOrg(t, 20), nil))
	f := largeOrg(t, 20)
	// Every account's IAM calls are throttled three times each: fewer than max_attempts, so each is retried to success.
	for id := range f.accounts {
		for _, op := range []string{"GetAccountAuthorizationDetails", "ListAccessKeys", "GetAccessKeyLastUsed", "ListSAMLProviders"} {
			f.faults[id+"/"+op] = &fault{Kind: "throttle", Count: 3}
		}
	}
	h := newHarness(t, f, nil)
	got := collectAll(t, h)
	if errs := h.diag.Errors(); len(errs) > 0 {
		t.Fatalf("throttling became coverage errors: %v", errs)
	}
	want, have := scannertest.ByID(clean), scannertest.ByID(got)
	if len(want) != len(have) || len(want) != 20*8 {
		t.Fatalf("records: throttled %d, clean %d (want %d)", len(have), len(want), 20*8)
	}
	for id := range want {
		if _, ok := have[id]; !ok {
			t.Errorf("lost under throttling: %s", id)
		}
	}
	if n := f.callCount("400000000000", "GetAccountAuthorizationDetails"); n != 4 {
		t.Errorf("GetAccountAuthorizationDetails was called %d times; want 4 (three throttled, one read)", n)
	}
}

// The global cap bounds requests in flight across accounts, and each account's IAM calls share iam_concurrency
// slots, however many accounts and parts run at once.
func TestConcurrencyCaps(t *testing.T) {
	f := largeOrg(t, 24)
	// The first member-account requests are held until six are in flight together, so the scan reaches the cap
	// however slow the machine; with the latency (during which a request counts as in flight) a client without
	// the cap goes far past it (26 at once when measured with max_in_flight 64).
	f.overlap, f.latency = 6, 5*time.Millisecond
	h := newHarness(t, f, func(c *Config) { c.Concurrency, c.MaxInFlight, c.IAMConcurrency = 8, 6, 1 })
	recs := collectAll(t, h)
	if len(recs) != 24*8 || len(h.diag.Errors()) > 0 {
		t.Fatalf("records %d (want %d), errors %v", len(recs), 24*8, h.diag.Errors())
	}
	if m := f.maxInFlight["*"]; m != 6 {
		t.Errorf("requests in flight at most %d; want exactly 6 (max_in_flight 6, reached once the fake holds them)", m)
	}
	for k, m := range f.maxInFlight {
		// "query" is IAM (STS counts apart): one slot per account.
		if strings.HasSuffix(k, "/query") && m > 1 {
			t.Errorf("%s: %d IAM requests at once with iam_concurrency 1", k, m)
		}
	}
}

// An account that hangs is cut off at account_timeout: its coverage is partial with the reason, the others are
// complete, and the scan does not fail.
func TestAccountTimeout(t *testing.T) {
	f := largeOrg(t, 3)
	f.slow, f.slowBy = "400000000001", 20*time.Second
	h := newHarness(t, f, nil)
	h.cfg.AccountTimeout = 2 * time.Second
	recs := collectAll(t, h)
	errs := errorsText(h.diag)
	if !strings.Contains(errs, "400000000001") || !strings.Contains(errs, "account_timeout") {
		t.Errorf("coverage errors do not name the timed-out account:\n%s", errs)
	}
	if len(h.diag.Errors()) != 1 {
		t.Errorf("want one error (the timeout), got:\n%s", errs)
	}
	if len(recs) != 2*8 {
		t.Errorf("records %d; want the two healthy accounts' %d", len(recs), 2*8)
	}
}
