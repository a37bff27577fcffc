// Package httpx is the HTTP transport shared by the API providers (Google Admin SDK, Microsoft Graph): a client-side
// token-bucket rate limit, and retries of throttled and failed requests with capped exponential backoff, jitter and
// Retry-After. SDKs without retries of their own (google.golang.org/api) or with none at all (plain net/http) get
// both by wrapping their *http.Client's Transport:
//
//	c.Transport = httpx.NewTransport(c.Transport, httpx.Options{QPM: 1800})
//
// A request is retried on 408, 429, 500, 502, 503 and 504, on a 403 whose JSON error reason says "rate limit"
// (Google's userRateLimitExceeded, rateLimitExceeded, quotaExceeded), and on transient network errors. Permission
// errors (any other 403) are returned at once, body intact. When the attempts run out the transport returns a
// *GaveUpError ("gave up after 5 attempts: 429 Too Many Requests (Retry-After 30s)") instead of the last response.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// GoogleRateLimitReasons are the Google API error reasons (error.errors[].reason, error.details[].reason) that mark
// a 403 as throttling rather than a permission problem.
var GoogleRateLimitReasons = []string{"userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded", "RATE_LIMIT_EXCEEDED"}

// Defaults of Options.
const (
	DefaultMaxAttempts   = 5
	DefaultBaseDelay     = time.Second
	DefaultMaxDelay      = 32 * time.Second
	DefaultMaxRetryAfter = 5 * time.Minute
	// maxBufferedBody is the largest request body without GetBody that is buffered to make it replayable.
	maxBufferedBody = 32 << 20
	// maxErrorPeek is how much of a 403 body is read to find its reason.
	maxErrorPeek = 64 << 10
)

// Options configure a Transport. The zero value retries with the defaults and does not rate-limit.
type Options struct {
	// QPM is the client-side limit in requests per minute; 0 means no limit. Ignored when Limiter is set.
	QPM float64
	// Burst is how many requests may go out at once before the limit applies; 0 means one second's worth.
	Burst int
	// Limiter, when set, is used instead of one built from QPM and Burst, so that several transports share a quota.
	Limiter *Limiter
	// MaxAttempts is the number of tries per request, first one included; 0 means DefaultMaxAttempts, 1 disables
	// retries.
	MaxAttempts int
	// BaseDelay is the backoff before the second attempt; it doubles per attempt up to MaxDelay, and each delay is
	// jittered to between half and all of it.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter is the longest Retry-After the transport waits; a server asking for more makes it give up at
	// once with an error that says so.
	MaxRetryAfter time.Duration
	// RetryReasons are the error reasons that make a 403 retryable; nil means GoogleRateLimitReasons.
	RetryReasons []string
	// Clock is the time source for backoff and the limiter; nil means SystemClock.
	Clock Clock
	// Rand returns a number in [0, 1) for jitter; nil means math/rand/v2.
	Rand func() float64
	// OnRetry, when set, is called before each wait for a retry (for logging and metrics). It must be quick.
	OnRetry func(RetryEvent)
}

// RetryEvent describes one failed attempt that will be retried.
type RetryEvent struct {
	Method     string
	URL        string // scheme, host and path: no query string
	Attempt    int    // the attempt that failed, from 1
	StatusCode int    // 0 for a network error
	Reason     string // the API error reason, if any
	Err        error  // the network error, if any
	RetryAfter time.Duration
	Delay      time.Duration // how long the transport waits before the next attempt
}

// GaveUpError is returned when a request still fails after the allowed attempts, or when the server asks for a
// longer wait than MaxRetryAfter.
type GaveUpError struct {
	Attempts      int
	StatusCode    int           // last HTTP status; 0 if the last attempt failed without a response
	Reason        string        // last API error reason, if any
	RetryAfter    time.Duration // last Retry-After
	HasRetryAfter bool
	TooLong       bool // Retry-After was longer than MaxRetryAfter
	MaxRetryAfter time.Duration
	Err           error // last network error, if the last attempt had no response
}

