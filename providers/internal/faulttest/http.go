package faulttest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/shadowscan/shadowscan/scanner"
)

// HTTP describes a provider's HTTP fake for the matrix.
type HTTP struct {
	// Fake returns the provider's fake over a fresh fixture; c is the case (nil for the clean run), for faults the
	// fake scripts itself (see Denied).
	Fake func(t *testing.T, c *Case) http.Handler
	// Target reports whether a request is the one the fault hits: a page after the first of the main listing.
	// body is the request body (restored for the fake).
	Target func(r *http.Request, body []byte) bool
	// Denied reports whether a request belongs to the one user or account that is refused; nil means the fake
	// refuses it itself (e.g. one part of a $batch). DeniedWords are the words the coverage must then say (its
	// name, the API).
	Denied      func(r *http.Request, body []byte) bool
	DeniedWords []string
	// ErrorBody is the provider's error answer for a status ("" code: the usual one for the status), e.g. a
	// Google or Graph JSON error, or an AWS XML error; it returns the content type and body.
	ErrorBody func(status int) (contentType, body string)
	// MalformedBody is a 200 body in the right content type that does not parse.
	MalformedBody func(r *http.Request) (contentType, body string)
	// RepeatToken rewrites the answer to the target request so that its next-page token is the target's own.
	RepeatToken func(r *http.Request, reqBody, respBody []byte) []byte
	// Served names the sources a successful answer served in full (e.g. "user:100001"), in the key space of
	// Sources.
	Served func(r *http.Request, reqBody, respBody []byte) []string
	// Sources are the sources a record is built from; a record whose sources were all served must not be lost.
	Sources func(scanner.Record) []string
	// Run builds the provider against url (clients must use client) and collects with ctx.
	Run func(t *testing.T, ctx context.Context, url string, client *http.Client) Outcome
	// Skip lists kinds that do not apply, with why (shown with t.Skip).
	Skip map[Kind]string
	// Words adds provider-specific words the coverage must say for a kind.
	Words map[Kind][]string
	// Status overrides a case's expected status for this provider, with the reason in StatusWhy.
	Status    map[Kind]string
	StatusWhy map[Kind]string
}

// loopLimit is how many times the repeating page may be asked for before the guard ends the scan.
const loopLimit = 20

// RunHTTP runs the matrix against an HTTP provider: a clean run first (the records everything is compared
// with), then one subtest per case. Each case runs on a fresh fake and server and ends with a goroutine check.
func RunHTTP(t *testing.T, h HTTP) {
	ignore := goleak.IgnoreCurrent()
	clean := runOnce(t, h, nil)
	if clean.out.Err != nil || len(clean.out.Errors) > 0 {
		t.Fatalf("the clean run is not clean:\n%s", clean.out.Text())
	}
	if len(clean.out.Records) == 0 {
		t.Fatal("the clean run emitted nothing")
	}
	NoLeak(t, ignore)
	for _, c := range Cases {
		t.Run(string(c.Kind), func(t *testing.T) {
			if why, ok := h.Skip[c.Kind]; ok {
				t.Skip(why)
			}
			if st, ok := h.Status[c.Kind]; ok {
				c.Status = st
				c.Why += " (" + h.StatusWhy[c.Kind] + ")"
			}
			ignore := goleak.IgnoreCurrent()
			r := runOnce(t, h, &c)
			if r.hits == 0 && (c.Kind != DeniedOne || h.Denied != nil) {
				t.Fatalf("%s: the fault never hit its target request", c.Kind)
			}
			if r.looped {
				t.Errorf("%s: the provider asked for the repeating page %d times: it loops", c.Kind, r.hits)
			}
			words := h.Words[c.Kind]
			if c.Kind == DeniedOne {
				words = append(words, h.DeniedWords...)
			}
			Check(t, c, clean.out.Records, r.out, r.served, h.Sources, words...)
			NoLeak(t, ignore)
		})
	}
}

type runResult struct {
	out    Outcome
	served map[string]bool
	hits   int
	looped bool
}

