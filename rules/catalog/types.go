// Package catalog is the open martech vendor catalogue: embedded YAML entries (one file per category), organisation
// overrides, validation, and the resolver that maps a record's typed hints to a vendor.
package catalog

// Entry is one vendor in the catalogue. YAML keys are the snake_case of the field names (see the yaml tags).
type Entry struct {
	ID            string   `yaml:"id"`            // stable slug: lowercase letters, digits, hyphens ("mailchimp", "google-ads")
	Name          string   `yaml:"name"`          // display name
	Aliases       []string `yaml:"aliases"`       // other names, former names, product names
	Category      string   `yaml:"category"`      // a category ID from taxonomy.yaml
	Subcategories []string `yaml:"subcategories"` // subcategory IDs from taxonomy.yaml, first is primary
	Martech       bool     `yaml:"martech"`       // false for general SaaS (identified, not reported as martech)
	Domains       []string `yaml:"domains"`       // registrable domains the vendor owns (site, CDN, sending)
	Signals       Signals  `yaml:",inline"`       // signal patterns, inline in the entry
	DataAccess    []string `yaml:"data_access"`   // what it typically touches: "contacts", "email content", ...
	Sources       []string `yaml:"sources"`       // where each fact came from: "spf servers.mcsv.net: FACTS S7, S8b"

	File  string `yaml:"-"` // the file the entry was loaded from, for errors
	Line  int    `yaml:"-"` // its line in that file
	Local bool   `yaml:"-"` // defined by the organisation's approved-tools file, not a catalogue file (see Local)
}

// Signals are the patterns that identify a vendor from a record's hints.
//
// Host patterns (spf, cname, dkim targets) are DNS names matched against a host by label suffix: the pattern
// "mcsv.net" matches "servers.mcsv.net" and "mcsv.net". A label may hold a placeholder {name} that matches one or
// more letters, digits or hyphens within that label and is captured for the reason text: "{portal}.spf{n}.hubspotemail.net",
// "{munchkin}.mktoweb.com", "mkto-{id}.com". Matching is case-insensitive.
type Signals struct {
	SPF             []string `yaml:"spf"`               // SPF include hosts (host patterns)
	TXT             []string `yaml:"txt"`               // TXT verification prefixes ("facebook-domain-verification="); "re:<regexp>" for a regexp
	TXTOwner        []string `yaml:"txt_owner"`         // TXT record names, leftmost labels: "_github-challenge-{org}", "_amazonses"
	CNAME           []string `yaml:"cname"`             // CNAME targets (host patterns)
	DKIM            []DKIM   `yaml:"dkim"`              // DKIM selectors and/or their CNAME targets
	MX              []string `yaml:"mx"`                // mail exchanger hosts (host patterns)
	NS              []string `yaml:"ns"`                // name server hosts (host patterns): "awsdns-{n}.com"
	GoogleClientIDs []string `yaml:"google_client_ids"` // exact OAuth client IDs
	EntraAppIDs     []string `yaml:"entra_app_ids"`     // exact application (client) GUIDs
	AWSAccounts     []string `yaml:"aws_accounts"`      // 12-digit account IDs
	Merchants       []string `yaml:"merchants"`         // card descriptor names as they appear on statements ("MAILCHIMP", "FACEBK")
	OAuthNames      []string `yaml:"oauth_names"`       // app display names seen in consent screens
}

// DKIM is a selector (may hold a placeholder: "hs1-{portal}") and/or the host pattern its CNAME points to.
// A selector without a target is only a weak signal (selector names collide across vendors); the resolver
// gives it low confidence. OnlyWithTarget marks an email relay's own naming of its customers' selectors
// (SMTP2GO's "s{id}" → dkim.smtp2go.net): too short to name anyone alone, it counts only when the key is on a host
// of this relay, and then says the organisation is the relay's customer, not a sender the relay serves.
type DKIM struct {
	Selector       string `yaml:"selector"`
	Target         string `yaml:"target"`
	OnlyWithTarget bool   `yaml:"only_with_target"`
}

// Category is a top-level category from taxonomy.yaml.
type Category struct {
	ID            string        `yaml:"id"`
	Name          string        `yaml:"name"`
	Martech       bool          `yaml:"martech"`
	Subcategories []Subcategory `yaml:"subcategories"`
}

// Subcategory is a subcategory within a category.
type Subcategory struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

// Catalog is the loaded, validated catalogue. It is read-only: catalogues loaded in one process share the lists of
// the built-in entries.
type Catalog struct {
	Categories []Category
	Entries    []Entry // sorted by ID
	// MicrosoftApps maps Microsoft first-party application IDs (lower-case GUIDs) to their display names; they
	// resolve to the vendor with ID "microsoft".
	MicrosoftApps map[string]string
}
