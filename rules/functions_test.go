package rules

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// TestFunctionsAndFields evaluates expressions over a record, for the CEL functions and view fields.
func TestFunctionsAndFields(t *testing.T) {
	rec := &scanner.Record{Kind: "oauth_grant", ID: "r1", Provider: "ws", Source: "google_workspace", Summary: "s",
		Principal: &scanner.Principal{Type: "user", Email: "Chloe@Example.com", OrgUnit: "/Marketing/Growth"},
		Scopes:    []string{"https://www.googleapis.com/auth/gmail.readonly", "openid"},
		Amount:    &scanner.Amount{Value: 120, Currency: "eur", Period: "annual"},
		Hints: []scanner.Hint{{Type: "google_client_id", Value: "1-abc.apps.googleusercontent.com"}, {Type: "name", Value: "LeadMagnet"},
			{Type: "dkim_selector", Value: "k2", Target: "dkim2.mcsv.net"}},
		Attributes: map[string]any{"n": int64(3), "f": 2.5, "list": []string{"a", "b"}, "flag": true},
		FirstSeen:  time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	for expr, want := range map[string]bool{
		`record.user == "chloe@example.com" && record.principal.marketing`:                                                      true,
		`record.amount.monthly == 10.0 && record.amount.recurring && record.amount.currency == "EUR"`:                           true,
		`record.hint("name") == "LeadMagnet" && record.hint("merchant") == ""`:                                                  true,
		`record.hasHint("google_client_id") && !record.hasHint("merchant")`:                                                     true,
		`record.hints.exists(h, h.type == "dkim_selector" && h.target == "dkim2.mcsv.net")`:                                     true,
		`scopeClass(record.scopes[0]) == "restricted" && scopeName(record.scopes[0]) == "gmail.readonly"`:                       true,
		`scopesOfClass(record.scopes, "restricted") == ["gmail.readonly"]`:                                                      true,
		`beyondCeiling(record.scopes, ["openid"]) == ["gmail.readonly"] && !withinCeiling(record.scopes, ["openid"])`:           true,
		`glob("*.apps.googleusercontent.com", record.hint("google_client_id"))`:                                                 true,
		`record.attributes.n > 2 && record.attributes.f < 3 && "b" in record.attributes.list && record.attributes.flag == true`: true,
		`record.attributes.?missing.orValue(7) == 7`:                                                                            true,
		`has(record.principal) && has(record.amount) && !has(record.last_seen) && has(record.first_seen)`:                       true,
		`record.first_seen < org.now && org.now - record.first_seen > duration("24h")`:                                          true,
		`vendor.key == "google_client_id:1-abc.apps.googleusercontent.com" && vendor.name == "LeadMagnet" && !vendor.known`:     true,
		`approval.status == "unapproved" && !approval.approved && !approval.listed`:                                             true,
		`org.name == "Example" && "example.com" in org.domains && org.thresholds.many_users == 10`:                              true,
		`sets.contains(record.scopes, ["openid"]) && record.scopes.join(",").contains("gmail")`:                                 true,
		`dyn(record.principal).email == "Chloe@Example.com"`:                                                                    true,
		`lists.range(3).size() == 3`: true,
	} {
		ok := evalOn(t, expr, rec)
		if ok != want {
			t.Errorf("%s = %v, want %v", expr, ok, want)
		}
	}
}

func evalOn(t *testing.T, expr string, rec *scanner.Record) bool {
	t.Helper()
	matched, err := runExpr(t, expr, rec)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return matched
}

// runExpr runs a record rule whose condition is expr on rec: whether it matched, or the run-time error.
func runExpr(t *testing.T, expr string, rec *scanner.Record) (bool, error) {
	t.Helper()
	src := "rules:\n  - id: t\n    title: t\n    severity: low\n    stage: record\n    message: m\n    remediation: r\n    when: '" +
		strings.ReplaceAll(expr, "'", "''") + "'\n"
	rs, errs := ParseFile("t.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatalf("%s: %v", expr, errs)
	}
	m, err := RunCase(context.Background(), rs[0], &Case{Record: rec, Approval: scanner.Approval{Status: "unapproved"}})
	return m != nil, err
}

// TestRenderFailureKeepsMatch: a template that fails at run time still reports the match.
func TestRenderFailureKeepsMatch(t *testing.T) {
	src := `rules:
  - id: t
    title: Broken message
    severity: low
    stage: record
    when: record.kind == "x"
    group_by: record.id
    message: "{{.record.attributes.nope}}"
    remediation: r
`
	rs, errs := ParseFile("t.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	set, _ := newRuleSet(rs, Options{})
	eng := NewEngine(set, OrgInfo{})
	var got []scanner.Match
	err := eng.EvaluateRecord(context.Background(), &scanner.Record{Kind: "x", ID: "1"}, scanner.Resolution{}, scanner.Approval{},
		func(m scanner.Match) { got = append(got, m) })
	if err == nil || len(got) != 1 || got[0].Message != "Broken message." {
		t.Errorf("err=%v matches=%+v", err, got)
	}
}

// TestStringListFields: the list fields kept in the reused views (record.scopes, approval.scopes,
// approval.aws_accounts, vendor.subcategories) behave as cel-go's lists in every operation, and one engine
// evaluating record after record sees each record's own lists.
func TestStringListFields(t *testing.T) {
	exprs := []string{
		`record.scopes == ["a", "b"]`, `["a", "b"] == record.scopes`, `record.scopes != ["a"]`,
		`"b" in record.scopes`, `!("c" in record.scopes)`, `record.scopes + ["c"] == ["a", "b", "c"]`,
		`["z"] + record.scopes == ["z", "a", "b"]`, `record.scopes.exists(s, s == "b")`, `record.scopes.all(s, s < "c")`,
		`record.scopes.size() == 2 && size(record.scopes) == 2`, `record.scopes[1] == "b"`,
		`dyn(record.scopes) == dyn(["a", "b"])`, `record.scopes.join("+") == "a+b"`, `record.scopes.map(s, s + "!") == ["a!", "b!"]`,
		`record.scopes.filter(s, s != "a") == ["b"]`, `sets.equivalent(record.scopes, ["b", "a"])`,
		`approval.scopes == ["a*"] && approval.aws_accounts == ["1"] && "1" in approval.aws_accounts`,
		`vendor.subcategories == ["crm", "email"] && "email" in vendor.subcategories`,
		`type(record.scopes) == list && record.scopes.sort() == ["a", "b"]`,
	}
	var rules strings.Builder
	rules.WriteString("rules:\n")
	for i, e := range exprs {
		fmt.Fprintf(&rules, "  - {id: t%d, title: t, severity: low, stage: record, message: m, remediation: r, when: '%s'}\n", i,
			strings.ReplaceAll(e, "'", "''"))
	}
	eng := NewEngine(parseRules(t, rules.String()), OrgInfo{})
	vendor := &scanner.Vendor{ID: "v", Name: "V", Subcategories: []string{"crm", "email"}}
	appr := scanner.Approval{Status: scanner.ApprovalApproved, Scopes: []string{"a*"}, AWSAccounts: []string{"1"}}
	other := &scanner.Vendor{ID: "w", Name: "W", Subcategories: []string{"ads"}}
	otherAppr := scanner.Approval{Status: scanner.ApprovalApproved, Scopes: []string{"x"}}
	for round := 0; round < 3; round++ {
		matched := map[string]bool{}
		rec := scanner.Record{Kind: "oauth_grant", ID: "r", Scopes: []string{"a", "b"}}
		if err := eng.EvaluateRecord(context.Background(), &rec, scanner.Resolution{Vendor: vendor}, appr,
			func(m scanner.Match) { matched[m.RuleID] = true }); err != nil {
			t.Fatal(err)
		}
		for i, e := range exprs {
			if !matched[fmt.Sprintf("t%d", i)] {
				t.Errorf("round %d: %s is false", round, e)
			}
		}
		// Another record with other lists in between: nothing of it may stay in the reused views.
		var got []string
		rec2 := scanner.Record{Kind: "oauth_grant", ID: "r2", Scopes: []string{"c", "d"}}
		if err := eng.EvaluateRecord(context.Background(), &rec2, scanner.Resolution{Vendor: other}, otherAppr,
			func(m scanner.Match) { got = append(got, m.RuleID) }); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != "t2,t9" { // != ["a"], size() == 2
			t.Errorf("round %d: rules %v match the other record", round, got)
		}
	}
}

// The functions check their arguments at run time (type guards are off, see noGuards): an argument of the wrong
// type, which dyn() lets past the checker, is an error naming what was expected, never a panic or a silent false.
func TestFunctionArgumentErrors(t *testing.T) {
	rec := &scanner.Record{Kind: "oauth_grant", ID: "r1", Scopes: []string{"openid"}}
	for expr, want := range map[string]string{
		`withinCeiling(dyn(1), ["openid"])`:          "expected a list of strings, got int",
		`withinCeiling(record.scopes, dyn("x"))`:     "expected a list of strings, got string",
		`beyondCeiling(dyn([1]), ["openid"]) == []`:  "expected a list of strings, got list",
		`beyondCeiling(record.scopes, dyn(2)) == []`: "expected a list of strings, got int",
		`hasScopeOfClass(dyn(1), "low")`:             "expected a list of strings, got int",
		`scopesOfClass(record.scopes, dyn(1)) == []`: "expected a string, got int",
		`scopeClass(dyn(1)) == "low"`:                "expected a string, got int",
	} {
		_, err := runExpr(t, expr, rec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", expr, err, want)
		}
	}
}
