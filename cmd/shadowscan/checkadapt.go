package main

import (
	"github.com/shadowscan/shadowscan/rules/catalog"
	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/scanner"
)

// checkCatalog adapts the catalogue and its resolver to what `check` and `serve` need.
type checkCatalog struct {
	cat *catalog.Catalog
	res *catalog.Resolver
}

func (c checkCatalog) facts(e *catalog.Entry) check.VendorFacts {
	f := check.VendorFacts{ID: e.ID, Name: e.Name, Category: e.Category, CategoryName: c.cat.CategoryName(e.Category),
		Subcategories: e.Subcategories, Martech: e.Martech, Domains: e.Domains, Aliases: e.Aliases, DataAccess: e.DataAccess}
	for _, s := range e.Subcategories {
		f.SubcategoryNames = append(f.SubcategoryNames, c.cat.SubcategoryName(s))
	}
	return f
}

func (c checkCatalog) Lookup(idOrName string) (check.VendorFacts, bool) {
	e, ok := c.cat.Lookup(idOrName)
	if !ok {
		return check.VendorFacts{}, false
	}
	return c.facts(e), true
}

func (c checkCatalog) Search(text string, limit int) []check.VendorFacts {
	hits := c.cat.Search(text, limit)
	out := make([]check.VendorFacts, 0, len(hits))
	for _, h := range hits {
		out = append(out, c.facts(h.Entry))
	}
	return out
}

// Resolve runs one hint through the same resolver a scan uses, so check and scan always agree.
func (c checkCatalog) Resolve(h scanner.Hint) (check.VendorFacts, string, bool) {
	res := c.res.Resolve(&scanner.Record{Hints: []scanner.Hint{h}})
	if res.Vendor == nil {
		return check.VendorFacts{}, "", false
	}
	e, ok := c.cat.Vendor(res.Vendor.ID)
	if !ok {
		return check.VendorFacts{ID: res.Vendor.ID, Name: res.Vendor.Name, Category: res.Vendor.Category,
			Martech: res.Vendor.Martech}, res.Reason, true
	}
	return c.facts(e), res.Reason, true
}

// newChecker builds the checker for a report (which may be nil).
func (p *pipeline) newChecker(rep *scanner.Report) *check.Checker {
	return check.New(checkCatalog{p.catalog, p.resolver}, p.policy, rep)
}
