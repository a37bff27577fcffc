package rules

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// TestRenderCacheByInputs: the render cache keyed by template inputs must see every input. Each row changes one
// thing a message reads; the engine that rendered the base record before (and everything before it) must give the
// variant the text a fresh engine gives it, and where the change shows in the text, a text other than the base's.
func TestRenderCacheByInputs(t *testing.T) {
	src := `rules:
  - id: t
    title: Everything
    severity: low
    stage: record
    when: record.kind == "x"
    group_by: record.id
    vars:
      s: 'record.summary + "!"'
      unused: 'record.summary.size()'
    message: >-
      {{.record.attributes}}|{{.record.scopes}}|{{.record.principal.email}}|{{.record.amount.value}}|
      {{.record.amount.currency}}|{{.record.first_seen}}|{{.record.hints}}|{{.vendor.name}}|{{.vendor.known}}|
      {{.approval.owner}}|{{.approval.scopes}}|{{.vars.s}}|{{.org.name}}
    remediation: '{{.vendor.hint.value}} {{.approval.status}}'
`
	set := parseRules(t, src)
	org := OrgInfo{Organization: scanner.Organization{Name: "Acme"}, Now: func() time.Time { return testNow }}
	hubspot := &scanner.Vendor{ID: "hubspot", Name: "HubSpot", Category: "marketing", Martech: true}
	other := &scanner.Vendor{ID: "hubspot", Name: "HubSpot CRM", Category: "marketing", Martech: true}
	type input struct {
		rec  scanner.Record
		res  scanner.Resolution
		appr scanner.Approval
	}
	base := func() input {
		return input{
			rec: scanner.Record{Kind: "x", Summary: "sum", Scopes: []string{"a", "b"},
				Principal:  &scanner.Principal{Type: "user", Email: "a@x.example"},
				Amount:     &scanner.Amount{Value: 10, Currency: "usd", Period: scanner.PeriodMonthly},
				Attributes: map[string]any{"ab": "c", "n": map[string]any{"x": 1}, "l": []any{"p", "q"}},
				FirstSeen:  time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
				Hints:      []scanner.Hint{{Type: scanner.HintName, Value: "HubSpot"}}},
			res:  scanner.Resolution{Vendor: hubspot, Confidence: 0.9, Hint: scanner.Hint{Type: scanner.HintName, Value: "HubSpot"}},
			appr: scanner.Approval{Status: scanner.ApprovalApproved, Owner: "it", Scopes: []string{"openid"}},
		}
	}
	rows := []struct {
		name   string
		change func(*input)
		shows  bool // the change shows in the text
	}{
		{"nothing", func(*input) {}, false},
		{"attribute value", func(in *input) {
			in.rec.Attributes = map[string]any{"ab": "d", "n": map[string]any{"x": 1}, "l": []any{"p", "q"}}
		}, true},
		{"attribute key and value boundary", func(in *input) {
			in.rec.Attributes = map[string]any{"a": "bc", "n": map[string]any{"x": 1}, "l": []any{"p", "q"}}
		}, true},
		{"nested attribute", func(in *input) {
			in.rec.Attributes = map[string]any{"ab": "c", "n": map[string]any{"x": 2}, "l": []any{"p", "q"}}
		}, true},
		{"list attribute joined", func(in *input) {
			in.rec.Attributes = map[string]any{"ab": "c", "n": map[string]any{"x": 1}, "l": []any{"p q"}}
		}, false},
		{"int attribute as float", func(in *input) {
			in.rec.Attributes = map[string]any{"ab": "c", "n": map[string]any{"x": 1.0}, "l": []any{"p", "q"}}
		}, false},
		{"int attribute as string", func(in *input) {
			in.rec.Attributes = map[string]any{"ab": "c", "n": map[string]any{"x": "1"}, "l": []any{"p", "q"}}
		}, false},
		{"no attributes", func(in *input) { in.rec.Attributes = nil }, true},
		{"unusual attribute type", func(in *input) {
			in.rec.Attributes = map[string]any{"ab": "c", "n": map[string]any{"x": uint8(1)}, "l": []any{"p", "q"}}
		}, false},
		{"scope order", func(in *input) { in.rec.Scopes = []string{"b", "a"} }, true},
		{"scope split", func(in *input) { in.rec.Scopes = []string{"a b"} }, false},
		{"scopes run together with the type tag", func(in *input) { in.rec.Scopes = []string{"a" + string(rune(tagString)) + "b"} }, true},
		{"principal email", func(in *input) { in.rec.Principal = &scanner.Principal{Type: "user", Email: "b@x.example"} }, true},
		{"no principal", func(in *input) { in.rec.Principal = nil }, true},
		{"amount", func(in *input) {
			in.rec.Amount = &scanner.Amount{Value: 11, Currency: "usd", Period: scanner.PeriodMonthly}
		}, true},
		{"currency", func(in *input) {
			in.rec.Amount = &scanner.Amount{Value: 10, Currency: "eur", Period: scanner.PeriodMonthly}
		}, true},
		{"first seen", func(in *input) { in.rec.FirstSeen = in.rec.FirstSeen.Add(time.Nanosecond) }, true},
		{"first seen in another zone", func(in *input) { in.rec.FirstSeen = in.rec.FirstSeen.In(time.FixedZone("X", 3600)) }, true},
		{"first seen with a monotonic reading", func(in *input) { in.rec.FirstSeen = time.Now() }, true},
		{"hint value", func(in *input) { in.rec.Hints = []scanner.Hint{{Type: scanner.HintName, Value: "Hubspot"}} }, true},
		{"hint type", func(in *input) { in.rec.Hints = []scanner.Hint{{Type: scanner.HintDomain, Value: "HubSpot"}} }, true},
		{"vendor name", func(in *input) { in.res.Vendor = other }, true},
		{"vendor unknown", func(in *input) { in.res = scanner.Resolution{Hint: in.res.Hint} }, true},
		{"resolution hint", func(in *input) { in.res.Hint.Value = "hubspot.com" }, true},
		{"approval owner", func(in *input) { in.appr.Owner = "marketing" }, true},
		{"approval scopes", func(in *input) { in.appr.Scopes = []string{"openid", "email"} }, true},
		{"approval status", func(in *input) { in.appr.Status = scanner.ApprovalTolerated }, true},
		{"var", func(in *input) { in.rec.Summary = "sum2" }, true},
	}
	ctx := context.Background()
	render := func(eng *Engine, in input, id string) scanner.Match {
		t.Helper()
		in.rec.ID = id
		var got []scanner.Match
		if err := eng.EvaluateRecord(ctx, &in.rec, in.res, in.appr, func(m scanner.Match) { got = append(got, m) }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("%d matches", len(got))
		}
		return got[0]
	}
	shared := NewEngine(set, org)
	want := render(NewEngine(set, org), base(), "base")
	for i, row := range rows {
		b := render(shared, base(), "b"+strconv.Itoa(i))
		if b.Message != want.Message || b.Remediation != want.Remediation {
			t.Fatalf("%s: base record rendered %q after the rows before, want %q", row.name, b.Message, want.Message)
		}
		in := base()
		row.change(&in)
		got := render(shared, in, "v"+strconv.Itoa(i))
		fresh := render(NewEngine(set, org), in, "v")
		if got.Message != fresh.Message || got.Remediation != fresh.Remediation {
			t.Errorf("%s: cached engine gave\n%q %q\nfresh engine\n%q %q", row.name, got.Message, got.Remediation, fresh.Message, fresh.Remediation)
		}
		if row.shows && got.Message == b.Message && got.Remediation == b.Remediation {
			t.Errorf("%s: the change does not show in %q", row.name, got.Message)
		}
	}
	// The cache is used: the base inputs and every cacheable variant have one entry each; a timestamp with a zone
	// or a monotonic reading, and an unusual attribute type, are rendered every time.
	if n, want := len(shared.byInputs), 1+len(rows)-1-3; n != want {
		t.Errorf("%d texts cached by inputs, want %d", n, want)
	}
}
