package googleworkspace

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/providers/internal/fakes/googleadmin"
	"github.com/shadowscan/shadowscan/scanner"
)

const (
	testSA        = "shadowscan@northwind-sec.iam.gserviceaccount.com"
	testClientID  = "104729385610473829156"
	testAdmin     = "admin@northwind.example"
	testAPIToken  = "ya29.fake-access-token"
	testADCToken  = "ya29.fake-adc-token"
	testSignedJWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl"
)

// testKeyDER is one RSA key (PKCS#8) for every test: generating a 2048-bit key per test costs more than the test.
var testKeyDER = sync.OnceValue(func() []byte {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return der
})

// authFake is a token endpoint, an IAM Credentials endpoint and the Admin SDK fake behind a bearer check.
type authFake struct {
	t *testing.T
	// tokenReply, when set, replaces the token endpoint's success reply: status and body.
	tokenStatus int
	tokenBody   string
	iamStatus   int
	iamBody     string
	// iamHang, when set, makes signJwt close iamEntered, wait for the client to go away (or 30 s) and say which
	// came first.
	iamHang    chan<- bool
	iamEntered chan<- struct{}

	mu     sync.Mutex
	claims map[string]any // the JWT claims the token endpoint or signJwt saw
	unauth int            // Admin SDK requests without the right bearer token
}

// saw records the JWT claims an endpoint was asked to honour.
func (f *authFake) saw(claims map[string]any) {
	f.mu.Lock()
	f.claims = claims
	f.mu.Unlock()
}

// answerFailure answers a JSON request with the failure the test set (status, body; 0: none) and reports whether
// there was one; without one the caller writes its success.
func answerFailure(w http.ResponseWriter, status int, body string) bool {
	w.Header().Set("Content-Type", "application/json")
	if status == 0 {
		return false
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
	return true
}

func (f *authFake) handler(admin http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		// RFC 7523 (x/oauth2's JWT flow), or the older form impersonate sends; Google's endpoint takes both.
		jwtBearer := r.Form.Get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer"
		legacy := r.Form.Get("grant_type") == "assertion" && r.Form.Get("assertion_type") == "http://oauth.net/grant_type/jwt/1.0/bearer"
		if !jwtBearer && !legacy {
			f.t.Errorf("grant_type = %q", r.Form.Get("grant_type"))
		}
		assertion := r.Form.Get("assertion")
		if assertion != testSignedJWT { // key-file flow: a JWT we can read
			parts := strings.Split(assertion, ".")
			if len(parts) != 3 {
				f.t.Errorf("assertion is not a JWT: %q", assertion)
			} else {
				b, _ := base64.RawURLEncoding.DecodeString(parts[1])
				var c map[string]any
				_ = json.Unmarshal(b, &c)
				f.saw(c)
			}
		}
		if !answerFailure(w, f.tokenStatus, f.tokenBody) {
			writeAccessToken(w)
		}
	})
	mux.HandleFunc("POST /v1/projects/-/serviceAccounts/{sa}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("sa") != testSA+":signJwt" {
			f.t.Errorf("signJwt for %q", r.PathValue("sa"))
		}
		if r.Header.Get("Authorization") != "Bearer "+testADCToken {
			f.t.Errorf("signJwt without the ADC token: %q", r.Header.Get("Authorization"))
		}
		var req struct{ Payload string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		if f.iamHang != nil { // the body is read, so the server notices when the client goes away
			close(f.iamEntered)
			select {
			case <-r.Context().Done():
				f.iamHang <- true
			case <-time.After(30 * time.Second):
				f.iamHang <- false
			}
			return
		}
		var c map[string]any
		if err := json.Unmarshal([]byte(req.Payload), &c); err != nil {
			f.t.Errorf("signJwt payload %q: %v", req.Payload, err)
		}
		f.saw(c)
		if !answerFailure(w, f.iamStatus, f.iamBody) {
			_, _ = io.WriteString(w, `{"keyId":"k1","signedJwt":"`+testSignedJWT+`"}`)
		}
	})
	mux.Handle("/admin/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testAPIToken {
			f.mu.Lock()
			f.unauth++
			f.mu.Unlock()
			w.WriteHeader(401)
			_, _ = io.WriteString(w, googleadmin.GoogleError(401, "authError", "global", "Invalid Credentials"))
			return
		}
		admin.ServeHTTP(w, r)
	}))
	return mux
}

