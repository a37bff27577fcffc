// Package rules is shadowscan's rule engine: CEL rules loaded from YAML (the embedded built-in pack in
// builtin/*.yaml plus the organisation's own files), the approved-tools policy (approved.yaml) and suppressions.
//
// A rule file holds `rules:`, a list of
//
//	id:          kebab-case, unique across every loaded file
//	title:       one line, the finding's title
//	severity:    critical, high, medium, low or info
//	stage:       record (once per record), inventory (once per catalogue vendor, after all records) or
//	             unidentified (once per group of records no vendor matched)
//	description: longer text for `rules show` (optional)
//	when:        CEL expression returning bool
//	group_by:    CEL expression returning string; matches with the same key become one finding
//	             (default: vendor.key)
//	vars:        name → CEL expression, evaluated for the templates only (optional)
//	message:     Go text/template over .record .vendor .approval .org .usage .vars; one finding stands for every
//	             record in its group, so it may read only what group_by determines (checkGrouped, at load)
//	remediation: Go text/template, same data
//	tags:        list of strings
//	examples:    {match: [...], no_match: [...]}: each case is {record, vendor, approval, org} (record stage) or
//	             {usage, vendor, approval, org} (inventory, unidentified stages); a generic test runs them all
//
// Every expression is compiled once, at load, against typed variables, so a misspelt variable or field, a
// non-boolean `when` or a syntax error is a load error pointing at file:line:column of the YAML file.
package rules

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"github.com/shadowscan/shadowscan/scanner"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Rule is one compiled rule.
type Rule struct {
	ID          string
	Title       string
	Severity    string // after overrides
	Stage       string
	Description string
	When        string
	GroupBy     string
	Vars        []Var
	Message     string
	Remediation string
	Tags        []string
	Examples    Examples

	File    string // where it was defined
	Line    int
	Builtin bool
	// DefaultSeverity is the severity in the rule file, before rules.severity overrides.
	DefaultSeverity string

	when           program
	groupBy        program
	vars           []program
	message        *template.Template
	remediation    *template.Template
	kinds          map[string]bool                 // record kinds the rule can match; nil: any
	known          int                             // 1: matches only resolved records, -1: only unresolved ones, 0: either
	prefilter      guard                           // record stage: a necessary condition checked before `when` runs; nil: none
	decide         decider                         // record stage: `when` decided in Go when it can be; nil: never
	groupField     func(*evalState) (string, bool) // group_by read in Go (groupFieldOf); nil or false: run the program
	groupPerRecord bool                            // group_by is record.id: every record is a group of its own
	needs          dataNeeds                       // what message and remediation read
	plan           readPlan                        // the same, in the order the render cache encodes it
	index          int
}

// Var is a named expression evaluated for a rule's templates.
type Var struct {
	Name string
	Expr string
}

// Examples are a rule's own test cases.
type Examples struct {
	Match   []*Case
	NoMatch []*Case
}

// RuleSet is the loaded, compiled set of rules.
type RuleSet struct {
	Rules []*Rule // sorted by ID
	byID  map[string]*Rule
}

// Rule returns the rule with the given ID.
func (rs *RuleSet) Rule(id string) (*Rule, bool) {
	r, ok := rs.byID[id]
	return r, ok
}

// IDs returns every rule ID, sorted.
func (rs *RuleSet) IDs() []string {
	out := make([]string, len(rs.Rules))
	for i, r := range rs.Rules {
		out[i] = r.ID
	}
	return out
}

// Options adjust the rule set (config keys rules.extra_files, rules.disable, rules.severity).
type Options struct {
	// ExtraFiles are the organisation's own rule files (same schema as the built-in pack).
	ExtraFiles []string
	// Disable lists rule IDs to leave out.
	Disable []string
	// Severity overrides rule severities by ID.
	Severity map[string]string
}

// BuiltinFiles returns the names and contents of the embedded built-in rule files.
func BuiltinFiles() (map[string][]byte, error) {
	names, err := fs.Glob(builtinFS, "builtin/*.yaml")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := builtinFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out["rules/"+n] = b
	}
	return out, nil
}

// Builtin loads the built-in rule pack alone.
func Builtin() (*RuleSet, error) { return Load(Options{}) }

