package googleworkspace

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/httpx/httpxtest"

	"github.com/shadowscan/shadowscan/scanner"
)

// doctorProvider runs against the googleadmin fake with a token endpoint that refuses the scopes in denied, the way
// Google refuses a scope missing from the delegation entry.
func doctorProvider(t *testing.T, denied ...string) *provider {
	cfg, srv := fakeGoogle(t, newFake(t), func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		parts := strings.Split(r.Form.Get("assertion"), ".")
		var claims struct {
			Scope string `json:"scope"`
		}
		if len(parts) == 3 {
			b, _ := base64.RawURLEncoding.DecodeString(parts[1])
			_ = json.Unmarshal(b, &claims)
		}
		w.Header().Set("Content-Type", "application/json")
		for _, d := range denied {
			if strings.Contains(claims.Scope, d) {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"error":"unauthorized_client","error_description":"Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."}`)
				return
			}
		}
		writeAccessToken(w)
	})
	cfg.AdminEmail = "alice.moreau@northwind.example"
	p, err := newProvider(cfg, scanner.Deps{Name: "workspace", Logger: zerolog.New(zerolog.NewTestWriter(t)),
		Diagnostics: &scanner.Diagnostics{}, Now: func() time.Time { return testNow }, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	p.clock = httpxtest.NewClock(testNow)
	p.rand = func() float64 { return 0 }
	return p
}

func TestDoctorAllScopesPass(t *testing.T) {
	checks := doctorProvider(t).CheckPermissions(context.Background())
	if len(checks) != 3 {
		t.Fatalf("checks %+v", checks)
	}
	for _, c := range checks {
		if !c.OK {
			t.Errorf("%s: %s", c.Permission, c.Detail)
		}
	}
}

// A scope missing from the delegation entry fails alone, with the fix naming every scope the entry must list.
func TestDoctorOneScopeMissing(t *testing.T) {
	checks := doctorProvider(t, ScopeAuditReadonly).CheckPermissions(context.Background())
	for _, c := range checks {
		if c.Permission == ScopeAuditReadonly {
			if c.OK || !strings.Contains(c.Detail, "Manage Domain Wide Delegation") ||
				!strings.Contains(c.Detail, ScopeUserReadonly+","+ScopeUserSecurity+","+ScopeAuditReadonly) {
				t.Errorf("audit scope: %+v", c)
			}
			if strings.Contains(c.Detail, "PRIVATE KEY") {
				t.Error("a secret reached the output")
			}
		} else if !c.OK {
			t.Errorf("%s failed: %s", c.Permission, c.Detail)
		}
	}
}
