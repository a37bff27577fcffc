package graph

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Login fakes the Microsoft identity platform for the client-credentials flow: the tenant's OpenID configuration
// (which MSAL reads before its first token request) and the v2.0 token endpoint, accepting a client secret, a
// client assertion signed by a certificate's key, or a federated token (workload identity). Serve it over TLS:
// azidentity refuses a plain-http authority.
//
//	login := httptest.NewTLSServer(&graph.Login{TenantID: tid, ClientID: cid, Secret: "s3cret", AccessToken: "tok"})
type Login struct {
	TenantID    string
	ClientID    string
	Secret      string            // accepted client_secret, if set
	Cert        *x509.Certificate // its key signs accepted client assertions, if set
	Federated   string            // accepted federated token (client_assertion as is), if set
	AccessToken string            // what a successful request returns
	// Errorf reports requests that do not fit the flow.
	Errorf func(format string, args ...any)

	mu     sync.Mutex
	tokens int
	scopes []string
}

// Tokens counts the access tokens issued.
func (l *Login) Tokens() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tokens
}

// Scopes lists the scope parameter of each successful token request.
func (l *Login) Scopes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.scopes...)
}

func (l *Login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base := "https://" + r.Host + "/" + l.TenantID
	switch {
	case r.Method == http.MethodGet && (r.URL.Path == "/"+l.TenantID+"/v2.0/.well-known/openid-configuration" ||
		r.URL.Path == "/"+l.TenantID+"/.well-known/openid-configuration"):
		writeJSON(w, 200, nil, mustJSON(map[string]any{
			"token_endpoint":         base + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"issuer":                 "https://" + r.Host + "/" + l.TenantID + "/v2.0",
			"tenant_region_scope":    "WW",
		}))
	case r.Method == http.MethodPost && r.URL.Path == "/"+l.TenantID+"/oauth2/v2.0/token":
		l.token(w, r)
	default:
		if l.Errorf != nil {
			l.Errorf("login fake: unexpected %s %s", r.Method, r.URL.Path)
		}
		tokenError(w, 404, "invalid_request", "AADSTS90002: Tenant not found.")
	}
}

func (l *Login) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, 400, "invalid_request", "AADSTS900144: malformed body")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" {
		tokenError(w, 400, "unsupported_grant_type", "AADSTS70003: want client_credentials")
		return
	}
	if f.Get("client_id") != l.ClientID {
		tokenError(w, 400, "unauthorized_client", "AADSTS700016: Application with identifier '"+f.Get("client_id")+"' was not found in the directory.")
		return
	}
	if !strings.HasSuffix(f.Get("scope"), "/.default") && !strings.Contains(f.Get("scope"), "/.default ") {
		tokenError(w, 400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.")
		return
	}
	ok := false
	switch {
	case f.Get("client_secret") != "":
		ok = l.Secret != "" && f.Get("client_secret") == l.Secret
	case f.Get("client_assertion") != "":
		if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			break
		}
		a := f.Get("client_assertion")
		ok = (l.Federated != "" && a == l.Federated) || (l.Cert != nil && l.verify(a, "https://"+r.Host+r.URL.Path))
	}
	if !ok {
		tokenError(w, 401, "invalid_client", "AADSTS7000215: Invalid client secret or assertion provided.")
		return
	}
	l.mu.Lock()
	l.tokens++
	l.scopes = append(l.scopes, f.Get("scope"))
	l.mu.Unlock()
	writeJSON(w, 200, nil, mustJSON(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
		"access_token": l.AccessToken}))
}

// verify checks a certificate-signed client assertion: RS256 or PS256 signature by the certificate's key, issuer
// and subject the client ID, audience the token endpoint, not expired, and the x5t thumbprint of the certificate.
func (l *Login) verify(jwt, aud string) bool {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return false
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	var h struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	var c struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Aud any    `json:"aud"`
		Exp int64  `json:"exp"`
	}
	if json.Unmarshal(hb, &h) != nil || json.Unmarshal(cb, &c) != nil {
		return false
	}
	pub, ok := l.Cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch h.Alg {
	case "RS256":
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
			return false
		}
	case "PS256":
		if rsa.VerifyPSS(pub, crypto.SHA256, sum[:], sig, nil) != nil {
			return false
		}
	default:
		return false
	}
	thumb := sha256.Sum256(l.Cert.Raw)
	// MSAL sends the SHA-256 thumbprint in standard base64 (RFC 7515 asks for base64url; accept both).
	if h.X5tS256 != "" && h.X5tS256 != base64.StdEncoding.EncodeToString(thumb[:]) && h.X5tS256 != base64.RawURLEncoding.EncodeToString(thumb[:]) {
		return false
	}
	audOK := false
	switch a := c.Aud.(type) {
	case string:
		audOK = strings.EqualFold(a, aud)
	case []any:
		for _, x := range a {
			if s, _ := x.(string); strings.EqualFold(s, aud) {
				audOK = true
			}
		}
	}
	return c.Iss == l.ClientID && c.Sub == l.ClientID && audOK && time.Unix(c.Exp, 0).After(time.Now())
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, nil, mustJSON(map[string]any{"error": code, "error_description": desc,
		"error_codes": []int{0}, "timestamp": time.Now().UTC().Format("2006-01-02 15:04:05Z"), "trace_id": "t", "correlation_id": "c"}))
}
