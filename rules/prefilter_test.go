package rules

import (
	"context"
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
