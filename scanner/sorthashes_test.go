package scanner

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortHashes: the radix sort of large hash sets orders like the comparison sort, ties in the first word
// included.
func TestSortHashes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 100, 1<<12 - 1, 1 << 12, 50000} {
		h := make([]evHash, n)
		for i := range h {
			h[i] = evHash{rng.Uint64(), rng.Uint64()}
			if i%3 == 0 { // ties in the first word, and in single bytes only
				h[i][0] = uint64(rng.IntN(50)) << (8 * rng.IntN(8))
			}
		}
		want := slices.Clone(h)
		slices.SortFunc(want, compareHashes)
		sortHashes(h)
		if !slices.Equal(h, want) {
			t.Fatalf("n=%d: radix order differs from the comparison sort", n)
		}
	}
}
