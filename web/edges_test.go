package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
)

// Serving the page logs no error when nothing went wrong (the log is for what an operator must look at).
func TestPageLogsNoError(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	f := newFixture(t, func(o *Options) { o.Logger = zerolog.New(&logs).Level(zerolog.DebugLevel) })
	for _, hdr := range []map[string]string{nil, bearer(testToken)} {
		resp, body := do(t, f, "GET", "/", hdr)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<html") {
			t.Fatalf("GET / = %d %.80q", resp.StatusCode, body)
		}
	}
	if out := logs.String(); strings.Contains(out, `"level":"error"`) || strings.Contains(out, "rendering the page") {
		t.Errorf("the log holds an error:\n%s", out)
	}
}

// An unidentified app without scopes has "scopes": [] in the summary, never null (the page iterates it).
func TestSummaryUnidentifiedScopesNeverNull(t *testing.T) {
	rep := &scanner.Report{Unidentified: []scanner.Unidentified{
		{Name: "No scopes", HintType: scanner.HintDomain, Value: "x.example", UserCount: 1},
		{Name: "Scopes", HintType: scanner.HintGoogleClientID, Value: "1-x.apps.googleusercontent.com", UserCount: 1,
			Scopes: []string{"openid"}},
	}}
	s := buildSummary(snapshot{rep: rep}, true, func(string) string { return "" })
	b, err := json.Marshal(s.Unidentified)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"name":"No scopes","hint_type":"domain","value":"x.example","user_count":1,"scopes":[]},` +
		`{"name":"Scopes","hint_type":"google_client_id","value":"1-x.apps.googleusercontent.com","user_count":1,"scopes":["openid"]}]`
	if string(b) != want {
		t.Errorf("unidentified = %s\nwant          %s", b, want)
	}
}
