package aws

import (
	"regexp"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/providers/internal/confcheck"
	"github.com/shadowscan/shadowscan/providers/internal/dnslive"
	"github.com/shadowscan/shadowscan/scanner"
)

// Config is the aws provider's settings. The loader handles type, name and timeout.
type Config struct {
	// Profile is a shared-config profile; empty uses the SDK's default chain (env, SSO, web identity, IMDS, ...).
	Profile string `mapstructure:"profile"`
	// Regions are where the Resource Groups Tagging API is asked for marketing-tagged resources. The first one is
	// the SDK's default region; global services (IAM, Route 53, Organizations, Marketplace Agreement, Cost
	// Explorer) use their partition's global region.
	Regions []string `mapstructure:"regions"`
	// EndpointURL sends every API call to one endpoint (a proxy or an emulator). The SDK's AWS_ENDPOINT_URL and
	// AWS_ENDPOINT_URL_<SERVICE> variables work too when this is empty.
	EndpointURL string `mapstructure:"endpoint_url"`
	// RoleARN is assumed first (with ExternalID) when set; everything else runs as that role.
	RoleARN    string `mapstructure:"role_arn"`
	ExternalID string `mapstructure:"external_id"`
	// CostExplorer adds last month's AWS Marketplace charges from Cost Explorer (ce:GetCostAndUsage, which AWS
	// bills at $0.01 a request).
	CostExplorer bool `mapstructure:"cost_explorer"`
	// Concurrency bounds how many accounts are scanned at once. Inside an account its services (IAM, identity
	// providers, Route 53, Marketplace, tagging per region) are read side by side.
	Concurrency int `mapstructure:"concurrency"`
	// MaxInFlight caps the API requests in flight across all accounts at once.
	MaxInFlight int `mapstructure:"max_in_flight"`
	// IAMConcurrency caps the IAM requests in flight per account: IAM's request quota is per account and the
	// tightest of the services read, so one account's IAM calls share this many slots.
	IAMConcurrency int `mapstructure:"iam_concurrency"`
	// AccountTimeout bounds one account's scan; an account that runs out of time is partial coverage.
	AccountTimeout time.Duration `mapstructure:"account_timeout"`
	// MaxAttempts is how many times one API request is tried (throttling, 5xx, 429) before its account's
	// coverage is marked partial.
	MaxAttempts int `mapstructure:"max_attempts"`

	Organization OrganizationConfig `mapstructure:"organization"`
	Export       ExportConfig       `mapstructure:"export"`
	// DNS is the check of Route 53 CNAME targets with DNS queries.
	DNS DNSConfig `mapstructure:"dns"`
}

// DNSConfig drives the dangling-CNAME check of Route 53 zones: the target of every CNAME in a public hosted zone
// that points outside the zone is resolved; NXDOMAIN makes it dangling (subdomain takeover risk), as the dns
// provider reports it. Private zones are not checked (their targets may resolve only inside a VPC).
type DNSConfig struct {
	// DanglingCNAMEs turns the check on or off. Unset: on when reading the Route 53 API, off when reading export
	// files (export mode makes no network calls unless this is true).
	DanglingCNAMEs *bool `mapstructure:"dangling_cnames"`
	// Resolver is the DNS server as host or host:port; empty means the servers in /etc/resolv.conf.
	Resolver string `mapstructure:"resolver"`
	// TimeoutPerQuery bounds one query attempt; Retries is how many more attempts follow a timeout or SERVFAIL.
	TimeoutPerQuery time.Duration `mapstructure:"timeout_per_query"`
	Retries         int           `mapstructure:"retries"`
	// Concurrency bounds the queries in flight across all accounts.
	Concurrency int `mapstructure:"concurrency"`
	// MaxCNAMEDepth bounds the CNAME chains followed beyond the zone.
	MaxCNAMEDepth int `mapstructure:"max_cname_depth"`
}

// checksTargets says whether CNAME targets are resolved in the mode the provider runs in.
func (c *Config) checksTargets() bool {
	if c.DNS.DanglingCNAMEs != nil {
		return *c.DNS.DanglingCNAMEs
	}
	return !c.Export.Enabled()
}

// OrganizationConfig drives the fan-out over an AWS Organization.
type OrganizationConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// RoleName is the role assumed in each member account (deploy it with the StackSet in README.md).
	RoleName   string `mapstructure:"role_name"`
	ExternalID string `mapstructure:"external_id"`
	// SkipAccounts are 12-digit account IDs not to scan.
	SkipAccounts []string `mapstructure:"skip_accounts"`
	// SkipOUs are organizational unit IDs (ou-...) or names; every account under them, at any depth, is skipped.
	SkipOUs []string `mapstructure:"skip_ous"`
}

