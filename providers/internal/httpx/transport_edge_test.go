package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A Retry-After of exactly MaxRetryAfter is waited for; only a longer one makes the transport give up.
func TestRetryAfterOfExactlyTheMaximumIsWaited(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := &scripted{steps: []step{{429, "300", ""}}}
	c, url := newClient(t, srv, Options{Clock: clock, MaxRetryAfter: 5 * time.Minute})
	resp, body, err := get(t, c, url)
	if err != nil || resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("got %v, %q, %v; want 200 ok after one wait", resp, body, err)
	}
	if got := clock.Sleeps(); len(got) != 1 || got[0] != 5*time.Minute {
		t.Errorf("sleeps = %v, want [5m0s]", got)
	}
}

// A random source outside [0, 1) (here exactly 1) counts as 0: the delay is half the backoff, never more.
func TestBackoffWithRandomOne(t *testing.T) {
	t.Parallel()
	tr := NewTransport(nil, Options{BaseDelay: time.Second, MaxDelay: time.Minute, Rand: func() float64 { return 1 }}).(*transport)
	if d := tr.backoff(2); d != time.Second {
		t.Errorf("backoff(2) with rand 1 = %s, want 1s (half of 2s)", d)
	}
	tr.rand = func() float64 { return 0 }
	if d := tr.backoff(2); d != time.Second {
		t.Errorf("backoff(2) with rand 0 = %s, want 1s", d)
	}
}

// closeCounter is a request body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// A request whose context is done before the first attempt is not sent, and its body is closed (the
// http.RoundTripper contract), exactly once.
func TestCancelledBeforeFirstAttemptClosesBody(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sent := 0
	base := roundTripFunc(func(*http.Request) (*http.Response, error) { sent++; return nil, errors.New("sent") })
	body := &closeCounter{Reader: strings.NewReader("payload")}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://api.example/x", body)
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("payload")), nil }
	_, err := NewTransport(base, Options{Clock: newFakeClock()}).RoundTrip(req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if sent != 0 || body.closed != 1 {
		t.Errorf("sent %d times, body closed %d times; want 0 and 1", sent, body.closed)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The first attempt sends the caller's own body; GetBody is called only for the retries.
func TestGetBodyOnlyForRetries(t *testing.T) {
	t.Parallel()
	for _, failures := range []int{0, 1, 2} {
		var got []string
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			b, _ := io.ReadAll(r.Body)
			got = append(got, string(b))
			status := http.StatusOK
			if len(got) <= failures {
				status = http.StatusServiceUnavailable
			}
			return &http.Response{StatusCode: status, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
		})
		getBodies := 0
		req, _ := http.NewRequest(http.MethodPost, "http://api.example/x", strings.NewReader("first"))
		req.GetBody = func() (io.ReadCloser, error) {
			getBodies++
			return io.NopCloser(strings.NewReader("replay")), nil
		}
		resp, err := NewTransport(base, Options{Clock: newFakeClock()}).RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%d failures: %v, %v", failures, resp, err)
		}
		want := []string{"first"}
		for range failures {
			want = append(want, "replay")
		}
		if getBodies != failures || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%d failures: GetBody called %d times, bodies sent %q; want %d and %q", failures, getBodies, got,
				failures, want)
		}
	}
}

// A Retry-After on a 429, a 503 or a rate-limit 403 holds back every request sharing the limiter; on another
// retryable status (a 500) it delays only the request it answered.
func TestRetryAfterPausesOnlyWhenThrottled(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		step  step
		pause bool
	}{
		{step{429, "20", ""}, true},
		{step{503, "20", ""}, true},
		{step{403, "20", googleError(403, "rateLimitExceeded", "slow down")}, true},
		{step{500, "20", ""}, false},
		{step{502, "20", ""}, false},
	} {
		clock := newFakeClock()
		l := NewLimiter(600, 5, clock) // 100ms apart, bursts of 5
		srv := &scripted{steps: []step{tc.step}}
		c, url := newClient(t, srv, Options{Clock: clock, Limiter: l})
		if _, _, err := get(t, c, url); err != nil {
			t.Fatal(err)
		}
		if got := clock.Sleeps(); len(got) != 1 || got[0] != 20*time.Second {
			t.Fatalf("%d: sleeps %v, want the 20s of Retry-After", tc.step.status, got)
		}
		// Paused: the limiter resumes at its sustained rate, without a burst, so the second of two requests waits.
		for range 2 {
			if err := l.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if paused := len(clock.Sleeps()) > 1; paused != tc.pause {
			t.Errorf("%d with Retry-After: others held back %v, want %v (sleeps %v)", tc.step.status, paused, tc.pause,
				clock.Sleeps())
		}
	}
}

