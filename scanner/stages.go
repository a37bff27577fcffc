package scanner

import (
	"context"
	"strings"
	"time"
)

// Resolution is what the catalogue resolver made of a record.
type Resolution struct {
	Vendor     *Vendor `json:"vendor"`     // nil when no hint matched
	Confidence float64 `json:"confidence"` // 0..1
	Reason     string  `json:"reason"`     // human words, e.g. `SPF include servers.mcsv.net`
	Hint       Hint    `json:"hint"`       // the hint that matched (or, when unresolved, the strongest hint)
	// Name is a display name for an unresolved record's group when the resolver can give one: "Landing Vendor
	// (landing-vendor.example)", "Unidentified sender (DKIM key relayed by SendGrid)".
	Name string `json:"name,omitempty"`
}

// Resolver maps a record's hints to a catalogue vendor. Implementations must be safe for concurrent use, and the
// resolution must depend on the record's kind and hints only: the scanner reuses the resolution of a record for
// the next record with the same kind and hint.
type Resolver interface {
	Resolve(rec *Record) Resolution
}

// Approval is the organisation's decision about one vendor, evaluated at scan time.
type Approval struct {
	Status  string    `json:"status"` // one of the Approval* constants
	Owner   string    `json:"owner,omitempty"`
	Ticket  string    `json:"ticket,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
	Notes   string    `json:"notes,omitempty"`
	// Scopes is the approved scope ceiling (globs); empty means no ceiling was set.
	Scopes []string `json:"scopes,omitempty"`
	// AWSAccounts lists the vendor AWS accounts the approval covers; empty means any.
	AWSAccounts []string `json:"aws_accounts,omitempty"`
}

// Policy is the organisation's policy: which vendors are approved (with scope ceilings and AWS accounts), which
// findings are suppressed, and how risky each OAuth scope is. rules/policy implements it; the scanner, the rule
// engine and `check` all ask it, so they cannot disagree. A nil Policy approves nothing and suppresses nothing.
// Implementations must be safe for concurrent use.
type Policy interface {
	// Approval returns the decision about one vendor; an unlisted vendor is unapproved.
	Approval(vendorID string) Approval
	// Tools lists every vendor in the approved-tools file, in file order, with its effective status.
	Tools() []ApprovedTool
	// Suppressions are the accepted risks, expired ones included (the scanner reports those).
	Suppressions() []Suppression
	// ScopeClass classifies one OAuth scope or permission as written in a grant or a consent URL.
	ScopeClass(scope string) ScopeClass
	// BeyondCeiling returns the scopes (normalised, sorted, distinct) that no ceiling glob allows; an empty
	// ceiling allows everything.
	BeyondCeiling(scopes, ceiling []string) []string
}

// ApprovedTool is one vendor listed in the approved-tools file.
type ApprovedTool struct {
	VendorID      string
	Name          string
	Status        string // an Approval* status, after expiry evaluation
	Owner         string
	Ticket        string
	Subcategories []string // the vendor's subcategory IDs, primary first
	Expires       time.Time
}

// ScopeClass is the risk class of one OAuth scope or permission, with a short reason.
type ScopeClass struct {
	Scope string
	Class string // restricted | high | sensitive | low | unknown
	Why   string
}

// Match is one rule hit on one record (record stage) or one vendor (inventory stage). Matches with the same rule
// and group key become one Finding.
type Match struct {
	RuleID      string
	Title       string
	Severity    string
	GroupKey    string
	Vendor      *Vendor
	Message     string
	Remediation string
	Evidence    []Evidence
}

// Evaluator turns records and the inventory into matches. Implementations must be safe for concurrent use.
type Evaluator interface {
	EvaluateRecord(ctx context.Context, rec *Record, res Resolution, appr Approval, emit func(Match)) error
	EvaluateInventory(ctx context.Context, inv []InventoryItem, unidentified []Unidentified, emit func(Match)) error
}

// Suppression silences a finding, by fingerprint or by rule + vendor, until it expires.
type Suppression struct {
	Fingerprint string    `json:"fingerprint,omitempty"`
	RuleID      string    `json:"rule_id,omitempty"`
	Vendor      string    `json:"vendor,omitempty"`
	Owner       string    `json:"owner"`
	Reason      string    `json:"reason"`
	Expires     time.Time `json:"expires,omitzero"`
	Expired     bool      `json:"expired,omitempty"`
}

// Matches reports whether s applies to f.
func (s Suppression) Matches(f *Finding) bool {
	if s.Fingerprint != "" {
		return s.Fingerprint == f.Fingerprint
	}
	if s.RuleID == "" || s.RuleID != f.RuleID {
		return false
	}
	if s.Vendor == "" || s.Vendor == "*" {
		return true
	}
	return f.Vendor != nil && (s.Vendor == f.Vendor.ID || strings.EqualFold(s.Vendor, f.Vendor.Name))
}