// ExportConfig reads AWS CLI JSON output instead of calling the APIs. Any file set turns export mode on.
type ExportConfig struct {
	// AccountID and AccountName label the records; the account ID is otherwise taken from the ARNs in the files.
	AccountID   string `mapstructure:"account_id"`
	AccountName string `mapstructure:"account_name"`
	// IAMAuthorizationDetails are `aws iam get-account-authorization-details` outputs (roles and users).
	IAMAuthorizationDetails []string `mapstructure:"iam_authorization_details"`
	// IAMCredentialReports are `aws iam get-credential-report` outputs (JSON with base64 Content, or the CSV).
	IAMCredentialReports []string `mapstructure:"iam_credential_reports"`
	// Route53RecordSets are `aws route53 list-resource-record-sets` outputs, one per hosted zone.
	Route53RecordSets []Route53Export `mapstructure:"route53_record_sets"`
	// MarketplaceAgreements are `aws marketplace-agreement search-agreements` outputs.
	MarketplaceAgreements []string `mapstructure:"marketplace_agreements"`
}

// Route53Export is one hosted zone's record sets.
type Route53Export struct {
	Zone    string `mapstructure:"zone"`
	File    string `mapstructure:"file"`
	Private bool   `mapstructure:"private"`
}

// Enabled says whether any export file is configured.
func (e ExportConfig) Enabled() bool {
	return len(e.IAMAuthorizationDetails)+len(e.IAMCredentialReports)+len(e.Route53RecordSets)+
		len(e.MarketplaceAgreements) > 0
}

// Default settings.
const (
	DefaultRoleName       = "ShadowscanReadOnly"
	DefaultConcurrency    = 16
	DefaultMaxInFlight    = 64
	DefaultIAMConcurrency = 4
	DefaultAccountTimeout = 10 * time.Minute
	DefaultMaxAttempts    = 6
)

// NewConfig returns the defaults.
func NewConfig() *Config {
	return &Config{
		Regions:        []string{"us-east-1"},
		Concurrency:    DefaultConcurrency,
		MaxInFlight:    DefaultMaxInFlight,
		IAMConcurrency: DefaultIAMConcurrency,
		AccountTimeout: DefaultAccountTimeout,
		MaxAttempts:    DefaultMaxAttempts,
		Organization:   OrganizationConfig{RoleName: DefaultRoleName},
		DNS: DNSConfig{TimeoutPerQuery: dnslive.DefaultTimeout, Retries: dnslive.DefaultRetries,
			Concurrency: dnslive.DefaultConcurrency, MaxCNAMEDepth: dnslive.DefaultMaxCNAMEDepth},
	}
}

