package googleworkspace

import (
	"net/url"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/providers/internal/confcheck"
	"github.com/shadowscan/shadowscan/scanner"
)

// Modes of the provider.
const (
	ModeTokens = "tokens" // tokens.list for every user: the grants held now
	ModeAudit  = "audit"  // the token audit log only: grants authorised or revoked within the lookback
	ModeBoth   = "both"   // both, joined: current grants with first/last authorisation times, plus revoked ones
)

// Auth values.
const (
	AuthDefault = "default" // credentials_file, or keyless impersonation, or Application Default Credentials
	AuthNone    = "none"    // no credentials: emulators and test fakes only (needs endpoint)
)

// Defaults.
const (
	DefaultCustomer    = "my_customer"
	DefaultLookback    = 180 * 24 * time.Hour // the Reports API keeps token events for about six months
	DefaultMaxQPM      = 1800                 // 75% of the ~2,400 queries a minute the Admin SDK allows per admin
	DefaultConcurrency = 8
	DefaultMaxAttempts = 5
	// DefaultFullSweepEvery is a week: incremental nights in between.
	DefaultFullSweepEvery = 7 * 24 * time.Hour
)

// Config is the provider's block in the shadowscan config file.
type Config struct {
	// Customer is the Workspace customer ID, or my_customer for the admin's own account.
	Customer string `mapstructure:"customer"`
	// Domain, when set, limits users.list to one domain of the account instead of the whole customer.
	Domain string `mapstructure:"domain"`
	// AdminEmail is the admin user the service account acts as (domain-wide delegation subject).
	AdminEmail string `mapstructure:"admin_email"`
	// CredentialsFile is a service-account JSON key with domain-wide delegation.
	CredentialsFile string `mapstructure:"credentials_file"`
	// ImpersonateServiceAccount is the email of a service account with domain-wide delegation that the Application
	// Default Credentials impersonate (IAM Credentials signJwt): keyless, no key file exists anywhere.
	ImpersonateServiceAccount string `mapstructure:"impersonate_service_account"`
	// Endpoint replaces https://admin.googleapis.com/ (a proxy or an emulator).
	Endpoint string `mapstructure:"endpoint"`
	// Auth is default or none.
	Auth string `mapstructure:"auth"`
	// ExportFile reads GAM's `print tokens` CSV or a saved Admin SDK tokens JSON instead of calling the API.
	ExportFile string `mapstructure:"export_file"`
	// UsersExportFile (export mode only) is GAM's `print users` CSV or a saved users.list JSON, for org units,
	// departments, names and suspended state.
	UsersExportFile string `mapstructure:"users_export_file"`
	// Mode is tokens, audit or both.
	Mode string `mapstructure:"mode"`
	// Lookback is how far back the token audit log is read.
	Lookback time.Duration `mapstructure:"lookback"`
	// MaxQPM is the client-side rate limit across all Admin SDK calls, in queries a minute.
	MaxQPM int `mapstructure:"max_qpm"`
	// ShardMaxQPM is each shard's rate limit in a sharded scan. 0 divides max_qpm by the number of shards: the
	// Admin SDK quota belongs to the tenant (per admin and per project), not to a process, so N shards at the
	// full rate would together overrun it and be throttled.
	ShardMaxQPM int `mapstructure:"shard_max_qpm"`
	// Concurrency is how many tokens.list calls run at once.
	Concurrency int `mapstructure:"concurrency"`
	// FullSweepEvery is how often tokens.list is read for every user when a state folder makes incremental nights
	// possible; in between, a night re-reads only the users the token audit log or users.list says changed. 0
	// sweeps in full every night.
	FullSweepEvery time.Duration `mapstructure:"full_sweep_every"`
	// MaxAttempts is how often one call is tried before its user is reported as not read.
	MaxAttempts int `mapstructure:"max_attempts"`
}

// NewConfig returns a Config with the defaults filled in.
func NewConfig() *Config {
	return &Config{
		Customer:       DefaultCustomer,
		Auth:           AuthDefault,
		Mode:           ModeBoth,
		Lookback:       DefaultLookback,
		MaxQPM:         DefaultMaxQPM,
		Concurrency:    DefaultConcurrency,
		MaxAttempts:    DefaultMaxAttempts,
		FullSweepEvery: DefaultFullSweepEvery,
	}
}

