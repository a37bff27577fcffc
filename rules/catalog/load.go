package catalog

import (
	"errors"
	"fmt"
	"sort"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"go.yaml.in/yaml/v3"
)

// maxFileSize bounds one catalogue file. The built-in files are a few hundred kilobytes together.
const maxFileSize = 8 << 20

// srcPos is a position in a catalogue file.
type srcPos struct {
	File string
	Line int
}

// rawEntry is an entry as parsed, with the YAML keys that were present and the position of every value, so that
// overrides can merge field by field and issues can point at the exact line of a bad pattern.
type rawEntry struct {
	Entry
	set   map[string]bool     // keys present in the YAML of the entry (after merging: in any layer)
	pos   map[string][]srcPos // key -> position of the value, or of each list item
	layer int                 // the last layer that defined or overrode the entry (0: built-in)
	// An entry decoded from the prepared form has no pos: item lazyIdx of lazy gives its positions when asked.
	lazy    *lazyPositions
	lazyIdx int
}

// at returns the position of item i of key (or of the key's value), falling back to the entry's own position.
// A value inherited from an earlier layer (an organisation file overriding a built-in vendor) is reported at the
// overriding entry, the place the user can edit.
func (r *rawEntry) at(key string, i int) srcPos {
	if r.pos == nil && r.lazy != nil {
		if full := r.lazy.entry(r.lazyIdx); full != nil && full.ID == r.ID && full.File == r.File {
			return full.at(key, i)
		}
	}
	if ps := r.pos[key]; len(ps) > 0 && ps[0].File == r.File {
		if i >= 0 && i < len(ps) {
			return ps[i]
		}
		return ps[0]
	}
	return srcPos{File: r.File, Line: r.Line}
}

func (r *rawEntry) clone() *rawEntry {
	out := &rawEntry{Entry: cloneEntry(r.Entry), set: map[string]bool{}, pos: map[string][]srcPos{}, layer: r.layer}
	for k, v := range r.set {
		out.set[k] = v
	}
	for k, v := range r.pos {
		out.pos[k] = append([]srcPos(nil), v...)
	}
	return out
}

// cloneEntry deep-copies an entry so that a merged catalogue never shares slices with the built-in one.
func cloneEntry(e Entry) Entry {
	c := e
	cp := func(s []string) []string {
		if s == nil {
			return nil
		}
		return append([]string{}, s...)
	}
	c.Aliases, c.Subcategories, c.Domains = cp(e.Aliases), cp(e.Subcategories), cp(e.Domains)
	c.DataAccess, c.Sources = cp(e.DataAccess), cp(e.Sources)
	c.Signals.SPF, c.Signals.TXT, c.Signals.CNAME = cp(e.Signals.SPF), cp(e.Signals.TXT), cp(e.Signals.CNAME)
	c.Signals.GoogleClientIDs, c.Signals.EntraAppIDs = cp(e.Signals.GoogleClientIDs), cp(e.Signals.EntraAppIDs)
	c.Signals.AWSAccounts, c.Signals.Merchants = cp(e.Signals.AWSAccounts), cp(e.Signals.Merchants)
	c.Signals.OAuthNames = cp(e.Signals.OAuthNames)
	c.Signals.TXTOwner, c.Signals.MX, c.Signals.NS = cp(e.Signals.TXTOwner), cp(e.Signals.MX), cp(e.Signals.NS)
	if e.Signals.DKIM != nil {
		c.Signals.DKIM = append([]DKIM{}, e.Signals.DKIM...)
	}
	return c
}

// entryKeys are the YAML keys of an entry, in the order the documentation lists them.
var entryKeys = []string{
	"id", "name", "aliases", "category", "subcategories", "martech", "domains",
	"spf", "txt", "txt_owner", "cname", "dkim", "mx", "ns", "google_client_ids", "entra_app_ids", "aws_accounts", "merchants", "oauth_names",
	"data_access", "sources",
}

// stringField returns the scalar string field of e for key, or nil.
func (e *Entry) stringField(key string) *string {
	switch key {
	case "id":
		return &e.ID
	case "name":
		return &e.Name
	case "category":
		return &e.Category
	}
	return nil
}

// listField returns the string-list field of e for key, or nil.
func (e *Entry) listField(key string) *[]string {
	switch key {
	case "aliases":
		return &e.Aliases
	case "subcategories":
		return &e.Subcategories
	case "domains":
		return &e.Domains
	case "spf":
		return &e.Signals.SPF
	case "txt":
		return &e.Signals.TXT
	case "cname":
		return &e.Signals.CNAME
	case "txt_owner":
		return &e.Signals.TXTOwner
	case "mx":
		return &e.Signals.MX
	case "ns":
		return &e.Signals.NS
	case "google_client_ids":
		return &e.Signals.GoogleClientIDs
	case "entra_app_ids":
		return &e.Signals.EntraAppIDs
	case "aws_accounts":
		return &e.Signals.AWSAccounts
	case "merchants":
		return &e.Signals.Merchants
	case "oauth_names":
		return &e.Signals.OAuthNames
	case "data_access":
		return &e.DataAccess
	case "sources":
		return &e.Sources
	}
	return nil
}