// Load compiles the built-in pack and the extra files, then applies Disable and Severity. Every problem found is
// returned (as Errors), each with its file and position.
func Load(opts Options) (*RuleSet, error) {
	builtin, err := BuiltinFiles()
	if err != nil {
		return nil, err
	}
	var errs Errors
	var all []*Rule
	names := make([]string, 0, len(builtin))
	for n := range builtin {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rs, es := ParseFile(n, builtin[n])
		for _, r := range rs {
			r.Builtin = true
		}
		all, errs = append(all, rs...), append(errs, es...)
	}
	for _, f := range opts.ExtraFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, &Error{File: f, Msg: fmt.Sprintf("reading rules: %v", err)})
			continue
		}
		rs, es := ParseFile(f, data)
		all, errs = append(all, rs...), append(errs, es...)
	}
	rs, es := newRuleSet(all, opts)
	errs = append(errs, es...)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	return rs, nil
}

// LoadFiles compiles the given rule files only (no built-in pack), for `rules test FILE` and tests.
func LoadFiles(files map[string][]byte) (*RuleSet, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs Errors
	var all []*Rule
	for _, n := range names {
		rs, es := ParseFile(n, files[n])
		all, errs = append(all, rs...), append(errs, es...)
	}
	rs, es := newRuleSet(all, Options{})
	errs = append(errs, es...)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	return rs, nil
}

