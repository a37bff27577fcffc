package scanner

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"testing"
)

// The users, sources and scopes of a roll-up: records add them (a record without a user adds none), a shard's
// lists merge into them, and lists gives each sorted and distinct. Inventory scopes are not in the JSON report, so
// the report tests cannot see them.
func TestSeenSets(t *testing.T) {
	s := newSeenSets(newNameIDs())
	s.add(&Record{Source: "workspace", Scopes: []string{"openid", "drive"}}, "b@x.com")
	s.add(&Record{Source: "aws", Scopes: []string{"openid"}}, "")
	s.merge([]string{"a@x.com", "b@x.com"}, []string{"entra"}, []string{"mail.read"})
	users, sources, scopes := s.lists()
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"users", users, []string{"a@x.com", "b@x.com"}},
		{"sources", sources, []string{"aws", "entra", "workspace"}},
		{"scopes", scopes, []string{"drive", "mail.read", "openid"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

// Consecutive records with the same source and scopes are not hashed again; a change in either, or a provider that
// reuses its scopes slice for the next record, still adds every value.
func TestSeenSetsRepeatsAndReuse(t *testing.T) {
	s := newSeenSets(newNameIDs())
	scopes := []string{"openid", "drive"}
	s.add(&Record{Source: "workspace", Scopes: scopes}, "a@x.com")
	s.add(&Record{Source: "workspace", Scopes: scopes}, "b@x.com")
	scopes[1] = "gmail.readonly" // the same backing array, other content
	s.add(&Record{Source: "workspace", Scopes: scopes}, "a@x.com")
	s.add(&Record{Source: "entra", Scopes: []string{"openid"}}, "")
	s.add(&Record{Source: "workspace", Scopes: nil}, "")
	s.add(&Record{Source: "entra", Scopes: []string{"mail.read"}}, "")
	users, sources, gotScopes := s.lists()
	if want := []string{"a@x.com", "b@x.com"}; !reflect.DeepEqual(users, want) {
		t.Errorf("users = %q, want %q", users, want)
	}
	if want := []string{"entra", "workspace"}; !reflect.DeepEqual(sources, want) {
		t.Errorf("sources = %q, want %q", sources, want)
	}
	if want := []string{"drive", "gmail.readonly", "mail.read", "openid"}; !reflect.DeepEqual(gotScopes, want) {
		t.Errorf("scopes = %q, want %q", gotScopes, want)
	}
}

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
