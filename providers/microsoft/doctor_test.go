package microsoft

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/providers/internal/fakes/graph"
	"github.com/shadowscan/shadowscan/scanner"
)

// TestCheckPermissions runs doctor's checks against the fake login (TLS) and the Graph fake: a token from the
// configured secret, then one cheap call per permission; a refused call names the permission and the fix, a
// refused token stops there, and no secret or token appears anywhere.
func TestCheckPermissions(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secretFile := write("secret", testSecret+"\n")
	wrongFile := write("wrong", "wrong-secret-also-never-shown")
	cases := []struct {
		name      string
		secret    string
		forbidden map[string]bool
		set       func(*Config)
		want      map[string]bool // permission → OK
		words     []string
	}{
		{name: "all granted", secret: secretFile,
			want:  map[string]bool{"credentials": true, PermApplicationRead: true, PermDirectoryRead: true, PermAuditLogRead: true},
			words: []string{"GET /servicePrincipals?$top=1&$select=id passed", "GET /beta/reports/servicePrincipalSignInActivities?$top=1 passed"}},
		{name: "no AuditLog.Read.All, no users", secret: secretFile, forbidden: map[string]bool{"directoryAudits": true, "signIns": true, "users": true},
			want: map[string]bool{"credentials": true, PermApplicationRead: true, PermDirectoryRead: false, PermAuditLogRead: false},
			words: []string{"GET /users?$top=1&$select=id: 403 Authorization_RequestDenied — add the Directory.Read.All application permission",
				"grant admin consent", "P1/P2 licence", "GET /oauth2PermissionGrants?$top=1 passed"}},
		{name: "audit log not configured", secret: secretFile, set: func(c *Config) { c.AuditLogs, c.SignInActivity = false, false },
			forbidden: map[string]bool{"directoryAudits": true},
			want:      map[string]bool{"credentials": true, PermApplicationRead: true, PermDirectoryRead: true}},
		{name: "wrong secret", secret: wrongFile,
			want:  map[string]bool{"credentials": false},
			words: []string{"AADSTS7000215", "client_id " + testClientID, "Certificates & secrets"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			login := &graph.Login{TenantID: tenantID, ClientID: testClientID, Secret: testSecret, AccessToken: accessToken, Errorf: t.Errorf}
			ls := httptest.NewTLSServer(login)
			t.Cleanup(ls.Close)
			srv := fixture()
			srv.Token, srv.Errorf, srv.Forbidden = accessToken, t.Errorf, tc.forbidden
			gs := httptest.NewServer(srv)
			t.Cleanup(gs.Close)
			cfg := NewConfig()
			cfg.TenantID, cfg.ClientID, cfg.ClientSecretFile = tenantID, testClientID, tc.secret
			cfg.GraphEndpoint, cfg.LoginEndpoint = gs.URL+"/v1.0", ls.URL+"/"
			if tc.set != nil {
				tc.set(cfg)
			}
			client := ls.Client()
			t.Cleanup(client.CloseIdleConnections)
			p, _, _ := newTestProvider(t, cfg, client)
			checks := p.CheckPermissions(t.Context())
			got := map[string]bool{}
			var text strings.Builder
			for _, c := range checks {
				got[c.Permission] = c.OK
				text.WriteString(c.Permission + ": " + c.Detail + "\n")
			}
			if len(got) != len(tc.want) {
				t.Errorf("checks %v, want %v", got, tc.want)
			}
			for perm, ok := range tc.want {
				if g, seen := got[perm]; !seen || g != ok {
					t.Errorf("%s: ok=%v (checked: %v), want %v\n%s", perm, g, seen, ok, text.String())
				}
			}
			for _, w := range tc.words {
				if !strings.Contains(text.String(), w) {
					t.Errorf("checks do not say %q:\n%s", w, text.String())
				}
			}
			for _, secret := range []string{testSecret, "wrong-secret-also-never-shown", accessToken} {
				if strings.Contains(text.String(), secret) {
					t.Errorf("a secret reached the output:\n%s", text.String())
				}
			}
		})
	}
	if _, ok := any(&provider{}).(scanner.PermissionChecker); !ok {
		t.Fatal("the provider is no PermissionChecker")
	}
}
