package rules

import (
	"fmt"
	"strings"
	"text/template"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"go.yaml.in/yaml/v3"
)

// A finding stands for every record (or vendor) of its group, and its message and remediation are rendered once
// per group: so they may read only what is the same for every member of the group. Otherwise the text would
// depend on which record arrived first. checkGrouped enforces that at load time.
//
// What a group determines, by what group_by reads:
//   - org: always;
//   - record stage, group_by reads record.id: everything (a group is one record);
//   - group_by reads vendor.key (or vendor.id in a rule whose `when` requires vendor.known), or usage.key: the
//     vendor's catalogue fields (known, id, key, name, category, subcategories, martech) and the approval; at the
//     inventory and unidentified stages, which run once per vendor or group, also usage and the whole vendor;
//   - a var whose expression reads only what the group determines, or that is itself a part of group_by (such as
//     record.hint("aws_account") in vendor.id + ":" + record.hint("aws_account")).
// An unknown vendor's name comes from the record's name hint; records of one group normally agree on it, and when
// they do not, the scanner shows the text of the group's first record in (provider, kind, id) order, and the
// engine renders per name (renderKey), so the text does not depend on arrival order either.

// groupFacts is what a rule's group_by determines.
type groupFacts struct {
	stage   string
	record  bool // group_by reads record.id: one record per group
	unit    bool // group_by identifies the vendor (or the unidentified group)
	groupBy ast.Expr
	vars    map[string]bool // var name → determined by the group
}

// vendorFields are the vendor fields a vendor-keyed group determines at the record stage.
var vendorFields = map[string]bool{"known": true, "id": true, "key": true, "name": true, "category": true,
	"subcategories": true, "martech": true}

func newGroupFacts(r *Rule, groupBy *cel.Ast, vars []*cel.Ast) *groupFacts {
	g := &groupFacts{stage: r.Stage, vars: map[string]bool{}}
	if groupBy != nil {
		g.groupBy = groupBy.NativeRep().Expr()
		// Only a whole term of the key identifies the group: in string(record.attributes.?name.orValue(record.id))
		// record.id is a fallback, not the key.
		for _, e := range concatTerms(g.groupBy) {
			if e.Kind() == ast.CallKind && e.AsCall().FunctionName() == "string" && len(e.AsCall().Args()) == 1 {
				e = e.AsCall().Args()[0]
			}
			switch {
			case isField(e, "record", "id"):
				g.record = r.Stage == StageRecord
			case isField(e, "vendor", "key"), isField(e, "usage", "key"):
				g.unit = true
			case isField(e, "vendor", "id"):
				g.unit = g.unit || r.Stage != StageRecord || r.known == 1
			}
		}
	}
	for i, a := range vars {
		if a == nil {
			continue
		}
		e := a.NativeRep().Expr()
		g.vars[r.Vars[i].Name] = g.part(e) || g.exprDetermined(e)
	}
	return g
}

// concatTerms splits a + b + c into its terms.
func concatTerms(e ast.Expr) []ast.Expr {
	if e.Kind() == ast.CallKind && e.AsCall().FunctionName() == operators.Add {
		var out []ast.Expr
		for _, a := range e.AsCall().Args() {
			out = append(out, concatTerms(a)...)
		}
		return out
	}
	return []ast.Expr{e}
}

// part reports whether e is a part of group_by (the same expression).
func (g *groupFacts) part(e ast.Expr) bool {
	if g.groupBy == nil {
		return false
	}
	found := false
	ast.PreOrderVisit(g.groupBy, ast.NewExprVisitor(func(x ast.Expr) {
		found = found || sameExpr(x, e)
	}))
	return found
}

// path reports whether the group determines the value at path (root first; one element: the whole object).
func (g *groupFacts) path(p []string) bool {
	if len(p) == 0 {
		return false
	}
	switch p[0] {
	case "org":
		return true
	case "record":
		return g.record
	case "vars":
		if len(p) == 1 {
			for _, ok := range g.vars {
				if !ok {
					return false
				}
			}
			return true
		}
		return g.vars[p[1]]
	case "vendor", "approval", "usage":
		if g.record {
			return true
		}
		if !g.unit {
			return false
		}
		if g.stage != StageRecord || p[0] == "approval" {
			return true
		}
		return p[0] == "vendor" && len(p) > 1 && vendorFields[p[1]]
	}
	return false
}