func newRuleSet(all []*Rule, opts Options) (*RuleSet, Errors) {
	var errs Errors
	rs := &RuleSet{byID: map[string]*Rule{}}
	for _, r := range all {
		if first, dup := rs.byID[r.ID]; dup {
			errs = append(errs, &Error{File: r.File, Line: r.Line, RuleID: r.ID,
				Msg: fmt.Sprintf("duplicate rule id (first defined at %s:%d)", first.File, first.Line)})
			continue
		}
		rs.byID[r.ID] = r
	}
	known := make([]string, 0, len(rs.byID))
	for id := range rs.byID {
		known = append(known, id)
	}
	sort.Strings(known)
	unknown := func(key, id string) *Error {
		msg := fmt.Sprintf("%s: no rule with id %q", key, id)
		if s := yamlpos.Nearest(id, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return &Error{File: "config", Msg: msg}
	}
	for _, id := range opts.Disable {
		if _, ok := rs.byID[id]; !ok {
			errs = append(errs, unknown("rules.disable", id))
			continue
		}
		delete(rs.byID, id)
	}
	sevIDs := make([]string, 0, len(opts.Severity))
	for id := range opts.Severity {
		sevIDs = append(sevIDs, id)
	}
	sort.Strings(sevIDs)
	for _, id := range sevIDs {
		sev := strings.ToLower(strings.TrimSpace(opts.Severity[id]))
		r, ok := rs.byID[id]
		if !ok {
			if !slices.Contains(opts.Disable, id) {
				errs = append(errs, unknown("rules.severity", id))
			}
			continue
		}
		if scanner.SeverityRank(sev) == 0 {
			errs = append(errs, &Error{File: "config", Msg: fmt.Sprintf("rules.severity.%s: %q is not one of %s", id,
				opts.Severity[id], strings.Join(scanner.Severities, ", "))})
			continue
		}
		r.Severity = sev
	}
	for _, r := range rs.byID {
		rs.Rules = append(rs.Rules, r)
	}
	sort.Slice(rs.Rules, func(i, j int) bool { return rs.Rules[i].ID < rs.Rules[j].ID })
	for i, r := range rs.Rules {
		r.index = i
	}
	return rs, errs
}

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

var ruleKeys = []string{"id", "title", "severity", "stage", "description", "when", "group_by", "vars", "message",
	"remediation", "tags", "examples"}

// ParseFile parses and compiles one rule file. It returns the rules that compiled and every error found.
func ParseFile(file string, data []byte) ([]*Rule, Errors) {
	doc, err := yamlpos.Parse(file, data)
	if err != nil {
		return nil, Errors{err.(*Error)}
	}
	if doc.Root == nil {
		return nil, Errors{{File: file, Msg: "empty rules file: expected `rules:` with a list of rules"}}
	}
	top, _, errs := doc.Fields(doc.Root, "", "rules file", "rules")
	if len(errs) > 0 {
		return nil, errs
	}
	list := top["rules"]
	if list == nil || list.Kind != yaml.SequenceNode {
		n := list
		if n == nil {
			n = doc.Root
		}
		return nil, Errors{doc.ErrAt(n, "", "`rules` must be a list of rules")}
	}
	ev, err := stageEnvs()
	if err != nil {
		return nil, Errors{{File: file, Msg: "building the CEL environment: " + err.Error()}}
	}
	var out []*Rule
	seen := map[string]int{}
	for _, n := range list.Content {
		r, es := parseRule(doc, ev, yamlpos.ResolveAlias(n))
		if r != nil {
			if line, dup := seen[r.ID]; dup {
				es = append(es, doc.ErrAt(n, r.ID, "duplicate rule id (first defined at %s:%d)", file, line))
			}
			seen[r.ID] = r.Line
		}
		errs = append(errs, es...)
		if r != nil && len(es) == 0 {
			out = append(out, r)
		}
	}
	yamlpos.SortErrors(errs)
	return out, errs
}

func parseRule(doc *yamlDoc, ev *envs, n *yaml.Node) (*Rule, Errors) {
	f, _, errs := doc.Fields(n, "", "rule", ruleKeys...)
	if f == nil {
		return nil, errs
	}
	r := &Rule{File: doc.File, Line: n.Line}
	var e *Error
	add := func(e *Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	r.ID, e = doc.Str(f["id"], "", "id")
	add(e)
	if e == nil && !idRE.MatchString(r.ID) {
		at := f["id"]
		if at == nil {
			at = n
		}
		add(doc.ErrAt(at, "", "rule id %q must be 1-64 lower-case letters, digits and hyphens", r.ID))
		return nil, errs
	}
	if r.ID == scanner.RuleSuppressionExpired {
		add(doc.ErrAt(f["id"], r.ID, "rule id is reserved for the scanner's own finding"))
	}
	id := r.ID
	need := func(key string) string {
		s, e := doc.Str(f[key], id, key)
		add(e)
		if e == nil && strings.TrimSpace(s) == "" {
			at := f[key]
			if at == nil {
				at = n
			}
			add(doc.ErrAt(at, id, "%s is required", key))
		}
		return s
	}
	r.Title = need("title")
	r.Severity = strings.ToLower(need("severity"))
	if r.Severity != "" && scanner.SeverityRank(r.Severity) == 0 {
		add(doc.ErrAt(f["severity"], id, "severity %q is not one of %s", r.Severity, strings.Join(scanner.Severities, ", ")))
	}
	r.DefaultSeverity = r.Severity
	r.Stage = strings.ToLower(need("stage"))
	if r.Stage != "" && !slices.Contains(Stages, r.Stage) {
		add(doc.ErrAt(f["stage"], id, "stage %q is not one of %s", r.Stage, strings.Join(Stages, ", ")))
	}
	r.Description, e = doc.Str(f["description"], id, "description")
	add(e)
	r.When = need("when")
	r.GroupBy, e = doc.Str(f["group_by"], id, "group_by")
	add(e)
	r.Message = need("message")
	r.Remediation = need("remediation")
	r.Tags, e = doc.StrList(f["tags"], id, "tags")
	add(e)
	if vn := f["vars"]; vn != nil {
		vf, _, es := doc.Fields(vn, id, "vars", varNames(vn)...)
		errs = append(errs, es...)
		for i := 0; vn.Kind == yaml.MappingNode && i+1 < len(vn.Content); i += 2 {
			name := vn.Content[i].Value
			if !celIdentRE.MatchString(name) {
				add(doc.ErrAt(vn.Content[i], id, "vars: %q is not a valid name (letters, digits, _)", name))
				continue
			}
			expr, e := doc.Str(vf[name], id, "vars."+name)
			add(e)
			r.Vars = append(r.Vars, Var{Name: name, Expr: expr})
		}
	}
	if len(errs) > 0 {
		return r, errs
	}
	env := ev.byStage[r.Stage]

	// Compile the expressions.
	prg, a, es := compileExpr(doc, env, f["when"], id, "when", r.When, cel.BoolType)
	errs = append(errs, es...)
	r.when = prg
	if a != nil {
		r.kinds = kindsOf(a)
		if r.Stage == StageRecord {
			r.known = knownOf(a)
			r.prefilter = prefilterOf(a)
			r.decide = deciderOf(a)
		}
		errs = append(errs, checkDeclared(doc, f["when"], id, "when", r.When, attributeReads(a), r.kinds)...)
	}
	gb := r.GroupBy
	gbNode := f["group_by"]
	if strings.TrimSpace(gb) == "" {
		gb, gbNode = "vendor.key", nil
	}
	r.groupBy, a, es = compileExpr(doc, env, gbNode, id, "group_by", gb, cel.StringType)
	errs = append(errs, es...)
	gbAst := a
	r.groupField = groupFieldOf(a)
	r.groupPerRecord = a != nil && isField(a.NativeRep().Expr(), "record", "id")
	varAsts := make([]*cel.Ast, len(r.Vars))
	errs = append(errs, checkDeclared(doc, gbNode, id, "group_by", gb, attributeReads(a), r.kinds)...)
	for i, v := range r.Vars {
		var vnode *yaml.Node
		if vn := f["vars"]; vn != nil {
			vnode = vn.Content[2*i+1]
		}
		p, a, es := compileExpr(doc, env, vnode, id, "vars."+v.Name, v.Expr, nil)
		errs = append(errs, es...)
		varAsts[i] = a
		errs = append(errs, checkDeclared(doc, vnode, id, "vars."+v.Name, v.Expr, attributeReads(a), r.kinds)...)
		r.vars = append(r.vars, p)
	}
	var err error
	if r.message, err = parseTemplate(r.ID+".message", r.Message); err != nil {
		add(doc.ErrAt(f["message"], id, "message: %v", err))
	}
	if r.remediation, err = parseTemplate(r.ID+".remediation", r.Remediation); err != nil {
		add(doc.ErrAt(f["remediation"], id, "remediation: %v", err))
	}
	r.needs = needsOf(r.message, r.remediation)
	r.plan = planOf(r.needs)
	if len(errs) == 0 {
		errs = append(errs, checkGrouped(doc, r, newGroupFacts(r, gbAst, varAsts),
			map[string]*yaml.Node{"message": f["message"], "remediation": f["remediation"]})...)
	}
	if ex := f["examples"]; ex != nil {
		r.Examples, es = parseExamples(doc, id, r.Stage, ex)
		errs = append(errs, es...)
	}
	return r, errs
}

var celIdentRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func varNames(n *yaml.Node) []string {
	var out []string
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}

// program is a compiled expression. An expression without comprehensions (no exists, all, map, filter…) does
// work linear in its own size and its inputs, so it runs without cost tracking or a context watcher, which
// would cost more than the expression itself; one with comprehensions runs under CostLimit and stops when the
// context is cancelled.
type program struct {
	prg     cel.Program
	bounded bool // true: CostLimit and ContextEval
}

func (p program) eval(ctx context.Context, act interpreter.Activation) (ref.Val, error) {
	if p.bounded {
		v, _, err := p.prg.ContextEval(ctx, act)
		return v, err
	}
	v, _, err := p.prg.Eval(act)
	return v, err
}

// hasComprehension reports whether an expression contains a comprehension (a loop).
func hasComprehension(a *cel.Ast) bool {
	found := false
	ast.PreOrderVisit(a.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() == ast.ComprehensionKind {
			found = true
		}
	}))
	return found
}

