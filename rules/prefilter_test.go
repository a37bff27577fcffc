package rules

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// TestPrefilterNeverRejectsAMatch runs every record-stage rule of the built-in pack on every record-stage example
// of the pack and on synthetic records, with CEL alone, and checks that the prefilter accepts every record `when`
// matches (RunCase checks it), and that the prefilter does reject records (so that it is in use).
func TestPrefilterNeverRejectsAMatch(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var cases []*Case
	for _, r := range rs.Rules {
		if r.Stage != StageRecord {
			continue
		}
		cases = append(cases, r.Examples.Match...)
		cases = append(cases, r.Examples.NoMatch...)
	}
	res := newFakeResolver(benchHints)
	appr := testPolicy(t, benchApprovals, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), nil)
	recs := syntheticRecords(3000)
	for i := range recs {
		c := &Case{File: "synthetic", Line: i, Record: &recs[i], Resolution: res.Resolve(&recs[i])}
		c.Approval = scanner.Approval{Status: scanner.ApprovalUnapproved}
		if c.Resolution.Vendor != nil {
			c.Approval = appr.Approval(c.Resolution.Vendor.ID)
		}
		cases = append(cases, c)
	}
	matched, rejected := 0, 0
	for _, r := range rs.Rules {
		if r.Stage != StageRecord {
			continue
		}
		for _, c := range cases {
			m, err := RunCase(context.Background(), r, c)
			if err != nil {
				t.Errorf("%s on %s:%d: %v", r.ID, c.File, c.Line, err)
			}
			if m != nil {
				matched++
			}
			if r.prefilter != nil {
				var in guardIn
				in.reset(c.Record, c.Resolution.Vendor, &c.Approval)
				if !r.prefilter(&in) {
					rejected++
				}
			}
		}
	}
	if matched == 0 || rejected == 0 {
		t.Fatalf("matched %d, rejected by a prefilter %d: the test no longer exercises the prefilter", matched, rejected)
	}
	t.Logf("%d rule×record pairs matched; %d rejected before CEL", matched, rejected)
}

// TestGroupFieldIsTheProgram: a group_by read in Go (plain fields, hints, string attributes and literals joined
// with +) gives what its CEL program gives, for known and unknown vendors, present and absent hints and
// attributes, and attributes that are not strings (which Go leaves to the program).
func TestGroupFieldIsTheProgram(t *testing.T) {
	recs := []scanner.Record{
		{Kind: scanner.KindOAuthGrant, ID: "r1", Hints: []scanner.Hint{{Type: scanner.HintName, Value: "HubSpot"},
			{Type: scanner.HintAWSAccount, Value: "123456789012"}, {Type: scanner.HintAWSAccount, Value: "999"}},
			Attributes: map[string]any{"zone": "example.com", "app_id": "a-1"}},
		{Kind: scanner.KindOAuthGrant, ID: "r2", Hints: []scanner.Hint{{Type: scanner.HintGoogleClientID, Value: "1-x.apps.googleusercontent.com"}},
			Attributes: map[string]any{"zone": 42, "app_id": ""}},
		{Kind: scanner.KindDNSRecord, ID: "r3", Attributes: map[string]any{"zone": true}},
		{Kind: scanner.KindDNSRecord, ID: "r4", Attributes: map[string]any{"zone": 1.5}},
	}
	res := newFakeResolver(map[string]string{"hubspot": "hubspot"})
	for _, c := range []struct {
		groupBy string
		inGo    []bool // per record: Go gives the key (false: the program does)
	}{
		{"vendor.id", []bool{true, true, true, true}},
		{"vendor.key", []bool{true, true, true, true}},
		{"record.id", []bool{true, true, true, true}},
		{`vendor.id + ":" + record.hint("aws_account")`, []bool{true, true, true, true}},
		{`"k/" + vendor.key + "/" + record.id + "/" + record.hint("name")`, []bool{true, true, true, true}},
		{`vendor.id + ":" + string(record.attributes.?zone.orValue(""))`, []bool{true, false, false, false}},
		{`string(record.attributes.?nowhere.orValue("none")) + record.id`, []bool{true, true, true, true}},
		{`vendor.key + ":" + record.attributes.?app_id.orValue("")`, []bool{true, true, true, true}},
	} {
		src := "rules:\n  - {id: t, title: T, severity: low, stage: record, when: 'true', group_by: '" +
			strings.ReplaceAll(c.groupBy, "'", "''") + "', message: m, remediation: r}\n"
		set := parseRules(t, src)
		r := set.Rules[0]
		if r.groupField == nil {
			t.Fatalf("%s: not read in Go", c.groupBy)
		}
		eng := NewEngine(set, OrgInfo{})
		for i := range recs {
			st := &evalState{}
			resolution := res.Resolve(&recs[i])
			var got []string
			if err := eng.EvaluateRecord(context.Background(), &recs[i], resolution, scanner.Approval{},
				func(m scanner.Match) { got = append(got, m.GroupKey) }); err != nil {
				t.Fatal(err)
			}
			plain := *r
			plain.groupField = nil
			m, err := RunCase(context.Background(), &plain, &Case{Record: &recs[i], Resolution: resolution})
			if err != nil || m == nil {
				t.Fatalf("%s on %s: %v %v", c.groupBy, recs[i].ID, m, err)
			}
			if len(got) != 1 || got[0] != m.GroupKey {
				t.Errorf("%s on %s: engine %q, program %q", c.groupBy, recs[i].ID, got, m.GroupKey)
			}
			st.record.rec = &recs[i]
			st.vendor.resetRecord(&recs[i], resolution, nil)
			if _, inGo := r.groupField(st); inGo != c.inGo[i] {
				t.Errorf("%s on %s: read in Go %v, want %v", c.groupBy, recs[i].ID, inGo, c.inGo[i])
			}
		}
	}
	for _, gb := range []string{`vendor.id + record.attributes.?n.orValue(1)`, `vendor.id + string(size(record.hints))`,
		`record.kind + vendor.id`} {
		set := parseRules(t, "rules:\n  - {id: t, title: T, severity: low, stage: record, when: 'true', group_by: '"+gb+
			"', message: m, remediation: r}\n")
		if set.Rules[0].groupField != nil {
			t.Errorf("%s: read in Go, want the program (a part Go does not read)", gb)
		}
	}
}

