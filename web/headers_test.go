package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
)

// securityHeaders is what every response carries, whatever its path, method or status.
var securityHeaders = map[string]string{
	"Content-Security-Policy":      ContentSecurityPolicy,
	"X-Content-Type-Options":       "nosniff",
	"Referrer-Policy":              "no-referrer",
	"X-Frame-Options":              "DENY",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=()",
}

func do(t *testing.T, f *fixture, method, path string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestEveryResponseHasTheSecurityHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/static/app.js"}, {"GET", "/static/app.css"}, {"GET", "/api/check?q=hotjar"},
		{"GET", "/api/catalog/search?q=hub"}, {"GET", "/api/report/summary"}, {"GET", "/healthz"},
		{"GET", "/nope"}, {"GET", "/api/check"}, {"POST", "/api/check?q=x"}, {"HEAD", "/"}, {"DELETE", "/"},
	} {
		resp, _ := do(t, f, tc.method, tc.path, nil)
		for k, want := range securityHeaders {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s %s (%d): %s = %q, want %q", tc.method, tc.path, resp.StatusCode, k, got, want)
			}
		}
	}
}

// HEAD answers like GET, without a body.
func TestHead(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, p := range []string{"/", "/static/app.js", "/api/check?q=hotjar", "/api/report/summary", "/healthz"} {
		get, getBody := do(t, f, "GET", p, nil)
		head, body := do(t, f, "HEAD", p, nil)
		if head.StatusCode != 200 || get.StatusCode != 200 {
			t.Errorf("%s: HEAD %d, GET %d; want 200 and 200", p, head.StatusCode, get.StatusCode)
		}
		if len(body) != 0 {
			t.Errorf("HEAD %s has a body of %d bytes", p, len(body))
		}
		if len(getBody) == 0 {
			t.Errorf("GET %s has no body", p)
		}
		if head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("%s: HEAD Content-Type %q, GET %q", p, head.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// What marketing ops types and the token never reach the log, even at debug level.
func TestLogHoldsNoQueryAndNoToken(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	f := newFixture(t, func(o *Options) { o.Logger = zerolog.New(&logs).Level(zerolog.DebugLevel) })
	const query = "confidential-acquisition-target"
	for _, p := range []string{"/api/check?q=" + query, "/api/catalog/search?q=" + query, "/?q=" + query, "/nope?q=" + query} {
		do(t, f, "GET", p, bearer(testToken))
		do(t, f, "GET", p, bearer("wrong-"+testToken))
	}
	out := logs.String()
	if !strings.Contains(out, `"path"`) {
		t.Fatalf("no request was logged at debug level: %q", out)
	}
	for _, secret := range []string{query, "q=", testToken} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
}
