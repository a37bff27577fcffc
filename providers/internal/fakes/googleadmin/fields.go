package googleadmin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// selection is a parsed partial-response `fields` parameter: the fields to keep, each with the sub-selection of
// its value (nil keeps the whole value).
type selection map[string]selection

// parseFields parses Google's partial-response syntax: a comma-separated list of fields, `a/b` for field b of a,
// and `a(b,c)` for fields b and c of a (of each element when a is a list).
func parseFields(s string) (selection, error) {
	p := &fieldsParser{s: s}
	sel, err := p.list()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, fmt.Errorf("invalid fields %q: unexpected %q at %d", s, p.s[p.i], p.i)
	}
	return sel, nil
}

type fieldsParser struct {
	s string
	i int
}

func (p *fieldsParser) list() (selection, error) {
	sel := selection{}
	for {
		if err := p.item(sel); err != nil {
			return nil, err
		}
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return sel, nil
	}
}

// item parses one `a/b/c(...)` and merges it into sel.
func (p *fieldsParser) item(sel selection) error {
	name := p.name()
	if name == "" {
		return fmt.Errorf("invalid fields %q: a field name is missing at %d", p.s, p.i)
	}
	var sub selection
	switch {
	case p.i < len(p.s) && p.s[p.i] == '/':
		p.i++
		sub = selection{}
		if err := p.item(sub); err != nil {
			return err
		}
	case p.i < len(p.s) && p.s[p.i] == '(':
		p.i++
		var err error
		if sub, err = p.list(); err != nil {
			return err
		}
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return fmt.Errorf("invalid fields %q: missing ) at %d", p.s, p.i)
		}
		p.i++
	}
	prev, seen := sel[name]
	switch {
	case !seen:
		sel[name] = sub
	case prev == nil || sub == nil: // one of them asks for the whole value
		sel[name] = nil
	default:
		for k, v := range sub {
			prev[k] = v
		}
	}
	return nil
}

func (p *fieldsParser) name() string {
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune(",/()", rune(p.s[p.i])) {
		p.i++
	}
	return strings.TrimSpace(p.s[start:p.i])
}

// prune keeps only the selected fields of v (a decoded JSON value).
func prune(v any, sel selection) any {
	if sel == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, sub := range sel {
			if val, ok := x[k]; ok {
				out[k] = prune(val, sub)
			}
		}
		return out
	case []any:
		for i := range x {
			x[i] = prune(x[i], sel)
		}
		return x
	}
	return v
}

// writeSelected writes v as JSON, keeping only the fields the request's `fields` parameter names, as the real API
// does: a field the client does not ask for (nextPageToken included) is not sent.
func writeSelected(w http.ResponseWriter, q map[string][]string, v any) {
	fields := first(q["fields"])
	if fields == "" {
		writeJSON(w, v)
		return
	}
	sel, err := parseFields(fields)
	if err != nil {
		writeError(w, 400, "invalidParameter", "global", err.Error())
		return
	}
	b, _ := json.Marshal(v)
	var generic any
	_ = json.Unmarshal(b, &generic)
	writeJSON(w, prune(generic, sel))
}
