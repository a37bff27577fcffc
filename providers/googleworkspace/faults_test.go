package googleworkspace

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/googleadmin"
	"github.com/shadowscan/shadowscan/providers/internal/faulttest"
	"github.com/shadowscan/shadowscan/providers/internal/httpx/httpxtest"
	"github.com/shadowscan/shadowscan/scanner"
)

// deniedUser is the user whose tokens.list is refused in the access-denied case: the first one swept, so that the
// refusal comes before any user was read.
const deniedUser = "100001"

// TestFaultMatrix runs the shared fault table (providers/internal/faulttest) against the Admin SDK fake: the
// faults hit page 2 of users.list; access denied hits one user's tokens.list. The sweep runs one user at a time so
// the order of answers is fixed.
func TestFaultMatrix(t *testing.T) {
	faulttest.RunHTTP(t, faulttest.HTTP{
		Fake: func(t *testing.T, _ *faulttest.Case) http.Handler {
			fake := newFake(t)
			fake.BearerToken = testAPIToken
			mux := http.NewServeMux()
			mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				writeAccessToken(w)
			})
			mux.Handle("/", fake)
			return mux
		},
		Target: func(r *http.Request, _ []byte) bool {
			return r.URL.Path == "/admin/directory/v1/users" && r.URL.Query().Get("pageToken") == "p2"
		},
		Denied: func(r *http.Request, _ []byte) bool {
			return r.URL.Path == "/admin/directory/v1/users/"+deniedUser+"/tokens"
		},
		DeniedWords: []string{"tokens.list", "alice.moreau@northwind.example"},
		ErrorBody: func(status int) (string, string) {
			reason := map[int]string{429: "rateLimitExceeded", 503: "backendError", 500: "backendError", 403: "forbidden"}[status]
			return "application/json", googleadmin.GoogleError(status, reason, "global", http.StatusText(status))
		},
		MalformedBody: func(*http.Request) (string, string) {
			return "application/json", `{"kind": "admin#directory#users", "users": [{"id": "10`
		},
		RepeatToken: func(r *http.Request, _, body []byte) []byte {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("repeat: %v", err)
			}
			m["nextPageToken"] = r.URL.Query().Get("pageToken")
			b, _ := json.Marshal(m)
			return b
		},
		Served: func(r *http.Request, _, _ []byte) []string {
			if u, ok := strings.CutPrefix(r.URL.Path, "/admin/directory/v1/users/"); ok {
				return []string{"user:" + strings.TrimSuffix(u, "/tokens")}
			}
			return nil
		},
		Sources: func(r scanner.Record) []string {
			parts := strings.Split(r.ID, ":") // google:<customer>:<user>:<client>
			if len(parts) != 4 {
				return nil
			}
			return []string{"user:" + parts[2]}
		},
		Run: func(t *testing.T, ctx context.Context, url string, client *http.Client) faulttest.Outcome {
			cfg := NewConfig()
			cfg.Auth = AuthDefault
			cfg.CredentialsFile = writeKey(t, url+"/token")
			cfg.Endpoint = url
			cfg.Concurrency = 1
			cfg.AdminEmail = "admin@northwind.example"
			diag := &scanner.Diagnostics{}
			p, err := newProvider(cfg, scanner.Deps{Name: "workspace", Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel),
				Diagnostics: diag, Now: func() time.Time { return testNow }, HTTPClient: client})
			if err != nil {
				t.Fatal(err)
			}
			p.clock = httpxtest.NewClock(testNow)
			p.rand = func() float64 { return 0 }
			return faulttest.Collect(ctx, p, diag)
		},
	})
}
