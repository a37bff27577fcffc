package microsoft

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/graph"
	"github.com/shadowscan/shadowscan/providers/internal/faulttest"
	"github.com/shadowscan/shadowscan/scanner"
)

// TestFaultMatrix runs the shared fault table (providers/internal/faulttest) against the Graph fake: the faults
// hit page 2 of servicePrincipals (the listing everything else hangs on); access denied hits one app's
// appRoleAssignments inside the $batch.
func TestFaultMatrix(t *testing.T) {
	faulttest.RunHTTP(t, faulttest.HTTP{
		Fake: func(t *testing.T, c *faulttest.Case) http.Handler {
			srv := fixture()
			srv.Errorf = t.Errorf
			if c != nil && c.Kind == faulttest.DeniedOne {
				srv.FaultFunc = func(key string, _ int) *graph.Fault {
					if key == "appRoleAssignments/sp-lead" {
						return &graph.Forbidden403
					}
					return nil
				}
			}
			return srv
		},
		Target: func(r *http.Request, _ []byte) bool {
			return r.Method == http.MethodGet && r.URL.Path == "/v1.0/servicePrincipals" && r.URL.Query().Get("$skiptoken") == "2"
		},
		DeniedWords: []string{"LeadMagnet Pro", apiAssignments, PermApplicationRead},
		ErrorBody: func(status int) (string, string) {
			code := map[int]string{429: "TooManyRequests", 503: "ServiceUnavailable", 500: "generalException",
				403: "Authorization_RequestDenied"}[status]
			return "application/json", graph.GraphError(code, http.StatusText(status))
		},
		MalformedBody: func(*http.Request) (string, string) {
			return "application/json", `{"@odata.context":"x","value":[{"id":"`
		},
		RepeatToken: func(r *http.Request, _, body []byte) []byte {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("repeat: %v", err)
			}
			m["@odata.nextLink"] = "http://" + r.Host + r.URL.RequestURI()
			b, _ := json.Marshal(m)
			return b
		},
		Served: graphServed,
		Sources: func(r scanner.Record) []string {
			parts := strings.Split(r.ID, ":") // entra:<tenant>:<kind>:<appid>:…
			if len(parts) < 4 {
				return nil
			}
			app := "sp:" + parts[3]
			switch parts[2] {
			case "sp":
				return []string{app}
			case "grant":
				id, _ := r.Attributes["grant_id"].(string)
				return []string{app, "grant:" + id}
			case "approle":
				out := []string{app}
				ids, _ := r.Attributes["assignment_ids"].([]string)
				for _, id := range ids {
					out = append(out, "assignment:"+id)
				}
				return out
			}
			return nil // consents come from the audit log, which no fault touches
		},
		Run: func(t *testing.T, ctx context.Context, url string, client *http.Client) faulttest.Outcome {
			cfg := NewConfig()
			cfg.Auth, cfg.GraphEndpoint, cfg.TenantID = AuthNone, url+"/v1.0", tenantID
			p, diag, _ := newTestProvider(t, cfg, client)
			return faulttest.Collect(ctx, p, diag)
		},
	})
}

// graphServed names what a successful Graph answer carried: service principals (by appId), grants and app role
// assignments (by id), also inside a $batch.
func graphServed(r *http.Request, _, body []byte) []string {
	type entity struct {
		ID    string `json:"id"`
		AppID string `json:"appId"`
	}
	var out []string
	add := func(path string, raw []byte) {
		var p struct {
			Value []entity `json:"value"`
		}
		if json.Unmarshal(raw, &p) != nil {
			return
		}
		for _, e := range p.Value {
			switch {
			case strings.HasSuffix(path, "/appRoleAssignments"):
				out = append(out, "assignment:"+e.ID)
			case strings.HasSuffix(path, "/servicePrincipals"):
				out = append(out, "sp:"+strings.ToLower(e.AppID))
			case strings.HasSuffix(path, "/oauth2PermissionGrants"):
				out = append(out, "grant:"+e.ID)
			}
		}
	}
	if strings.HasSuffix(r.URL.Path, "/$batch") {
		var b struct {
			Responses []struct {
				Status int             `json:"status"`
				Body   json.RawMessage `json:"body"`
			} `json:"responses"`
		}
		if json.Unmarshal(body, &b) != nil {
			return nil
		}
		for _, x := range b.Responses {
			if x.Status == http.StatusOK {
				add("/appRoleAssignments", x.Body)
			}
		}
		return out
	}
	add(r.URL.Path, body)
	return out
}
