package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/providers/internal/httpx/httpxtest"
)

// fakeClock advances virtual time on Sleep and returns at once.
type fakeClock = httpxtest.Clock

func newFakeClock() *fakeClock {
	return httpxtest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
}

// step is one scripted reply of the test server.
type step struct {
	status     int
	retryAfter string
	body       string
}

// scripted serves the steps in order, then 200 "ok"; it records each request's body.
type scripted struct {
	mu     sync.Mutex
	steps  []step
	n      int
	bodies []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(b))
	i := s.n
	s.n++
	s.mu.Unlock()
	if i >= len(s.steps) {
		_, _ = io.WriteString(w, "ok")
		return
	}
	st := s.steps[i]
	if st.retryAfter != "" {
		w.Header().Set("Retry-After", st.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(st.status)
	_, _ = io.WriteString(w, st.body)
}

func (s *scripted) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func googleError(code int, reason, msg string) string {
	return fmt.Sprintf(`{"error":{"code":%d,"message":%q,"errors":[{"message":%q,"domain":"usageLimits","reason":%q}]}}`,
		code, msg, msg, reason)
}

func newClient(t *testing.T, h http.Handler, opts Options) (*http.Client, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &http.Client{Transport: NewTransport(srv.Client().Transport, opts)}, srv.URL
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp, string(b), nil
}

func TestRetriesThrottlingAndServerErrors(t *testing.T) {
	t.Parallel()
	rate := googleError(403, "userRateLimitExceeded", "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'")
	cases := []struct {
		name   string
		steps  []step
		sleeps []time.Duration // with Rand = 0: half the exponential delay, or exactly Retry-After
	}{
		{"429 with Retry-After seconds", []step{{429, "30", ""}}, []time.Duration{30 * time.Second}},
		{"429 with Retry-After date", []step{{429, "Fri, 20 Nov 2026 09:00:45 GMT", ""}}, []time.Duration{45 * time.Second}},
		{"429 without Retry-After", []step{{429, "", ""}}, []time.Duration{500 * time.Millisecond}},
		{"403 userRateLimitExceeded", []step{{403, "", rate}}, []time.Duration{500 * time.Millisecond}},
		{"403 rateLimitExceeded", []step{{403, "", googleError(403, "rateLimitExceeded", "Rate Limit Exceeded")}}, []time.Duration{500 * time.Millisecond}},
		{"403 quotaExceeded", []step{{403, "", googleError(403, "quotaExceeded", "Quota exceeded")}}, []time.Duration{500 * time.Millisecond}},
		{"403 RATE_LIMIT_EXCEEDED detail", []step{{403, "", `{"error":{"code":403,"status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED"}]}}`}}, []time.Duration{500 * time.Millisecond}},
		{"500 502 503 504", []step{{500, "", ""}, {502, "", ""}, {503, "", ""}, {504, "", ""}},
			[]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}},
		{"503 with Retry-After", []step{{503, "2", "backend unavailable"}}, []time.Duration{2 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			srv := &scripted{steps: tc.steps}
			c, url := newClient(t, srv, Options{Clock: clock, Rand: func() float64 { return 0 }})
			resp, body, err := get(t, c, url)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if resp.StatusCode != 200 || body != "ok" {
				t.Fatalf("got %d %q, want 200 ok", resp.StatusCode, body)
			}
			if got, want := srv.requests(), len(tc.steps)+1; got != want {
				t.Errorf("requests = %d, want %d", got, want)
			}
			if got := clock.Sleeps(); fmt.Sprint(got) != fmt.Sprint(tc.sleeps) {
				t.Errorf("sleeps = %v, want %v", got, tc.sleeps)
			}
		})
	}
}