func (e *GaveUpError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gave up after %d attempt", e.Attempts)
	if e.Attempts != 1 {
		b.WriteByte('s')
	}
	b.WriteString(": ")
	if e.StatusCode == 0 {
		if e.Err != nil {
			b.WriteString(e.Err.Error())
		} else {
			b.WriteString("no response")
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	var notes []string
	if e.Reason != "" {
		notes = append(notes, e.Reason)
	}
	if e.HasRetryAfter {
		if e.TooLong {
			notes = append(notes, fmt.Sprintf("Retry-After %s is longer than the %s this client waits", e.RetryAfter, e.MaxRetryAfter))
		} else {
			notes = append(notes, "Retry-After "+e.RetryAfter.String())
		}
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	return b.String()
}

func (e *GaveUpError) Unwrap() error { return e.Err }

// Throttled reports whether the last failure was the server throttling (429 or a rate-limit 403).
func (e *GaveUpError) Throttled() bool {
	return e.StatusCode == http.StatusTooManyRequests || (e.StatusCode == http.StatusForbidden && e.Reason != "")
}

type transport struct {
	base          http.RoundTripper
	limiter       *Limiter
	maxAttempts   int
	baseDelay     time.Duration
	maxDelay      time.Duration
	maxRetryAfter time.Duration
	reasons       map[string]bool
	clock         Clock
	rand          func() float64
	onRetry       func(RetryEvent)
}

// NewTransport wraps base (nil means http.DefaultTransport) with the rate limit and retries of opts.
func NewTransport(base http.RoundTripper, opts Options) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	t := &transport{
		base:          base,
		limiter:       opts.Limiter,
		maxAttempts:   opts.MaxAttempts,
		baseDelay:     opts.BaseDelay,
		maxDelay:      opts.MaxDelay,
		maxRetryAfter: opts.MaxRetryAfter,
		clock:         opts.Clock,
		rand:          opts.Rand,
		onRetry:       opts.OnRetry,
		reasons:       map[string]bool{},
	}
	if t.clock == nil {
		t.clock = SystemClock
	}
	if t.limiter == nil {
		t.limiter = NewLimiter(opts.QPM, opts.Burst, t.clock)
	}
	if t.maxAttempts <= 0 {
		t.maxAttempts = DefaultMaxAttempts
	}
	if t.baseDelay <= 0 {
		t.baseDelay = DefaultBaseDelay
	}
	if t.maxDelay <= 0 {
		t.maxDelay = DefaultMaxDelay
	}
	if t.maxDelay < t.baseDelay {
		t.maxDelay = t.baseDelay
	}
	if t.maxRetryAfter <= 0 {
		t.maxRetryAfter = DefaultMaxRetryAfter
	}
	if t.rand == nil {
		t.rand = rand.Float64
	}
	reasons := opts.RetryReasons
	if reasons == nil {
		reasons = GoogleRateLimitReasons
	}
	for _, r := range reasons {
		t.reasons[r] = true
	}
	return t
}

// verdict is what the transport made of one attempt.
type verdict struct {
	retry         bool
	status        int
	reason        string
	retryAfter    time.Duration
	hasRetryAfter bool
	err           error
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	getBody, replayable, err := replayableBody(req)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if err := t.limiter.Wait(ctx); err != nil {
			if attempt == 1 {
				closeBody(req)
			}
			return nil, fmt.Errorf("waiting for the client-side rate limit: %w", err)
		}
		r := req
		if getBody != nil && (attempt > 1 || req.GetBody == nil) {
			// Our own buffered copy (attempt 1) or a replay (later attempts).
			body, err := getBody()
			if err != nil {
				return nil, fmt.Errorf("replaying the request body: %w", err)
			}
			r = req.Clone(ctx)
			r.Body = body
		} else if attempt > 1 {
			r = req.Clone(ctx)
		}
		resp, err := t.base.RoundTrip(r)
		v := t.judge(resp, err)
		if !v.retry || ctx.Err() != nil {
			return resp, err
		}
		if !replayable {
			// The body cannot be sent again: hand back what we got.
			return resp, err
		}
		giveUp := func(tooLong bool) (*http.Response, error) {
			discard(resp)
			return nil, &GaveUpError{Attempts: attempt, StatusCode: v.status, Reason: v.reason, RetryAfter: v.retryAfter,
				HasRetryAfter: v.hasRetryAfter, TooLong: tooLong, MaxRetryAfter: t.maxRetryAfter, Err: v.err}
		}
		if v.hasRetryAfter && v.retryAfter > t.maxRetryAfter {
			return giveUp(true)
		}
		if attempt >= t.maxAttempts {
			return giveUp(false)
		}
		delay := t.backoff(attempt)
		if v.hasRetryAfter {
			delay = v.retryAfter
		}
		discard(resp)
		if v.hasRetryAfter && (v.status == http.StatusTooManyRequests || v.reason != "" || v.status == http.StatusServiceUnavailable) {
			// The server throttles this client as a whole: hold every request back, not only this one.
			t.limiter.PauseUntil(t.clock.Now().Add(delay))
		}
		if t.onRetry != nil {
			t.onRetry(RetryEvent{Method: req.Method, URL: redactURL(req), Attempt: attempt, StatusCode: v.status,
				Reason: v.reason, Err: v.err, RetryAfter: v.retryAfter, Delay: delay})
		}
		if err := t.clock.Sleep(ctx, delay); err != nil {
			what := v.describe()
			return nil, fmt.Errorf("waiting %s to retry after %s (attempt %d of %d): %w", delay, what, attempt, t.maxAttempts, err)
		}
	}
}

// judge decides whether an attempt should be retried. It may replace resp.Body with an equivalent reader (after
// peeking at a 403's reason).
func (t *transport) judge(resp *http.Response, err error) verdict {
	if err != nil {
		return verdict{retry: transientNetError(err), err: err}
	}
	v := verdict{status: resp.StatusCode}
	v.retryAfter, v.hasRetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), t.clock.Now())
	switch resp.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		v.retry = true
		if resp.StatusCode == http.StatusTooManyRequests {
			v.reason = t.peekReason(resp, false)
		}
	case http.StatusForbidden:
		if r := t.peekReason(resp, true); r != "" {
			v.retry, v.reason = true, r
		}
	}
	return v
}