// copyField copies the value of key from src to dst.
func copyField(dst, src *Entry, key string) {
	if p := dst.stringField(key); p != nil {
		*p = *src.stringField(key)
		return
	}
	if p := dst.listField(key); p != nil {
		v := *src.listField(key)
		if v == nil {
			*p = nil
		} else {
			*p = append([]string{}, v...)
		}
		return
	}
	switch key {
	case "martech":
		dst.Martech = src.Martech
	case "dkim":
		dst.Signals.DKIM = append([]DKIM(nil), src.Signals.DKIM...)
	}
}

// parseDocument decodes one YAML document (internal/yamlpos) into its root node. Anchors and aliases are refused:
// the catalogue does not need them and refusing them keeps hostile input cheap.
func parseDocument(name string, data []byte) (*yaml.Node, []Issue) {
	if len(data) > maxFileSize {
		return nil, []Issue{{File: name, Msg: fmt.Sprintf("file is %d bytes, more than the %d allowed", len(data), maxFileSize)}}
	}
	doc, err := yamlpos.Parse(name, data)
	if err != nil {
		var ye *yamlpos.Error
		if errors.As(err, &ye) {
			return nil, []Issue{{File: name, Line: ye.Line, Msg: ye.Msg}}
		}
		return nil, []Issue{{File: name, Msg: err.Error()}}
	}
	if doc.Root == nil {
		return nil, []Issue{{File: name, Msg: "file is empty"}}
	}
	var issues []Issue
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if len(issues) > 0 {
			return
		}
		if n.Kind == yaml.AliasNode || n.Anchor != "" {
			issues = append(issues, Issue{File: name, Line: n.Line, Msg: "YAML anchors and aliases are not supported"})
			return
		}
		if depth > 10 {
			issues = append(issues, Issue{File: name, Line: n.Line, Msg: "nesting is too deep"})
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(doc.Root, 0)
	if len(issues) > 0 {
		return nil, issues
	}
	return doc.Root, nil
}

// scalarText returns the text of a scalar node ("" for null and non-scalars). The raw text is used, so an
// unquoted account ID such as 071303700930 keeps its leading zero.
func scalarText(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// parseVendorFile decodes a vendor file: a mapping with one key, `vendors:`, holding a list of entries.
func parseVendorFile(name string, data []byte) ([]*rawEntry, []Issue) {
	root, issues := parseDocument(name, data)
	if len(issues) > 0 {
		return nil, issues
	}
	add := func(line int, entry, format string, args ...any) {
		issues = append(issues, Issue{File: name, Line: line, Entry: entry, Msg: fmt.Sprintf(format, args...)})
	}
	if root.Kind != yaml.MappingNode {
		add(root.Line, "", "expected a mapping with a top-level vendors: list")
		return nil, issues
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Value != "vendors":
			hint := ""
			if k.Value == "categories" {
				hint = "; the taxonomy cannot be changed by extra files"
			}
			add(k.Line, "", "unknown top-level key %q (expected vendors)%s", k.Value, hint)
		case list != nil:
			add(k.Line, "", "vendors: appears twice")
		default:
			list = v
		}
	}
	if list == nil {
		if len(issues) == 0 {
			add(root.Line, "", "missing top-level vendors: list")
		}
		return nil, issues
	}
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return nil, issues // "vendors:" with nothing under it: an empty file
	}
	if list.Kind != yaml.SequenceNode {
		add(list.Line, "", "vendors: must be a list of entries")
		return nil, issues
	}
	var out []*rawEntry
	for _, item := range list.Content {
		re, iss := parseEntry(name, item)
		issues = append(issues, iss...)
		if re != nil {
			out = append(out, re)
		}
	}
	return out, issues
}

