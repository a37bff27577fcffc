package dns

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/shadowscan/shadowscan/providers/internal/confcheck"
	"github.com/shadowscan/shadowscan/providers/internal/dnslive"
)

// Config is the dns provider's configuration block.
type Config struct {
	// Domains are the apex domains to read (Unicode names are converted with IDNA). Empty means the
	// organisation's domains.
	Domains []string `mapstructure:"domains"`
	// Subdomains are extra host labels ("go", "info.eu") or full names below a domain to read; each gets its
	// CNAME chain and its TXT records read.
	Subdomains []string `mapstructure:"subdomains"`
	// CommonSubdomains probes the built-in list of common marketing host names (go, info, pages, email, ...).
	CommonSubdomains bool `mapstructure:"common_subdomains"`
	// DKIMSelectors replaces the built-in list of DKIM selectors to probe; empty means the built-in list.
	DKIMSelectors []string `mapstructure:"dkim_selectors"`
	// Resolver is the DNS server as host or host:port; empty means the servers in /etc/resolv.conf.
	Resolver string `mapstructure:"resolver"`
	// ZoneFiles are RFC 1035 master files read offline instead of querying DNS. When set, no query is made.
	ZoneFiles []string `mapstructure:"zone_files"`
	// TimeoutPerQuery bounds one query attempt.
	TimeoutPerQuery time.Duration `mapstructure:"timeout_per_query"`
	// Retries is how many more attempts a query gets after a timeout or SERVFAIL.
	Retries int `mapstructure:"retries"`
	// Concurrency bounds the names probed at once.
	Concurrency int `mapstructure:"concurrency"`
	// MaxCNAMEDepth bounds the CNAME chains followed.
	MaxCNAMEDepth int `mapstructure:"max_cname_depth"`
}

// NewConfig returns a Config with defaults filled in.
func NewConfig() *Config {
	return &Config{
		CommonSubdomains: true,
		TimeoutPerQuery:  dnslive.DefaultTimeout,
		Retries:          dnslive.DefaultRetries,
		Concurrency:      dnslive.DefaultConcurrency,
		MaxCNAMEDepth:    dnslive.DefaultMaxCNAMEDepth,
	}
}

// Validate checks the configuration; messages name the key.
func (c *Config) Validate() error {
	var p confcheck.Problems
	for i, d := range c.Domains {
		if _, err := toASCII(d); err != nil {
			p.Add("domains[%d]: %v", i, err)
		}
	}
	for i, s := range c.Subdomains {
		if _, err := toASCII(s); err != nil {
			p.Add("subdomains[%d]: %v", i, err)
		}
	}
	for i, s := range c.DKIMSelectors {
		if _, err := toASCII(s); err != nil || strings.Contains(s, "._domainkey") {
			p.Add("dkim_selectors[%d]: %q is not a selector label", i, s)
		}
	}
	for i, f := range c.ZoneFiles {
		if strings.TrimSpace(f) == "" {
			p.Add("zone_files[%d]: must not be empty", i)
		}
	}
	dnslive.Settings{Resolver: c.Resolver, Timeout: c.TimeoutPerQuery, Retries: c.Retries, Concurrency: c.Concurrency,
		MaxCNAMEDepth: c.MaxCNAMEDepth}.Check(&p, "")
	return p.Err()
}

// ResolvePaths resolves zone file paths against the config file's folder.
func (c *Config) ResolvePaths(resolve func(string) string) {
	for i, f := range c.ZoneFiles {
		c.ZoneFiles[i] = resolve(f)
	}
}

// toASCII turns a domain name (possibly Unicode) into its lower-case ASCII (punycode) form without the trailing
// dot. Labels starting with '_' (service labels such as _dmarc) are allowed.
func toASCII(name string) (string, error) {
	n := strings.TrimSuffix(strings.TrimSpace(name), ".")
	if n == "" {
		return "", errors.New("empty name")
	}
	labels := strings.Split(n, ".")
	for i, l := range labels {
		if l == "" {
			return "", fmt.Errorf("%q has an empty label", name)
		}
		if strings.HasPrefix(l, "_") {
			if !isLDH(l[1:]) {
				return "", fmt.Errorf("%q: bad label %q", name, l)
			}
			labels[i] = strings.ToLower(l)
			continue
		}
		a, err := idna.Lookup.ToASCII(l)
		if err != nil {
			return "", fmt.Errorf("%q is not a valid domain name: %v", name, err)
		}
		labels[i] = a
	}
	out := strings.Join(labels, ".")
	if len(out) > 253 {
		return "", fmt.Errorf("%q is longer than 253 characters", name)
	}
	return out, nil
}

// toUnicode is the display form of an ASCII name; it returns "" when the name has no punycode label.
func toUnicode(name string) string {
	if !strings.Contains(name, "xn--") {
		return ""
	}
	u, err := idna.Display.ToUnicode(name)
	if err != nil || u == name {
		return ""
	}
	return u
}

func isLDH(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= 'a' && c <= 'z' || s[i] >= '0' && s[i] <= '9' || s[i] == '-' || s[i] == '_') {
			return false
		}
	}
	return true
}