// Validate checks the config; each message names its key.
func (c *Config) Validate() error {
	var p confcheck.Problems
	c.Mode = strings.ToLower(strings.TrimSpace(c.Mode))
	c.Auth = strings.ToLower(strings.TrimSpace(c.Auth))
	if c.Mode == "" {
		c.Mode = ModeBoth
	}
	if c.Auth == "" {
		c.Auth = AuthDefault
	}
	switch c.Mode {
	case ModeTokens, ModeAudit, ModeBoth:
	default:
		p.Add("mode: must be tokens, audit or both (got %q)", c.Mode)
	}
	switch c.Auth {
	case AuthDefault, AuthNone:
	default:
		p.Add("auth: must be default or none (got %q)", c.Auth)
	}
	if c.Customer == "" && c.Domain == "" {
		p.Add("customer: must be set (my_customer means the admin's own account)")
	}
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.Add("endpoint: %q is not an http(s) URL", c.Endpoint)
		}
	}
	if c.ExportFile != "" {
		if c.Mode == ModeAudit {
			p.Add("mode: audit reads the token audit log through the Reports API, but export_file holds only tokens (use mode: tokens or both, or remove export_file)")
		}
	} else {
		if c.UsersExportFile != "" {
			p.Add("users_export_file: only used with export_file")
		}
		switch {
		case c.Auth == AuthNone && c.Endpoint == "":
			p.Add("endpoint: must be set when auth is none (auth: none sends no credentials and is for emulators only)")
		case c.Auth == AuthDefault && c.AdminEmail == "":
			p.Add("admin_email: must be set to the admin user the service account acts as (domain-wide delegation needs a subject)")
		case c.Auth == AuthDefault && !strings.Contains(c.AdminEmail, "@"):
			p.Add("admin_email: %q is not an email address", c.AdminEmail)
		}
		if c.CredentialsFile != "" && c.ImpersonateServiceAccount != "" {
			p.Add("credentials_file, impersonate_service_account: set one or the other (a key file, or keyless impersonation)")
		}
		if c.ImpersonateServiceAccount != "" && !strings.Contains(c.ImpersonateServiceAccount, "@") {
			p.Add("impersonate_service_account: %q is not a service account email (name@project.iam.gserviceaccount.com)", c.ImpersonateServiceAccount)
		}
	}
	if c.Mode != ModeTokens && c.ExportFile == "" && c.Lookback <= 0 {
		p.Add("lookback: must be positive, e.g. 720h for 30 days")
	}
	if c.FullSweepEvery < 0 {
		p.Add("full_sweep_every: must not be negative (0 sweeps every user every night)")
	}
	if c.ShardMaxQPM < 0 {
		p.Add("shard_max_qpm: must not be negative (0 divides max_qpm by the number of shards)")
	}
	if c.MaxQPM <= 0 {
		p.Add("max_qpm: must be positive (the Admin SDK allows about 2400 queries a minute per admin; default %d)", DefaultMaxQPM)
	}
	p.Range("concurrency", c.Concurrency, 1, 100)
	p.Range("max_attempts", c.MaxAttempts, 1, 20)
	return p.Err()
}

// ResolvePaths makes the file paths relative to the config file's folder.
func (c *Config) ResolvePaths(resolve func(string) string) {
	for _, p := range []*string{&c.CredentialsFile, &c.ExportFile, &c.UsersExportFile} {
		if *p != "" {
			*p = resolve(*p)
		}
	}
}

// readsTokens and readsAudit say what the mode reads.
// When labels of the declared scopes (scanner.Permission.When).
const (
	whenTokens = "mode: tokens or both (not with export_file)"
	whenAudit  = "mode: audit or both (not with export_file)"
)

// UsesPermission reports whether this configuration calls what scope p allows: tokens mode reads users and their
// tokens, audit mode the token audit log, both all three; export files need none.
func (c *Config) UsesPermission(p scanner.Permission) bool {
	if c.ExportFile != "" {
		return false
	}
	switch p.When {
	case whenTokens:
		return c.readsTokens()
	case whenAudit:
		return c.readsAudit()
	}
	return true
}

func (c *Config) readsTokens() bool { return c.Mode == ModeTokens || c.Mode == ModeBoth }
func (c *Config) readsAudit() bool  { return c.Mode == ModeAudit || c.Mode == ModeBoth }
