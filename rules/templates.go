package rules

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"text/template"
	"time"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner/textsafe"

	"cel.dev/cel-go/cel"
)

// Template functions available in message and remediation.
var templateFuncs = template.FuncMap{
	// join joins a list with sep: {{join .vars.scopes ", "}}.
	"join": func(list any, sep string) string { return strings.Join(stringList(list), sep) },
	// lower and upper change case.
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	// default returns def when v is empty: {{default "unknown" .approval.owner}}.
	"default": func(def string, v any) string {
		s := fmt.Sprint(v)
		if v == nil || s == "" {
			return def
		}
		return s
	},
	// date formats a time as 2006-01-02 ("" for the zero time or the epoch).
	"date": func(v any) string {
		t, ok := v.(time.Time)
		if !ok || t.IsZero() || t.Unix() == 0 {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	},
	// plural picks the singular or plural word for n: {{.usage.user_count}} {{plural .usage.user_count "user" "users"}}.
	"plural": func(n any, one, many string) string {
		if toFloat(n) == 1 {
			return one
		}
		return many
	},
	// money formats a currency → amount map as "USD 120.00, EUR 10.50", currencies sorted.
	"money": func(m any) string {
		rv := reflect.ValueOf(m)
		if rv.Kind() != reflect.Map {
			return ""
		}
		var parts []string
		for _, k := range rv.MapKeys() {
			parts = append(parts, fmt.Sprintf("%s %.2f", k.Interface(), math.Round(toFloat(rv.MapIndex(k).Interface())*100)/100))
		}
		sort.Strings(parts)
		return strings.Join(parts, ", ")
	},
	// scopeName shortens a scope: https://www.googleapis.com/auth/gmail.readonly → gmail.readonly.
	"scopeName": policy.NormalizeScope,
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	case uint64:
		return float64(x)
	}
	return math.NaN()
}

func stringList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = fmt.Sprint(e)
		}
		return out
	case nil:
		return nil
	}
	return []string{fmt.Sprint(v)}
}

// parseTemplate parses a message or remediation template. Unknown keys are errors at execution, and the
// examples run every template, so a typo fails the rule's test.
func parseTemplate(name, text string) (*template.Template, error) {
	t, err := template.New(name).Funcs(templateFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "template: "))
	}
	return t, nil
}

// renderTemplate executes t and cleans the result (textsafe.Clean), runs of white space collapsed.
func renderTemplate(t *template.Template, data map[string]any) (string, error) {
	var b strings.Builder
	b.Grow(256) // most messages fit: one allocation instead of one per doubling
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return collapse(textsafe.Clean(b.String())), nil
}

// collapse joins lines and collapses runs of spaces, trimming the ends.
func collapse(s string) string {
	if isCollapsed(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// isCollapsed reports whether collapse would return s unchanged: ASCII, single spaces, none at the ends.
func isCollapsed(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80 || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' '):
			return false
		}
	}
	return true
}

// kindsOf finds the record kinds a record-stage `when` can match: when the expression is a conjunction with a
// term `record.kind == "x"` or `record.kind in ["x", "y"]`, only those kinds can make it true, and the engine
// skips the rule for other records without evaluating it. It returns nil when no such term exists.
func kindsOf(a *cel.Ast) map[string]bool {
	if a == nil {
		return nil
	}
	return kindsExpr(a.NativeRep().Expr())
}

func kindsExpr(e ast.Expr) map[string]bool {
	if e.Kind() != ast.CallKind {
		return nil
	}
	call := e.AsCall()
	switch call.FunctionName() {
	case operators.LogicalAnd:
		var out map[string]bool
		for _, a := range call.Args() {
			k := kindsExpr(a)
			if k == nil {
				continue
			}
			if out == nil {
				out = k
				continue
			}
			// Both terms must hold: intersect.
			for x := range out {
				if !k[x] {
					delete(out, x)
				}
			}
		}
		return out
	case operators.Equals:
		args := call.Args()
		if len(args) != 2 {
			return nil
		}
		for i := 0; i < 2; i++ {
			if isRecordKind(args[i]) {
				if s, ok := stringLit(args[1-i]); ok {
					return map[string]bool{s: true}
				}
			}
		}
	case operators.In:
		args := call.Args()
		if len(args) != 2 || !isRecordKind(args[0]) || args[1].Kind() != ast.ListKind {
			return nil
		}
		out := map[string]bool{}
		for _, el := range args[1].AsList().Elements() {
			s, ok := stringLit(el)
			if !ok {
				return nil
			}
			out[s] = true
		}
		return out
	}
	return nil
}

// knownOf finds whether a `when` requires vendor.known (1) or !vendor.known (-1): a top-level conjunction term
// that is exactly one of those. 0: no requirement.
func knownOf(a *cel.Ast) int {
	if a == nil {
		return 0
	}
	return knownExpr(a.NativeRep().Expr())
}

func knownExpr(e ast.Expr) int {
	if isVendorKnown(e) {
		return 1
	}
	if e.Kind() != ast.CallKind {
		return 0
	}
	call := e.AsCall()
	switch call.FunctionName() {
	case operators.LogicalNot:
		if args := call.Args(); len(args) == 1 && isVendorKnown(args[0]) {
			return -1
		}
	case operators.LogicalAnd:
		for _, a := range call.Args() {
			if k := knownExpr(a); k != 0 {
				return k
			}
		}
	}
	return 0
}

func isVendorKnown(e ast.Expr) bool {
	if e.Kind() != ast.SelectKind {
		return false
	}
	sel := e.AsSelect()
	if sel.IsTestOnly() || sel.FieldName() != "known" {
		return false
	}
	op := sel.Operand()
	return op.Kind() == ast.IdentKind && op.AsIdent() == "vendor"
}

func isRecordKind(e ast.Expr) bool {
	if e.Kind() != ast.SelectKind {
		return false
	}
	sel := e.AsSelect()
	if sel.IsTestOnly() || sel.FieldName() != "kind" {
		return false
	}
	op := sel.Operand()
	return op.Kind() == ast.IdentKind && op.AsIdent() == "record"
}

func stringLit(e ast.Expr) (string, bool) {
	if e.Kind() != ast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}
