package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// TestFindingsIndependentOfRecordOrder runs the built-in rules over the same records in several orders (every
// case of testdata/cases together, and synthetic records) and requires byte-identical findings: fingerprints,
// messages, remediations, evidence and its order. Records of one group that differ in what a message could show
// (two names for one unknown app) are included.
func TestFindingsIndependentOfRecordOrder(t *testing.T) {
	rs, hints, files := caseFixture(t)
	var cases []scanner.Record
	for _, f := range files {
		var recs []scanner.Record
		readJSON(t, f, &recs)
		for i := range recs {
			recs[i].ID = filepath.Base(filepath.Dir(f)) + "/" + recs[i].ID // cases reuse IDs
		}
		cases = append(cases, recs...)
	}
	// One unknown OAuth client, two display names: the finding's text must not depend on which came first.
	for i, name := range []string{"Zeta Leads", "Alpha Leads", "Alpha Leads", "Alpha Leads", "Alpha Leads"} {
		cases = append(cases, scanner.Record{Kind: scanner.KindOAuthGrant, ID: "twin-" + string(rune('a'+i)),
			Principal: &scanner.Principal{Type: "user", Email: name[:4] + "@northwind.example"},
			Scopes:    []string{"https://www.googleapis.com/auth/gmail.readonly"},
			Hints: []scanner.Hint{{Type: scanner.HintGoogleClientID, Value: "777-twin.apps.googleusercontent.com"},
				{Type: scanner.HintName, Value: name}}})
	}
	a, err := policy.LoadApprovals("testdata/cases/approved.yaml", newFakeIndex(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, rs, cases, newFakeResolver(hints), policy.New(a, nil))
	checkOrder(t, rs, syntheticRecords(3000), newFakeResolver(benchHints), testPolicy(t, benchApprovals, testNow, nil))
}

func checkOrder(t *testing.T, rs *RuleSet, recs []scanner.Record, res scanner.Resolver, appr scanner.Policy) {
	t.Helper()
	now := func() time.Time { return testNow }
	run := func(order []scanner.Record) []byte {
		eng := NewEngine(rs, OrgInfo{Organization: caseOrg, Policy: appr, Now: now})
		rep, err := scanner.Run(context.Background(), scanner.Options{
			Instances: []scanner.Instance{{Name: "fixture", Type: testProviderType, Config: &recordsConfig{Records: order}}},
			Logger:    zerolog.Nop(), Now: now, Org: caseOrg, Resolver: res, Policy: appr, Evaluator: eng,
		})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.MarshalIndent(rep.Findings, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want := run(recs)
	if bytes.Count(want, []byte(`"fingerprint"`)) < 5 {
		t.Fatalf("too few findings to test: %s", want)
	}
	for seed := uint64(1); seed <= 4; seed++ {
		order := append([]scanner.Record(nil), recs...)
		rand.New(rand.NewPCG(seed, 14)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		if got := run(order); !bytes.Equal(got, want) {
			t.Fatalf("seed %d: findings differ from those of the records in file order:\n%s", seed, firstDiff(got, want))
		}
	}
}

// firstDiff shows the neighbourhood of the first byte where a and b differ.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-300, 0)
	return "got:  …" + string(a[lo:min(i+200, len(a))]) + "\nwant: …" + string(b[lo:min(i+200, len(b))])
}
