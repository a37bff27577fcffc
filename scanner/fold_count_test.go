package scanner

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// Evidence is counted once per distinct record however many times it repeats and however far apart the repeats
// arrive: enough records that the counting set is merged several times part way (every few thousand keys).
func TestEvidenceCountedOnceAcrossMerges(t *testing.T) {
	const distinct = 6000
	recs := make([]Record, 0, 2*distinct)
	for i := range distinct {
		r := Record{Provider: "p", Kind: KindOAuthGrant, ID: fmt.Sprintf("id-%05d", i), Hints: []Hint{{Type: HintName, Value: "acme"}}}
		recs = append(recs, r, r)
	}
	rand.New(rand.NewPCG(18, 1)).Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	acc := newAccumulator(Options{Resolver: vendorByHint{}, Evaluator: recordEval{}, MaxEvidence: 3})
	for i := range recs {
		acc.add(context.Background(), &recs[i])
	}
	rep := acc.finish(context.Background())
	if len(rep.Findings) != 1 || rep.Findings[0].EvidenceCount != distinct {
		t.Fatalf("findings %+v, want one with evidence_count %d", rep.Findings, distinct)
	}
}

// Around the evidence cap: a finding counts its kept list until a new piece finds the list full, then hashed keys.
// Whatever the cap, the number of distinct records and where the repeats fall (before the list fills, at the
// switch, after it), the count is the distinct records and the kept evidence the smallest keys.
func TestEvidenceCountAroundTheCap(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 14))
	for round := 0; round < 500; round++ {
		maxEv, distinct := 1+r.IntN(5), r.IntN(12)
		var recs []Record
		for i := range distinct {
			rec := Record{Provider: "p", Kind: KindOAuthGrant, ID: fmt.Sprintf("id-%02d", i), Hints: []Hint{{Type: HintName, Value: "acme"}}}
			for range 1 + r.IntN(3) {
				recs = append(recs, rec)
			}
		}
		r.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		acc := newAccumulator(Options{Resolver: vendorByHint{}, Evaluator: recordEval{}, MaxEvidence: maxEv})
		for i := range recs {
			acc.add(context.Background(), &recs[i])
		}
		rep := acc.finish(context.Background())
		if distinct == 0 {
			if len(rep.Findings) != 0 {
				t.Fatalf("round %d: findings without records", round)
			}
			continue
		}
		f := rep.Findings[0]
		if len(rep.Findings) != 1 || f.EvidenceCount != distinct {
			t.Fatalf("round %d (cap %d, %d records of %d): evidence_count %d, want %d", round, maxEv, len(recs), distinct, f.EvidenceCount, distinct)
		}
		if want := min(maxEv, distinct); len(f.Evidence) != want {
			t.Fatalf("round %d: %d pieces kept, want %d", round, len(f.Evidence), want)
		}
		for i, e := range f.Evidence {
			if want := fmt.Sprintf("id-%02d", i); e.ID != want {
				t.Fatalf("round %d (cap %d): kept %v, want the %d smallest", round, maxEv, f.Evidence, len(f.Evidence))
			}
		}
	}
}
