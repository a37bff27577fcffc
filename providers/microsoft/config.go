package microsoft

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/providers/internal/confcheck"
	"github.com/shadowscan/shadowscan/scanner"
)

// Auth values.
const (
	AuthDefault = "default" // the one credential file set: client_secret_file, certificate_file or federated_token_file
	AuthNone    = "none"    // no credentials: emulators and test fakes only (needs graph_endpoint)
)

// Defaults.
const (
	DefaultGraphEndpoint = "https://graph.microsoft.com/v1.0"
	DefaultLoginEndpoint = "https://login.microsoftonline.com/"
	DefaultLookback      = 30 * 24 * time.Hour // Entra keeps directory audit logs for 30 days (P1/P2)
	DefaultConcurrency   = 4                   // $batch calls in flight
	DefaultMaxAttempts   = 5
	DefaultMaxQPM        = 6000 // well under Graph's per-app limits; the server's 429s set the real pace
)

// Config is the provider's block in the shadowscan config file.
type Config struct {
	// TenantID is the directory (tenant) ID, a GUID, or its primary domain (contoso.onmicrosoft.com).
	TenantID string `mapstructure:"tenant_id"`
	// ClientID is the application (client) ID of shadowscan's own app registration.
	ClientID string `mapstructure:"client_id"`
	// ClientSecretFile holds a client secret of that app registration (the file's content, trimmed).
	ClientSecretFile string `mapstructure:"client_secret_file"`
	// CertificateFile is a PEM file with the app's certificate and its unencrypted private key.
	CertificateFile string `mapstructure:"certificate_file"`
	// FederatedTokenFile is a workload identity federation token (AKS, GitHub Actions, GKE), re-read per token.
	FederatedTokenFile string `mapstructure:"federated_token_file"`
	// GraphEndpoint replaces https://graph.microsoft.com/v1.0 (national clouds, a proxy or an emulator).
	GraphEndpoint string `mapstructure:"graph_endpoint"`
	// LoginEndpoint replaces https://login.microsoftonline.com/ (national clouds or a fake token endpoint).
	LoginEndpoint string `mapstructure:"login_endpoint"`
	// Auth is default or none.
	Auth string `mapstructure:"auth"`
	// ExportFile reads Graph PowerShell ConvertTo-Json output or saved Graph responses instead of calling Graph.
	ExportFile string `mapstructure:"export_file"`
	// Lookback is how far back the directory audit log (consent history) is read.
	Lookback time.Duration `mapstructure:"lookback"`
	// AuditLogs reads consent history from auditLogs/directoryAudits (needs AuditLog.Read.All).
	AuditLogs bool `mapstructure:"audit_logs"`
	// SignInActivity reads last sign-in per app from the beta reports/servicePrincipalSignInActivities.
	SignInActivity bool `mapstructure:"sign_in_activity"`
	// Concurrency is how many $batch calls run at once.
	Concurrency int `mapstructure:"concurrency"`
	// MaxAttempts is how often one call is tried before what it reads is reported as not read.
	MaxAttempts int `mapstructure:"max_attempts"`
	// MaxQPM is the client-side rate limit across all Graph calls, in requests a minute.
	MaxQPM int `mapstructure:"max_qpm"`
}

// NewConfig returns a Config with the defaults filled in.
func NewConfig() *Config {
	return &Config{Auth: AuthDefault, Lookback: DefaultLookback, AuditLogs: true, SignInActivity: true,
		Concurrency: DefaultConcurrency, MaxAttempts: DefaultMaxAttempts, MaxQPM: DefaultMaxQPM}
}

var (
	guidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
)

