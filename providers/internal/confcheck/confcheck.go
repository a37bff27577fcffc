// Package confcheck collects the problems a provider's Validate finds, each naming its key, and words the checks
// that several providers make (a setting's allowed range) the same way.
package confcheck

import (
	"errors"
	"fmt"
)

// Problems is what is wrong with one config, in the order found.
type Problems []error

// Add records a problem; the message starts with the key, e.g. "regions: must not be empty".
func (p *Problems) Add(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

// Range records a problem when v is outside lo..hi: "key: must be between lo and hi, got v".
func (p *Problems) Range(key string, v, lo, hi int) {
	if v < lo || v > hi {
		p.Add("%s: must be between %d and %d, got %d", key, lo, hi, v)
	}
}

// Err is nil without problems, else all of them, one a line.
func (p Problems) Err() error { return errors.Join(p...) }