// compileExpr compiles one expression; want is the required output type (nil: any).
func compileExpr(doc *yamlDoc, env *cel.Env, node *yaml.Node, id, key, expr string, want *cel.Type) (program, *cel.Ast, Errors) {
	src := common.NewStringSource(expr, doc.File+"#"+id+"."+key)
	ast, iss := env.CompileSource(src)
	if iss != nil && iss.Err() != nil {
		var errs Errors
		for _, ce := range iss.Errors() {
			e := &Error{File: doc.File, RuleID: id, Msg: key + ": " + ce.Message}
			if node != nil {
				e.Line, e.Column = exprPos(doc, node, expr, ce.Location.Line(), ce.Location.Column())
				e.Source = doc.Line(e.Line)
			}
			errs = append(errs, e)
		}
		return program{}, nil, errs
	}
	if want != nil && !ast.OutputType().IsExactType(want) {
		e := &Error{File: doc.File, RuleID: id, Msg: fmt.Sprintf("%s must be a %s expression, but it is %s", key,
			typeWord(want), typeWord(ast.OutputType()))}
		if want == cel.BoolType && ast.OutputType() == cel.DynType {
			e.Msg += ` (compare dynamic values explicitly, e.g. record.attributes.x == true)`
		}
		if node != nil {
			e.Line, e.Column = exprPos(doc, node, expr, 1, 0)
			e.Source = doc.Line(e.Line)
		}
		return program{}, nil, Errors{e}
	}
	p := program{bounded: hasComprehension(ast)}
	opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if p.bounded {
		opts = append(opts, cel.CostLimit(CostLimit), cel.InterruptCheckFrequency(256))
	}
	var err error
	p.prg, err = env.Program(ast, opts...)
	if err != nil {
		e := &Error{File: doc.File, RuleID: id, Msg: key + ": " + err.Error()}
		if node != nil {
			e.Line, e.Column = node.Line, node.Column
		}
		return program{}, nil, Errors{e}
	}
	return p, ast, nil
}

