package scannertest

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// ByID indexes records by ID (a later record replaces an earlier one with the same ID).
func ByID(recs []scanner.Record) map[string]scanner.Record {
	m := make(map[string]scanner.Record, len(recs))
	for _, r := range recs {
		m[r.ID] = r
	}
	return m
}

// IDs lists the records' IDs in their order (nil for none).
func IDs(recs []scanner.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

// MustRecord returns the record with the ID, or stops the test listing the IDs there are.
func MustRecord(t testing.TB, m map[string]scanner.Record, id string) scanner.Record {
	t.Helper()
	r, ok := m[id]
	if !ok {
		ids := slices.Sorted(maps.Keys(m))
		t.Fatalf("no record %q; have:\n  %s", id, strings.Join(ids, "\n  "))
	}
	return r
}
