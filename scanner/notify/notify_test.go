package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
)

const secret = "T000/B000/SECRETTOKEN"

func report() *scanner.Report {
	v := &scanner.Vendor{ID: "evil", Name: "Evil <!channel> & Co\x1b[31m"}
	return &scanner.Report{Scan: scanner.ScanInfo{ID: "scan-1", Organization: "Northwind"},
		Findings: []scanner.Finding{
			{Fingerprint: "f1", RuleID: "banned-vendor", Title: "Banned vendor in use", Severity: "critical", Status: "new", Vendor: v, Message: "used by <@U123>"},
			{Fingerprint: "f2", RuleID: "unapproved", Title: "Unapproved", Severity: "high", Status: "existing", Vendor: v},
			{Fingerprint: "f3", RuleID: "unapproved", Title: "Unapproved", Severity: "high", Status: "suppressed", Vendor: v},
			{Fingerprint: "f4", RuleID: "info", Title: "Info", Severity: "low", Status: "new"},
		}}
}

func TestSelect(t *testing.T) {
	rep := report()
	fps := func(fs []scanner.Finding) string {
		var s []string
		for _, f := range fs {
			s = append(s, f.Fingerprint)
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		ch   Channel
		want string
	}{
		{Channel{MinSeverity: "high", OnlyNew: true}, "f1"},
		{Channel{MinSeverity: "high", OnlyNew: false}, "f1,f2"},
		{Channel{MinSeverity: "low", OnlyNew: true}, "f1,f4"},
		{Channel{MinSeverity: "critical", OnlyNew: false}, "f1"},
	} {
		if got := fps(Select(rep, tc.ch)); got != tc.want {
			t.Errorf("%+v: got %s, want %s", tc.ch, got, tc.want)
		}
	}
}

type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	calls  atomic.Int32
}

// serve answers the i-th call (from 1) with codes[i-1]; past the list, 200.
func (r *receiver) serve(t *testing.T, codes ...int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := int(r.calls.Add(1))
		if req.URL.Path != "/services/"+secret || req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s", req.Method, req.URL.Path)
		}
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.mu.Unlock()
		if n <= len(codes) {
			if codes[n-1] == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "7")
			}
			w.WriteHeader(codes[n-1])
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// send delivers rep through ch (type, name, attempts and timeout as the test sets them) to srv's secret path, for
// findings of high severity and above that are new; backoff starts at 100ms and waits are recorded, not slept. It
// fails the test when the secret reaches the error or the logs, and returns the result and the waits.
func send(t *testing.T, srv *httptest.Server, ch Channel, rep *scanner.Report) (Result, []time.Duration) {
	t.Helper()
	ch.URL = srv.URL + "/services/" + secret
	ch.MinSeverity, ch.OnlyNew = "high", true
	var logs bytes.Buffer
	var slept []time.Duration
	s := &Sender{Log: zerolog.New(&logs), Backoff: 100 * time.Millisecond,
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	res := s.Send(context.Background(), ch, rep)
	if (res.Err != nil && strings.Contains(res.Err.Error(), "SECRETTOKEN")) || strings.Contains(logs.String(), "SECRETTOKEN") {
		t.Errorf("the webhook URL leaked: %v\n%s", res.Err, logs.String())
	}
	return res, slept
}

func TestRetriesThenSucceeds(t *testing.T) {
	var r receiver
	srv := r.serve(t, 500, 429, 503)
	res, slept := send(t, srv, Channel{Type: "slack", Name: "secops", MaxAttempts: 4, Timeout: time.Second}, report())
	if !res.Sent || res.Err != nil || res.Attempts != 4 || res.Findings != 1 {
		t.Fatalf("result %+v", res)
	}
	// Backoff doubles; a Retry-After from the receiver wins.
	if want := []time.Duration{100 * time.Millisecond, 7 * time.Second, 400 * time.Millisecond}; len(slept) != 3 ||
		slept[0] != want[0] || slept[1] != want[1] || slept[2] != want[2] {
		t.Errorf("waits %v, want %v", slept, want)
	}
}

func TestGivesUpWithoutLeakingTheURL(t *testing.T) {
	var r receiver
	srv := r.serve(t, 500, 500, 500)
	res, _ := send(t, srv, Channel{Type: "webhook", Name: "siem", MaxAttempts: 3}, report())
	if res.Sent || res.Err == nil || res.Attempts != 3 || r.calls.Load() != 3 {
		t.Fatalf("result %+v after %d calls", res, r.calls.Load())
	}
}

func TestPermanentErrorIsNotRetried(t *testing.T) {
	var r receiver
	srv := r.serve(t, 404)
	res, _ := send(t, srv, Channel{Type: "teams", Name: "t", MaxAttempts: 4}, report())
	if res.Sent || res.Attempts != 1 || !strings.Contains(res.Err.Error(), "HTTP 404") {
		t.Fatalf("result %+v", res)
	}
}

func TestHangingReceiverTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	res, _ := send(t, srv, Channel{Type: "webhook", Name: "w", MaxAttempts: 2, Timeout: 50 * time.Millisecond}, report())
	if res.Sent || res.Attempts != 2 || !strings.Contains(res.Err.Error(), "no answer within 50ms") {
		t.Fatalf("result %+v", res)
	}
}

func TestNothingQualifiesNothingSent(t *testing.T) {
	var r receiver
	srv := r.serve(t)
	rep := report()
	rep.Findings = rep.Findings[1:3] // existing and suppressed only
	res, _ := send(t, srv, Channel{Type: "slack", Name: "s"}, rep)
	if res.Sent || res.Err != nil || r.calls.Load() != 0 {
		t.Fatalf("result %+v, %d calls", res, r.calls.Load())
	}
}

func TestPayloads(t *testing.T) {
	rep := report()
	fs := Select(rep, Channel{MinSeverity: "low", OnlyNew: false})
	for _, typ := range []string{"webhook", "slack", "teams"} {
		ch := Channel{Type: typ, Name: typ, MinSeverity: "low", ReportURL: "https://reports.example/last.html"}
		b, err := Payload(ch, rep, fs)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		s := string(b)
		if strings.Contains(s, "\x1b") || strings.Contains(s, `\u001b`) {
			t.Errorf("%s: terminal escape survives", typ)
		}
		if !strings.Contains(s, "https://reports.example/last.html") {
			t.Errorf("%s: no link to the report", typ)
		}
		switch typ {
		case "slack":
			// Slack mrkdwn: <!channel> and <@U123> would ping people; they must arrive escaped.
			if strings.Contains(s, "<!channel>") || strings.Contains(s, "<@U123>") || strings.Contains(s, `\u003c!channel`) {
				t.Errorf("slack: a mention survives: %s", s)
			}
			if _, ok := doc["blocks"].([]any); !ok {
				t.Error("slack: no blocks")
			}
		case "teams":
			att := doc["attachments"].([]any)[0].(map[string]any)
			if att["contentType"] != "application/vnd.microsoft.card.adaptive" {
				t.Errorf("teams: %v", att["contentType"])
			}
		case "webhook":
			if n := len(doc["findings"].([]any)); n != len(fs) {
				t.Errorf("webhook: %d findings, want %d", n, len(fs))
			}
		}
	}
}
