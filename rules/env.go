package rules

import (
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/decls"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/glob"
)

// Rule stages.
const (
	// StageRecord rules see record, vendor, approval and org, once per record.
	StageRecord = "record"
	// StageInventory rules see usage, vendor, approval and org, once per catalogue vendor after all records.
	StageInventory = "inventory"
	// StageUnidentified rules see usage (an unidentified group), vendor (unknown), approval (unapproved) and org,
	// once per group of records no vendor matched.
	StageUnidentified = "unidentified"
)

// Stages lists the rule stages.
var Stages = []string{StageRecord, StageInventory, StageUnidentified}

// Limits on evaluation.
const (
	// CostLimit bounds the work one expression may do per evaluation (CEL runtime cost units).
	CostLimit = 1_000_000
	// maxExprLen bounds the length of an expression's source.
	maxExprLen = 16 << 10
	// maxRange bounds lists.range(n), the one function that builds a large value from a small expression.
	maxRange = 10_000
)

// Function documentation, for README and `rules show`.
var Functions = []struct{ Signature, Doc string }{
	{"scopeClass(string) -> string", "class of an OAuth scope or Graph permission: restricted, high, sensitive, low or unknown (see Scope classes)"},
	{"scopeName(string) -> string", "short lower-case scope name: https://www.googleapis.com/auth/gmail.readonly → gmail.readonly"},
	{"hasScopeOfClass(list(string), string) -> bool", "some scope in the list is of the class"},
	{"scopesOfClass(list(string), string) -> list(string)", "the scopes (short names, sorted) of the class"},
	{"withinCeiling(list(string), list(string)) -> bool", "every scope matches a ceiling glob; an empty ceiling allows everything"},
	{"beyondCeiling(list(string), list(string)) -> list(string)", "the scopes (short names, sorted) no ceiling glob allows"},
	{"glob(pattern, string) -> bool", "path.Match glob (* ? [..]); a malformed pattern is an error"},
	{"record.hint(type) -> string", "value of the record's first hint of that type, or \"\""},
	{"record.hasHint(type) -> bool", "the record has a hint of that type"},
	{"org.alternatives(vendor) -> list(string)", "approved vendors sharing a subcategory with vendor (not vendor itself)"},
	{"ext: strings, lists, sets, optional types", "cel-go extension libraries, e.g. list.join(\", \"), sets.intersects(a, b), map.?key.orValue(x)"},
}

// stringsOf returns the Go strings of a CEL list of strings, without copying when the list wraps a []string.
func stringsOf(v ref.Val) ([]string, bool) {
	if g, ok := v.(*goStrList); ok {
		return g.s, true
	}
	if s, ok := v.Value().([]string); ok {
		return s, true
	}
	l, ok := v.(traits.Lister)
	if !ok {
		return nil, false
	}
	n := int(l.Size().(types.Int))
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		s, ok := l.Get(types.Int(i)).(types.String)
		if !ok {
			return nil, false
		}
		out = append(out, string(s))
	}
	return out, true
}

func notString(v ref.Val) ref.Val {
	return types.NewErr("expected a string, got %s", v.Type().TypeName())
}

func noStrings(v ref.Val) ref.Val {
	return types.NewErr("expected a list of strings, got %s", v.Type().TypeName())
}

// noGuards turns off cel-go's per-call runtime type check of arguments, which walks list arguments and costs more
// than the functions themselves; expressions are type-checked at load and every binding checks its arguments.
var noGuards = decls.DisableTypeGuards(true)

