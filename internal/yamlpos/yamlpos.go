// Package yamlpos decodes YAML with positions: every problem becomes an *Error with file:line:column and the
// offending source line with a caret. Rules, approvals, suppressions, catalogue and config files all parse
// through it.
package yamlpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/scanner/textdist"
	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// Error is one problem in a rules, approvals or suppressions file, with its position.
type Error struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	RuleID string
	Msg    string
	// Source is the offending line of the file and Caret a marker under the column, when known.
	Source string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(Where(e.File, e.Line, e.Column, "rule", e.RuleID))
	b.WriteString(e.Msg)
	if e.Source != "" && e.Column > 0 {
		src := textsafe.Clean(e.Source)
		b.WriteString("\n | ")
		b.WriteString(src)
		b.WriteString("\n | ")
		b.WriteString(strings.Repeat(" ", min(e.Column-1, len(src))))
		b.WriteString("^")
	}
	return b.String()
}

// Where is the prefix that places a problem, `file:line:column: <kind> "<id>": ` (kind "rule", "entry", …),
// for the messages of every file we parse. What is not known (an empty file or id, a line or column of 0) is left
// out; a column goes only with a line.
func Where(file string, line, column int, kind, id string) string {
	var b strings.Builder
	if file != "" {
		b.WriteString(file)
		if line > 0 {
			fmt.Fprintf(&b, ":%d", line)
			if column > 0 {
				fmt.Fprintf(&b, ":%d", column)
			}
		}
		b.WriteString(": ")
	}
	if id != "" {
		fmt.Fprintf(&b, "%s %q: ", kind, id)
	}
	return b.String()
}

// Errors is every problem found in one load, in file order.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Err returns nil for no errors, the single error, or all of them.
func (es Errors) Err() error {
	switch len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	}
	return es
}

// Doc is a parsed YAML file with its lines, for positions and caret lines.
type Doc struct {
	File  string
	Lines []string
	Root  *yaml.Node // the document's content node (nil for an empty file)
}

// yamlLineRE finds the line in a yaml.v3 error ("yaml: line 12: did not find expected key").
var yamlLineRE = regexp.MustCompile(`line (\d+):? ?`)

// Parse parses one YAML document. A syntax error becomes an *Error with the line yaml.v3 reports.
func Parse(file string, data []byte) (*Doc, error) {
	d := &Doc{File: file, Lines: strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return d, nil
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLineRE.FindStringSubmatchIndex(msg); m != nil {
			line, _ = strconv.Atoi(msg[m[2]:m[3]])
			msg = strings.TrimSpace(msg[:m[0]] + msg[m[1]:])
		}
		return nil, &Error{File: file, Line: line, Msg: "invalid YAML: " + msg}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{File: file, Line: extra.Line, Msg: "more than one YAML document; put everything in one"}
	}
	if len(doc.Content) > 0 {
		d.Root = doc.Content[0]
	}
	return d, nil
}

// ErrAt builds an *Error at a node.
func (d *Doc) ErrAt(n *yaml.Node, ruleID, format string, args ...any) *Error {
	e := &Error{File: d.File, RuleID: ruleID, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
		e.Source = d.Line(n.Line)
	}
	return e
}

// Line returns line n (1-based) of the file, or "".
func (d *Doc) Line(n int) string {
	if n < 1 || n > len(d.Lines) {
		return ""
	}
	return d.Lines[n-1]
}

// Lookup finds the node at a dotted key path ("scan.timeout", "providers[2].regions"), matching keys without
// regard to case; nil when the file has no such key.
func (d *Doc) Lookup(path string) *yaml.Node {
	n := d.Root
	for _, part := range strings.Split(path, ".") {
		if n == nil {
			return nil
		}
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		n = ResolveAlias(n)
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if strings.EqualFold(n.Content[i].Value, name) {
				next = ResolveAlias(n.Content[i+1])
				break
			}
		}
		n = next
		if idx >= 0 && n != nil {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return nil
			}
			n = ResolveAlias(n.Content[idx])
		}
	}
	return n
}