// parseEntry decodes one vendor mapping node.
func parseEntry(file string, item *yaml.Node) (*rawEntry, []Issue) {
	var issues []Issue
	re := &rawEntry{set: map[string]bool{}, pos: map[string][]srcPos{}}
	re.File, re.Line = file, item.Line
	if item.Kind != yaml.MappingNode {
		return nil, []Issue{{File: file, Line: item.Line, Msg: "vendor entry must be a mapping (id: ..., name: ...)"}}
	}
	// The ID first, so that every later issue names the entry.
	for i := 0; i+1 < len(item.Content); i += 2 {
		if item.Content[i].Value == "id" {
			re.ID = scalarText(item.Content[i+1])
		}
	}
	add := func(line int, format string, args ...any) {
		issues = append(issues, Issue{File: file, Line: line, Entry: re.ID, Msg: fmt.Sprintf(format, args...)})
	}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			add(k.Line, "keys must be plain strings")
			continue
		}
		if re.set[key] {
			add(k.Line, "key %q appears twice", key)
			continue
		}
		known := false
		for _, ek := range entryKeys {
			if ek == key {
				known = true
			}
		}
		if !known {
			if s := nearestWord(key, entryKeys); s != "" {
				add(k.Line, "unknown key %q (did you mean %q?)", key, s)
			} else {
				add(k.Line, "unknown key %q", key)
			}
			continue
		}
		re.set[key] = true
		here := srcPos{File: file, Line: v.Line}
		switch {
		case re.stringField(key) != nil:
			if v.Kind != yaml.ScalarNode {
				add(v.Line, "%s: must be a string", key)
				continue
			}
			*re.stringField(key) = scalarText(v)
			re.pos[key] = []srcPos{here}
		case re.listField(key) != nil:
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				*re.listField(key) = nil
				re.pos[key] = []srcPos{here}
				continue
			}
			if v.Kind != yaml.SequenceNode {
				add(v.Line, "%s: must be a list (use [a, b] or one '- item' per line)", key)
				continue
			}
			vals := []string{}
			var ps []srcPos
			for j, it := range v.Content {
				if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
					add(it.Line, "%s[%d]: must be a string", key, j)
					continue
				}
				vals = append(vals, it.Value)
				ps = append(ps, srcPos{File: file, Line: it.Line})
			}
			*re.listField(key) = vals
			re.pos[key] = ps
		case key == "martech":
			var b bool
			if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
				add(v.Line, "martech: must be true or false")
				continue
			}
			re.Martech = b
			re.pos[key] = []srcPos{here}
		case key == "dkim":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				re.Signals.DKIM = nil
				re.pos[key] = []srcPos{here}
				continue
			}
			if v.Kind != yaml.SequenceNode {
				add(v.Line, "dkim: must be a list of {selector, target}")
				continue
			}
			var ps []srcPos
			dk := []DKIM{}
			for j, it := range v.Content {
				if it.Kind != yaml.MappingNode {
					add(it.Line, "dkim[%d]: must be a mapping {selector: ..., target: ...}", j)
					continue
				}
				var d DKIM
				for m := 0; m+1 < len(it.Content); m += 2 {
					dkKey, dkVal := it.Content[m], it.Content[m+1]
					if dkVal.Kind != yaml.ScalarNode {
						add(dkVal.Line, "dkim[%d].%s: must be a string", j, dkKey.Value)
						continue
					}
					switch dkKey.Value {
					case "selector":
						d.Selector = scalarText(dkVal)
					case "target":
						d.Target = scalarText(dkVal)
					case "only_with_target":
						switch scalarText(dkVal) {
						case "true":
							d.OnlyWithTarget = true
						case "false":
						default:
							add(dkVal.Line, "dkim[%d].only_with_target: must be true or false", j)
						}
					default:
						add(dkKey.Line, "dkim[%d]: unknown key %q (expected selector, target, only_with_target)", j, dkKey.Value)
					}
				}
				dk = append(dk, d)
				ps = append(ps, srcPos{File: file, Line: it.Line})
			}
			re.Signals.DKIM = dk
			re.pos[key] = ps
		}
	}
	return re, issues
}

// layer is a set of entries that may not repeat an ID; a later layer overrides an earlier one.
type layer []*rawEntry

// mergeLayers merges layers in order. Within a layer an ID may appear once. An entry whose ID exists in an
// earlier layer overrides it key by key: every key present in the override replaces the earlier value entirely
// (lists are replaced, not appended; an empty list clears), keys it leaves out keep the earlier value. An entry no
// later layer overrides shares its lists and key maps with its layer (catalogues are read-only); an override is a
// copy, so the entry it overrides stays as parsed.
func mergeLayers(layers []layer) ([]*rawEntry, []Issue) {
	var issues []Issue
	total := 0
	for _, l := range layers {
		total += len(l)
	}
	merged := make(map[string]*rawEntry, total)
	order := make([]string, 0, total)
	for li, l := range layers {
		seen := make(map[string]*rawEntry, len(l))
		shallow := make([]rawEntry, 0, len(l)) // one allocation for the layer's entries; never grown, so pointers stay valid
		for _, e := range l {
			if e.ID == "" {
				continue // reported by entry validation
			}
			if first, dup := seen[e.ID]; dup {
				issues = append(issues, Issue{File: e.File, Line: e.Line, Entry: e.ID,
					Msg: fmt.Sprintf("duplicate id (first defined at %s:%d)", first.File, first.Line)})
				continue
			}
			seen[e.ID] = e
			base, exists := merged[e.ID]
			if !exists {
				shallow = append(shallow, *e)
				c := &shallow[len(shallow)-1]
				c.layer = li
				merged[e.ID] = c
				order = append(order, e.ID)
				continue
			}
			out := base.clone()
			for key := range e.set {
				copyField(&out.Entry, &e.Entry, key)
				out.set[key] = true
				out.pos[key] = append([]srcPos(nil), e.pos[key]...)
			}
			// The entry's own position is the override's: that is what the organisation edits.
			out.File, out.Line = e.File, e.Line
			out.layer = li
			merged[e.ID] = out
		}
	}
	sort.Strings(order)
	out := make([]*rawEntry, 0, len(order))
	for _, id := range order {
		out = append(out, merged[id])
	}
	return out, issues
}
