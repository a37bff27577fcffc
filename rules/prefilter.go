package rules

import (
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// A record-stage rule's `when` is mostly a conjunction of simple terms on declared fields: the record's kind,
// source, hints and attributes, the vendor and the approval status. Most records fail one of them, so the engine
// checks those terms in Go before it runs the CEL program (a prefilter). A prefilter is a necessary condition:
// when it is false, `when` is false too, and CEL would return false as well (CEL's && is false as soon as one
// term is false, whatever the others give, errors included), so skipping the program changes no result. When it
// is true, the CEL program decides.

// guardIn is what the prefilters read about one record; built once per record.
type guardIn struct {
	rec    *scanner.Record
	vendor *scanner.Vendor // nil: unknown
	status string          // approval status, "" normalised to unapproved as in approval.status

	approvalScopes, approvalAccounts int // len(approval.scopes), len(approval.aws_accounts)

	classes [4]classMemo // hasScopeOfClass(record.scopes, class), computed on first use
}

type classMemo struct {
	class string
	has   bool
}

func (g *guardIn) reset(rec *scanner.Record, vendor *scanner.Vendor, appr *scanner.Approval) {
	*g = guardIn{rec: rec, vendor: vendor, status: appr.Status, approvalScopes: len(appr.Scopes),
		approvalAccounts: len(appr.AWSAccounts)}
	if g.status == "" {
		g.status = scanner.ApprovalUnapproved
	}
}

func (g *guardIn) hasScopeOfClass(class string) bool {
	for i := range g.classes {
		c := &g.classes[i]
		if c.class == class {
			return c.has
		}
		if c.class == "" {
			c.class, c.has = class, policy.HasScopeOfClass(g.rec.Scopes, class)
			return c.has
		}
	}
	return policy.HasScopeOfClass(g.rec.Scopes, class)
}

// guard is a condition on one record.
type guard func(*guardIn) bool

func allOf(gs []guard) guard {
	switch len(gs) {
	case 0:
		return nil
	case 1:
		return gs[0]
	}
	return func(in *guardIn) bool {
		for _, g := range gs {
			if !g(in) {
				return false
			}
		}
		return true
	}
}

func anyOf(gs []guard) guard {
	if len(gs) == 1 {
		return gs[0]
	}
	return func(in *guardIn) bool {
		for _, g := range gs {
			if g(in) {
				return true
			}
		}
		return false
	}
}

// prefilterOf derives the prefilter of a record-stage `when`; nil when it has no term the prefilter understands.
func prefilterOf(a *cel.Ast) guard {
	if a == nil {
		return nil
	}
	return necessary(a.NativeRep().Expr())
}

// necessary returns a condition that holds whenever e is true (nil: none known).
func necessary(e ast.Expr) guard {
	if g := exact(e); g != nil {
		return g
	}
	if e.Kind() != ast.CallKind {
		return nil
	}
	call := e.AsCall()
	switch call.FunctionName() {
	case operators.LogicalAnd:
		var gs []guard
		for _, a := range call.Args() {
			if g := necessary(a); g != nil {
				gs = append(gs, g)
			}
		}
		return allOf(gs)
	case operators.LogicalOr:
		var gs []guard
		for _, a := range call.Args() {
			g := necessary(a)
			if g == nil {
				return nil // that branch may be true for any record
			}
			gs = append(gs, g)
		}
		return anyOf(gs)
	case operators.Equals, operators.NotEquals:
		return attributeNeeded(call)
	}
	return nil
}

// exact returns a Go function equal to e for every record, for the terms it understands (nil otherwise). These
// terms never fail at run time, so a negation of an exact term is exact as well.
func exact(e ast.Expr) guard {
	switch e.Kind() {
	case ast.SelectKind:
		return exactField(e)
	case ast.CallKind:
	default:
		return nil
	}
	call := e.AsCall()
	args := call.Args()
	switch fn := call.FunctionName(); fn {
	case operators.LogicalNot:
		if g := exact(args[0]); g != nil {
			return func(in *guardIn) bool { return !g(in) }
		}
	case operators.LogicalAnd, operators.LogicalOr:
		gs := make([]guard, 0, len(args))
		for _, a := range args {
			g := exact(a)
			if g == nil {
				return nil
			}
			gs = append(gs, g)
		}
		if fn == operators.LogicalAnd {
			return allOf(gs)
		}
		return anyOf(gs)
	case operators.Equals, operators.NotEquals:
		for i := 0; i < 2; i++ {
			lit, ok := stringLit(args[1-i])
			if !ok {
				continue
			}
			get := stringField(args[i])
			if get == nil {
				return nil
			}
			if fn == operators.Equals {
				return func(in *guardIn) bool { return get(in) == lit }
			}
			return func(in *guardIn) bool { return get(in) != lit }
		}
	case operators.In:
		if k := kindsExpr(e); k != nil {
			return func(in *guardIn) bool { return k[in.rec.Kind] }
		}
	case "hasHint":
		if call.IsMemberFunction() && isIdent(call.Target(), "record") && len(args) == 1 {
			if t, ok := stringLit(args[0]); ok {
				return func(in *guardIn) bool {
					for i := range in.rec.Hints {
						if string(in.rec.Hints[i].Type) == t && in.rec.Hints[i].Value != "" {
							return true
						}
					}
					return false
				}
			}
		}
	case "hasScopeOfClass":
		if !call.IsMemberFunction() && len(args) == 2 && isField(args[0], "record", "scopes") {
			if c, ok := stringLit(args[1]); ok {
				return func(in *guardIn) bool { return in.hasScopeOfClass(c) }
			}
		}
	case operators.Greater:
		// approval.scopes.size() > 0, approval.aws_accounts.size() > 0
		if n, ok := args[1].AsLiteral().(types.Int); args[1].Kind() == ast.LiteralKind && ok && n == 0 &&
			args[0].Kind() == ast.CallKind {
			sz := args[0].AsCall()
			if sz.FunctionName() == "size" && sz.IsMemberFunction() && len(sz.Args()) == 0 {
				switch {
				case isField(sz.Target(), "approval", "scopes"):
					return func(in *guardIn) bool { return in.approvalScopes > 0 }
				case isField(sz.Target(), "approval", "aws_accounts"):
					return func(in *guardIn) bool { return in.approvalAccounts > 0 }
				}
			}
		}
	}
	return nil
}

// exactField handles the boolean fields: vendor.known, vendor.martech, approval.approved, approval.expired,
// approval.listed, record.amount.recurring.
func exactField(e ast.Expr) guard {
	switch {
	case isField(e, "vendor", "known"):
		return func(in *guardIn) bool { return in.vendor != nil }
	case isField(e, "vendor", "martech"):
		return func(in *guardIn) bool { return in.vendor != nil && in.vendor.Martech }
	case isField(e, "approval", "approved"):
		return func(in *guardIn) bool { return !scanner.Unapproved(in.status) }
	case isField(e, "approval", "expired"):
		return func(in *guardIn) bool { return in.status == scanner.ApprovalExpired }
	case isField(e, "approval", "listed"):
		return func(in *guardIn) bool { return in.status != scanner.ApprovalUnapproved }
	}
	sel := e.AsSelect()
	if !sel.IsTestOnly() && sel.FieldName() == "recurring" && isField(sel.Operand(), "record", "amount") {
		return func(in *guardIn) bool {
			if in.rec.Amount == nil {
				return false
			}
			_, ok := in.rec.Amount.Monthly()
			return ok
		}
	}
	return nil
}

// stringField returns a getter for the string fields the prefilter compares: record.kind, record.source and
// approval.status.
func stringField(e ast.Expr) func(*guardIn) string {
	switch {
	case isField(e, "record", "kind"):
		return func(in *guardIn) string { return in.rec.Kind }
	case isField(e, "record", "source"):
		return func(in *guardIn) string { return in.rec.Source }
	case isField(e, "approval", "status"):
		return func(in *guardIn) string { return in.status }
	}
	return nil
}

// attributeNeeded handles record.attributes.?a.orValue(d) == c (or !=) with literals d and c: when the record
// has no attribute a the term is the constant d == c; when that constant is false, the term needs the attribute.
func attributeNeeded(eq ast.CallExpr) guard {
	name, def, lit, ok := attrComparison(eq)
	if !ok {
		return nil
	}
	same, ok := def.Equal(lit).(types.Bool)
	if !ok {
		return nil
	}
	if (eq.FunctionName() == operators.Equals) == bool(same) {
		return nil // the default satisfies the term: an absent attribute can match
	}
	return func(in *guardIn) bool {
		_, present := in.rec.Attributes[name]
		return present
	}
}

// attrComparison matches record.attributes.?name.orValue(def) == lit (either side, or !=) with literals.
func attrComparison(eq ast.CallExpr) (name string, def, lit ref.Val, ok bool) {
	args := eq.Args()
	if len(args) != 2 {
		return "", nil, nil, false
	}
	for i := 0; i < 2; i++ {
		name, def, ok := optAttrOrValue(args[i])
		if ok && args[1-i].Kind() == ast.LiteralKind {
			return name, def, args[1-i].AsLiteral(), true
		}
	}
	return "", nil, nil, false
}

// optAttrOrValue matches record.attributes.?name.orValue(literal).
func optAttrOrValue(e ast.Expr) (string, ref.Val, bool) {
	if e.Kind() != ast.CallKind {
		return "", nil, false
	}
	c := e.AsCall()
	if c.FunctionName() != "orValue" || !c.IsMemberFunction() || len(c.Args()) != 1 || c.Args()[0].Kind() != ast.LiteralKind {
		return "", nil, false
	}
	t := c.Target()
	if t.Kind() != ast.CallKind {
		return "", nil, false
	}
	opt := t.AsCall()
	if opt.FunctionName() != operators.OptSelect || len(opt.Args()) != 2 || !isRecordAttributes(opt.Args()[0]) {
		return "", nil, false
	}
	name, ok := stringLit(opt.Args()[1])
	if !ok {
		return "", nil, false
	}
	return name, c.Args()[0].AsLiteral(), true
}

// isField reports whether e is the plain field selection root.name.
func isField(e ast.Expr, root, name string) bool {
	if e.Kind() != ast.SelectKind {
		return false
	}
	sel := e.AsSelect()
	return !sel.IsTestOnly() && sel.FieldName() == name && isIdent(sel.Operand(), root)
}

func isIdent(e ast.Expr, name string) bool {
	return e.Kind() == ast.IdentKind && e.AsIdent() == name
}

// groupFieldOf returns a Go reader for a group_by that joins plain string parts with + — string literals,
// vendor.id, vendor.key, record.id, record.hint("type") and record.attributes.?name.orValue("default") (also inside
// string()) — giving what the CEL program gives; ok false (an attribute that is not a string, no record) sends that
// evaluation to the program. nil: the expression has another form, the program always runs. Group keys such as
// `vendor.id + ":" + record.hint("aws_account")` were the pipeline's largest source of allocations in CEL.
func groupFieldOf(a *cel.Ast) func(*evalState) (string, bool) {
	if a == nil {
		return nil
	}
	var parts []groupPart
	var flatten func(e ast.Expr) bool
	flatten = func(e ast.Expr) bool {
		if e.Kind() == ast.CallKind && e.AsCall().FunctionName() == operators.Add && len(e.AsCall().Args()) == 2 {
			return flatten(e.AsCall().Args()[0]) && flatten(e.AsCall().Args()[1])
		}
		p := groupPartOf(e)
		parts = append(parts, p)
		return p != nil
	}
	if !flatten(a.NativeRep().Expr()) {
		return nil
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return func(st *evalState) (string, bool) {
		var vals [8]string
		vs := vals[:0]
		n := 0
		for _, p := range parts {
			v, ok := p(st)
			if !ok {
				return "", false
			}
			vs = append(vs, v)
			n += len(v)
		}
		var b strings.Builder
		b.Grow(n)
		for _, v := range vs {
			b.WriteString(v)
		}
		return b.String(), true
	}
}

// groupPart reads one part of a group_by (see groupFieldOf).
type groupPart func(*evalState) (string, bool)

func groupPartOf(e ast.Expr) groupPart {
	switch {
	case isField(e, "vendor", "id"):
		return func(st *evalState) (string, bool) { return st.vendor.v.ID, true }
	case isField(e, "vendor", "key"):
		return func(st *evalState) (string, bool) { return st.vendor.keyVal(), true }
	case isField(e, "record", "id"):
		return func(st *evalState) (string, bool) {
			if st.record.rec == nil {
				return "", false
			}
			return st.record.rec.ID, true
		}
	}
	if lit, ok := stringLit(e); ok {
		return func(*evalState) (string, bool) { return lit, true }
	}
	if e.Kind() != ast.CallKind {
		return nil
	}
	c := e.AsCall()
	switch {
	case c.FunctionName() == "hint" && c.IsMemberFunction() && isIdent(c.Target(), "record") && len(c.Args()) == 1:
		t, ok := stringLit(c.Args()[0])
		if !ok {
			return nil
		}
		return func(st *evalState) (string, bool) {
			if st.record.rec == nil {
				return "", false
			}
			h, _ := st.record.rec.Hint(scanner.HintType(t))
			return h.Value, true
		}
	case c.FunctionName() == overloads.TypeConvertString && !c.IsMemberFunction() && len(c.Args()) == 1:
		return attrPartOf(c.Args()[0])
	}
	return attrPartOf(e)
}

// attrPartOf reads record.attributes.?name.orValue("default") when the attribute is absent or a string.
func attrPartOf(e ast.Expr) groupPart {
	name, def, ok := optAttrOrValue(e)
	if !ok {
		return nil
	}
	d, ok := def.(types.String)
	if !ok {
		return nil
	}
	return func(st *evalState) (string, bool) {
		if st.record.rec == nil {
			return "", false
		}
		a, present := st.record.rec.Attributes[name]
		if !present {
			return string(d), true
		}
		s, isStr := a.(string)
		return s, isStr
	}
}

// decider decides a record-stage `when` in Go, or says it cannot for this record (known false). It exists when
// the top-level conjunction's terms are all exact terms or attribute comparisons (attrTerm); an attribute of a
// type other than string or bool leaves the decision to CEL. A false term decides: CEL's && is false as soon as
// one term is false, whatever the others give, errors included.
type decider func(*guardIn) (match, known bool)

func deciderOf(a *cel.Ast) decider {
	if a == nil {
		return nil
	}
	var gs []guard
	var as []attrTerm
	for _, t := range conjuncts(a.NativeRep().Expr(), nil) {
		if g := exact(t); g != nil {
			gs = append(gs, g)
			continue
		}
		at, ok := attrTermOf(t)
		if !ok {
			return nil
		}
		as = append(as, at)
	}
	return func(in *guardIn) (bool, bool) {
		for _, g := range gs {
			if !g(in) {
				return false, true
			}
		}
		known := true
		for i := range as {
			v, ok := as[i].eval(in.rec.Attributes)
			if !ok {
				known = false
			} else if !v {
				return false, true
			}
		}
		return known, known
	}
}

// conjuncts lists the terms of a conjunction (e itself when it is not one).
func conjuncts(e ast.Expr, out []ast.Expr) []ast.Expr {
	if e.Kind() == ast.CallKind && e.AsCall().FunctionName() == operators.LogicalAnd {
		for _, a := range e.AsCall().Args() {
			out = conjuncts(a, out)
		}
		return out
	}
	return append(out, e)
}

// attrTerm is record.attributes.?name.orValue(def) == lit (or !=, when ne) with string or bool literals.
type attrTerm struct {
	name     string
	def, lit ref.Val
	ne       bool
}

func attrTermOf(e ast.Expr) (attrTerm, bool) {
	if e.Kind() != ast.CallKind {
		return attrTerm{}, false
	}
	call := e.AsCall()
	fn := call.FunctionName()
	if fn != operators.Equals && fn != operators.NotEquals {
		return attrTerm{}, false
	}
	name, def, lit, ok := attrComparison(call)
	if !ok || !stringOrBool(def) || !stringOrBool(lit) {
		return attrTerm{}, false
	}
	return attrTerm{name: name, def: def, lit: lit, ne: fn == operators.NotEquals}, true
}

func stringOrBool(v ref.Val) bool {
	switch v.(type) {
	case types.String, types.Bool:
		return true
	}
	return false
}

// eval gives the term's value, as CEL would, when the attribute is absent, a string or a bool (ok false
// otherwise: CEL decides).
func (t *attrTerm) eval(attrs map[string]any) (v, ok bool) {
	x := t.def
	if a, present := attrs[t.name]; present {
		switch a := a.(type) {
		case string:
			x = types.String(a)
		case bool:
			x = types.Bool(a)
		default:
			return false, false
		}
	}
	eq := x.Equal(t.lit) == types.True
	return eq != t.ne, true
}