// exprDetermined reports whether every variable read of e is determined by the group.
func (g *groupFacts) exprDetermined(e ast.Expr) bool {
	ok := true
	var walk func(e ast.Expr, under []string)
	walk = func(e ast.Expr, under []string) {
		switch e.Kind() {
		case ast.IdentKind:
			root := e.AsIdent()
			if !isRoot(root) {
				return // a comprehension's variable: its range is checked
			}
			p := append([]string{root}, under...)
			if len(under) == 0 && root == "vendor" && g.stage == StageRecord {
				// The whole vendor, e.g. org.alternatives(vendor): it reads the vendor's catalogue fields.
				p = append(p, "id")
			}
			ok = ok && g.path(p)
		case ast.SelectKind:
			s := e.AsSelect()
			walk(s.Operand(), append([]string{s.FieldName()}, under...))
		case ast.CallKind:
			c := e.AsCall()
			if c.IsMemberFunction() {
				walk(c.Target(), nil)
			}
			for _, a := range c.Args() {
				walk(a, nil)
			}
		case ast.ListKind:
			for _, x := range e.AsList().Elements() {
				walk(x, nil)
			}
		case ast.MapKind:
			for _, en := range e.AsMap().Entries() {
				walk(en.AsMapEntry().Key(), nil)
				walk(en.AsMapEntry().Value(), nil)
			}
		case ast.ComprehensionKind:
			c := e.AsComprehension()
			walk(c.IterRange(), nil)
			walk(c.AccuInit(), nil)
			walk(c.LoopCondition(), nil)
			walk(c.LoopStep(), nil)
			walk(c.Result(), nil)
		}
	}
	walk(e, nil)
	return ok
}

func isRoot(name string) bool {
	switch name {
	case "record", "vendor", "approval", "usage", "org":
		return true
	}
	return false
}

// sameExpr compares two expressions by structure (IDs aside).
func sameExpr(a, b ast.Expr) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case ast.IdentKind:
		return a.AsIdent() == b.AsIdent()
	case ast.LiteralKind:
		eq, ok := a.AsLiteral().Equal(b.AsLiteral()).Value().(bool)
		return ok && eq && a.AsLiteral().Type() == b.AsLiteral().Type()
	case ast.SelectKind:
		x, y := a.AsSelect(), b.AsSelect()
		return x.FieldName() == y.FieldName() && x.IsTestOnly() == y.IsTestOnly() && sameExpr(x.Operand(), y.Operand())
	case ast.CallKind:
		x, y := a.AsCall(), b.AsCall()
		if x.FunctionName() != y.FunctionName() || x.IsMemberFunction() != y.IsMemberFunction() || len(x.Args()) != len(y.Args()) {
			return false
		}
		if x.IsMemberFunction() && !sameExpr(x.Target(), y.Target()) {
			return false
		}
		for i := range x.Args() {
			if !sameExpr(x.Args()[i], y.Args()[i]) {
				return false
			}
		}
		return true
	case ast.ListKind:
		x, y := a.AsList().Elements(), b.AsList().Elements()
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameExpr(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// checkGrouped reports every place the message or remediation reads what the group does not determine.
func checkGrouped(doc *yamlDoc, r *Rule, g *groupFacts, nodes map[string]*yaml.Node) Errors {
	var errs Errors
	for _, t := range []struct {
		key  string
		tmpl *template.Template
		text string
	}{{"message", r.message, r.Message}, {"remediation", r.remediation, r.Remediation}} {
		if t.tmpl == nil {
			continue
		}
		for _, ref := range templateRefs(t.tmpl) {
			if g.path(ref.path) {
				continue
			}
			e := &Error{File: doc.File, RuleID: r.ID, Msg: fmt.Sprintf("%s: %s is not the same for every record of a "+
				"finding (group_by: %s): the text would depend on which record came first; read what group_by "+
				"determines (vendor, approval, org, a var that is part of group_by), or group by record.id",
				t.key, refText(ref.path), groupByText(r))}
			if n := nodes[t.key]; n != nil {
				line, col := offsetPos(t.text, ref.pos)
				e.Line, e.Column = exprPos(doc, n, t.text, line, col)
				e.Source = doc.Line(e.Line)
			}
			errs = append(errs, e)
		}
	}
	return errs
}

func refText(p []string) string {
	if len(p) == 0 {
		return "{{.}}"
	}
	return "." + strings.Join(p, ".")
}

func groupByText(r *Rule) string {
	if strings.TrimSpace(r.GroupBy) == "" {
		return "vendor.key, the default"
	}
	return strings.Join(strings.Fields(r.GroupBy), " ")
}

// offsetPos turns a byte offset in text into a 1-based line and a 0-based column in code points (CEL's
// convention, which exprPos takes).
func offsetPos(text string, off int) (int, int) {
	if off > len(text) {
		off = len(text)
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if text[i] == '\n' {
			line, start = line+1, i+1
		}
	}
	return line, utf8.RuneCountInString(text[start:off])
}
