package catalog

import (
	"fmt"

	"github.com/shadowscan/shadowscan/rules/policy"
)

// LocalCategory is the category of a local vendor that does not name one: an approved-tools file lists the
// marketing tools an organisation decided on, so it is a martech category.
const LocalCategory = "management"

// localEntry builds the entry of a local vendor (a vendor an approved-tools entry defines because the catalogue
// lacks it), with the position of every value. It is merged over the catalogue as one more layer and validated like
// any entry, so a bad or already-claimed signal value is an issue at its line in the approved-tools file.
func localEntry(l policy.LocalVendor) (*rawEntry, []Issue) {
	re := &rawEntry{set: map[string]bool{"id": true, "name": true, "category": true}, pos: map[string][]srcPos{}}
	re.File, re.Line, re.Local = l.File, l.Line, true
	here := srcPos{File: l.File, Line: l.Line}
	re.ID, re.Name, re.Category = l.ID, l.Name, LocalCategory
	re.pos["id"], re.pos["name"], re.pos["category"] = []srcPos{here}, []srcPos{here}, []srcPos{here}
	re.Sources = []string{fmt.Sprintf("the organisation's approved-tools file (%s:%d)", l.File, l.Line)}
	var issues []Issue
	for _, v := range l.Values {
		p := srcPos{File: l.File, Line: v.Line}
		switch {
		case v.Key == "category":
			re.Category = v.Value
			re.pos["category"] = []srcPos{p}
		case re.listField(v.Key) != nil && v.Key != "sources":
			lf := re.listField(v.Key)
			*lf = append(*lf, v.Value)
			re.set[v.Key] = true
			re.pos[v.Key] = append(re.pos[v.Key], p)
		default:
			issues = append(issues, Issue{File: l.File, Line: v.Line, Entry: l.ID,
				Msg: fmt.Sprintf("%s: not a key of a local vendor", v.Key)})
		}
	}
	return re, issues
}

// LoadWithLocal is Load with the organisation's local vendors merged last. A local vendor whose ID the
// catalogue already has is an issue: it would silently override that vendor.
func LoadWithLocal(locals []policy.LocalVendor, extraFiles ...string) (*Catalog, error) {
	srcs, err := readSources(extraFiles)
	if err != nil {
		return nil, err
	}
	c, issues := buildWithLocal(srcs, locals, validateLater)
	if len(issues) > 0 {
		sortIssues(issues)
		return nil, &ValidationError{Issues: issues}
	}
	return c, nil
}

// buildWithLocal merges srcs and then the local vendors over the built-in catalogue, validated as v says.
func buildWithLocal(srcs []source, locals []policy.LocalVendor, v validation) (*Catalog, []Issue) {
	p := parseBuiltin()
	issues := append([]Issue(nil), p.issues...)
	layers := []layer{p.base}
	for _, s := range srcs {
		entries, iss := parseVendorFile(s.name, s.data)
		issues = append(issues, iss...)
		layers = append(layers, entries)
	}
	known := func(id string) (srcPos, bool) {
		for i := len(layers) - 1; i >= 0; i-- {
			for _, e := range layers[i] {
				if e.ID == id {
					return srcPos{File: e.File, Line: e.Line}, true
				}
			}
		}
		return srcPos{}, false
	}
	var local layer
	for _, l := range locals {
		if at, ok := known(l.ID); ok {
			issues = append(issues, Issue{File: l.File, Line: l.Line, Entry: l.ID,
				Msg: fmt.Sprintf("local vendor %q would take the ID of the catalogue vendor defined at %s:%d; name that vendor instead", l.Name, at.File, at.Line)})
			continue
		}
		re, iss := localEntry(l)
		issues = append(issues, iss...)
		local = append(local, re)
	}
	if len(local) > 0 {
		layers = append(layers, local)
	}
	return assemble(p.cats, layers, p.msApps, issues, v)
}
