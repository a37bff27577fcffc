package scanner

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

type resolverFunc func(*Record) Resolution

func (f resolverFunc) Resolve(r *Record) Resolution { return f(r) }

// permutations calls f with every order of 0..n-1.
func permutations(n int, f func([]int)) {
	var rec func([]int, []bool)
	rec = func(cur []int, used []bool) {
		if len(cur) == n {
			f(cur)
			return
		}
		for i := range n {
			if !used[i] {
				used[i] = true
				rec(append(cur, i), used)
				used[i] = false
			}
		}
	}
	rec(nil, make([]bool, n))
}

func TestRecordUser(t *testing.T) {
	for _, tc := range []struct {
		p    *Principal
		want string
	}{
		{nil, ""},
		{&Principal{Email: "  Alice@Northwind.Example "}, "alice@northwind.example"},
		{&Principal{Type: "user", ID: "U-42", Email: "bob@x.example"}, "bob@x.example"},
		{&Principal{Type: "user", ID: "U-42"}, "u-42"},
		{&Principal{Type: "service", ID: "svc-1"}, ""},
		{&Principal{Type: "user"}, ""},
	} {
		if got := (&Record{Principal: tc.p}).User(); got != tc.want {
			t.Errorf("User(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestRecordEvidence(t *testing.T) {
	for _, tc := range []struct {
		rec  Record
		want string
	}{
		{Record{Provider: "gw", Kind: "oauth_grant", ID: "g1", Summary: "Acme granted\x1b[31m"}, "Acme granted"},
		{Record{Provider: "gw", Kind: "oauth_grant", ID: "g1", Principal: &Principal{Email: "Al@x.example"}}, "oauth_grant g1 (al@x.example)"},
		{Record{Provider: "gw", Kind: "oauth_grant", ID: "g1", Principal: &Principal{Type: "service", ID: "s"}}, "oauth_grant g1"},
		{Record{Provider: "gw", Kind: "oauth_grant", ID: "g1"}, "oauth_grant g1"},
	} {
		e := RecordEvidence(&tc.rec)
		if e.Summary != tc.want || e.Provider != "gw" || e.Kind != "oauth_grant" || e.ID != "g1" {
			t.Errorf("RecordEvidence(%+v) = %+v, want summary %q", tc.rec, e, tc.want)
		}
	}
}

// A vendor's first and last seen span every record's times; a record with only one of the two counts it for both.
func TestWidenFirstLastSeen(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	var zero time.Time
	for _, tc := range []struct {
		name                string
		first, last         time.Time // before
		recFirst, recLast   time.Time
		wantFirst, wantLast time.Time
	}{
		{"first only", zero, zero, day(2), zero, day(2), day(2)},
		{"last only", zero, zero, zero, day(3), day(3), day(3)},
		{"neither", zero, zero, zero, zero, zero, zero},
		{"wider", day(2), day(3), day(1), day(4), day(1), day(4)},
		{"inside", day(1), day(4), day(2), day(3), day(1), day(4)},
		{"later only", day(1), day(2), zero, day(5), day(1), day(5)},
		{"earlier only", day(3), day(4), day(1), zero, day(1), day(4)},
	} {
		first, last := tc.first, tc.last
		widen(&first, &last, &Record{FirstSeen: tc.recFirst, LastSeen: tc.recLast})
		if !first.Equal(tc.wantFirst) || !last.Equal(tc.wantLast) {
			t.Errorf("%s: first %v last %v, want %v and %v", tc.name, first, last, tc.wantFirst, tc.wantLast)
		}
	}
	var first, last time.Time
	at := time.Date(2026, 11, 5, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	widen(&first, &last, &Record{FirstSeen: at, LastSeen: at})
	if first.Location() != time.UTC || last.Location() != time.UTC || !first.Equal(at) {
		t.Errorf("times kept as %v / %v, want UTC", first, last)
	}
}

// The inventory counts records per kind and distinct users (records without a person count no user), and is
// ordered by vendor name regardless of case, then ID.
func TestInventoryFolding(t *testing.T) {
	vendors := map[string]*Vendor{"b": {ID: "b", Name: "acme"}, "a": {ID: "a", Name: "Acme"}, "c": {ID: "c", Name: "Zed"},
		"d": {ID: "d", Name: "bob"}}
	res := resolverFunc(func(r *Record) Resolution {
		h, _ := r.Hint(HintDomain)
		return Resolution{Vendor: vendors[h.Value]}
	})
	rec := func(vendor, kind string, p *Principal) Record {
		return Record{Provider: "p", Kind: kind, ID: vendor + kind, Principal: p, Hints: []Hint{{Type: HintDomain, Value: vendor}}}
	}
	recs := []Record{
		rec("a", KindOAuthGrant, &Principal{Email: "Al@x.example"}),
		rec("a", KindOAuthGrant, &Principal{Email: "al@x.example"}),
		rec("a", KindOAuthGrant, &Principal{Type: "service", ID: "svc"}),
		rec("a", KindExpense, nil),
		rec("b", KindExpense, nil), rec("c", KindExpense, nil), rec("d", KindExpense, nil),
	}
	acc := newAccumulator(Options{Resolver: res})
	for i := range recs {
		acc.add(context.Background(), &recs[i])
	}
	rep := acc.finish(context.Background())
	var order []string
	for _, it := range rep.Inventory {
		order = append(order, it.Vendor.ID)
	}
	if fmt.Sprint(order) != "[a b d c]" {
		t.Errorf("inventory order %v, want [a b d c] (Acme, acme, bob, Zed)", order)
	}
	a := rep.Inventory[0]
	if a.Records != 4 || !reflect.DeepEqual(a.Kinds, map[string]int{KindOAuthGrant: 3, KindExpense: 1}) ||
		!reflect.DeepEqual(a.Users, []string{"al@x.example"}) || a.UserCount != 1 {
		t.Errorf("acme: records %d kinds %v users %v (%d)", a.Records, a.Kinds, a.Users, a.UserCount)
	}
}

// An unidentified app is named by the best name any of its records gives (a name hint or the resolver's name,
// then a merchant descriptor, then a summary of a record that names no person), the smallest among equals,
// whatever order the records arrive in. Its users are the people among its records.
func TestUnidentifiedNameAndUsers(t *testing.T) {
	const client = "123-abc.apps.googleusercontent.com"
	base := func(extra ...Hint) []Hint { return append([]Hint{{Type: HintGoogleClientID, Value: client}}, extra...) }
	byNote := resolverFunc(func(r *Record) Resolution {
		if r.ID == "resolver-named" {
			return Resolution{Name: "Beta Tools (beta.example)"}
		}
		return Resolution{}
	})
	for _, tc := range []struct {
		name string
		recs []Record
		want string
	}{
		{"name hints beat the rest, smallest first", []Record{
			{ID: "1", Hints: base(Hint{Type: HintMerchant, Value: "AAA*MERCHANT"})},
			{ID: "2", Hints: base(Hint{Type: HintName, Value: "Zeta App"})},
			{ID: "3", Hints: base(Hint{Type: HintName, Value: "Alpha App"})},
			{ID: "4", Hints: base(), Summary: "Aaron granted it", Principal: &Principal{Type: "user", Email: "aaron@x.example"}},
			{ID: "5", Hints: base(), Summary: "AAA service", Principal: &Principal{Type: "service", ID: "svc"}},
		}, "Alpha App"},
		{"the resolver's name ranks with a name hint", []Record{
			{ID: "resolver-named", Hints: base()},
			{ID: "2", Hints: base(Hint{Type: HintName, Value: "Gamma"})},
			{ID: "1", Hints: base(Hint{Type: HintMerchant, Value: "AAA"})},
		}, "Beta Tools (beta.example)"},
		{"merchant beats a summary", []Record{
			{ID: "1", Hints: base(Hint{Type: HintMerchant, Value: "ZZZ*SHOP"})},
			{ID: "2", Hints: base(Hint{Type: HintName, Value: ""}), Summary: "AAA summary"},
		}, "ZZZ*SHOP"},
		{"a summary only when no person is named", []Record{
			{ID: "1", Hints: base(), Summary: "Bob's grant", Principal: &Principal{Email: "bob@x.example"}},
			{ID: "2", Hints: base(), Summary: "Tenant-wide consent", Principal: &Principal{Type: "tenant", ID: "t"}},
			{ID: "3", Hints: base(), Summary: "Nobody's"},
		}, "Nobody's"},
		{"no name at all", []Record{
			{ID: "1", Hints: base(), Summary: "Bob's grant", Principal: &Principal{Type: "user", ID: "U1"}},
			{ID: "2", Hints: base(Hint{Type: HintMerchant, Value: ""})},
		}, ""},
	} {
		permutations(len(tc.recs), func(order []int) {
			acc := newAccumulator(Options{Resolver: byNote})
			for _, i := range order {
				r := tc.recs[i]
				r.Provider, r.Kind, r.Source = "gw", KindOAuthGrant, "google_workspace"
				acc.add(context.Background(), &r)
			}
			rep := acc.finish(context.Background())
			if len(rep.Unidentified) != 1 || rep.Unidentified[0].Name != tc.want {
				t.Fatalf("%s, order %v: %+v, want one group named %q", tc.name, order, rep.Unidentified, tc.want)
			}
		})
	}

	acc := newAccumulator(Options{})
	for i, r := range []Record{
		{Principal: &Principal{Email: "Ann@x.example"}, Hints: base()},
		{Principal: &Principal{Type: "service", ID: "svc"}, Hints: []Hint{{Type: HintGoogleClientID, Value: strings.ToUpper(client)}}},
		{Kind: KindExpense, Principal: &Principal{Email: "ann@x.example"}},
	} {
		r.Provider, r.ID = "p", fmt.Sprint(i)
		if r.Kind == "" {
			r.Kind = KindOAuthGrant
		}
		acc.add(context.Background(), &r)
	}
	rep := acc.finish(context.Background())
	var got []string
	for _, u := range rep.Unidentified {
		got = append(got, fmt.Sprintf("%s %d %v", u.Key, u.Records, u.Users))
	}
	want := []string{"google_client_id:" + client + " 2 [ann@x.example]", "kind:expense 1 [ann@x.example]"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("unidentified groups %q, want %q", got, want)
	}
}

// A finding shows the text of its most severe match; among equally severe ones, that of the match whose evidence
// comes first in (provider, kind, id) order — in whatever order the matches arrive.
func TestFindingMessageChoice(t *testing.T) {
	m := func(sev, id, msg string) Match {
		return Match{RuleID: "r", GroupKey: "g", Title: "T " + msg, Severity: sev, Message: msg, Remediation: "fix " + msg,
			Evidence: []Evidence{{Provider: "p", Kind: "k", ID: id}}}
	}
	matches := []Match{m(SeverityLow, "b", "low b"), m(SeverityHigh, "c", "high c"), m(SeverityHigh, "a", "high a"),
		m(SeverityMedium, "0", "medium 0"), m(SeverityHigh, "d", "high d")}
	permutations(len(matches), func(order []int) {
		acc := newAccumulator(Options{MaxEvidence: 10})
		for _, i := range order {
			acc.addMatch(matches[i])
		}
		rep := acc.finish(context.Background())
		f := rep.Findings[0]
		if f.Severity != SeverityHigh || f.Message != "high a" || f.Title != "T high a" || f.Remediation != "fix high a" ||
			f.EvidenceCount != 5 {
			t.Fatalf("order %v: %s %q %q %q count %d; want high, the text of \"high a\", 5 pieces", order, f.Severity,
				f.Title, f.Message, f.Remediation, f.EvidenceCount)
		}
	})
}

// Records an expense provider marks as not software, with no catalogue vendor, are left out and only counted in a
// debug log line.
func TestNotSoftwareCountedInLog(t *testing.T) {
	for _, n := range []int{0, 2} {
		var buf bytes.Buffer
		acc := newAccumulator(Options{Logger: zerolog.New(&buf).Level(zerolog.DebugLevel)})
		for i := range n {
			acc.add(context.Background(), &Record{Kind: KindExpense, ID: fmt.Sprint(i),
				Attributes: map[string]any{AttrSoftwareLikely: false}})
		}
		acc.add(context.Background(), &Record{Kind: KindExpense, ID: "soft", Attributes: map[string]any{AttrSoftwareLikely: true}})
		rep := acc.finish(context.Background())
		if len(rep.Unidentified) != 1 || rep.Unidentified[0].Records != 1 {
			t.Errorf("%d left out: unidentified %+v, want only the software record", n, rep.Unidentified)
		}
		logged := strings.Contains(buf.String(), "not software")
		if logged != (n > 0) || (n > 0 && !strings.Contains(buf.String(), fmt.Sprintf(`"records":%d`, n))) {
			t.Errorf("%d left out, log: %s", n, buf.String())
		}
	}
}

// SortFindings puts any arrangement in severity, rule, vendor (case-insensitive), fingerprint order, findings that
// tie on all four kept in their input order, every finding exactly once.
func TestSortFindingsAnyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	sevs := []string{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}
	for round := 0; round < 300; round++ {
		n := r.IntN(40)
		fs := make([]Finding, n)
		for i := range fs {
			fs[i] = Finding{Severity: sevs[r.IntN(len(sevs))], RuleID: fmt.Sprint("rule-", r.IntN(3)),
				Fingerprint: fmt.Sprint("fp-", r.IntN(6)), Message: fmt.Sprint(i)}
			if r.IntN(3) > 0 {
				fs[i].Vendor = &Vendor{Name: []string{"Acme", "acme", "Zeta", "beta"}[r.IntN(4)]}
			}
		}
		want := slices.Clone(fs)
		sort.SliceStable(want, func(i, j int) bool {
			a, b := want[i], want[j]
			if SeverityRank(a.Severity) != SeverityRank(b.Severity) {
				return SeverityRank(a.Severity) > SeverityRank(b.Severity)
			}
			if a.RuleID != b.RuleID {
				return a.RuleID < b.RuleID
			}
			va, vb := "", ""
			if a.Vendor != nil {
				va = strings.ToLower(a.Vendor.Name)
			}
			if b.Vendor != nil {
				vb = strings.ToLower(b.Vendor.Name)
			}
			if va != vb {
				return va < vb
			}
			return a.Fingerprint < b.Fingerprint
		})
		SortFindings(fs)
		for i := range fs {
			if fs[i].Message != want[i].Message {
				t.Fatalf("round %d: position %d holds finding %s, want %s", round, i, fs[i].Message, want[i].Message)
			}
		}
	}
}
