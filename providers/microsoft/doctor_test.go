package microsoft

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/providers/internal/fakes/graph"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// TestCheckPermissions runs doctor's checks against the fake login (TLS) and the Graph fake: a token from the
// configured secret, then one cheap call per permission; a refused call names the permission and the fix, a
// refused token stops there, and no secret or token appears anywhere.
func TestCheckPermissions(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string { return testfile.Write(t, dir, name, data) }
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
			text := scannertest.CheckDoctor(t, p.CheckPermissions(t.Context()), func(s string) string { return s }, tc.want, tc.words...)
			for _, secret := range []string{testSecret, "wrong-secret-also-never-shown", accessToken} {
				if strings.Contains(text, secret) {
					t.Errorf("a secret reached the output:\n%s", text)
				}
			}
		})
	}
	if _, ok := any(&provider{}).(scanner.PermissionChecker); !ok {
		t.Fatal("the provider is no PermissionChecker")
	}
}