// Validate checks the config; each message names its key.
func (c *Config) Validate() error {
	var p confcheck.Problems
	c.Auth = strings.ToLower(strings.TrimSpace(c.Auth))
	c.TenantID = strings.TrimSpace(c.TenantID)
	c.ClientID = strings.TrimSpace(c.ClientID)
	if c.Auth == "" {
		c.Auth = AuthDefault
	}
	switch c.Auth {
	case AuthDefault, AuthNone:
	default:
		p.Add("auth: must be default or none (got %q)", c.Auth)
	}
	if c.GraphEndpoint != "" && !httpURL(c.GraphEndpoint) {
		p.Add("graph_endpoint: %q is not an http(s) URL", c.GraphEndpoint)
	}
	if c.LoginEndpoint != "" {
		if u, err := url.Parse(c.LoginEndpoint); err != nil || u.Scheme != "https" || u.Host == "" {
			p.Add("login_endpoint: %q is not an https URL (the Azure identity library refuses plain http)", c.LoginEndpoint)
		}
	}
	if c.TenantID != "" && !guidRE.MatchString(c.TenantID) && !domainRE.MatchString(c.TenantID) {
		p.Add("tenant_id: %q is neither a directory ID (GUID) nor a domain", c.TenantID)
	}
	if c.ExportFile == "" {
		creds := 0
		for _, f := range []string{c.ClientSecretFile, c.CertificateFile, c.FederatedTokenFile} {
			if f != "" {
				creds++
			}
		}
		switch {
		case c.Auth == AuthNone && c.GraphEndpoint == "":
			p.Add("graph_endpoint: must be set when auth is none (auth: none sends no credentials and is for emulators only)")
		case c.Auth == AuthNone && creds > 0:
			p.Add("auth: none sends no credentials; remove client_secret_file, certificate_file and federated_token_file")
		case c.Auth == AuthDefault:
			if c.TenantID == "" {
				p.Add("tenant_id: must be set (the directory ID of the tenant to scan)")
			}
			if !guidRE.MatchString(c.ClientID) {
				p.Add("client_id: must be the application (client) ID of shadowscan's app registration, a GUID (got %q)", c.ClientID)
			}
			if creds != 1 {
				p.Add("client_secret_file, certificate_file, federated_token_file: set exactly one (got %d)", creds)
			}
		}
	}
	if c.AuditLogs && c.Lookback <= 0 {
		p.Add("lookback: must be positive, e.g. 720h for 30 days")
	}
	p.Range("concurrency", c.Concurrency, 1, 64)
	p.Range("max_attempts", c.MaxAttempts, 1, 20)
	if c.MaxQPM <= 0 {
		p.Add("max_qpm: must be positive (default %d)", DefaultMaxQPM)
	}
	return p.Err()
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ResolvePaths makes the file paths relative to the config file's folder.
func (c *Config) ResolvePaths(resolve func(string) string) {
	for _, p := range []*string{&c.ClientSecretFile, &c.CertificateFile, &c.FederatedTokenFile, &c.ExportFile} {
		if *p != "" {
			*p = resolve(*p)
		}
	}
}

// graphBase is the v1.0 base URL without a trailing slash.
// When labels of the declared permissions (scanner.Permission.When).
const (
	whenAPI      = "reading Graph (not with export_file)"
	whenAuditLog = "audit_logs: true or sign_in_activity: true (not with export_file)"
)

// UsesPermission reports whether this configuration calls what Graph permission p allows: AuditLog.Read.All only
// for the audit log or the sign-in report; an export file needs none.
func (c *Config) UsesPermission(p scanner.Permission) bool {
	if c.ExportFile != "" {
		return false
	}
	if p.When == whenAuditLog {
		return c.AuditLogs || c.SignInActivity
	}
	return true
}

func (c *Config) graphBase() string {
	if c.GraphEndpoint == "" {
		return DefaultGraphEndpoint
	}
	return strings.TrimRight(c.GraphEndpoint, "/")
}

// betaBase is the beta base URL: the v1.0 base with its version segment replaced.
func (c *Config) betaBase() string {
	b := c.graphBase()
	if strings.HasSuffix(b, "/v1.0") {
		return strings.TrimSuffix(b, "/v1.0") + "/beta"
	}
	return b + "/beta"
}

// tokenScope is the Graph resource's .default scope for the configured endpoint's host.
func (c *Config) tokenScope() string {
	u, err := url.Parse(c.graphBase())
	if err != nil || u.Host == "" {
		return "https://graph.microsoft.com/.default"
	}
	return "https://" + u.Host + "/.default"
}