// fakeReply is an error reply of the token or IAM endpoint.
type fakeReply struct {
	tokenStatus int
	tokenBody   string
	iamStatus   int
	iamBody     string
}

func (f *authFake) seenClaims() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.claims
}

// writeKey writes a service-account JSON key whose token_uri is the fake's.
func writeKey(t testing.TB, tokenURI string) string {
	t.Helper()
	der := testKeyDER()
	key, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "northwind-sec", "private_key_id": "abc123",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": testSA, "client_id": testClientID, "token_uri": tokenURI,
	})
	path := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(path, key, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func authProvider(t *testing.T, f *authFake, mutate func(c *Config, srvURL string)) (*provider, *googleadmin.Server) {
	t.Helper()
	fake := newFake(t)
	srv := httptest.NewServer(f.handler(fake))
	t.Cleanup(srv.Close)
	p, _, _ := testProvider(t, fake, func(c *Config) {
		c.Auth, c.AdminEmail, c.CredentialsFile = AuthDefault, testAdmin, ""
		mutate(c, srv.URL)
	})
	p.deps.HTTPClient = srv.Client()
	p.cfg.Endpoint = srv.URL // the Admin SDK behind the bearer check
	p.tokenURL = srv.URL + "/token"
	p.iamEndpoint = srv.URL
	p.adc = func(context.Context, ...string) (oauth2.TokenSource, error) {
		return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testADCToken}), nil
	}
	return p, fake
}

func TestKeyFileDelegation(t *testing.T) {
	t.Parallel()
	f := &authFake{t: t}
	p, _ := authProvider(t, f, func(c *Config, u string) { c.CredentialsFile = writeKey(t, u+"/token"); c.Mode = ModeTokens })
	recs, err := collect(t, p)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if len(recs) != len(wantTokenGrants(fixtureUsers())) || f.unauth != 0 {
		t.Errorf("records = %d, unauthenticated calls = %d", len(recs), f.unauth)
	}
	c := f.seenClaims()
	if c["sub"] != testAdmin || c["iss"] != testSA {
		t.Errorf("JWT sub/iss = %v / %v, want the admin as subject of the service account", c["sub"], c["iss"])
	}
	// Mode tokens asks for the two Directory scopes and not the Reports one: least privilege.
	if c["scope"] != ScopeUserReadonly+" "+ScopeUserSecurity {
		t.Errorf("JWT scope = %q", c["scope"])
	}
}

func TestKeylessImpersonation(t *testing.T) {
	t.Parallel()
	f := &authFake{t: t}
	p, _ := authProvider(t, f, func(c *Config, _ string) { c.ImpersonateServiceAccount = testSA })
	recs, err := collect(t, p)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if len(recs) == 0 || f.unauth != 0 {
		t.Errorf("records = %d, unauthenticated calls = %d", len(recs), f.unauth)
	}
	c := f.seenClaims()
	want := ScopeUserReadonly + " " + ScopeUserSecurity + " " + ScopeAuditReadonly
	if c["sub"] != testAdmin || c["iss"] != testSA || c["scope"] != want || c["aud"] != googleTokenURL {
		t.Errorf("signJwt claims = %v", c)
	}
}