func TestDoesNotRetryPermissionAndClientErrors(t *testing.T) {
	t.Parallel()
	// A permission 403 with a body longer than the peek window: the caller must get every byte back.
	long := googleError(403, "forbidden", "Not Authorized to access this resource/api") + strings.Repeat(" ", 100<<10) + "END"
	for _, st := range []step{
		{403, "", long},
		{403, "", `{"error":{"code":403,"message":"Request had insufficient authentication scopes.","status":"PERMISSION_DENIED"}}`},
		{403, "", "not json at all"},
		{400, "", googleError(400, "invalid", "Invalid Input")},
		{401, "", googleError(401, "authError", "Invalid Credentials")},
		{404, "", googleError(404, "notFound", "Resource Not Found: userKey")},
	} {
		t.Run(fmt.Sprint(st.status, " ", st.body[:min(len(st.body), 40)]), func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			srv := &scripted{steps: []step{st}}
			c, url := newClient(t, srv, Options{Clock: clock})
			resp, body, err := get(t, c, url)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if resp.StatusCode != st.status || body != st.body {
				t.Errorf("got %d and a %d-byte body, want %d and the original %d bytes", resp.StatusCode, len(body), st.status, len(st.body))
			}
			if srv.requests() != 1 || len(clock.Sleeps()) != 0 {
				t.Errorf("requests = %d, sleeps = %v; want 1 request and no wait", srv.requests(), clock.Sleeps())
			}
		})
	}
}

func TestGivesUpWithClearError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		step step
		want string
	}{
		{step{429, "30", ""}, "gave up after 5 attempts: 429 Too Many Requests (Retry-After 30s)"},
		{step{429, "", googleError(429, "rateLimitExceeded", "slow down")}, "gave up after 5 attempts: 429 Too Many Requests (rateLimitExceeded)"},
		{step{403, "", googleError(403, "userRateLimitExceeded", "Quota exceeded")}, "gave up after 5 attempts: 403 Forbidden (userRateLimitExceeded)"},
		{step{503, "", "unavailable"}, "gave up after 5 attempts: 503 Service Unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			srv := &scripted{steps: []step{tc.step, tc.step, tc.step, tc.step, tc.step, tc.step}}
			c, url := newClient(t, srv, Options{Clock: newFakeClock()})
			_, _, err := get(t, c, url)
			var gu *GaveUpError
			if !errors.As(err, &gu) {
				t.Fatalf("err = %v, want a *GaveUpError", err)
			}
			if gu.Error() != tc.want {
				t.Errorf("error = %q, want %q", gu.Error(), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("client error %q does not contain %q", err, tc.want)
			}
			if srv.requests() != 5 {
				t.Errorf("requests = %d, want 5", srv.requests())
			}
		})
	}
}

func TestMaxAttemptsAndBackoffCap(t *testing.T) {
	t.Parallel()
	steps := make([]step, 20)
	for i := range steps {
		steps[i] = step{status: 500}
	}
	clock := newFakeClock()
	srv := &scripted{steps: steps}
	c, url := newClient(t, srv, Options{Clock: clock, MaxAttempts: 10, BaseDelay: time.Second, MaxDelay: 8 * time.Second,
		Rand: func() float64 { return 0.999999 }})
	_, _, err := get(t, c, url)
	var gu *GaveUpError
	if !errors.As(err, &gu) || gu.Attempts != 10 {
		t.Fatalf("err = %v, want a GaveUpError after 10 attempts", err)
	}
	sleeps := clock.Sleeps()
	if len(sleeps) != 9 {
		t.Fatalf("sleeps = %v, want 9", sleeps)
	}
	for i, d := range sleeps {
		want := min(time.Second<<i, 8*time.Second)
		if d > want || d < want*99/100 {
			t.Errorf("sleep %d = %s, want about %s (capped)", i+1, d, want)
		}
	}
}

