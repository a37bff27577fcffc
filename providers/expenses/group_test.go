package expenses

import (
	"testing"
	"time"
)

func days(dates ...string) []int32 {
	out := make([]int32, len(dates))
	for i, d := range dates {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			panic(err)
		}
		out[i] = dayOf(t)
	}
	return out
}

func TestInferCadence(t *testing.T) {
	tests := []struct {
		dates []string
		want  string
	}{
		{nil, CadenceOnce},
		{[]string{"2026-01-05"}, CadenceOnce},
		{[]string{"2026-01-05", "2026-02-05", "2026-03-05"}, CadenceMonthly},
		{[]string{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"}, CadenceMonthly},
		{[]string{"2026-01-05", "2026-02-07", "2026-03-04"}, CadenceMonthly},               // a few days' drift
		{[]string{"2026-01-05", "2026-02-05", "2026-04-05", "2026-05-05"}, CadenceMonthly}, // a missed month
		{[]string{"2026-01-05", "2026-03-06"}, CadenceIrregular},                           // two months apart, nothing else
		{[]string{"2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22"}, CadenceWeekly},
		{[]string{"2026-01-20", "2026-04-20", "2026-07-20"}, CadenceQuarterly},
		{[]string{"2025-03-14", "2026-03-14"}, CadenceAnnual},
		{[]string{"2024-03-01", "2025-03-10", "2026-02-25"}, CadenceAnnual},
		{[]string{"2026-01-05", "2026-01-20", "2026-03-01", "2026-03-02"}, CadenceIrregular},
		{[]string{"2026-01-05", "2026-02-05", "2026-02-19", "2026-03-05"}, CadenceIrregular},
	}
	for _, tc := range tests {
		if got := InferCadence(days(tc.dates...)); got != tc.want {
			t.Errorf("InferCadence(%v) = %s, want %s", tc.dates, got, tc.want)
		}
	}
}

func TestEventsOffsetRefunds(t *testing.T) {
	g := newGrouper(0)
	add := func(date string, amount Money) {
		d, _ := time.Parse("2006-01-02", date)
		if err := g.add(Txn{File: "f.csv", Line: 1, Date: d, Merchant: "SQ *HOTJAR", Amount: amount, Currency: "USD",
			Email: "alice@x.example"}); err != nil {
			t.Fatal(err)
		}
	}
	add("2026-01-05", 390000)
	add("2026-02-05", 390000)
	add("2026-02-06", 390000) // duplicate, merged into the February event
	add("2026-02-10", -390000)
	add("2026-03-05", 490000)
	add("2026-03-20", -100000) // partial refund of March
	add("2025-12-01", -50000)  // a refund before any charge: taken from the first event
	if len(g.groups) != 1 {
		t.Fatalf("%d groups", len(g.groups))
	}
	for _, gr := range g.groups {
		evs := gr.events()
		want := []Money{340000, 390000, 390000}
		if len(evs) != len(want) {
			t.Fatalf("events = %+v", evs)
		}
		for i := range want {
			if evs[i].amount != want[i] {
				t.Errorf("event %d = %d, want %d", i, evs[i].amount, want[i])
			}
		}
		rec := gr.record(g.exportEnd)
		if rec.Kind != "saas_subscription" || rec.Amount.Value != 39 || rec.Attributes["cadence"] != CadenceMonthly {
			t.Errorf("record = %+v", rec)
		}
		if rec.Attributes["total"] != 112.0 || rec.Attributes["charges"] != int64(4) || rec.Attributes["refunds"] != int64(3) {
			t.Errorf("attributes = %v", rec.Attributes)
		}
		if !rec.FirstSeen.Equal(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)) || !rec.LastSeen.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("first/last = %v %v", rec.FirstSeen, rec.LastSeen)
		}
	}
}

func TestMaxGroups(t *testing.T) {
	g := newGrouper(2)
	for i, m := range []string{"A SAAS", "B SAAS", "C SAAS", "A SAAS"} {
		err := g.add(Txn{Date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Merchant: m, Amount: 10000, Currency: "USD"})
		if (i == 2) != (err == errTooManyGroups) {
			t.Errorf("add %s: %v", m, err)
		}
	}
	if g.overflow != 1 || len(g.groups) != 2 {
		t.Errorf("overflow %d, groups %d", g.overflow, len(g.groups))
	}
}