func TestAuthErrorsSayWhatToFix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		keyless bool
		fake    fakeReply
		want    []string
	}{
		{"delegation not set up", false, fakeReply{tokenStatus: 401, tokenBody: `{"error":"unauthorized_client","error_description":"Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."}`},
			[]string{"domain-wide delegation is not set up for " + testSA, "Manage Domain Wide Delegation", "add client ID " + testClientID,
				"with exactly these scopes: " + ScopeUserReadonly + "," + ScopeUserSecurity + "," + ScopeAuditReadonly}},
		{"admin is not a user", false, fakeReply{tokenStatus: 400, tokenBody: `{"error":"invalid_grant","error_description":"Invalid email or User ID"}`},
			[]string{`admin_email "` + testAdmin + `" is not an active user`}},
		{"key deleted", false, fakeReply{tokenStatus: 400, tokenBody: `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`},
			[]string{"was deleted or disabled", "keyless impersonation"}},
		{"keyless: delegation not set up", true, fakeReply{tokenStatus: 401, tokenBody: `{"error":"unauthorized_client","error_description":"Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."}`},
			[]string{"domain-wide delegation is not set up for " + testSA, "Manage Domain Wide Delegation"}},
		{"keyless: no token creator role", true, fakeReply{iamStatus: 403, iamBody: `{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.signJwt' denied on resource (or it may not exist).","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"IAM_PERMISSION_DENIED"}]}}`},
			[]string{"may not sign JWTs as " + testSA, "roles/iam.serviceAccountTokenCreator"}},
		{"keyless: API disabled", true, fakeReply{iamStatus: 403, iamBody: `{"error":{"code":403,"message":"IAM Service Account Credentials API has not been used in project 123 before or it is disabled.","status":"PERMISSION_DENIED","details":[{"reason":"SERVICE_DISABLED"}]}}`},
			[]string{"enable iamcredentials.googleapis.com"}},
		{"keyless: no such service account", true, fakeReply{iamStatus: 404, iamBody: `{"error":{"code":404,"message":"Not found; Gaia id not found for email","status":"NOT_FOUND"}}`},
			[]string{"service account " + testSA + " does not exist"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &authFake{t: t, tokenStatus: tc.fake.tokenStatus, tokenBody: tc.fake.tokenBody, iamStatus: tc.fake.iamStatus, iamBody: tc.fake.iamBody}
			p, fake := authProvider(t, f, func(c *Config, u string) {
				if tc.keyless {
					c.ImpersonateServiceAccount = testSA
				} else {
					c.CredentialsFile = writeKey(t, u+"/token")
				}
			})
			_, err := collectFails(t, p, tc.want...)
			for _, secret := range []string{"PRIVATE KEY", testADCToken, testSignedJWT} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error leaks %q", secret)
				}
			}
			if n := len(fake.Requests()); n > 0 {
				t.Errorf("%d Admin SDK requests reached the API without a token", n)
			}
		})
	}
}

func TestTokenSourceSetupErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notKey := filepath.Join(dir, "not-a-key.json")
	_ = os.WriteFile(notKey, []byte(`{"type":"authorized_user","client_id":"x"}`), 0o600)
	cases := map[string]struct {
		file string
		want string
	}{
		"missing":   {filepath.Join(dir, "nope.json"), "credentials_file: open"},
		"not a key": {notKey, "is not a service-account JSON key"},
		"not json":  {testfile.Write(t, dir, "garbage.json", "PRIVATE KEY but not json"), "is not a service-account JSON key"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, _, _ := testProvider(t, newFake(t), func(c *Config) { c.Auth, c.CredentialsFile = AuthDefault, tc.file })
			_, err := collect(t, p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestKeylessStopsWithTheScan: impersonate sends its requests without a context; the provider binds them to the
// scan's, so a scan cancelled during signJwt stops the call instead of waiting for the client timeout.
func TestKeylessStopsWithTheScan(t *testing.T) {
	t.Parallel()
	hang, entered := make(chan bool, 1), make(chan struct{})
	f := &authFake{t: t, iamHang: hang, iamEntered: entered}
	p, _ := authProvider(t, f, func(c *Config, _ string) { c.ImpersonateServiceAccount = testSA })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Collect(ctx, func(scanner.Record) error { return nil }) }()
	<-entered
	cancel()
	if err := <-done; err == nil {
		t.Error("Collect succeeded after the scan was cancelled")
	}
	if gone := <-hang; !gone {
		t.Error("signJwt kept waiting 30 s after the scan was cancelled")
	}
}
