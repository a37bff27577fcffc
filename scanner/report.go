package scanner

import "time"

// SchemaVersion is the version of the JSON report contract (README.md, The JSON report). Bump it when a field is renamed or removed.
const SchemaVersion = 1

// Coverage statuses.
const (
	CoverageComplete = "complete"
	CoveragePartial  = "partial"
	CoverageFailed   = "failed"
)

// Severities, highest first.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
	SeverityInfo     = "info"
)

// Severities lists the severities from highest to lowest.
var Severities = []string{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

// SeverityRank orders severities: critical 5 … info 1; unknown 0.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return len(Severities) - i
		}
	}
	return 0
}

// Finding lifecycle statuses.
const (
	StatusNew        = "new"
	StatusExisting   = "existing"
	StatusSuppressed = "suppressed"
)

// Approval statuses as they appear in the report.
const (
	ApprovalApproved   = "approved"
	ApprovalTolerated  = "tolerated"
	ApprovalReview     = "review"
	ApprovalBanned     = "banned"
	ApprovalExpired    = "expired"
	ApprovalUnapproved = "unapproved"
)

// Report is the result of one scan: the JSON report contract, schema_version 1.
type Report struct {
	SchemaVersion int             `json:"schema_version"`
	Tool          Tool            `json:"tool"`
	Scan          ScanInfo        `json:"scan"`
	Coverage      []Coverage      `json:"coverage"`
	Summary       Summary         `json:"summary"`
	Inventory     []InventoryItem `json:"inventory"`
	Unidentified  []Unidentified  `json:"unidentified"`
	Findings      []Finding       `json:"findings"`
	Resolved      []Finding       `json:"resolved"`
	// Unconfirmed lists baseline findings this scan neither saw nor could clear, because a provider their
	// evidence came from was partial or failed; each says why in `unconfirmed`. They are not resolved: the next
	// scan in which those providers complete resolves them or sees them again. Added without a schema bump.
	Unconfirmed []Finding `json:"unconfirmed,omitempty"`
	// Rules describes every rule that has a finding (resolved ones included), for writers that need descriptions
	// and tags (SARIF, HTML). Added in schema_version 1 without a bump: readers of older reports see none.
	Rules []RuleInfo `json:"rules,omitempty"`
	// Trend is the headline numbers of recent scans, oldest first, when the scan ran with a state folder.
	Trend []TrendPoint `json:"trend,omitempty"`
	// Shard is present only in a shard report (scan --shard K/N): what report merge needs (ShardState).
	Shard *ShardState `json:"shard,omitempty"`
}

// RuleInfo describes a rule for readers of the report.
type RuleInfo struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
}