func runOnce(t *testing.T, h HTTP, c *Case) runResult {
	t.Helper()
	ctx := NewTrigger()
	inj := &injector{next: h.Fake(t, c), h: h, c: c, ctx: ctx, served: map[string]bool{}, stop: make(chan struct{})}
	srv := httptest.NewServer(inj)
	client := srv.Client()
	out := h.Run(t, ctx, srv.URL, client)
	close(inj.stop)
	client.CloseIdleConnections()
	srv.Close()
	inj.mu.Lock()
	defer inj.mu.Unlock()
	return runResult{out: out, served: inj.served, hits: inj.hits, looped: inj.looped}
}

// injector serves the fault to the target request and passes the rest to the fake, noting what was served.
type injector struct {
	next   http.Handler
	h      HTTP
	c      *Case
	ctx    *Trigger
	stop   chan struct{}
	mu     sync.Mutex
	hits   int
	looped bool
	served map[string]bool
}

func (in *injector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := in.c
	hit := false
	if c != nil {
		match := in.h.Target
		if c.Kind == DeniedOne {
			match = in.h.Denied
		}
		if match != nil && match(r, body) {
			in.mu.Lock()
			in.hits++
			n := in.hits
			in.mu.Unlock()
			hit = c.Times == 0 || n <= c.Times
			if c.Kind == RepeatToken && n > loopLimit {
				in.mu.Lock()
				in.looped = true
				in.mu.Unlock()
				in.ctx.Fire(ErrLoop)
				hit = false
			}
		}
	}
	if !hit {
		in.pass(w, r, body, nil)
		return
	}
	switch c.Kind {
	case Storm429RetryAfter:
		in.fail(w, http.StatusTooManyRequests, "1")
	case Storm429:
		in.fail(w, http.StatusTooManyRequests, "")
	case ServerErrorOnce:
		in.fail(w, http.StatusServiceUnavailable, "")
	case ServerErrorStorm:
		in.fail(w, http.StatusInternalServerError, "")
	case DeniedOne:
		in.fail(w, http.StatusForbidden, "")
	case Malformed:
		ct, b := in.h.MalformedBody(r)
		w.Header().Set("Content-Type", ct)
		_, _ = io.WriteString(w, b)
	case Reset:
		hijackClose(w)
	case Truncated:
		halfAnswer(w, in.next, r, body)
		// End the connection mid-body: the client reads an unexpected EOF.
		panic(http.ErrAbortHandler)
	case SlowBody:
		halfAnswer(w, in.next, r, body)
		// The body stalls; the provider's timeout expires now.
		in.ctx.Fire(nil)
		select {
		case <-r.Context().Done():
		case <-in.stop:
		}
	case RepeatToken:
		in.pass(w, r, body, in.h.RepeatToken)
	default:
		panic(fmt.Sprintf("faulttest: unknown kind %q", c.Kind))
	}
}

// pass answers from the fake (rewritten by rewrite, if set) and notes a 2xx answer's sources as served.
func (in *injector) pass(w http.ResponseWriter, r *http.Request, body []byte, rewrite func(*http.Request, []byte, []byte) []byte) {
	rec := record(in.next, r, body)
	b := rec.Body.Bytes()
	if rewrite != nil {
		b = rewrite(r, body, b)
	}
	if rec.Code >= 200 && rec.Code <= 299 && in.h.Served != nil {
		srcs := in.h.Served(r, body, b)
		in.mu.Lock()
		for _, s := range srcs {
			in.served[s] = true
		}
		in.mu.Unlock()
	}
	copyHeader(w, rec)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(b)
}

func (in *injector) fail(w http.ResponseWriter, status int, retryAfter string) {
	ct, b := in.h.ErrorBody(status)
	w.Header().Set("Content-Type", ct)
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, b)
}

// halfAnswer sends the fake's headers, announcing the whole body, and the first half of the body.
func halfAnswer(w http.ResponseWriter, h http.Handler, r *http.Request, body []byte) {
	rec := record(h, r, body)
	b := rec.Body.Bytes()
	copyHeader(w, rec)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(b[:len(b)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// record runs the fake on a copy of r.
func record(h http.Handler, r *http.Request, body []byte) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	h.ServeHTTP(rec, r2)
	return rec
}

func copyHeader(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		if k == "Content-Length" {
			continue
		}
		w.Header()[k] = v
	}
}

// hijackClose resets the connection before any answer: SO_LINGER 0 makes the close send a RST.
func hijackClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("faulttest: the server cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
