package dnslive

import (
	"fmt"
	"time"
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

// Check returns an error for each setting out of range, naming its key after prefix ("dns." in the aws config).
func (s Settings) Check(prefix string) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(prefix+format, a...)) }
	if s.Resolver != "" {
		if _, err := ServerAddr(s.Resolver); err != nil {
			bad("resolver: %v", err)
		}
	}
	if s.Timeout <= 0 {
		bad("timeout_per_query: must be positive")
	}
	if s.Retries < 0 || s.Retries > 10 {
		bad("retries: must be between 0 and 10, got %d", s.Retries)
	}
	if s.Concurrency < 1 || s.Concurrency > 256 {
		bad("concurrency: must be between 1 and 256, got %d", s.Concurrency)
	}
	if s.MaxCNAMEDepth < 1 || s.MaxCNAMEDepth > 32 {
		bad("max_cname_depth: must be between 1 and 32, got %d", s.MaxCNAMEDepth)
	}
	return errs
}
