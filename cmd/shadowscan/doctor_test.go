package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shadowscan/shadowscan/internal/dnstest"
	"github.com/shadowscan/shadowscan/internal/testfile"
)

// doctor against a minimal Admin SDK (the full fake, providers/internal/fakes/googleadmin, drives the provider's
// own doctor tests): every scope passes; a refused audit log fails alone and says what degrades.
func TestDoctorAgainstGoogleFake(t *testing.T) {
	var denyAudit atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/admin/directory/v1/users":
			_, _ = io.WriteString(w, `{"kind":"admin#directory#users","users":[{"primaryEmail":"admin@example.com"}]}`)
		case strings.HasSuffix(r.URL.Path, "/tokens"):
			_, _ = io.WriteString(w, `{"kind":"admin#directory#tokenList","items":[]}`)
		case strings.HasPrefix(r.URL.Path, "/admin/reports/v1/activity/users/all/applications/token"):
			if denyAudit.Load() {
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, `{"error":{"code":403,"message":"Not Authorized to access this resource/api","errors":[{"reason":"forbidden","domain":"global"}]}}`)
				return
			}
			_, _ = io.WriteString(w, `{"kind":"admin#reports#activities","items":[]}`)
		default:
			t.Errorf("unexpected %s", r.URL)
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := testfile.Write(t, dir, "c.yaml", `organization: {name: Example, domains: [example.com]}
providers:
  - {type: google_workspace, name: workspace, admin_email: admin@example.com, auth: none, endpoint: "`+srv.URL+`", max_attempts: 1}
  - {type: inventory, name: imports, files: [r.ndjson]}
`)
	testfile.Write(t, dir, "r.ndjson", goodRecord)
	r := run(t, nil, "doctor", "--config", cfg)
	if r.code != 0 || strings.Count(r.stdout, "PASS") != 4 || !strings.Contains(r.stdout, "Every check passed") {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	denyAudit.Store(true)
	r = run(t, nil, "doctor", "--config", cfg)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", r.code, r.stdout)
	}
	for _, want := range []string{"FAIL  https://www.googleapis.com/auth/admin.reports.audit.readonly", "activities.list",
		"without it: first/last authorisation times", "PASS  https://www.googleapis.com/auth/admin.directory.user.security",
		"1 check(s) failed"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := run(t, nil, "doctor", "--config", testfile.Write(t, dir, "empty.yaml", "organization: {name: X}\n")); r.code != exitUsage {
		t.Errorf("no providers: exit %d", r.code)
	}
}

// doctor for Microsoft (a minimal Graph: one refused call fails its permission alone) and for live DNS (a loopback
// resolver: UDP, TCP, one NS query per domain); a client secret whose token request fails never reaches the output.
func TestDoctorMicrosoftAndDNS(t *testing.T) {
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1.0/servicePrincipals", "/v1.0/oauth2PermissionGrants", "/v1.0/auditLogs/directoryAudits",
			"/beta/reports/servicePrincipalSignInActivities":
			_, _ = io.WriteString(w, `{"value":[]}`)
		case "/v1.0/users":
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}`)
		default:
			t.Errorf("unexpected %s", r.URL)
			http.NotFound(w, r)
		}
	}))
	defer graph.Close()
	resolver := dnstest.New(t, "northwind.example. 300 IN NS ns1.northwind.example.",
		"northwind.example. 300 IN SOA ns1.northwind.example. hostmaster.northwind.example. 1 7200 900 1209600 86400")
	dir := t.TempDir()
	const secret = "client-secret-value-that-must-never-show"
	testfile.Write(t, dir, "secret", secret+"\n")
	cfg := testfile.Write(t, dir, "c.yaml", `organization: {name: Northwind, domains: [northwind.example]}
providers:
  - {type: microsoft, name: entra, tenant_id: 11111111-1111-4111-8111-111111111111, auth: none, graph_endpoint: "`+graph.URL+`/v1.0"}
  - {type: microsoft, name: entra-secret, tenant_id: 11111111-1111-4111-8111-111111111111,
     client_id: 22222222-2222-4222-8222-222222222222, client_secret_file: secret, login_endpoint: "https://127.0.0.1:1/", max_attempts: 1}
  - {type: dns, name: dns, domains: [northwind.example], resolver: "`+resolver.Addr+`", timeout_per_query: 2s, retries: 0}
`)
	r := run(t, nil, "doctor", "--config", cfg)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"PASS  Application.Read.All: GET /servicePrincipals?$top=1&$select=id passed",
		"FAIL  Directory.Read.All: GET /oauth2PermissionGrants?$top=1 passed; GET /users?$top=1&$select=id: 403 Authorization_RequestDenied — add the Directory.Read.All application permission",
		"without it: delegated consents and who gave them are not read",
		"PASS  AuditLog.Read.All: GET /auditLogs/directoryAudits?$top=1 passed",
		"FAIL  credentials: no token for https://graph.microsoft.com/.default with client_secret_file", "https://127.0.0.1:1/ could not be reached",
		"PASS  UDP " + resolver.Addr, "PASS  TCP " + resolver.Addr, "PASS  domain northwind.example: NS northwind.example answered with 1 record(s)",
		"2 check(s) failed",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, secret) {
		t.Errorf("the client secret reached the output:\n%s\n%s", r.stdout, r.stderr)
	}
}
