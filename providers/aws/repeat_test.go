package aws

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// loopingFake answers every follow-up page of the listing that match selects with the same next-page token, the way
// a broken or hostile endpoint would. After 20 loops it ends the list, so a missing guard fails the test instead
// of hanging it.
type loopingFake struct {
	next  http.Handler
	match func(*http.Request, []byte) bool
	// strip removes the loop token from a follow-up request (the fake would refuse it) and reports whether it was one.
	strip func(*http.Request, []byte) ([]byte, bool)
	// loop rewrites a response to carry the loop token; end rewrites it to end the list.
	loop, end func([]byte) []byte
	loops     atomic.Int32
}

func (l *loopingFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !l.match(r, body) {
		r.Body = io.NopCloser(bytes.NewReader(body))
		l.next.ServeHTTP(w, r)
		return
	}
	body, followUp := l.strip(r, body)
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	rec := httptest.NewRecorder()
	l.next.ServeHTTP(rec, r)
	out := rec.Body.Bytes()
	if followUp && l.loops.Add(1) > 20 {
		out = l.end(out)
	} else {
		out = l.loop(out)
	}
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

func TestRepeatingTokenStopsListing(t *testing.T) {
	reNext := regexp.MustCompile(`<(IsTruncated|NextRecordName|NextRecordType)>[^<]*</(IsTruncated|NextRecordName|NextRecordType)>`)
	const tail = `</ListResourceRecordSetsResponse>`
	setJSONToken := func(tok any) func([]byte) []byte {
		return func(b []byte) []byte {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return b
			}
			m["NextToken"] = tok
			out, _ := json.Marshal(m)
			return out
		}
	}
	for _, tc := range []struct {
		name, api string
		mut       func(*Config)
		l         *loopingFake
	}{
		{
			name: "route53 record sets", api: "route53:ListResourceRecordSets",
			l: &loopingFake{
				match: func(r *http.Request, _ []byte) bool { return strings.HasSuffix(r.URL.Path, "/rrset") },
				strip: func(r *http.Request, b []byte) ([]byte, bool) {
					q := r.URL.Query()
					if q.Get("name") != "loop.northwind.example." {
						return b, false
					}
					q.Del("name")
					q.Del("type")
					r.URL.RawQuery = q.Encode()
					return b, true
				},
				loop: func(b []byte) []byte {
					b = reNext.ReplaceAll(b, nil)
					return bytes.Replace(b, []byte(tail), []byte(`<IsTruncated>true</IsTruncated><NextRecordName>loop.northwind.example.</NextRecordName><NextRecordType>TXT</NextRecordType>`+tail), 1)
				},
				end: func(b []byte) []byte {
					return bytes.Replace(reNext.ReplaceAll(b, nil), []byte(tail), []byte(`<IsTruncated>false</IsTruncated>`+tail), 1)
				},
			},
		},
		{
			name: "organisational units", api: "ListOrganizationalUnitsForParent",
			mut: func(c *Config) { c.Organization.SkipOUs = []string{"Sandbox"} },
			l: &loopingFake{
				match: func(r *http.Request, _ []byte) bool {
					return r.Header.Get("X-Amz-Target") == "AWSOrganizationsV20161128.ListOrganizationalUnitsForParent"
				},
				strip: func(_ *http.Request, b []byte) ([]byte, bool) {
					var m map[string]any
					if json.Unmarshal(b, &m) != nil || m["NextToken"] != "loop" {
						return b, false
					}
					delete(m, "NextToken")
					out, _ := json.Marshal(m)
					return out, true
				},
				loop: setJSONToken("loop"),
				end:  setJSONToken(nil),
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newNorthwind(t)
			h := newHarness(t, f, tc.mut)
			tc.l.next = f
			srv := httptest.NewServer(tc.l)
			t.Cleanup(srv.Close)
			h.srv = srv
			h.cfg.EndpointURL = srv.URL
			_, _ = scannertest.Collect(t, h.provider(t))
			if n := tc.l.loops.Load(); n == 0 || n > 20 {
				t.Errorf("followed the repeating token %d times, want it refused on its first repeat", n)
			}
			var found bool
			for _, e := range h.diag.Errors() {
				if strings.Contains(e.API+" "+e.Message, tc.api) && strings.Contains(e.Message, "repeats") {
					found = true
				}
			}
			if !found {
				t.Errorf("no coverage error for %s naming the repeating token: %+v", tc.api, h.diag.Errors())
			}
		})
	}
}