func TestJitterSpreadsDelays(t *testing.T) {
	t.Parallel()
	tr := NewTransport(nil, Options{BaseDelay: time.Second, MaxDelay: time.Minute}).(*transport)
	seen := map[time.Duration]bool{}
	for range 50 {
		d := tr.backoff(3) // 4s before jitter
		if d < 2*time.Second || d > 4*time.Second {
			t.Fatalf("backoff(3) = %s, want within [2s, 4s]", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct delays in 50 draws: no jitter?", len(seen))
	}
	// A broken random source does not break the delay.
	tr.rand = func() float64 { return 7 }
	if d := tr.backoff(1); d != 500*time.Millisecond {
		t.Errorf("backoff with a bad random value = %s, want 500ms", d)
	}
}

func TestRetryAfterLongerThanMaxGivesUpAtOnce(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := &scripted{steps: []step{{429, "7200", ""}}}
	c, url := newClient(t, srv, Options{Clock: clock, MaxRetryAfter: 5 * time.Minute})
	_, _, err := get(t, c, url)
	want := "gave up after 1 attempt: 429 Too Many Requests (Retry-After 2h0m0s is longer than the 5m0s this client waits)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if len(clock.Sleeps()) != 0 {
		t.Errorf("waited %v", clock.Sleeps())
	}
}

func TestContextCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	srv := &scripted{steps: []step{{429, "3600", ""}}}
	ctx, cancel := context.WithCancel(context.Background())
	// Cancel once the 429 is in and the transport is about to wait an hour (the real clock): not on a timer, which
	// under load could fire while the first request is still in flight.
	c, url := newClient(t, srv, Options{MaxRetryAfter: 2 * time.Hour, OnRetry: func(RetryEvent) { cancel() }})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	start := time.Now()
	_, err := c.Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("returned %s after cancellation", took)
	}
	if !strings.Contains(err.Error(), "429 Too Many Requests") {
		t.Errorf("error %q does not say what it was waiting for", err)
	}
}

func TestRequestBodiesAreReplayed(t *testing.T) {
	t.Parallel()
	payload := `{"payload":"x"}`
	bodies := map[string]func() io.Reader{
		"with GetBody":    func() io.Reader { return strings.NewReader(payload) },                   // NewRequest sets GetBody
		"without GetBody": func() io.Reader { return io.NopCloser(bytes.NewBufferString(payload)) }, // buffered by the transport
	}
	for name, mk := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := &scripted{steps: []step{{503, "", ""}, {429, "1", ""}}}
			c, url := newClient(t, srv, Options{Clock: newFakeClock()})
			req, _ := http.NewRequest(http.MethodPost, url, mk())
			if name == "without GetBody" {
				req.GetBody = nil
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			resp.Body.Close()
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.bodies) != 3 {
				t.Fatalf("server saw %d requests, want 3", len(srv.bodies))
			}
			for i, b := range srv.bodies {
				if b != payload {
					t.Errorf("attempt %d body = %q, want %q", i+1, b, payload)
				}
			}
		})
	}
}

func TestRetriesResetConnections(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // the client sees EOF: a transient error
			}
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	c, url := newClient(t, h, Options{Clock: newFakeClock()})
	_, body, err := get(t, c, url)
	if err != nil || body != "ok" {
		t.Fatalf("got %q, %v; want ok after a retry", body, err)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2", n.Load())
	}
}

func TestNetworkErrorsThatAreNotTransientAreReturned(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	c := &http.Client{Transport: NewTransport(nil, Options{Clock: clock})}
	_, err := c.Get("unsupported://example.invalid/")
	if err == nil {
		t.Fatal("want an error")
	}
	if len(clock.Sleeps()) != 0 {
		t.Errorf("retried a permanent error: %v", clock.Sleeps())
	}
}

func TestOnRetryReportsEachRetry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []RetryEvent
	srv := &scripted{steps: []step{{429, "3", ""}, {403, "", googleError(403, "quotaExceeded", "q")}}}
	c, url := newClient(t, srv, Options{Clock: newFakeClock(), Rand: func() float64 { return 0 }, OnRetry: func(e RetryEvent) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}})
	if _, _, err := get(t, c, url+"/admin/directory/v1/users?pageToken=secret"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 {
		t.Fatalf("events = %+v, want 2", events)
	}
	if e := events[0]; e.Attempt != 1 || e.StatusCode != 429 || e.RetryAfter != 3*time.Second || e.Delay != 3*time.Second {
		t.Errorf("first event = %+v", e)
	}
	if e := events[1]; e.Attempt != 2 || e.StatusCode != 403 || e.Reason != "quotaExceeded" || e.Delay != time.Second {
		t.Errorf("second event = %+v", e)
	}
	if strings.Contains(events[0].URL, "secret") || !strings.HasSuffix(events[0].URL, "/admin/directory/v1/users") {
		t.Errorf("event URL %q: want the path without the query", events[0].URL)
	}
}

