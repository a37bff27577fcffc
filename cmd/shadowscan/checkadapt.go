package main

import (
	"github.com/shadowscan/shadowscan/rules"
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

// checkApprovals adapts the approved-tools policy; a nil policy approves nothing.
type checkApprovals struct{ a *rules.Approvals }

func (c checkApprovals) Approval(vendorID string) scanner.Approval {
	if c.a == nil {
		return scanner.Approval{Status: scanner.ApprovalUnapproved}
	}
	return c.a.Approval(vendorID)
}

func (c checkApprovals) Tools() []check.ApprovedTool {
	if c.a == nil {
		return nil
	}
	var out []check.ApprovedTool
	for _, e := range c.a.Entries() {
		out = append(out, check.ApprovedTool{VendorID: e.Vendor.ID, Name: e.Vendor.Name, Status: e.Effective(),
			Owner: e.Owner, Ticket: e.Ticket, Subcategories: e.Vendor.Subcategories, Expires: e.Expires})
	}
	return out
}

var scopeWhy = map[string]string{
	"restricted": "reads or changes mail or files (Google restricted scope, or Microsoft Graph mail/files)",
	"high":       "high privilege: sends mail as the user, or broad directory or tenant access",
	"sensitive":  "personal data such as calendar or contacts (Google sensitive scope)",
	"low":        "sign-in and basic profile",
	"unknown":    "not in shadowscan's scope tables; check what it grants before approving",
}

func classifyScope(scope string) check.ScopeClass {
	class := rules.ScopeClass(scope)
	return check.ScopeClass{Scope: scope, Class: class, Why: scopeWhy[class]}
}

// newChecker builds the checker for a report (which may be nil).
func (p *pipeline) newChecker(rep *scanner.Report) *check.Checker {
	return check.New(checkCatalog{p.catalog, p.resolver}, checkApprovals{p.approvals}, classifyScope, rep)
}