// TestDecideAgreesWithCEL: a `when` of exact terms and attribute comparisons is decided in Go when the attributes
// are absent, strings or bools, and left to CEL otherwise; whenever Go decides, it agrees with CEL (RunCase
// checks), and the engine matches exactly where CEL does.
func TestDecideAgreesWithCEL(t *testing.T) {
	when := `record.kind == "x" && record.attributes.?a.orValue("d") != "v" && ` +
		`record.attributes.?b.orValue(false) == true && !approval.approved`
	src := "rules:\n  - {id: t, title: T, severity: low, stage: record, group_by: record.id, message: m, remediation: r, when: '" +
		when + "'}\n"
	set := parseRules(t, src)
	r := set.Rules[0]
	if r.decide == nil {
		t.Fatal("the rule is not decided in Go")
	}
	eng := NewEngine(set, OrgInfo{})
	as := []any{nil, "v", "d", "w", 5, true, []string{"v"}, "absent"}
	bs := []any{true, false, "true", 1, nil, "absent"}
	decided, undecided := 0, 0
	for i, a := range as {
		for j, b := range bs {
			rec := scanner.Record{Kind: "x", ID: "r", Attributes: map[string]any{}}
			if a != "absent" {
				rec.Attributes["a"] = a
			}
			if b != "absent" {
				rec.Attributes["b"] = b
			}
			for _, appr := range []scanner.Approval{{Status: scanner.ApprovalUnapproved}, {Status: scanner.ApprovalApproved}} {
				c := &Case{File: "t", Line: 10*i + j, Record: &rec, Approval: appr}
				want, err := RunCase(context.Background(), r, c) // errors if Go and CEL disagree
				if err != nil {
					t.Fatalf("a=%v b=%v %s: %v", a, b, appr.Status, err)
				}
				var got int
				if err := eng.EvaluateRecord(context.Background(), &rec, scanner.Resolution{}, appr, func(scanner.Match) { got++ }); err != nil {
					t.Fatal(err)
				}
				if (got == 1) != (want != nil) || got > 1 {
					t.Errorf("a=%v b=%v %s: engine %d matches, CEL %v", a, b, appr.Status, got, want != nil)
				}
				var in guardIn
				in.reset(&rec, nil, &appr)
				if _, known := r.decide(&in); known {
					decided++
				} else {
					undecided++
				}
			}
		}
	}
	if decided == 0 || undecided == 0 {
		t.Errorf("decided %d, left to CEL %d: both must occur", decided, undecided)
	}
}