// peekReason reads the start of a JSON error body, restores the body, and returns the first error reason that
// is a rate-limit reason (or, when onlyRetryable is false, the first reason at all).
func (t *transport) peekReason(resp *http.Response, onlyRetryable bool) string {
	if resp.Body == nil || resp.Body == http.NoBody {
		return ""
	}
	orig := resp.Body
	buf, err := io.ReadAll(io.LimitReader(orig, maxErrorPeek))
	var rest io.Reader = orig
	if err != nil {
		rest = errReader{err}
	}
	resp.Body = &peekedBody{Reader: io.MultiReader(bytes.NewReader(buf), rest), closer: orig}
	reasons := errorReasons(buf)
	for _, r := range reasons {
		if t.reasons[r] {
			return r
		}
	}
	if !onlyRetryable && len(reasons) > 0 {
		return reasons[0]
	}
	return ""
}

// errorReasons extracts the reasons of a Google (or Graph) JSON error body.
func errorReasons(body []byte) []string {
	var e struct {
		Error struct {
			Code    json.RawMessage           `json:"code"`
			Status  string                    `json:"status"`
			Errors  []struct{ Reason string } `json:"errors"`
			Details []struct{ Reason string } `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return nil
	}
	var out []string
	for _, x := range e.Error.Errors {
		if x.Reason != "" {
			out = append(out, x.Reason)
		}
	}
	for _, x := range e.Error.Details {
		if x.Reason != "" {
			out = append(out, x.Reason)
		}
	}
	if e.Error.Status != "" {
		out = append(out, e.Error.Status)
	}
	// Graph puts a string code ("TooManyRequests") where Google puts the HTTP status number.
	var code string
	if json.Unmarshal(e.Error.Code, &code) == nil && code != "" {
		out = append(out, code)
	}
	return out
}

func (v verdict) describe() string {
	if v.status == 0 {
		if v.err != nil {
			return v.err.Error()
		}
		return "no response"
	}
	s := fmt.Sprintf("%d %s", v.status, http.StatusText(v.status))
	if v.reason != "" {
		s += " (" + v.reason + ")"
	}
	return s
}

// backoff is the jittered, capped exponential delay after the given failed attempt (from 1).
func (t *transport) backoff(attempt int) time.Duration {
	d := float64(t.baseDelay) * math.Pow(2, float64(attempt-1))
	if d > float64(t.maxDelay) || math.IsInf(d, 0) {
		d = float64(t.maxDelay)
	}
	j := t.rand()
	if j < 0 || j >= 1 || math.IsNaN(j) {
		j = 0
	}
	return time.Duration(d/2 + j*d/2)
}

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date (relative to now). A date in the past
// means no wait.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) {
			return 0, false
		}
		if secs > float64(math.MaxInt64/int64(time.Second)) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d < 0 {
			d = 0
		}
		return d.Round(time.Second), true
	}
	return 0, false
}

// transientNetError reports whether a transport error is worth another try (a reset connection or a timeout, but not
// a TLS, DNS or URL problem, nor a cancelled context).
func transientNetError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// replayableBody returns a function that yields a fresh copy of the request body (nil when there is no body),
// buffering a body that has no GetBody, and whether the request can be sent more than once.
func replayableBody(req *http.Request) (func() (io.ReadCloser, error), bool, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, true, nil
	}
	if req.GetBody != nil {
		return req.GetBody, true, nil
	}
	buf, err := io.ReadAll(io.LimitReader(req.Body, maxBufferedBody+1))
	if err != nil {
		closeBody(req)
		return nil, false, fmt.Errorf("reading the request body: %w", err)
	}
	if len(buf) > maxBufferedBody {
		// Too large to keep: send it once, as a stream.
		rest := req.Body
		return func() (io.ReadCloser, error) {
			return &peekedBody{Reader: io.MultiReader(bytes.NewReader(buf), rest), closer: rest}, nil
		}, false, nil
	}
	closeBody(req)
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }, true, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// discard drains a little of a response body (so the connection can be reused) and closes it.
func discard(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

func redactURL(req *http.Request) string {
	if req.URL == nil {
		return ""
	}
	u := *req.URL
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return u.String()
}

// peekedBody is a response body whose first bytes were already read; Close closes the original.
type peekedBody struct {
	io.Reader
	closer io.Closer
}

func (b *peekedBody) Close() error { return b.closer.Close() }

// errReader returns the read error met while peeking, after the peeked bytes, so that a failed read is not
// mistaken for a short body.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
