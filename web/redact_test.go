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
