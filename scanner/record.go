// Package scanner is the core of shadowscan: the normalised Record that providers emit, the Report that writers
// print, the Provider interface and registry, and Run, which drives collect → resolve → evaluate → lifecycle.
// It imports no provider and no configuration library.
package scanner

import "time"

// Record kinds. A provider may emit other kinds; these are the ones the built-in rules know.
const (
	KindOAuthGrant       = "oauth_grant"       // a user's (or tenant's) consent to a third-party app
	KindSaaSSubscription = "saas_subscription" // a recurring paid subscription (card, marketplace)
	KindExpense          = "expense"           // a one-off software charge
	KindCloudTrust       = "cloud_trust"       // a cloud role that trusts an external principal
	KindCloudCredential  = "cloud_credential"  // a long-lived cloud credential (IAM user key)
	KindCloudResource    = "cloud_resource"    // a resource owned by marketing (by tag)
	KindIdentityProvider = "identity_provider" // an OIDC/SAML provider registered in a cloud account
	KindDNSRecord        = "dns_record"        // a DNS signal: SPF include, TXT token, CNAME, DKIM, DMARC
	KindApp              = "app"               // a generic app inventory entry (file imports)
)

// HintType names one kind of vendor evidence that the catalogue resolver knows how to match.
type HintType string

// Hint types, strongest first.
const (
	HintGoogleClientID HintType = "google_client_id" // Google OAuth client ID
	HintEntraAppID     HintType = "entra_app_id"     // Microsoft Entra application (client) ID
	HintAWSAccount     HintType = "aws_account"      // 12-digit AWS account ID
	HintSPFInclude     HintType = "spf_include"      // host in an SPF include: or redirect=
	HintTXTToken       HintType = "txt_token"        // a TXT verification token
	HintDKIMSelector   HintType = "dkim_selector"    // DKIM selector; Target holds its CNAME target, if any
	HintCNAMETarget    HintType = "cname_target"     // final target of a CNAME chain
	HintDomain         HintType = "domain"           // a vendor's domain or URL host
	HintName           HintType = "name"             // an app or product display name
	HintMerchant       HintType = "merchant"         // a normalised card merchant descriptor
)

// HintTypes lists every known hint type, strongest first.
var HintTypes = []HintType{HintGoogleClientID, HintEntraAppID, HintAWSAccount, HintSPFInclude, HintTXTToken,
	HintDKIMSelector, HintCNAMETarget, HintDomain, HintName, HintMerchant}

// Hint is one piece of evidence pointing at a vendor.
type Hint struct {
	Type  HintType `json:"type"`
	Value string   `json:"value"`
	// Target is the CNAME target of a DKIM selector, or the record name (owner) of a TXT token; empty for other
	// hint types.
	Target string `json:"target,omitempty"`
}

// Principal is who holds or made the thing a record describes.
type Principal struct {
	Type       string `json:"type,omitempty"` // user, service, account, tenant
	ID         string `json:"id,omitempty"`
	Email      string `json:"email,omitempty"`
	Name       string `json:"name,omitempty"`
	OrgUnit    string `json:"org_unit,omitempty"`
	Department string `json:"department,omitempty"`
	Suspended  bool   `json:"suspended,omitempty"`
}

// IsPerson says whether the principal is (or may be) a person: personal data that only token holders may see.
// Service accounts, AWS accounts and tenants are not people; a principal of no stated type with an email or a name
// is taken to be one.
func (p Principal) IsPerson() bool {
	switch p.Type {
	case "user":
		return true
	case "service", "account", "tenant", "role":
		return false
	}
	return p.Email != "" || p.Name != ""
}

// Billing periods of an Amount.
const (
	PeriodOneTime   = "one_time"
	PeriodWeekly    = "weekly"
	PeriodMonthly   = "monthly"
	PeriodQuarterly = "quarterly"
	PeriodAnnual    = "annual"
)

// Amount is money with its currency (ISO 4217) and billing period.
type Amount struct {
	Value    float64 `json:"value"`
	Currency string  `json:"currency"`
	Period   string  `json:"period,omitempty"`
}

// Monthly returns the monthly-equivalent value; one-off amounts have none.
func (a Amount) Monthly() (float64, bool) {
	switch a.Period {
	case PeriodMonthly:
		return a.Value, true
	case PeriodAnnual:
		return a.Value / 12, true
	case PeriodQuarterly:
		return a.Value / 3, true
	case PeriodWeekly:
		return a.Value * 52 / 12, true
	}
	return 0, false
}

// Record is one normalised observation. Providers fill Kind, ID and whatever else they know; Run sets Provider and
// Source. Attributes hold provider-specific facts (strings, bools, numbers or string lists) that rules may read.
type Record struct {
	Provider   string         `json:"provider"`
	Source     string         `json:"source"`
	Kind       string         `json:"kind"`
	ID         string         `json:"id"`
	Summary    string         `json:"summary,omitempty"`
	Hints      []Hint         `json:"hints,omitempty"`
	Principal  *Principal     `json:"principal,omitempty"`
	Scopes     []string       `json:"scopes,omitempty"`
	Amount     *Amount        `json:"amount,omitempty"`
	FirstSeen  time.Time      `json:"first_seen,omitzero"`
	LastSeen   time.Time      `json:"last_seen,omitzero"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// Hint returns the first hint of type t.
func (r *Record) Hint(t HintType) (Hint, bool) {
	for _, h := range r.Hints {
		if h.Type == t {
			return h, true
		}
	}
	return Hint{}, false
}

// Organization is what the scan knows about the organisation it scans.
type Organization struct {
	Name      string    `json:"name" mapstructure:"name"`
	Domains   []string  `json:"domains,omitempty" mapstructure:"domains"`
	Marketing Marketing `json:"-" mapstructure:"marketing"`
}

// Marketing says how to recognise the marketing department in each source.
type Marketing struct {
	OrgUnits    []string          `mapstructure:"org_units"`
	Departments []string          `mapstructure:"departments"`
	AWSTags     map[string]string `mapstructure:"aws_tags"`
}
