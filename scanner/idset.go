package scanner

import "sort"

// nameIDs numbers distinct names (users) in order of first appearance. The roll-ups keep sets of these numbers
// rather than of strings: a string set per vendor, on a tenant with thousands of users, cost a few cache misses
// per record (a tenth of a scan's CPU), while one shared table stays warm and a dense set is a small bitmap.
type nameIDs struct {
	ids   map[string]uint32
	names []string
}

func newNameIDs() *nameIDs { return &nameIDs{ids: map[string]uint32{}} }

func (n *nameIDs) id(s string) uint32 {
	if id, ok := n.ids[s]; ok {
		return id
	}
	id := uint32(len(n.names))
	n.ids[s] = id
	n.names = append(n.names, s)
	return id
}

// idSet is a set of small numbers: a map while sparse, a bitmap once the bitmap is no larger than the map
// (at least one member per 64 numbers below the largest).
type idSet struct {
	sparse map[uint32]struct{}
	bits   []uint64
	max    uint32
}

func (s *idSet) add(id uint32) {
	if s.bits != nil {
		w := int(id >> 6)
		if w >= len(s.bits) {
			s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
		}
		s.bits[w] |= 1 << (id & 63)
		return
	}
	if s.sparse == nil {
		s.sparse = map[uint32]struct{}{}
	}
	s.sparse[id] = struct{}{}
	s.max = max(s.max, id)
	if n := len(s.sparse); n >= 64 && int(s.max) <= 64*n {
		s.bits = make([]uint64, s.max/64+1)
		for id := range s.sparse {
			s.bits[id>>6] |= 1 << (id & 63)
		}
		s.sparse = nil
	}
}

// names returns the members' names, sorted.
func (s *idSet) names(n *nameIDs) []string {
	var out []string
	if s.bits == nil {
		out = make([]string, 0, len(s.sparse))
		for id := range s.sparse {
			out = append(out, n.names[id])
		}
	} else {
		for w, word := range s.bits {
			for b := 0; word != 0; b, word = b+1, word>>1 {
				if word&1 != 0 {
					out = append(out, n.names[w*64+b])
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