// LineOf is the line of the value at a dotted key path (see Lookup), or of its closest parent in the file; 0
// when none is.
func (d *Doc) LineOf(path string) int {
	for path != "" {
		if n := d.Lookup(path); n != nil {
			return n.Line
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// KindName names a node kind for error messages.
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// ResolveAlias follows YAML aliases.
func ResolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

// Fields checks that n is a mapping whose keys are all in allowed and returns key → value node (and the key
// nodes, for positions). Unknown and duplicate keys are errors that name the allowed keys.
func (d *Doc) Fields(n *yaml.Node, ruleID, what string, allowed ...string) (map[string]*yaml.Node, map[string]*yaml.Node, Errors) {
	n = ResolveAlias(n)
	var errs Errors
	if n == nil || n.Kind != yaml.MappingNode {
		if n == nil {
			return nil, nil, Errors{{File: d.File, RuleID: ruleID, Msg: what + " must be a mapping"}}
		}
		return nil, nil, Errors{d.ErrAt(n, ruleID, "%s must be a mapping, not %s", what, KindName(n))}
	}
	vals := map[string]*yaml.Node{}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], ResolveAlias(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			errs = append(errs, d.ErrAt(k, ruleID, "%s: keys must be strings", what))
			continue
		}
		if !slices.Contains(allowed, k.Value) {
			msg := fmt.Sprintf("%s: unknown key %q (known: %s)", what, k.Value, strings.Join(allowed, ", "))
			if s := Nearest(k.Value, allowed); s != "" {
				msg = fmt.Sprintf("%s: unknown key %q (did you mean %q?)", what, k.Value, s)
			}
			errs = append(errs, d.ErrAt(k, ruleID, "%s", msg))
			continue
		}
		if _, dup := vals[k.Value]; dup {
			errs = append(errs, d.ErrAt(k, ruleID, "%s: duplicate key %q", what, k.Value))
			continue
		}
		vals[k.Value], keys[k.Value] = v, k
	}
	return vals, keys, errs
}

// Str decodes a scalar string; a missing node gives "".
func (d *Doc) Str(n *yaml.Node, ruleID, what string) (string, *Error) {
	if n == nil {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		if n.Tag == "!!null" {
			return "", nil
		}
		return "", d.ErrAt(n, ruleID, "%s must be a string, not %s", what, KindName(n))
	}
	return n.Value, nil
}

// StrList decodes a list of strings (a single string is accepted as a one-item list).
func (d *Doc) StrList(n *yaml.Node, ruleID, what string) ([]string, *Error) {
	if n == nil || n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, d.ErrAt(n, ruleID, "%s must be a list of strings, not %s", what, KindName(n))
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		c = ResolveAlias(c)
		if c.Kind != yaml.ScalarNode || c.Tag == "!!null" {
			return nil, d.ErrAt(c, ruleID, "%s must be a list of strings; this item is %s", what, KindName(c))
		}
		out = append(out, c.Value)
	}
	return out, nil
}

// Items returns the items of a document that must be a list, aliases resolved; an empty document has none.
// Anything else is an error: "<mustBe>, not <kind>".
func (d *Doc) Items(mustBe string) ([]*yaml.Node, *Error) {
	if d.Root == nil || (d.Root.Kind == yaml.ScalarNode && d.Root.Tag == "!!null") {
		return nil, nil
	}
	if d.Root.Kind != yaml.SequenceNode {
		return nil, d.ErrAt(d.Root, "", "%s, not %s", mustBe, KindName(d.Root))
	}
	out := make([]*yaml.Node, len(d.Root.Content))
	for i, n := range d.Root.Content {
		out[i] = ResolveAlias(n)
	}
	return out, nil
}

// Item is the node of StrList's i-th value, for errors at its line: n itself when one string stood for the list.
func Item(n *yaml.Node, i int) *yaml.Node {
	if n.Kind == yaml.SequenceNode {
		return n.Content[i]
	}
	return n
}

// ToJSON converts a YAML node to JSON, for decoding into types that only carry json tags. Mapping keys must be
// strings.
func ToJSON(n *yaml.Node) ([]byte, error) {
	budget := maxNodes
	v, err := plain(n, 0, &budget)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// maxNodes bounds the nodes one value may expand to (YAML aliases can make a small file expand enormously).
const maxNodes = 100_000

func plain(n *yaml.Node, depth int, budget *int) (any, error) {
	n = ResolveAlias(n)
	if depth > 64 {
		return nil, errors.New("nested too deeply")
	}
	if *budget--; *budget < 0 {
		return nil, errors.New("too large (aliases expand to too many nodes)")
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: keys must be strings", k.Line)
			}
			v, err := plain(n.Content[i+1], depth+1, budget)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := plain(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, err
			}
			return b, nil
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				return nil, err
			}
			return i, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, err
			}
			return f, nil
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// ParseDate accepts 2006-01-02 (meaning the end of that day, UTC) or RFC 3339.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(24*time.Hour - time.Second).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2006-01-02) or an RFC 3339 time (2006-01-02T15:04:05Z)", s)
}

// Nearest returns the candidate closest to s by edit distance, if it is close enough to be a likely typo.
func Nearest(s string, candidates []string) string { return textdist.Nearest(s, candidates, 1) }

// SortErrors orders errors by file, line and column.
func SortErrors(es Errors) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}
