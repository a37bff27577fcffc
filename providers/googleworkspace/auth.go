package googleworkspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/impersonate"
	"google.golang.org/api/option"

	"github.com/shadowscan/shadowscan/providers/internal/httpx"
)

const (
	googleTokenURL         = "https://oauth2.googleapis.com/token"
	iamCredentialsEndpoint = "https://iamcredentials.googleapis.com"
	cloudPlatformScope     = "https://www.googleapis.com/auth/cloud-platform"
)

// scopes returns the OAuth scopes the configured mode needs: never more than the three documented ones.
func (p *provider) scopes() []string {
	if p.scopeOverride != nil {
		return p.scopeOverride
	}
	return p.modeScopes()
}

// modeScopes are the scopes of the configured mode, whatever one check asks for: what the delegation entry lists.
func (p *provider) modeScopes() []string {
	var s []string
	if p.cfg.readsTokens() {
		s = append(s, ScopeUserReadonly, ScopeUserSecurity)
	}
	if p.cfg.readsAudit() {
		s = append(s, ScopeAuditReadonly)
	}
	return s
}

// baseTransport is what every connection goes through: the injected client's transport (tests) or the default.
func (p *provider) baseTransport() http.RoundTripper {
	if p.deps.HTTPClient != nil && p.deps.HTTPClient.Transport != nil {
		return p.deps.HTTPClient.Transport
	}
	return http.DefaultTransport
}

// httpClient builds the authenticated client the Admin SDK services use: credentials first, then the rate limit
// and retries of httpx around them, so a retry re-sends the (cached) access token.
func (p *provider) httpClient(ctx context.Context) (*http.Client, error) {
	base := p.baseTransport()
	rt := base
	if p.cfg.Auth != AuthNone {
		ts, err := p.tokenSource(ctx, base)
		if err != nil {
			return nil, err
		}
		rt = &oauth2.Transport{Source: ts, Base: base}
	}
	log := p.log
	return &http.Client{Transport: httpx.NewTransport(rt, httpx.Options{
		QPM:         float64(p.cfg.MaxQPM),
		MaxAttempts: p.cfg.MaxAttempts,
		BaseDelay:   p.baseDelay,
		Clock:       p.clock,
		Rand:        p.rand,
		OnRetry:     httpx.LogRetries(log, "admin sdk call"),
	})}, nil
}

// tokenSource picks the credentials: a key file, keyless impersonation, or Application Default Credentials that
// are themselves a service-account key.
func (p *provider) tokenSource(ctx context.Context, base http.RoundTripper) (oauth2.TokenSource, error) {
	scopes := p.scopes()
	// Token requests go through the base transport (not the API rate limit) and stop with the scan.
	tctx := context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: base, Timeout: time.Minute})
	switch {
	case p.cfg.CredentialsFile != "":
		data, err := os.ReadFile(p.cfg.CredentialsFile)
		if err != nil {
			return nil, fmt.Errorf("credentials_file: %w", err)
		}
		return p.keyFileSource(tctx, data, p.cfg.CredentialsFile, scopes)
	case p.cfg.ImpersonateServiceAccount != "":
		adc, err := p.adc(tctx, cloudPlatformScope)
		if err != nil {
			return nil, fmt.Errorf("impersonate_service_account: no Application Default Credentials to impersonate %s with (run `gcloud auth application-default login`, or run where a service account is attached): %w",
				p.cfg.ImpersonateServiceAccount, err)
		}
		return p.keylessSource(tctx, &http.Client{Transport: &oauth2.Transport{Source: adc, Base: base}, Timeout: time.Minute}, scopes)
	default:
		creds, err := google.FindDefaultCredentials(tctx, scopes...)
		if err != nil {
			return nil, fmt.Errorf("auth: no credentials: set credentials_file (a service-account key with domain-wide delegation) or impersonate_service_account (keyless): %w", err)
		}
		var kind struct {
			Type string `json:"type"`
		}
		if len(creds.JSON) == 0 || json.Unmarshal(creds.JSON, &kind) != nil || kind.Type != "service_account" {
			return nil, errors.New("auth: the Application Default Credentials are not a service-account key, and reading other users' tokens needs domain-wide delegation: set impersonate_service_account to a service account that has it (keyless), or credentials_file to its key")
		}
		return p.keyFileSource(tctx, creds.JSON, "Application Default Credentials", scopes)
	}
}