// A 429's own error reason is named when the transport gives up, even one that is not a rate-limit reason (Graph's
// "TooManyRequests"); a 429 whose body holds no reason is named by its status alone.
func TestGaveUpNamesA429Reason(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"error":{"code":"TooManyRequests","message":"Too many requests"}}`:                         "gave up after 2 attempts: 429 Too Many Requests (TooManyRequests)",
		`{"error":{"code":429,"errors":[{"reason":"backendError"},{"reason":"rateLimitExceeded"}]}}`: "gave up after 2 attempts: 429 Too Many Requests (rateLimitExceeded)",
		`<html>busy</html>`:                       "gave up after 2 attempts: 429 Too Many Requests",
		`{"error":{"code":429,"message":"busy"}}`: "gave up after 2 attempts: 429 Too Many Requests",
	} {
		srv := &scripted{steps: []step{{429, "", body}, {429, "", body}}}
		c, url := newClient(t, srv, Options{Clock: newFakeClock(), MaxAttempts: 2})
		_, _, err := get(t, c, url)
		var gu *GaveUpError
		if !errors.As(err, &gu) || gu.Error() != want {
			t.Errorf("body %s: err %v, want %q", body, err, want)
		}
	}
}

// A wait cut short says what it was waiting to retry: the status and, when the body gave one, the error reason.
func TestCancelledRetryWaitNamesTheFailure(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		step step
		want string
	}{
		{step{403, "", googleError(403, "userRateLimitExceeded", "slow")}, "to retry after 403 Forbidden (userRateLimitExceeded) (attempt 1 of 5)"},
		{step{503, "", ""}, "to retry after 503 Service Unavailable (attempt 1 of 5)"},
	} {
		clock := &sleepFails{fakeClock: newFakeClock(), fail: true}
		srv := &scripted{steps: []step{tc.step}}
		c, url := newClient(t, srv, Options{Clock: clock})
		_, _, err := get(t, c, url)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want context.Canceled and %q", err, tc.want)
		}
	}
}

// The largest Retry-After in whole seconds that a time.Duration holds is kept exactly; only larger ones are capped.
func TestParseRetryAfterAtTheDurationLimit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	if got, ok := ParseRetryAfter("9223372036", now); !ok || got != 9223372036*time.Second {
		t.Errorf("ParseRetryAfter(9223372036) = %d, %v; want %d", got, ok, 9223372036*time.Second)
	}
	if got, ok := ParseRetryAfter("9223372037", now); !ok || got != time.Duration(1<<63-1) {
		t.Errorf("ParseRetryAfter(9223372037) = %d, %v; want the largest duration", got, ok)
	}
}

// The response of every attempt that is retried is closed (its connection can be reused), and so is the last one
// of a request that gives up.
func TestRetriedResponsesAreClosed(t *testing.T) {
	t.Parallel()
	var bodies []*closeCounter
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		b := &closeCounter{Reader: strings.NewReader("busy")}
		bodies = append(bodies, b)
		return &http.Response{StatusCode: http.StatusBadGateway, Header: http.Header{}, Body: b, Request: r}, nil
	})
	req, _ := http.NewRequest(http.MethodGet, "http://api.example/x", nil)
	_, err := NewTransport(base, Options{Clock: newFakeClock(), MaxAttempts: 3}).RoundTrip(req)
	var gu *GaveUpError
	if !errors.As(err, &gu) || gu.Attempts != 3 {
		t.Fatalf("err = %v, want to give up after 3 attempts", err)
	}
	for i, b := range bodies {
		if b.closed != 1 {
			t.Errorf("response %d closed %d times, want once", i+1, b.closed)
		}
	}
}

// counting is a request body of n bytes without GetBody (a stream the transport must buffer to replay).
type counting struct {
	n, read int
	closed  bool
}

func (c *counting) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	k := min(len(p), c.n-c.read)
	c.read += k
	return k, nil
}

func (c *counting) Close() error { c.closed = true; return nil }

// A body without GetBody of up to maxBufferedBody bytes is buffered and replayed whole on a retry; a larger one is
// sent once, whole, and the failed response handed back rather than a retry with a cut body.
func TestLargeBodiesWithoutGetBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		size     int
		attempts int
	}{
		{maxBufferedBody, 2},
		{maxBufferedBody + 1, 1},
	} {
		var sent []int64
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			n, _ := io.Copy(io.Discard, r.Body)
			sent = append(sent, n)
			status := http.StatusOK
			if len(sent) == 1 {
				status = http.StatusServiceUnavailable
			}
			return &http.Response{StatusCode: status, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
		})
		req, _ := http.NewRequest(http.MethodPut, "http://api.example/upload", nil)
		body := &counting{n: tc.size}
		req.Body, req.GetBody, req.ContentLength = body, nil, int64(tc.size)
		resp, err := NewTransport(base, Options{Clock: newFakeClock()}).RoundTrip(req)
		if err != nil {
			t.Fatalf("%d bytes: %v", tc.size, err)
		}
		wantStatus := http.StatusOK
		if tc.attempts == 1 {
			wantStatus = http.StatusServiceUnavailable
		}
		if len(sent) != tc.attempts || resp.StatusCode != wantStatus {
			t.Errorf("%d bytes: %d attempts ending in %d, want %d ending in %d", tc.size, len(sent), resp.StatusCode,
				tc.attempts, wantStatus)
		}
		for i, n := range sent {
			if n != int64(tc.size) {
				t.Errorf("%d bytes: attempt %d sent %d bytes", tc.size, i+1, n)
			}
		}
	}
}