func TestRetryAfterPausesOtherRequests(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := NewLimiter(600, 5, clock)
	srv := &scripted{steps: []step{{429, "20", ""}}}
	c, url := newClient(t, srv, Options{Clock: clock, Limiter: l})
	if _, _, err := get(t, c, url); err != nil {
		t.Fatal(err)
	}
	// The 429 paused the shared limiter for 20s; the retry itself slept those 20s, so the next request may go at
	// once, and the one after it one interval (100ms) later: no burst right after a pause.
	before := len(clock.Sleeps())
	for range 2 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	got := clock.Sleeps()[before:]
	var total time.Duration
	for _, d := range got {
		total += d
	}
	if total < 100*time.Millisecond {
		t.Errorf("waits after the pause = %v, want at least one interval: the pause let a burst through", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30", 30 * time.Second, true},
		{" 0 ", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"-3", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{"Fri, 20 Nov 2026 09:01:00 GMT", time.Minute, true},
		{"Friday, 20-Nov-26 09:00:10 GMT", 10 * time.Second, true},
		{"Fri Nov 20 09:00:05 2026", 5 * time.Second, true},
		{"Thu, 19 Nov 2026 09:00:00 GMT", 0, true}, // in the past: go now
		{"NaN", 0, false},
		{"1e300", time.Duration(1<<63 - 1), true},
	}
	for _, tc := range cases {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestErrorReasons(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		googleError(403, "userRateLimitExceeded", "x"):                                                     "[userRateLimitExceeded]",
		`{"error":{"code":403,"status":"PERMISSION_DENIED","details":[{"reason":"RATE_LIMIT_EXCEEDED"}]}}`: "[RATE_LIMIT_EXCEEDED PERMISSION_DENIED]",
		`{"error":{"code":"TooManyRequests","message":"Too many requests"}}`:                               "[TooManyRequests]",
		`{"error":"invalid_grant"}`:                                                                        "[]",
		`<html>`:                                                                                           "[]",
		``:                                                                                                 "[]",
	}
	for in, want := range cases {
		if got := fmt.Sprint(errorReasons([]byte(in))); got != want {
			t.Errorf("errorReasons(%s) = %s, want %s", in, got, want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"30", "1.5", "-1", "Fri, 20 Nov 2026 09:01:00 GMT", "1e300", "NaN", "Inf", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if d < 0 {
			t.Errorf("ParseRetryAfter(%q) = %s, negative", s, d)
		}
		if !ok && d != 0 {
			t.Errorf("ParseRetryAfter(%q) = %s but not ok", s, d)
		}
	})
}

func FuzzErrorReasons(f *testing.F) {
	for _, s := range []string{googleError(403, "userRateLimitExceeded", "x"), `{"error":{"code":"TooManyRequests"}}`,
		`{"error":{"errors":[{"reason":1}]}}`, `{"error":null}`, `[]`, `{`} {
		f.Add([]byte(s))
	}
	// Reasons come only from a valid JSON error body, and none is empty; the ones of a Google error round-trip.
	f.Fuzz(func(t *testing.T, b []byte) {
		rs := errorReasons(b)
		if len(rs) > 0 && !json.Valid(b) {
			t.Fatalf("reasons %q from a body that is not JSON", rs)
		}
		for _, r := range rs {
			if r == "" {
				t.Fatalf("empty reason from %q", b)
			}
		}
		reason := string(b)
		if reason == "" || !utf8.ValidString(reason) {
			return
		}
		body, _ := json.Marshal(map[string]any{"error": map[string]any{"code": 403, "errors": []map[string]string{{"reason": reason}}}})
		if got := errorReasons(body); len(got) == 0 || got[0] != reason {
			t.Fatalf("errorReasons(%s) = %q", body, got)
		}
	})
}
