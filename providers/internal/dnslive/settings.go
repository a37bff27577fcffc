package dnslive

import (
	"time"

	"github.com/shadowscan/shadowscan/providers/internal/confcheck"
)

// Defaults of the query settings of the providers that ask DNS (the dns provider, the aws provider's check of
// Route 53 CNAME targets).
const (
	DefaultTimeout       = 3 * time.Second
	DefaultRetries       = 2
	DefaultConcurrency   = 8
	DefaultMaxCNAMEDepth = 8
)

// Settings are those query settings as a provider's config holds them (keys resolver, timeout_per_query, retries,
// concurrency, max_cname_depth).
type Settings struct {
	Resolver      string
	Timeout       time.Duration
	Retries       int
	Concurrency   int
	MaxCNAMEDepth int
}

// Check adds a problem for each setting out of range to p, naming its key after prefix ("dns." in the aws config).
func (s Settings) Check(p *confcheck.Problems, prefix string) {
	if s.Resolver != "" {
		if _, err := ServerAddr(s.Resolver); err != nil {
			p.Add("%sresolver: %v", prefix, err)
		}
	}
	if s.Timeout <= 0 {
		p.Add("%stimeout_per_query: must be positive", prefix)
	}
	p.Range(prefix+"retries", s.Retries, 0, 10)
	p.Range(prefix+"concurrency", s.Concurrency, 1, 256)
	p.Range(prefix+"max_cname_depth", s.MaxCNAMEDepth, 1, 32)
}
