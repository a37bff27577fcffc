package scanner

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
)

// recordEval matches every resolved record, without evidence of its own (the scanner makes the record its
// evidence), with a message naming the record.
type recordEval struct{}

func (recordEval) EvaluateRecord(_ context.Context, rec *Record, res Resolution, _ Approval, emit func(Match)) error {
	if res.Vendor != nil {
		emit(Match{RuleID: "r", Title: "R", Severity: SeverityHigh, GroupKey: res.Vendor.ID, Vendor: res.Vendor,
			Message: "first " + rec.Provider + "/" + rec.ID})
	}
	return nil
}

func (recordEval) EvaluateInventory(context.Context, []InventoryItem, []Unidentified, func(Match)) error {
	return nil
}

// TestFoldIndependentOfOrder folds the same records, duplicates included, in several orders: the finding (count of
// distinct evidence, the evidence kept, the message shown) must not change, and must be the first MaxEvidence
// pieces in (provider, kind, id) order and the message of the first of them.
func TestFoldIndependentOfOrder(t *testing.T) {
	var recs []Record
	for i := 0; i < 3000; i++ {
		recs = append(recs, Record{Provider: []string{"p1", "p2"}[i%2], Kind: KindOAuthGrant, ID: fmt.Sprintf("id-%04d", i),
			Hints: []Hint{{Type: HintName, Value: "acme"}}})
	}
	for i := 0; i < 3000; i += 7 { // a provider that sends some records twice
		recs = append(recs, recs[i])
	}
	var want *Report
	for seed := uint64(0); seed < 6; seed++ {
		order := append([]Record(nil), recs...)
		if seed > 0 {
			r := rand.New(rand.NewPCG(seed, 14))
			r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		acc := newAccumulator(Options{Resolver: vendorByHint{}, Evaluator: recordEval{}, MaxEvidence: 5})
		for i := range order {
			acc.add(context.Background(), &order[i])
		}
		rep := acc.finish(context.Background())
		if len(rep.Findings) != 1 {
			t.Fatalf("seed %d: %d findings, want 1", seed, len(rep.Findings))
		}
		if want == nil {
			want = rep
			f := rep.Findings[0]
			ids := []string{}
			for _, e := range f.Evidence {
				ids = append(ids, e.Provider+"/"+e.ID)
			}
			if f.EvidenceCount != 3000 || !sort.StringsAreSorted(ids) || ids[0] != "p1/id-0000" || ids[4] != "p1/id-0008" ||
				f.Message != "first p1/id-0000" {
				t.Fatalf("count %d, evidence %v, message %q", f.EvidenceCount, ids, f.Message)
			}
			continue
		}
		if !reflect.DeepEqual(rep.Findings, want.Findings) {
			t.Fatalf("seed %d: findings differ:\n%+v\nwant\n%+v", seed, rep.Findings, want.Findings)
		}
	}
}
