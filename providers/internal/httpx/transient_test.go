package httpx

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// failingBase fails its first len(errs) round trips with those errors, then answers 200 "ok".
type failingBase struct {
	mu   sync.Mutex
	errs []error
	n    int
}

func (b *failingBase) RoundTrip(r *http.Request) (*http.Response, error) {
	b.mu.Lock()
	i := b.n
	b.n++
	b.mu.Unlock()
	if i < len(b.errs) {
		return nil, b.errs[i]
	}
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("ok")), Header: http.Header{}, Request: r}, nil
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// Which transport failures are retried, one table: resets, timeouts and truncated replies are; cancellation, TLS
// and DNS failures are not.
func TestTransientNetworkErrors(t *testing.T) {
	t.Parallel()
	opErr := func(err error) error { return &net.OpError{Op: "read", Net: "tcp", Err: err} }
	cases := []struct {
		name  string
		err   error
		retry bool
	}{
		{"connection reset", opErr(os.NewSyscallError("read", syscall.ECONNRESET)), true},
		{"connection aborted", opErr(syscall.ECONNABORTED), true},
		{"broken pipe", opErr(syscall.EPIPE), true},
		{"EOF before the reply", io.EOF, true},
		{"truncated reply", io.ErrUnexpectedEOF, true},
		{"network timeout", opErr(timeoutErr{}), true},
		{"dial timeout", &net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}, true},
		{"context cancelled", context.Canceled, false},
		{"deadline exceeded", context.DeadlineExceeded, false},
		{"unknown certificate authority", x509.UnknownAuthorityError{}, false},
		{"no such host", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, false},
		{"refused", opErr(syscall.ECONNREFUSED), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := transientNetError(tc.err); got != tc.retry {
				t.Fatalf("transientNetError(%v) = %v, want %v", tc.err, got, tc.retry)
			}
			clock := newFakeClock()
			base := &failingBase{errs: []error{tc.err}}
			c := &http.Client{Transport: NewTransport(base, Options{Clock: clock, Rand: func() float64 { return 0 }})}
			resp, err := c.Get("http://api.example.test/x")
			if tc.retry {
				if err != nil {
					t.Fatalf("want a retry and success, got %v", err)
				}
				resp.Body.Close()
				if base.n != 2 || len(clock.Sleeps()) != 1 {
					t.Errorf("round trips %d, sleeps %v; want 2 and one backoff", base.n, clock.Sleeps())
				}
				return
			}
			if err == nil {
				resp.Body.Close()
				t.Fatal("a permanent error was retried into success")
			}
			if base.n != 1 {
				t.Errorf("round trips %d, want 1", base.n)
			}
			if !errors.Is(err, tc.err) && !strings.Contains(err.Error(), tc.err.Error()) {
				t.Errorf("error %q does not carry the cause %q", err, tc.err)
			}
		})
	}
}

// 408 Request Timeout is retried like 429 and 5xx.
func TestRetries408(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := &scripted{steps: []step{{408, "", ""}, {408, "3", ""}}}
	c, url := newClient(t, srv, Options{Clock: clock, Rand: func() float64 { return 0 }})
	resp, body, err := get(t, c, url)
	if err != nil || resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("got %v %q %v; want 200 ok after two 408s", resp, body, err)
	}
	if srv.requests() != 3 {
		t.Errorf("requests = %d, want 3", srv.requests())
	}
	if s := clock.Sleeps(); len(s) != 2 || s[1].Seconds() != 3 {
		t.Errorf("sleeps = %v, want a backoff then Retry-After 3s", s)
	}
}
