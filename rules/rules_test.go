package rules

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

func TestTestFileErrors(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	// A broken rules file is an error, not a test failure.
	if _, err := TestFile(rs, "testdata/invalid/unknown_field.yaml"); err == nil || !strings.Contains(err.Error(), "undefined field 'kidn'") {
		t.Errorf("invalid rules file: %v", err)
	}
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown rule":  {"cases: [{rule: banned-vendr, expect: match, record: {kind: x}}]", `no rule with id "banned-vendr" (did you mean "banned-vendor"?)`},
		"bad expect":    {"cases: [{rule: banned-vendor, expect: yes, record: {kind: x}}]", `expect must be match or no_match`},
		"wrong stage":   {"cases: [{rule: redundant-tool, expect: match, record: {kind: x}}]", `rule redundant-tool is an inventory-stage rule: give usage and vendor`},
		"no rule":       {"cases: [{expect: match, record: {kind: x}}]", `rule is required`},
		"both":          {"rules: []\ncases: []", "either `rules:` or `cases:`"},
		"neither":       {"foo: 1", `unknown key "foo"`},
		"empty":         {"", "empty file"},
		"cases not map": {"cases: 3", "`cases` must be a list"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := TestData(rs, "t.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := TestFile(rs, "testdata/test/nope.yaml"); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

// TestEngineConcurrent evaluates from many goroutines at once (run with -race).
func TestEngineConcurrent(t *testing.T) {
	eng, _, appr := benchEngine(t)
	res := newFakeResolver(benchHints)
	recs := syntheticRecords(2000)
	sink := &matchSink{findings: map[string]*sinkFinding{}}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range recs {
				r := res.Resolve(&recs[i])
				a := scanner.Approval{Status: scanner.ApprovalUnapproved}
				if r.Vendor != nil {
					a = appr.Approval(r.Vendor.ID)
				}
				if err := eng.EvaluateRecord(context.Background(), &recs[i], r, a, sink.add); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	single := &matchSink{findings: map[string]*sinkFinding{}}
	for i := range recs {
		r := res.Resolve(&recs[i])
		a := scanner.Approval{Status: scanner.ApprovalUnapproved}
		if r.Vendor != nil {
			a = appr.Approval(r.Vendor.ID)
		}
		_ = eng.EvaluateRecord(context.Background(), &recs[i], r, a, single.add)
	}
	if sink.matches != 4*single.matches || len(sink.findings) != len(single.findings) {
		t.Errorf("concurrent: %d matches, %d findings; sequential: %d, %d", sink.matches, len(sink.findings), single.matches, len(single.findings))
	}
	if single.matches == 0 {
		t.Error("no matches")
	}
	// A cancelled context stops evaluation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := eng.EvaluateRecord(ctx, &recs[0], scanner.Resolution{}, scanner.Approval{}, func(scanner.Match) {}); err == nil {
		t.Error("cancelled context: no error")
	}
}

// TestEvaluateInventory runs the inventory and unidentified stages directly.
func TestEvaluateInventory(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	appr := testPolicy(t, demoApprovals, testNow, nil)
	eng := NewEngine(rs, OrgInfo{Policy: appr, Thresholds: map[string]int{"many_users": 2}, Now: func() time.Time { return testNow }})
	idx := newFakeIndex()
	hot, _ := idx.Lookup("hotjar")
	cal, _ := idx.Lookup("calendly")
	inv := []scanner.InventoryItem{
		{Vendor: hot, Approval: "expired", UserCount: 1, Users: []string{"alice@x"}, Records: 1, MonthlySpend: map[string]float64{"USD": 39}},
		{Vendor: cal, Approval: "unapproved", UserCount: 3, Users: []string{"a", "b", "c"}, Records: 3},
	}
	un := []scanner.Unidentified{{Key: "google_client_id:1-x", HintType: scanner.HintGoogleClientID, Value: "1-x", Name: "Quizzy", UserCount: 5, Records: 5}}
	var got []string
	if err := eng.EvaluateInventory(context.Background(), inv, un, func(m scanner.Match) {
		v := "-"
		if m.Vendor != nil {
			v = m.Vendor.ID
		}
		got = append(got, m.RuleID+" "+v+" "+m.Evidence[0].Kind+":"+m.Evidence[0].ID)
	}); err != nil {
		t.Fatal(err)
	}
	want := "redundant-tool hotjar inventory:hotjar|unapproved-many-users calendly inventory:calendly|unknown-app-many-users - unidentified:google_client_id:1-x"
	// hotjar's approval comes from the policy (expired), calendly's is unapproved with 3 ≥ 2 users.
	if strings.Join(got, "|") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
}

// TestREADME keeps rules/README.md in step with the code: every CEL field, function and built-in rule is there.
func TestREADME(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, td := range Types() {
		for _, f := range td.Fields {
			if !strings.Contains(doc, "`"+f.Name+"`") && !strings.Contains(doc, " "+f.Name+" ") {
				t.Errorf("README does not document %s.%s", td.Name, f.Name)
			}
		}
	}
	for _, fn := range Functions {
		if strings.HasPrefix(fn.Signature, "ext:") {
			continue
		}
		name := strings.SplitN(fn.Signature, "(", 2)[0]
		if !strings.Contains(doc, name) {
			t.Errorf("README does not document %s", fn.Signature)
		}
	}
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs.Rules {
		if !strings.Contains(doc, "| `"+r.ID+"` | "+r.Severity+" | "+r.Stage+" |") {
			t.Errorf("README's table lacks %s (%s, %s)", r.ID, r.Severity, r.Stage)
		}
	}
}

// TestPrefiltersAreExact: skipping rules by kind, vendor.known and the prefilter (prefilter.go) gives the same matches as evaluating every
// record-stage rule on every record.
func TestPrefiltersAreExact(t *testing.T) {
	eng, rs, appr := benchEngine(t)
	res := newFakeResolver(benchHints)
	ctx := context.Background()
	for i, rec := range syntheticRecords(3000) {
		r := res.Resolve(&rec)
		a := scanner.Approval{Status: scanner.ApprovalUnapproved}
		if r.Vendor != nil {
			a = appr.Approval(r.Vendor.ID)
		}
		got := map[string]bool{}
		if err := eng.EvaluateRecord(ctx, &rec, r, a, func(m scanner.Match) { got[m.RuleID+"|"+m.GroupKey] = true }); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, rule := range rs.Rules {
			if rule.Stage != StageRecord {
				continue
			}
			m, err := RunCase(ctx, &Rule{ID: rule.ID, Title: rule.Title, Severity: rule.Severity, Stage: rule.Stage,
				when: rule.when, groupBy: rule.groupBy, vars: rule.vars, Vars: rule.Vars, message: rule.message,
				remediation: rule.remediation}, &Case{Record: &rec, Resolution: r, Approval: a, Org: &CaseOrg{Now: testNow.Format(time.RFC3339)}})
			if err != nil {
				t.Fatal(err)
			}
			if m != nil {
				want[m.RuleID+"|"+m.GroupKey] = true
			}
		}
		if len(got) != len(want) {
			t.Fatalf("record %d (%s): engine %v, full evaluation %v", i, rec.Kind, got, want)
		}
		for k := range want {
			if !got[k] {
				t.Fatalf("record %d (%s): engine %v, full evaluation %v", i, rec.Kind, got, want)
			}
		}
	}
}

// benchEngine is an engine of the built-in rules with the benchmark's approvals.
func benchEngine(t *testing.T) (*Engine, *RuleSet, *policy.Policy) {
	t.Helper()
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	appr := testPolicy(t, benchApprovals, testNow, nil)
	return NewEngine(rs, OrgInfo{Policy: appr, Now: func() time.Time { return testNow }}), rs, appr
}