// keyFileSource signs JWTs with a service-account key, as admin_email (domain-wide delegation).
func (p *provider) keyFileSource(ctx context.Context, data []byte, name string, scopes []string) (oauth2.TokenSource, error) {
	cfg, err := google.JWTConfigFromJSON(data, scopes...)
	if err != nil {
		return nil, fmt.Errorf("credentials_file: %s is not a service-account JSON key: %w", name, err)
	}
	var key struct {
		ClientID string `json:"client_id"`
	}
	_ = json.Unmarshal(data, &key)
	p.saClientID, p.saEmail = key.ClientID, cfg.Email
	cfg.Subject = p.cfg.AdminEmail
	if p.tokenURL != googleTokenURL {
		cfg.TokenURL = p.tokenURL
	}
	return cfg.TokenSource(ctx), nil
}

// keylessSource impersonates a service account with google.golang.org/api/impersonate: IAM Credentials signJwt
// signs the JWT that asserts admin_email (domain-wide delegation) with the service account's Google-managed key,
// so no key file exists anywhere, and the signed JWT is exchanged for an access token. iam is authenticated as
// the caller (Application Default Credentials).
func (p *provider) keylessSource(ctx context.Context, iam *http.Client, scopes []string) (oauth2.TokenSource, error) {
	p.saEmail = p.cfg.ImpersonateServiceAccount
	// impersonate sends its requests without a context: bind them to the scan's, so a cancelled scan stops them.
	rt := http.RoundTripper(&contextTransport{ctx: ctx, base: iam.Transport})
	if p.iamEndpoint != iamCredentialsEndpoint || p.tokenURL != googleTokenURL {
		rt = &rerouteTransport{base: rt, to: map[string]string{
			hostOf(iamCredentialsEndpoint): p.iamEndpoint, hostOf(googleTokenURL): strings.TrimSuffix(p.tokenURL, "/token")}}
	}
	ts, err := impersonate.CredentialsTokenSource(ctx, impersonate.CredentialsConfig{
		TargetPrincipal: p.cfg.ImpersonateServiceAccount, Subject: p.cfg.AdminEmail, Scopes: scopes,
	}, option.WithHTTPClient(&http.Client{Transport: rt, Timeout: iam.Timeout}))
	if err != nil {
		return nil, fmt.Errorf("impersonate_service_account: %w", err)
	}
	return &impersonateErrors{ts: ts}, nil
}

// contextTransport sends every request with ctx.
type contextTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t *contextTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(r.WithContext(t.ctx))
}

// rerouteTransport sends requests for Google's hosts to other base URLs (the tests' fake).
type rerouteTransport struct {
	base http.RoundTripper
	to   map[string]string // host -> base URL
}

func (t *rerouteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if to, ok := t.to[r.URL.Host]; ok {
		u, err := url.Parse(to)
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, u.Host
		r.URL.Path = strings.TrimSuffix(u.Path, "/") + r.URL.Path
	}
	return t.base.RoundTrip(r)
}

func hostOf(rawURL string) string {
	u, _ := url.Parse(rawURL)
	return u.Host
}

// impersonateErrors turns impersonate's errors, which are text ("impersonate: status code 403: {body}"), back
// into the errors explain knows: a Google API error body (signJwt) becomes a *signJWTError, an RFC 6749 body
// (the token exchange) an *oauth2.RetrieveError.
type impersonateErrors struct{ ts oauth2.TokenSource }

var impersonateStatusRE = regexp.MustCompile(`(?s)^impersonate: status code (\d+): (.*)$`)

func (s *impersonateErrors) Token() (*oauth2.Token, error) {
	tok, err := s.ts.Token()
	if err == nil {
		return tok, nil
	}
	m := impersonateStatusRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil, err
	}
	status, _ := strconv.Atoi(m[1])
	body := []byte(m[2])
	var shape struct {
		Error json.RawMessage `json:"error"`
	}
	_ = json.Unmarshal(body, &shape)
	if len(shape.Error) > 0 && shape.Error[0] == '{' {
		e := &signJWTError{Status: status}
		var gerr struct {
			Message string
			Status  string
			Details []struct{ Reason string }
		}
		if json.Unmarshal(shape.Error, &gerr) == nil {
			e.Code, e.Message = gerr.Status, gerr.Message
			for _, d := range gerr.Details {
				if d.Reason != "" {
					e.Reason = d.Reason
					break
				}
			}
		}
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
		return nil, e
	}
	var oerr struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &oerr)
	return nil, &oauth2.RetrieveError{Response: &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status))},
		Body: body, ErrorCode: oerr.Error, ErrorDescription: oerr.ErrorDescription}
}

// signJWTError is a failed IAM Credentials signJwt call.
type signJWTError struct {
	Status  int
	Code    string // error.status, e.g. PERMISSION_DENIED
	Reason  string // error.details[].reason, e.g. IAM_PERMISSION_DENIED, SERVICE_DISABLED
	Message string
}

func (e *signJWTError) Error() string {
	return fmt.Sprintf("IAM Credentials signJwt: %d %s: %s", e.Status, e.Code, e.Message)
}
