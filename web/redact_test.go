package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

func TestRedactorScrubsFreeTextKeepsOwners(t *testing.T) {
	rep := &scanner.Report{Inventory: []scanner.InventoryItem{{Users: []string{"ben@corp.example", "Erin Lopez"}}}}
	in := map[string]any{
		"app_name": "TOOL.IO — 49 USD, ben@corp.example, 1 charge",
		"note":     "paid by erin lopez; ask ops@corp.example",
		"owner":    "ops@corp.example",
		"count":    json.Number("12345678901234567890"),
		"list":     []string{"x", "other@corp.example"},
	}
	out, err := newRedactor(rep).apply(in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	s := string(b)
	for _, leak := range []string{"ben@", "erin lopez", "other@"} {
		if strings.Contains(strings.ToLower(s), leak) {
			t.Errorf("%q leaks: %s", leak, s)
		}
	}
	for _, keep := range []string{`"owner":"ops@corp.example"`, "ask ops@corp.example", "12345678901234567890", "TOOL.IO"} {
		if !strings.Contains(s, keep) {
			t.Errorf("%q lost: %s", keep, s)
		}
	}
}

// Lower-casing changes byte lengths ("İ" → "i", the Kelvin sign → "k"): the name must still go whole, the text
// around it stay intact, and nothing may panic.
func TestRedactorCaseFoldingOfOtherLengths(t *testing.T) {
	rep := &scanner.Report{Inventory: []scanner.InventoryItem{{Users: []string{"Erin Lopez", "Lopez Kane"}}}}
	r := newRedactor(rep)
	for in, want := range map[string]string{
		"İİİİİİ erin lopez paid":      "İİİİİİ [redacted] paid",
		"\u212A\u212A erin LOPEZ":     "\u212A\u212A [redacted]",
		"İerin lopez":                 "İ[redacted]",
		"paid by ERİN LOPEZ":          "paid by [redacted]",
		"\u212Aane: erin lopez kane!": "\u212Aane: [redacted]!", // overlapping names: one redaction
		"erin lopez, erin lopez":      "[redacted], [redacted]",
		"Erin \xff lopez":             "Erin \xff lopez",
	} {
		if got := r.scrub(in); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

// Identifiers shorter than three characters are not redacted (they would blank out every word holding them); from
// three on they are, once each whatever their case.
func TestRedactorIdentifierLength(t *testing.T) {
	rep := &scanner.Report{
		Inventory:    []scanner.InventoryItem{{Users: []string{" al ", "Bob", "BOB"}}},
		Unidentified: []scanner.Unidentified{{Users: []string{"bob", "Eve"}}},
	}
	r := newRedactor(rep)
	if got := strings.Join(r.people, ","); got != "Bob,Eve" {
		t.Errorf("people = %q, want Bob,Eve", got)
	}
	if got := r.scrub("always bob and eve, al"); got != "always [redacted] and [redacted], al" {
		t.Errorf("scrub = %q", got)
	}
}

// Every address in an owner field is a published contact, not only the first.
func TestRedactorKeepsEveryOwnerAddress(t *testing.T) {
	in := map[string]any{"owner": "ops@corp.example, Marketing <mops@corp.example>", "note": "ask mops@corp.example or ops@corp.example, not zoe@corp.example"}
	out, err := newRedactor(&scanner.Report{}).apply(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.(map[string]any)["note"]; got != "ask mops@corp.example or ops@corp.example, not [redacted]" {
		t.Errorf("note = %q", got)
	}
}
