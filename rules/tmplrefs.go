package rules

import (
	"text/template"
	"text/template/parse"
)

// tmplRef is one place a message or remediation template reads the data: a path from the root (.record.scopes
// is ["record", "scopes"], .vendor is ["vendor"], . at the top is []).
type tmplRef struct {
	path []string
	pos  int // byte offset of the reference's first character in the template text
}

// templateRefs lists what a template reads from its data, as paths from the root. Inside {{with}} and {{range}}
// the dot is a value already listed (the pipeline's), so reads below it are covered by that path; a variable
// other than $ is such a value too.
func templateRefs(t *template.Template) []tmplRef {
	var out []tmplRef
	for _, tt := range t.Templates() {
		if tt.Tree == nil || tt.Root == nil {
			continue
		}
		w := refWalker{out: &out}
		// A template called with {{template "x" .}} gets some value as its dot; only the main one gets the root.
		w.walk(tt.Root, tt.Name() == t.Name())
	}
	return out
}

type refWalker struct{ out *[]tmplRef }

// walk visits n; rootDot says whether . is the root of the data there.
func (w refWalker) walk(n parse.Node, rootDot bool) {
	switch x := n.(type) {
	case nil:
	case *parse.ListNode:
		if x == nil {
			return
		}
		for _, c := range x.Nodes {
			w.walk(c, rootDot)
		}
	case *parse.ActionNode:
		w.pipe(x.Pipe, rootDot)
	case *parse.IfNode:
		w.branch(&x.BranchNode, rootDot, rootDot)
	case *parse.WithNode: // the dot of the body is the pipeline's value
		w.branch(&x.BranchNode, rootDot, false)
	case *parse.RangeNode:
		w.branch(&x.BranchNode, rootDot, false)
	case *parse.TemplateNode:
		w.pipe(x.Pipe, rootDot)
	case *parse.PipeNode:
		w.pipe(x, rootDot)
	case *parse.CommandNode:
		for _, a := range x.Args {
			w.walk(a, rootDot)
		}
	case *parse.FieldNode:
		if rootDot {
			// The node's position is its last identifier's: .record.id starts len(".record") before it.
			w.add(x.Ident, int(x.Pos)-chainLen(x.Ident[:len(x.Ident)-1]))
		}
	case *parse.VariableNode:
		if len(x.Ident) > 0 && x.Ident[0] == "$" {
			pos := int(x.Pos)
			if len(x.Ident) > 1 {
				pos-- // the position of $.a.b is that of .a
			}
			w.add(x.Ident[1:], pos)
		}
	case *parse.DotNode:
		if rootDot {
			w.add(nil, int(x.Pos))
		}
	case *parse.ChainNode:
		// (pipeline).field: the pipeline's reads are listed; a field below a whole root object is covered.
		w.walk(x.Node, rootDot)
	}
}

func (w refWalker) branch(b *parse.BranchNode, rootDot, bodyRootDot bool) {
	w.pipe(b.Pipe, rootDot)
	w.walk(b.List, bodyRootDot)
	w.walk(b.ElseList, rootDot)
}

func (w refWalker) pipe(p *parse.PipeNode, rootDot bool) {
	if p == nil {
		return
	}
	for _, c := range p.Cmds {
		w.walk(c, rootDot)
	}
}

func (w refWalker) add(path []string, pos int) {
	*w.out = append(*w.out, tmplRef{path: path, pos: max(pos, 0)})
}

// chainLen is the length of identifiers written as .a.b.
func chainLen(ids []string) int {
	n := 0
	for _, id := range ids {
		n += 1 + len(id)
	}
	return n
}

// dataNeeds is what a rule's templates read, to build only that: for each root name (record, vendor, vars…)
// the fields read, or all of it.
type dataNeeds struct {
	all    bool // the root itself is read ({{.}}, {{template "x" .}})
	fields map[string]fieldNeed
}

type fieldNeed struct {
	all   bool            // the root object is read whole
	names map[string]bool // else: the fields read
}

func needsOf(ts ...*template.Template) dataNeeds {
	d := dataNeeds{fields: map[string]fieldNeed{}}
	for _, t := range ts {
		if t == nil {
			continue
		}
		for _, r := range templateRefs(t) {
			if len(r.path) == 0 {
				d.all = true
				continue
			}
			f := d.fields[r.path[0]]
			if len(r.path) == 1 {
				f.all = true
			} else {
				if f.names == nil {
					f.names = map[string]bool{}
				}
				f.names[r.path[1]] = true
			}
			d.fields[r.path[0]] = f
		}
	}
	return d
}

// wants reports whether root is read at all, and which of its fields (nil: all).
func (d dataNeeds) wants(root string) (bool, map[string]bool) {
	if d.all || d.fields == nil { // nil: not computed, so everything
		return true, nil
	}
	f, ok := d.fields[root]
	if !ok {
		return false, nil
	}
	if f.all {
		return true, nil
	}
	return true, f.names
}
