package catalog

import (
	"sync"
	"testing"

	"github.com/shadowscan/shadowscan/rules/policy"
)

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

// BenchmarkBuiltinCold is what a cold process pays before it can resolve: parse the embedded files, build the
// built-in catalogue and its resolver. It resets the package's once-only caches, so each iteration starts cold.
func BenchmarkBuiltinCold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		parsedOnce, builtinOnce = sync.Once{}, sync.Once{}
		c, err := Builtin()
		if err != nil {
			b.Fatal(err)
		}
		NewResolver(c)
	}
}

// BenchmarkLoadWithLocal is what an approved-tools file naming a tool the catalogue lacks adds to a warm start: the
// catalogue merged again with that local vendor and checked.
func BenchmarkLoadWithLocal(b *testing.B) {
	loc := []policy.LocalVendor{{ID: "leadforge", Name: "LeadForge", File: "approved.yaml", Line: 2,
		Values: []policy.LocalValue{{Key: "domains", Value: "leadforge.example", Line: 3}}}}
	if _, err := Builtin(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadWithLocal(loc); err != nil {
			b.Fatal(err)
		}
	}
}
