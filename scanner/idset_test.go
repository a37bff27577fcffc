package scanner

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"testing"
)

// An idSet holds exactly the numbers added, sparse or dense, and names them sorted; a map of strings is the model.
func TestIDSetMatchesModel(t *testing.T) {
	for _, c := range []struct {
		name  string
		ids   func(i int) uint32
		n     int
		dense bool
	}{
		{"empty", nil, 0, false},
		{"few", func(i int) uint32 { return uint32(i * 1000) }, 10, false},
		{"63 members stay a map", func(i int) uint32 { return uint32(i) }, 63, false},
		{"64 dense members become a bitmap", func(i int) uint32 { return uint32(i) }, 64, true},
		{"sparse: one per 66 stays a map", func(i int) uint32 { return uint32(i * 66) }, 500, false},
		{"exactly one per 64 is dense", func(i int) uint32 { return uint32(i * 64) }, 500, true},
		{"dense, then far beyond the bitmap", func(i int) uint32 {
			if i == 199 {
				return 100_000
			}
			return uint32(i)
		}, 200, true},
		{"repeats", func(i int) uint32 { return uint32(i % 70) }, 1000, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			names := newNameIDs()
			for i := 0; i <= 100_000; i++ {
				names.id("u" + strconv.Itoa(i))
			}
			var s idSet
			want := []string{}
			seen := map[uint32]bool{}
			for i := 0; i < c.n; i++ {
				id := c.ids(i)
				s.add(id)
				if !seen[id] {
					seen[id] = true
					want = append(want, "u"+strconv.Itoa(int(id)))
				}
			}
			sort.Strings(want)
			if got := s.names(names); !reflect.DeepEqual(got, want) {
				t.Errorf("names = %d %q…, want %d %q…", len(got), head(got), len(want), head(want))
			}
			if dense := s.bits != nil; dense != c.dense {
				t.Errorf("bitmap = %v, want %v", dense, c.dense)
			}
		})
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// Random adds in random order give the model's members, whichever form the set ends in.
func TestIDSetRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	names := newNameIDs()
	for i := 0; i < 5000; i++ {
		names.id("u" + strconv.Itoa(i))
	}
	for round := 0; round < 200; round++ {
		var s idSet
		model := map[string]struct{}{}
		span, n := 1+r.IntN(5000), r.IntN(400)
		for i := 0; i < n; i++ {
			id := uint32(r.IntN(span))
			s.add(id)
			model[names.names[id]] = struct{}{}
		}
		if got, want := s.names(names), sortedKeys(model); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d (span %d, %d adds): %d names, want %d", round, span, n, len(got), len(want))
		}
	}
}

func TestNameIDs(t *testing.T) {
	n := newNameIDs()
	a, b, a2 := n.id("a@x.com"), n.id("b@x.com"), n.id("a@x.com")
	if a != 0 || b != 1 || a2 != a || n.names[b] != "b@x.com" {
		t.Errorf("ids %d %d %d, names %q", a, b, a2, n.names)
	}
}