// functions are shadowscan's own CEL functions.
func functions(adapter types.Adapter) []cel.EnvOption {
	return []cel.EnvOption{
		cel.Function("scopeClass", cel.Overload("scopeClass_string", []*cel.Type{cel.StringType}, cel.StringType,
			cel.UnaryBinding(func(v ref.Val) ref.Val {
				s, ok := v.(types.String)
				if !ok {
					return notString(v)
				}
				return internStr(policy.ScopeClass(string(s)))
			})), noGuards),
		cel.Function("scopeName", cel.Overload("scopeName_string", []*cel.Type{cel.StringType}, cel.StringType,
			cel.UnaryBinding(func(v ref.Val) ref.Val {
				s, ok := v.(types.String)
				if !ok {
					return notString(v)
				}
				return types.String(policy.NormalizeScope(string(s)))
			})), noGuards),
		cel.Function("hasScopeOfClass", cel.Overload("hasScopeOfClass_list_string", []*cel.Type{strList, cel.StringType}, cel.BoolType,
			cel.BinaryBinding(func(l, c ref.Val) ref.Val {
				s, class, err := scopeClassArgs(l, c)
				if err != nil {
					return err
				}
				return types.Bool(policy.HasScopeOfClass(s, class))
			})), noGuards),
		cel.Function("scopesOfClass", cel.Overload("scopesOfClass_list_string", []*cel.Type{strList, cel.StringType}, strList,
			cel.BinaryBinding(func(l, c ref.Val) ref.Val {
				s, class, err := scopeClassArgs(l, c)
				if err != nil {
					return err
				}
				return strs(adapter, policy.ScopesOfClass(s, class))
			})), noGuards),
		cel.Function("withinCeiling", cel.Overload("withinCeiling_list_list", []*cel.Type{strList, strList}, cel.BoolType,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val {
				s, c, err := ceilingArgs(a, b)
				if err != nil {
					return err
				}
				return types.Bool(policy.WithinCeiling(s, c))
			})), noGuards),
		cel.Function("beyondCeiling", cel.Overload("beyondCeiling_list_list", []*cel.Type{strList, strList}, strList,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val {
				s, c, err := ceilingArgs(a, b)
				if err != nil {
					return err
				}
				return strs(adapter, policy.BeyondCeiling(s, c))
			})), noGuards),
		cel.Function("glob", cel.Overload("glob_string_string", []*cel.Type{cel.StringType, cel.StringType}, cel.BoolType,
			cel.BinaryBinding(func(p, s ref.Val) ref.Val {
				ps, ok1 := p.(types.String)
				ss, ok2 := s.(types.String)
				if !ok1 || !ok2 {
					return types.NewErr("glob: expected two strings")
				}
				if glob.Validate(string(ps)) != nil {
					return types.NewErr("glob: malformed pattern %q", string(ps))
				}
				return types.Bool(glob.Match(string(ps), string(ss)))
			})), noGuards),
		cel.Function("hint", cel.MemberOverload("record_hint_string", []*cel.Type{recordDef.typ, cel.StringType}, cel.StringType,
			cel.BinaryBinding(func(r, t ref.Val) ref.Val {
				hints, want, err := hintArgs("hint", r, t)
				if err != nil {
					return err
				}
				for i := range hints {
					if string(hints[i].Type) == want {
						return types.String(hints[i].Value)
					}
				}
				return emptyStr
			})), noGuards),
		cel.Function("hasHint", cel.MemberOverload("record_hasHint_string", []*cel.Type{recordDef.typ, cel.StringType}, cel.BoolType,
			cel.BinaryBinding(func(r, t ref.Val) ref.Val {
				hints, want, err := hintArgs("hasHint", r, t)
				if err != nil {
					return err
				}
				for i := range hints {
					if string(hints[i].Type) == want && hints[i].Value != "" {
						return types.True
					}
				}
				return types.False
			})), noGuards),
		cel.Function("alternatives", cel.MemberOverload("org_alternatives_vendor", []*cel.Type{orgDef.typ, vendorDef.typ}, strList,
			cel.BinaryBinding(func(o, v ref.Val) ref.Val {
				ov, ok1 := o.(*orgView)
				vv, ok2 := v.(*vendorView)
				if !ok1 || !ok2 {
					return types.NewErr("alternatives: wrong argument types")
				}
				return strs(adapter, ov.alternatives(vv))
			})), noGuards),
	}
}

// scopeClassArgs checks the arguments of hasScopeOfClass(scopes, class) and scopesOfClass(scopes, class): the
// scopes and the class, or the CEL error to return.
func scopeClassArgs(l, c ref.Val) ([]string, string, ref.Val) {
	s, ok := stringsOf(l)
	if !ok {
		return nil, "", noStrings(l)
	}
	class, ok := c.(types.String)
	if !ok {
		return nil, "", notString(c)
	}
	return s, string(class), nil
}

