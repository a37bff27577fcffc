package googleworkspace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

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
		OnRetry: func(e httpx.RetryEvent) {
			ev := log.Debug()
			if e.Attempt >= 2 {
				ev = log.Warn()
			}
			ev.Str("url", e.URL).Int("attempt", e.Attempt).Int("status", e.StatusCode).Str("reason", e.Reason).
				AnErr("error", e.Err).Int64("retry_after_ms", e.RetryAfter.Milliseconds()).Int64("delay_ms", e.Delay.Milliseconds()).Msg("admin sdk call throttled or failed; retrying")
		},
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
		return p.keylessSource(tctx, &http.Client{Transport: &oauth2.Transport{Source: adc, Base: base}, Timeout: time.Minute}, scopes), nil
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

// keylessSource impersonates a service account through IAM Credentials signJwt: the JWT that asserts admin_email
// is signed by Google with the service account's Google-managed key, so no key file exists anywhere.
func (p *provider) keylessSource(ctx context.Context, iam *http.Client, scopes []string) oauth2.TokenSource {
	p.saEmail = p.cfg.ImpersonateServiceAccount
	return oauth2.ReuseTokenSource(nil, &signJWTSource{
		ctx: ctx, iam: iam, token: oauth2.NewClient(ctx, nil),
		iamEndpoint: p.iamEndpoint, tokenURL: p.tokenURL,
		serviceAccount: p.cfg.ImpersonateServiceAccount, subject: p.cfg.AdminEmail, scopes: scopes,
	})
}

type signJWTSource struct {
	ctx            context.Context
	iam            *http.Client // authenticated as the caller (ADC), to call signJwt
	token          *http.Client // plain, to exchange the signed JWT
	iamEndpoint    string
	tokenURL       string
	serviceAccount string
	subject        string
	scopes         []string
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

func (s *signJWTSource) Token() (*oauth2.Token, error) {
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{
		"iss": s.serviceAccount, "sub": s.subject, "scope": strings.Join(s.scopes, " "),
		"aud": s.tokenURL, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	reqBody, _ := json.Marshal(map[string]string{"payload": string(claims)})
	u := strings.TrimSuffix(s.iamEndpoint, "/") + "/v1/projects/-/serviceAccounts/" + url.PathEscape(s.serviceAccount) + ":signJwt"
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, u, bytes.NewReader(reqBody))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.iam.Do(req)
	if err != nil {
		return nil, fmt.Errorf("IAM Credentials signJwt: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("IAM Credentials signJwt: reading the response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &signJWTError{Status: resp.StatusCode}
		var gerr struct {
			Error struct {
				Message string
				Status  string
				Details []struct{ Reason string }
			}
		}
		if json.Unmarshal(body, &gerr) == nil {
			e.Code, e.Message = gerr.Error.Status, gerr.Error.Message
			for _, d := range gerr.Error.Details {
				if d.Reason != "" {
					e.Reason = d.Reason
					break
				}
			}
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		return nil, e
	}
	var signed struct {
		SignedJwt string `json:"signedJwt"`
	}
	if err := json.Unmarshal(body, &signed); err != nil || signed.SignedJwt == "" {
		return nil, errors.New("IAM Credentials signJwt: the response holds no signedJwt")
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {signed.SignedJwt}}
	treq, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tresp, err := s.token.Do(treq)
	if err != nil {
		return nil, fmt.Errorf("exchanging the signed JWT for an access token: %w", err)
	}
	tbody, err := io.ReadAll(io.LimitReader(tresp.Body, 1<<20))
	tresp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("exchanging the signed JWT for an access token: %w", err)
	}
	var tok struct {
		AccessToken      string `json:"access_token"`
		TokenType        string `json:"token_type"`
		ExpiresIn        int64  `json:"expires_in"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(tbody, &tok)
	if tresp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		return nil, &oauth2.RetrieveError{Response: tresp, Body: tbody, ErrorCode: tok.Error, ErrorDescription: tok.ErrorDescription}
	}
	if tok.ExpiresIn <= 0 {
		tok.ExpiresIn = 3600
	}
	return &oauth2.Token{AccessToken: tok.AccessToken, TokenType: tok.TokenType,
		Expiry: now.Add(time.Duration(tok.ExpiresIn) * time.Second)}, nil
}
