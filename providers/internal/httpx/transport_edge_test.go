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
