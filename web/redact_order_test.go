package web

import (
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// Names are found person by person, not in text order: the redactions still land where each name is, and an empty
// string stays empty.
func TestRedactorNamesOutOfTextOrder(t *testing.T) {
	rep := &scanner.Report{Inventory: []scanner.InventoryItem{{Users: []string{"Erin Lopez", "Ben Ray", "Kane"}}}}
	r := newRedactor(rep)
	for in, want := range map[string]string{
		"ben ray paid erin lopez":        "[redacted] paid [redacted]",
		"kane, ben ray and erin lopez":   "[redacted], [redacted] and [redacted]",
		"erin lopez kane; ben ray; kane": "[redacted] [redacted]; [redacted]; [redacted]",
		"":                               "",
		"nobody here":                    "nobody here",
	} {
		if got := r.scrub(in); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
}
