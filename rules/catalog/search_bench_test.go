package catalog

import "testing"

func BenchmarkSearch(b *testing.B) {
	c := builtinT(b)
	for _, q := range []string{"hubspot", "hubsopt", "marketing cloud", "zz"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Search(q, 10)
			}
		})
	}
}

func BenchmarkBuiltinParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, issues := buildWith(nil); len(issues) > 0 {
			b.Fatal(issues[0])
		}
	}
}