var (
	reRegion    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	reAccountID = regexp.MustCompile(`^\d{12}$`)
	reRoleARN   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	reRoleName  = regexp.MustCompile(`^[\w+=,.@/-]{1,64}$`)
	reOUID      = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$`)
	reExtID     = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// validExternalID follows sts:AssumeRole: 2 to 1224 characters of [\w+=,.@:/-].
func validExternalID(s string) bool {
	return len(s) >= 2 && len(s) <= 1224 && reExtID.MatchString(s)
}

// Validate checks the settings; messages name the key.
// When labels of the declared actions (scanner.Permission.When); the rest are always used against the API.
const (
	whenAssume       = "role_arn or organization.enabled"
	whenOrg          = "organization.enabled"
	whenSkipOUs      = "organization.skip_ous"
	whenCostExplorer = "cost_explorer: true"
)

// UsesPermission reports whether this configuration calls IAM action p: the Organizations actions only in
// organisation mode (the OU walk only with skip_ous), sts:AssumeRole only with role_arn or in organisation mode,
// Cost Explorer only when switched on; export files need none.
func (c *Config) UsesPermission(p scanner.Permission) bool {
	if c.Export.Enabled() {
		return false
	}
	switch p.When {
	case whenAssume:
		return c.RoleARN != "" || c.Organization.Enabled
	case whenOrg:
		return c.Organization.Enabled
	case whenSkipOUs:
		return c.Organization.Enabled && len(c.Organization.SkipOUs) > 0
	case whenCostExplorer:
		return c.CostExplorer
	}
	return true
}

// ScansMemberAccounts reports whether the role organization.role_name is assumed in member accounts.
func (c *Config) ScansMemberAccounts() bool { return c.Organization.Enabled && !c.Export.Enabled() }

func (c *Config) Validate() error {
	var p confcheck.Problems
	if len(c.Regions) == 0 {
		p.Add("regions: must not be empty")
	}
	for i, r := range c.Regions {
		if !reRegion.MatchString(r) {
			p.Add("regions[%d]: %q is not an AWS region name", i, r)
		}
	}
	if c.EndpointURL != "" && !strings.HasPrefix(c.EndpointURL, "http://") && !strings.HasPrefix(c.EndpointURL, "https://") {
		p.Add("endpoint_url: %q must start with http:// or https://", c.EndpointURL)
	}
	if c.RoleARN != "" && !reRoleARN.MatchString(c.RoleARN) {
		p.Add("role_arn: %q is not an IAM role ARN (arn:aws:iam::123456789012:role/Name)", c.RoleARN)
	}
	if c.ExternalID != "" {
		if c.RoleARN == "" {
			p.Add("external_id: set without role_arn")
		} else if !validExternalID(c.ExternalID) {
			p.Add("external_id: must be 2-1224 characters of letters, digits and +=,.@:/-")
		}
	}
	d := c.DNS
	dnslive.Settings{Resolver: d.Resolver, Timeout: d.TimeoutPerQuery, Retries: d.Retries, Concurrency: d.Concurrency,
		MaxCNAMEDepth: d.MaxCNAMEDepth}.Check(&p, "dns.")
	p.Range("concurrency", c.Concurrency, 1, 64)
	p.Range("max_in_flight", c.MaxInFlight, 1, 1024)
	p.Range("iam_concurrency", c.IAMConcurrency, 1, 32)
	if c.AccountTimeout < time.Second {
		p.Add("account_timeout: must be at least 1s, got %s", c.AccountTimeout)
	}
	p.Range("max_attempts", c.MaxAttempts, 1, 20)
	o := c.Organization
	if o.Enabled {
		if !reRoleName.MatchString(o.RoleName) {
			p.Add("organization.role_name: %q is not an IAM role name", o.RoleName)
		}
	}
	if o.ExternalID != "" && !validExternalID(o.ExternalID) {
		p.Add("organization.external_id: must be 2-1224 characters of letters, digits and +=,.@:/-")
	}
	for i, a := range o.SkipAccounts {
		if !reAccountID.MatchString(a) {
			p.Add("organization.skip_accounts[%d]: %q is not a 12-digit account ID", i, a)
		}
	}
	for i, ou := range o.SkipOUs {
		if strings.TrimSpace(ou) == "" {
			p.Add("organization.skip_ous[%d]: must not be empty", i)
		} else if strings.HasPrefix(ou, "ou-") && !reOUID.MatchString(ou) {
			p.Add("organization.skip_ous[%d]: %q is not an OU ID (ou-xxxx-xxxxxxxx)", i, ou)
		}
	}
	e := c.Export
	if e.Enabled() {
		if o.Enabled {
			p.Add("export: cannot be combined with organization.enabled (export files describe one account)")
		}
		if c.CostExplorer {
			p.Add("export: cannot be combined with cost_explorer (export mode calls no API)")
		}
	}
	if e.AccountID != "" && !reAccountID.MatchString(e.AccountID) {
		p.Add("export.account_id: %q is not a 12-digit account ID", e.AccountID)
	}
	checkFiles := func(key string, files []string) {
		for i, f := range files {
			if strings.TrimSpace(f) == "" {
				p.Add("export.%s[%d]: must not be empty", key, i)
			}
		}
	}
	checkFiles("iam_authorization_details", e.IAMAuthorizationDetails)
	checkFiles("iam_credential_reports", e.IAMCredentialReports)
	checkFiles("marketplace_agreements", e.MarketplaceAgreements)
	for i, z := range e.Route53RecordSets {
		if strings.Trim(z.Zone, ". ") == "" {
			p.Add("export.route53_record_sets[%d].zone: must not be empty", i)
		}
		if strings.TrimSpace(z.File) == "" {
			p.Add("export.route53_record_sets[%d].file: must not be empty", i)
		}
	}
	return p.Err()
}

// ResolvePaths resolves the export file paths against the config file's folder.
func (c *Config) ResolvePaths(resolve func(string) string) {
	for _, list := range [][]string{c.Export.IAMAuthorizationDetails, c.Export.IAMCredentialReports,
		c.Export.MarketplaceAgreements} {
		for i := range list {
			list[i] = resolve(list[i])
		}
	}
	for i := range c.Export.Route53RecordSets {
		c.Export.Route53RecordSets[i].File = resolve(c.Export.Route53RecordSets[i].File)
	}
}
