package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"github.com/shadowscan/shadowscan/scanner"
)

// attrRead is one place an expression reads record.attributes.<name>.
type attrRead struct {
	name      string
	line, col int // within the expression, 1-based line, 0-based column (CEL's convention)
}

// attributeReads finds every constant-key read of record.attributes in an expression: record.attributes.x,
// record.attributes.?x, has(record.attributes.x), record.attributes["x"] and record.attributes[?"x"].
func attributeReads(a *cel.Ast) []attrRead {
	if a == nil {
		return nil
	}
	info := a.NativeRep().SourceInfo()
	var out []attrRead
	add := func(id int64, name string) {
		loc := info.GetStartLocation(id)
		out = append(out, attrRead{name: name, line: loc.Line(), col: loc.Column()})
	}
	ast.PreOrderVisit(a.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		switch e.Kind() {
		case ast.SelectKind:
			if s := e.AsSelect(); isRecordAttributes(s.Operand()) {
				add(e.ID(), s.FieldName())
			}
		case ast.CallKind:
			c := e.AsCall()
			switch c.FunctionName() {
			case operators.OptSelect, operators.Index, operators.OptIndex:
				if args := c.Args(); len(args) == 2 && isRecordAttributes(args[0]) && args[1].Kind() == ast.LiteralKind {
					if s, ok := args[1].AsLiteral().Value().(string); ok {
						add(args[1].ID(), s)
					}
				}
			}
		}
	}))
	return out
}

// isRecordAttributes reports whether e is the expression record.attributes.
func isRecordAttributes(e ast.Expr) bool {
	if e.Kind() != ast.SelectKind {
		return false
	}
	s := e.AsSelect()
	op := s.Operand()
	return s.FieldName() == "attributes" && op.Kind() == ast.IdentKind && op.AsIdent() == "record"
}

// checkDeclared reports the attribute reads that no registered provider declares (for the rule's record kinds,
// when its `when` names them). Without any declared shape (no provider registered, as in a bare library use) it
// checks nothing.
func checkDeclared(doc *yamlDoc, node *yaml.Node, id, key, expr string, reads []attrRead, kinds map[string]bool) Errors {
	if len(reads) == 0 {
		return nil
	}
	declared := scanner.Declared()
	if len(scanner.DeclaredKinds()) == 0 {
		return nil
	}
	var errs Errors
	for _, rd := range reads {
		decl := declared[rd.name]
		ok := false
		for _, d := range decl {
			for _, k := range d.Kinds {
				ok = ok || kinds == nil || kinds[k]
			}
		}
		if ok {
			continue
		}
		msg := fmt.Sprintf("%s: record.attributes.%s is not an attribute any provider declares", key, rd.name)
		if len(decl) > 0 {
			var on []string
			for _, d := range decl {
				on = append(on, d.Provider+" ("+strings.Join(d.Kinds, ", ")+")")
			}
			msg = fmt.Sprintf("%s: record.attributes.%s is not declared for %s; it is declared on %s", key, rd.name,
				strings.Join(slices.Sorted(maps.Keys(kinds)), ", "), strings.Join(on, "; "))
		} else if s := nearestAttribute(rd.name, declared); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		msg += "; see `shadowscan rules show` for the attributes providers declare"
		e := &Error{File: doc.File, RuleID: id, Msg: msg}
		if node != nil {
			e.Line, e.Column = exprPos(doc, node, expr, rd.line, rd.col)
			e.Source = doc.Line(e.Line)
		}
		errs = append(errs, e)
	}
	return errs
}

func nearestAttribute(name string, declared map[string][]scanner.DeclaredAttribute) string {
	names := make([]string, 0, len(declared))
	for n := range declared {
		names = append(names, n)
	}
	slices.Sort(names)
	return yamlpos.Nearest(name, names)
}
