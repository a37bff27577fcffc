package aws

import (
	"encoding/json"
	"time"
)

// The collectors turn SDK output and AWS CLI export files into these plain values; the record builders in
// records.go only see them, so the API and export modes share one path to records.

// account is one AWS account being scanned.
type account struct {
	ID    string
	Name  string
	Email string
	State string // ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED (organisation accounts only)
	OU    string // the OU path, when the OU tree was walked
}

// target names the account in coverage errors and logs.
func (a account) target() string {
	if a.Name != "" {
		return "account " + a.ID + " (" + a.Name + ")"
	}
	return "account " + a.ID
}

// iamRole is a role with its trust policy.
type iamRole struct {
	ARN            string
	Name           string
	Path           string
	TrustPolicy    json.RawMessage // URL-encoded string (API), object (CLI) or JSON text
	Created        time.Time
	LastUsed       time.Time
	LastUsedRegion string
	Tags           map[string]string
}

// iamUser is an IAM user.
type iamUser struct {
	ARN     string
	Name    string
	Created time.Time
	Tags    map[string]string
}

// accessKey is one access key of an IAM user.
type accessKey struct {
	UserName        string
	UserARN         string
	ID              string // AKIA…; empty when read from a credential report
	Slot            int    // 1 or 2 when read from a credential report; 0 otherwise
	Status          string // Active, Inactive
	Created         time.Time
	LastUsed        time.Time
	LastUsedService string
	LastUsedRegion  string
	LastUsedUnknown bool // GetAccessKeyLastUsed failed
}

// identityProvider is an OIDC or SAML provider registered in IAM.
type identityProvider struct {
	ARN        string
	Type       string // oidc, saml
	Name       string // the SAML provider name or the OIDC URL without scheme
	URL        string // OIDC issuer URL
	ClientIDs  []string
	EntityID   string // SAML metadata entityID
	Created    time.Time
	ValidUntil time.Time
	Tags       map[string]string
}

// hostedZone is a Route 53 hosted zone.
type hostedZone struct {
	ID      string // Z…, without /hostedzone/
	Name    string // without the trailing dot
	Private bool
}

// recordSet is one Route 53 resource record set.
type recordSet struct {
	Name   string
	Type   string
	TTL    int64
	Values []string
	Alias  string // the alias target's DNS name, for alias records (which have no Values)
}

// agreement is an AWS Marketplace agreement the account accepted.
type agreement struct {
	ID             string
	Type           string
	Status         string
	AcceptorID     string
	ProposerID     string // the seller's AWS account
	OfferID        string
	Products       []product
	AcceptanceTime time.Time
	StartTime      time.Time
	EndTime        time.Time
	LastUpdateTime time.Time
	EndBehavior    string
	Value          string // estimated total agreement value (DescribeAgreement)
	Currency       string
}

type product struct {
	ID   string
	Type string
}

// marketplaceSpend is one account's Cost Explorer charges for one Marketplace product over one month.
type marketplaceSpend struct {
	AccountID string
	Product   string // Cost Explorer's SERVICE dimension: the Marketplace product title
	Amount    float64
	Currency  string
	Start     string // YYYY-MM-DD
	End       string
}

// taggedResource is a resource carrying a marketing tag.
type taggedResource struct {
	ARN  string
	Tags map[string]string
}