// TrendPoint is one past scan's headline numbers.
type TrendPoint struct {
	ScanID                   string             `json:"scan_id"`
	StartedAt                time.Time          `json:"started_at"`
	Complete                 bool               `json:"complete"`
	Findings                 int                `json:"findings"`
	NewFindings              int                `json:"new_findings"`
	ResolvedFindings         int                `json:"resolved_findings"`
	UnapprovedMartechVendors int                `json:"unapproved_martech_vendors"`
	UnapprovedMonthlySpend   map[string]float64 `json:"unapproved_monthly_spend"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// ScanInfo identifies one scan.
type ScanInfo struct {
	ID           string    `json:"id"`
	StartedAt    time.Time `json:"started_at"`
	FinishedAt   time.Time `json:"finished_at"`
	Organization string    `json:"organization"`
}

// Coverage is what one provider instance managed to read.
type Coverage struct {
	Provider   string          `json:"provider"`
	Type       string          `json:"type"`
	Status     string          `json:"status"`
	Records    int             `json:"records"`
	DurationMS int64           `json:"duration_ms"`
	Errors     []CoverageError `json:"errors"`
	// Skipped lists what the provider deliberately did not read (a suspended account, an excluded OU).
	Skipped []string `json:"skipped,omitempty"`
}

// CoverageError is one thing a provider could not read, and why.
type CoverageError struct {
	API     string `json:"api,omitempty"`    // e.g. "tokens.list", "iam:ListRoles"
	Target  string `json:"target,omitempty"` // e.g. a user, an account ID, a DNS name
	Message string `json:"message"`
}

// Summary holds the headline numbers of a report.
type Summary struct {
	Findings                 int            `json:"findings"`
	BySeverity               map[string]int `json:"by_severity"`
	Vendors                  int            `json:"vendors"`
	MartechVendors           int            `json:"martech_vendors"`
	UnapprovedMartechVendors int            `json:"unapproved_martech_vendors"`
	NewFindings              int            `json:"new_findings"`
	SuppressedFindings       int            `json:"suppressed_findings"`
	UnidentifiedApps         int            `json:"unidentified"`
	// UnconfirmedFindings counts the report's unconfirmed list (baseline findings a failed provider could not clear).
	UnconfirmedFindings    int                `json:"unconfirmed_findings,omitempty"`
	UnapprovedMonthlySpend map[string]float64 `json:"unapproved_monthly_spend"`
}

// Vendor is a catalogue vendor as the report names it.
type Vendor struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Martech  bool   `json:"martech"`
	// Subcategories is used by rules; it is not part of the report.
	Subcategories []string `json:"-"`
}

// InventoryItem is one vendor's roll-up across all sources.
type InventoryItem struct {
	Vendor       Vendor             `json:"vendor"`
	Approval     string             `json:"approval"`
	Sources      []string           `json:"sources"`
	UserCount    int                `json:"user_count"`
	Users        []string           `json:"users"`
	Records      int                `json:"records"`
	MonthlySpend map[string]float64 `json:"monthly_spend"`
	FirstSeen    time.Time          `json:"first_seen,omitzero"`
	LastSeen     time.Time          `json:"last_seen,omitzero"`
	// Kinds and Scopes feed inventory-stage rules; they are not part of the report.
	Kinds  map[string]int `json:"-"`
	Scopes []string       `json:"-"`
}

// Unidentified groups records no catalogue vendor matched, by what they are.
type Unidentified struct {
	Key       string    `json:"key"`        // hint type + value, e.g. "google_client_id:1234.apps.googleusercontent.com"
	HintType  HintType  `json:"hint_type"`  // the strongest hint the records carried
	Value     string    `json:"value"`      // its value
	Name      string    `json:"name"`       // a display name, if any record had one
	Kinds     []string  `json:"kinds"`      // record kinds seen
	Sources   []string  `json:"sources"`    // provider types seen
	Records   int       `json:"records"`    // how many records
	UserCount int       `json:"user_count"` // distinct users
	Users     []string  `json:"users"`
	Scopes    []string  `json:"scopes"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// Evidence is one record behind a finding.
type Evidence struct {
	Provider string `json:"provider"`
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Summary  string `json:"summary"`
}

// Finding is one rule hit, grouped by the rule's group_by key.
type Finding struct {
	Fingerprint   string       `json:"fingerprint"`
	RuleID        string       `json:"rule_id"`
	Title         string       `json:"title"`
	Severity      string       `json:"severity"`
	Status        string       `json:"status"`
	Vendor        *Vendor      `json:"vendor"`
	Message       string       `json:"message"`
	Remediation   string       `json:"remediation"`
	Evidence      []Evidence   `json:"evidence"`
	EvidenceCount int          `json:"evidence_count"`
	Suppression   *Suppression `json:"suppression,omitempty"`
	// With a state folder: when the finding was first reported; for resolved findings also the last scan that
	// saw it and when it was resolved (so how long it existed). Added without a schema bump (additive).
	FirstSeen  time.Time `json:"first_seen,omitzero"`
	LastSeen   time.Time `json:"last_seen,omitzero"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	// Unconfirmed, on a finding in the report's unconfirmed list, says which providers did not complete and why.
	Unconfirmed string `json:"unconfirmed,omitempty"`
}
