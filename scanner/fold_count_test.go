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