func typeWord(t *cel.Type) string {
	switch t {
	case cel.BoolType:
		return "bool"
	case cel.StringType:
		return "string"
	}
	return t.String()
}

// segment is a piece of a YAML scalar as it appears in the file.
type segment struct {
	line, col int // 1-based position of text's first byte
	text      string
}

// segments splits a scalar node into the file lines it spans.
func segments(d *yamlDoc, n *yaml.Node) []segment {
	var out []segment
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		indent := -1
		for l := n.Line + 1; l <= len(d.Lines); l++ {
			raw := d.Lines[l-1]
			trimmed := strings.TrimLeft(raw, " ")
			lead := len(raw) - len(trimmed)
			if trimmed == "" {
				out = append(out, segment{line: l, col: lead + 1})
				continue
			}
			if indent < 0 {
				indent = lead
			}
			if lead < indent {
				break
			}
			out = append(out, segment{line: l, col: indent + 1, text: raw[indent:]})
		}
		// Drop trailing blank lines.
		for len(out) > 0 && strings.TrimSpace(out[len(out)-1].text) == "" {
			out = out[:len(out)-1]
		}
	default:
		start := n.Column - 1
		if n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle {
			start++
		}
		first := d.Line(n.Line)
		if start > len(first) {
			start = len(first)
		}
		out = append(out, segment{line: n.Line, col: start + 1, text: first[start:]})
		for l := n.Line + 1; l <= len(d.Lines); l++ {
			raw := d.Lines[l-1]
			trimmed := strings.TrimLeft(raw, " ")
			out = append(out, segment{line: l, col: len(raw) - len(trimmed) + 1, text: trimmed})
		}
	}
	return out
}

// exprPos maps a CEL error location (1-based line, 0-based column, in code points) in expr to the file position
// of a YAML scalar node. Literal block scalars map exactly; plain, quoted and folded scalars (whose line breaks
// YAML folds into spaces) map exactly unless they contain escapes.
func exprPos(d *yamlDoc, n *yaml.Node, expr string, line, col int) (int, int) {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(expr[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	// Column is in code points: advance col runes.
	for i := 0; i < col && off < len(expr); i++ {
		_, size := utf8.DecodeRuneInString(expr[off:]) // a real U+FFFD is 3 bytes, an invalid byte 1
		off += size
	}
	// In every style but literal, YAML folds a line break into a space, except that the break before blank lines
	// is dropped and each blank line becomes one newline: the first blank line of a run takes no byte of expr.
	folds := n.Style != yaml.LiteralStyle
	prevBlank := false
	for _, s := range segments(d, n) {
		blank := s.text == ""
		if folds && blank && !prevBlank {
			prevBlank = true
			continue
		}
		prevBlank = blank
		if off <= len(s.text) {
			return s.line, s.col + off
		}
		off -= len(s.text) + 1
	}
	return n.Line, n.Column
}
