package microsoft

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/providers/internal/fakes/graph"
)

const (
	testClientID = "12345678-1234-4234-8234-123456789abc"
	testSecret   = "s3cret-value-never-logged"
	accessToken  = "graph-access-token"
)

// selfSigned returns a certificate and a PEM file holding it and its PKCS#8 key.
func selfSigned(t *testing.T) (*x509.Certificate, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "shadowscan"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pk, _ := x509.MarshalPKCS8PrivateKey(key)
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})...)
	return cert, out
}

// TestAuthFlows drives azidentity's client-credentials flows against a fake token endpoint (TLS, since azidentity
// refuses http) and the Graph fake, which accepts only the issued token.
func TestAuthFlows(t *testing.T) {
	cert, certPEM := selfSigned(t)
	_, otherPEM := selfSigned(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string { return testfile.Write(t, dir, name, data) }
	secretFile := write("secret", []byte(testSecret+"\n"))
	wrongSecret := write("wrong", []byte("nope"))
	certFile := write("cert.pem", certPEM)
	otherCert := write("other.pem", otherPEM)
	fedFile := write("token", []byte("federated-jwt-from-the-platform"))

	cases := []struct {
		name    string
		set     func(*Config)
		wantErr string
	}{
		{"client secret", func(c *Config) { c.ClientSecretFile = secretFile }, ""},
		{"certificate", func(c *Config) { c.CertificateFile = certFile }, ""},
		{"workload identity federation", func(c *Config) { c.FederatedTokenFile = fedFile }, ""},
		{"wrong secret", func(c *Config) { c.ClientSecretFile = wrongSecret }, "AADSTS7000215"},
		{"certificate the app does not know", func(c *Config) { c.CertificateFile = otherCert }, "AADSTS7000215"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			login := &graph.Login{TenantID: tenantID, ClientID: testClientID, Secret: testSecret, Cert: cert,
				Federated: "federated-jwt-from-the-platform", AccessToken: accessToken, Errorf: t.Errorf}
			ls := httptest.NewTLSServer(login)
			t.Cleanup(ls.Close)
			srv := fixture()
			srv.Token, srv.Errorf = accessToken, t.Errorf
			gs := httptest.NewServer(srv)
			t.Cleanup(gs.Close)
			cfg := NewConfig()
			cfg.TenantID, cfg.ClientID = tenantID, testClientID
			cfg.GraphEndpoint, cfg.LoginEndpoint = gs.URL+"/v1.0", ls.URL+"/"
			tc.set(cfg)
			client := ls.Client() // trusts the fake login's certificate; plain http to the Graph fake
			t.Cleanup(client.CloseIdleConnections)
			p, diag, _ := newTestProvider(t, cfg, client)
			recs, err := collect(t, p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Collect error = %v, want %q", err, tc.wantErr)
				}
				for _, s := range []string{testSecret, "nope"} {
					if strings.Contains(err.Error(), s) {
						t.Errorf("the error shows the secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if e := errorsText(diag); e != "" {
				t.Errorf("coverage errors: %s", e)
			}
			if len(recs) != 14 {
				t.Errorf("got %d records, want 14", len(recs))
			}
			if login.Tokens() < 1 {
				t.Errorf("no token issued")
			}
			for _, s := range login.Scopes() {
				if !strings.Contains(s, "/.default") {
					t.Errorf("token scope %q lacks /.default", s)
				}
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		set  func(*Config)
		want string // substring of the error; "" means valid
	}{
		{"secret", func(c *Config) { c.TenantID, c.ClientID, c.ClientSecretFile = tenantID, testClientID, "s" }, ""},
		{"domain tenant", func(c *Config) {
			c.TenantID, c.ClientID, c.CertificateFile = "contoso.onmicrosoft.com", testClientID, "c.pem"
		}, ""},
		{"export needs nothing else", func(c *Config) { c.ExportFile = "x.json" }, ""},
		{"no tenant", func(c *Config) { c.ClientID, c.ClientSecretFile = testClientID, "s" }, "tenant_id: must be set"},
		{"bad tenant", func(c *Config) { c.TenantID, c.ClientID, c.ClientSecretFile = "not a tenant!", testClientID, "s" }, "tenant_id:"},
		{"bad client", func(c *Config) { c.TenantID, c.ClientID, c.ClientSecretFile = tenantID, "shadowscan", "s" }, "client_id:"},
		{"two credentials", func(c *Config) {
			c.TenantID, c.ClientID, c.ClientSecretFile, c.FederatedTokenFile = tenantID, testClientID, "s", "f"
		}, "set exactly one (got 2)"},
		{"no credentials", func(c *Config) { c.TenantID, c.ClientID = tenantID, testClientID }, "set exactly one (got 0)"},
		{"none without endpoint", func(c *Config) { c.Auth = "none" }, "graph_endpoint: must be set when auth is none"},
		{"none with secret", func(c *Config) { c.Auth, c.GraphEndpoint, c.ClientSecretFile = "none", "http://127.0.0.1:1/v1.0", "s" }, "auth: none sends no credentials"},
		{"http login", func(c *Config) { c.ExportFile, c.LoginEndpoint = "x", "http://login.example" }, "login_endpoint:"},
		{"bad auth", func(c *Config) { c.ExportFile, c.Auth = "x", "magic" }, "auth: must be default or none"},
		{"bad graph endpoint", func(c *Config) { c.ExportFile, c.GraphEndpoint = "x", "ftp://x" }, "graph_endpoint:"},
		{"lookback", func(c *Config) { c.ExportFile, c.Lookback = "x", 0 }, "lookback:"},
		{"concurrency", func(c *Config) { c.ExportFile, c.Concurrency = "x", 0 }, "concurrency:"},
		{"attempts", func(c *Config) { c.ExportFile, c.MaxAttempts = "x", 50 }, "max_attempts:"},
		{"qpm", func(c *Config) { c.ExportFile, c.MaxQPM = "x", 0 }, "max_qpm:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewConfig()
			tc.set(c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}