// ceilingArgs checks the arguments of withinCeiling and beyondCeiling: two lists of strings (scopes, ceiling), or
// the CEL error to return.
func ceilingArgs(a, b ref.Val) ([]string, []string, ref.Val) {
	s, ok := stringsOf(a)
	if !ok {
		return nil, nil, noStrings(a)
	}
	c, ok := stringsOf(b)
	if !ok {
		return nil, nil, noStrings(b)
	}
	return s, c, nil
}

// hintArgs checks the arguments of record.hint(type) and record.hasHint(type) (fn): the record's hints and the
// type asked for, or the CEL error to return.
func hintArgs(fn string, r, t ref.Val) ([]scanner.Hint, string, ref.Val) {
	rv, ok := r.(*recordView)
	if !ok {
		return nil, "", types.NewErr("%s: not a record", fn)
	}
	want, ok := t.(types.String)
	if !ok {
		return nil, "", notString(t)
	}
	return rv.rec.Hints, string(want), nil
}

// envs holds the CEL environment of each stage; they are built once and shared.
type envs struct {
	provider *typeProvider
	byStage  map[string]*cel.Env
}

var (
	envOnce sync.Once
	envVal  *envs
	envErr  error
)

func stageEnvs() (*envs, error) {
	envOnce.Do(func() { envVal, envErr = buildEnvs() })
	return envVal, envErr
}

func buildEnvs() (*envs, error) {
	p, err := newTypeProvider()
	if err != nil {
		return nil, err
	}
	base := []cel.EnvOption{
		cel.CustomTypeAdapter(p),
		cel.CustomTypeProvider(p),
		cel.OptionalTypes(),
		cel.CrossTypeNumericComparisons(true),
		cel.EagerlyValidateDeclarations(true),
		cel.ParserExpressionSizeLimit(maxExprLen),
		ext.Strings(),
		ext.Lists(ext.ListsMaxRangeSize(maxRange)),
		ext.Sets(),
	}
	base = append(base, functions(p)...)
	vars := map[string][]cel.EnvOption{
		StageRecord: {cel.Variable("record", recordDef.typ), cel.Variable("vendor", vendorDef.typ),
			cel.Variable("approval", approvalDef.typ), cel.Variable("org", orgDef.typ)},
		StageInventory: {cel.Variable("usage", usageDef.typ), cel.Variable("vendor", vendorDef.typ),
			cel.Variable("approval", approvalDef.typ), cel.Variable("org", orgDef.typ)},
	}
	vars[StageUnidentified] = vars[StageInventory]
	e := &envs{provider: p, byStage: map[string]*cel.Env{}}
	for _, st := range Stages {
		env, err := cel.NewEnv(append(append([]cel.EnvOption{}, base...), vars[st]...)...)
		if err != nil {
			return nil, err
		}
		e.byStage[st] = env
	}
	return e, nil
}

// Variables documents the CEL variables by stage, for README and `rules show`.
func Variables() map[string][]string {
	return map[string][]string{
		StageRecord:       {"record", "vendor", "approval", "org"},
		StageInventory:    {"usage", "vendor", "approval", "org"},
		StageUnidentified: {"usage", "vendor", "approval", "org"},
	}
}

// TypeDoc describes one CEL object type's fields, for documentation.
type TypeDoc struct {
	Name   string
	Doc    string
	Fields []FieldDoc
}

// FieldDoc is one field of a TypeDoc.
type FieldDoc struct{ Name, Type, Doc string }

// Types documents the CEL object types.
func Types() []TypeDoc {
	var out []TypeDoc
	for _, d := range allDefs() {
		td := TypeDoc{Name: d.name, Doc: d.doc}
		for _, n := range d.names {
			f := d.fields[n]
			td.Fields = append(td.Fields, FieldDoc{Name: n, Type: typeString(f.typ), Doc: f.doc})
		}
		out = append(out, td)
	}
	return out
}

func typeString(t *types.Type) string {
	return strings.ReplaceAll(t.String(), "google.protobuf.Timestamp", "timestamp")
}
