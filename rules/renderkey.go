package rules

import (
	"context"
	"encoding/binary"
	"math"
	"slices"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// The render cache by inputs: a rule grouped by record.id renders a message per record, but most records give
// its templates the same inputs (the same vendor, the same attributes the message names). Before rendering, the
// engine encodes exactly what the templates would read — the same values templateData converts, field by field —
// into a byte string, and looks the text up by that. The encoding is injective: every value carries a type tag,
// strings and collections their length, maps their entries in key order, so two encodings are equal only when
// the template data would be equal, and the text is then the same (templates and their functions are pure). A
// value the encoding does not cover (a timestamp outside UTC, an unusual Go type in an attribute) makes the
// render uncached, never wrong.

// readPlan is what a rule's templates read, in a fixed order: which roots, and which fields of each.
type readPlan struct {
	roots []rootRead
}

type rootRead struct {
	name   string   // record, usage, vendor, approval, org or vars
	fields []string // sorted; nil: the whole value
}

// templateRoots are the names templateData fills, in its order.
var templateRoots = []string{"record", "usage", "vendor", "approval", "org", "vars"}

func planOf(n dataNeeds) readPlan {
	var p readPlan
	for _, root := range templateRoots {
		ok, fields := n.wants(root)
		if !ok {
			continue
		}
		rr := rootRead{name: root}
		if fields != nil {
			rr.fields = make([]string, 0, len(fields))
			for f := range fields {
				rr.fields = append(rr.fields, f)
			}
			slices.Sort(rr.fields)
		}
		p.roots = append(p.roots, rr)
	}
	return p
}

// Type tags of the encoding. CEL values and native Go values (attribute maps) have separate tags.
const (
	tagAbsent  = 'a' // a field the view does not have (templateData leaves it out)
	tagNilVal  = 'z' // a nil ref.Val
	tagString  = 's'
	tagBool    = 'b'
	tagInt     = 'i'
	tagUint    = 'u'
	tagDouble  = 'd'
	tagNull    = 'n'
	tagTime    = 't' // UTC, no monotonic reading
	tagDur     = 'D'
	tagList    = 'l'
	tagMap     = 'm' // a CEL map whose Go value is one of the native maps below
	tagObject  = 'o' // a view: its type, then every field
	tagNative  = 'N' // then a native value: a reflect-like kind byte and the value
	tagRootVar = 'v'
)

// keyEnc builds a key; its buffers are reused across renders (evalState).
type keyEnc struct {
	b    []byte
	keys []string // scratch for sorting map keys (a stack: nested maps use the part above their parent's)
	vars []ref.Val
}

func (k *keyEnc) str(s string) {
	k.b = binary.AppendUvarint(k.b, uint64(len(s)))
	k.b = append(k.b, s...)
}

func (k *keyEnc) u64(x uint64) { k.b = binary.LittleEndian.AppendUint64(k.b, x) }

// renderKey encodes the rule index and what its templates read from st. ok is false when some value is not
// covered (or a var failed: the uncached path reports the error); then the render is not cached by inputs. The
// vars evaluated are left in k.vars for templateData.
func (k *keyEnc) renderKey(ctx context.Context, r *Rule, p *readPlan, st *evalState) bool {
	k.b = binary.AppendUvarint(k.b[:0], uint64(r.index))
	k.vars = k.vars[:0]
	for i := range p.roots {
		rr := &p.roots[i]
		if rr.name == "vars" {
			if !k.varsKey(ctx, r, rr.fields, st) {
				return false
			}
			continue
		}
		var v ref.Val
		switch rr.name {
		case "record":
			v = st.act.record
		case "usage":
			v = st.act.usage
		case "vendor":
			v = st.act.vendor
		case "approval":
			v = st.act.approval
		case "org":
			v = st.act.org
		}
		if v == nil {
			k.b = append(k.b, tagNilVal)
			continue
		}
		d, self := objectOf(v)
		if d == nil || rr.fields == nil {
			if !k.val(v) {
				return false
			}
			continue
		}
		k.b = append(k.b, tagObject)
		for _, n := range rr.fields {
			if !k.field(d, self, n) {
				return false
			}
		}
	}
	return true
}

func (k *keyEnc) varsKey(ctx context.Context, r *Rule, names []string, st *evalState) bool {
	k.b = append(k.b, tagRootVar)
	for i, p := range r.vars {
		name := r.Vars[i].Name
		if names != nil {
			if _, found := slices.BinarySearch(names, name); !found {
				k.vars = append(k.vars, nil)
				continue
			}
		}
		v, err := p.eval(ctx, &st.act)
		if err != nil {
			return false
		}
		k.vars = append(k.vars, v)
		k.str(name)
		if !k.val(v) {
			return false
		}
	}
	return true
}

func (k *keyEnc) field(d *objDef, self any, name string) bool {
	f := d.fields[name]
	if f == nil {
		k.b = append(k.b, tagAbsent)
		return true
	}
	x, ok := f.get(self)
	if !ok {
		k.b = append(k.b, tagAbsent)
		return true
	}
	return k.val(x)
}

// val encodes a CEL value as toNative would see it.
func (k *keyEnc) val(v ref.Val) bool {
	switch x := v.(type) {
	case nil:
		k.b = append(k.b, tagNilVal)
	case types.String:
		k.b = append(k.b, tagString)
		k.str(string(x))
	case types.Bool:
		k.b = append(k.b, tagBool)
		if x {
			k.b = append(k.b, 1)
		} else {
			k.b = append(k.b, 0)
		}
	case types.Int:
		k.b = append(k.b, tagInt)
		k.u64(uint64(x))
	case types.Uint:
		k.b = append(k.b, tagUint)
		k.u64(uint64(x))
	case types.Double:
		k.b = append(k.b, tagDouble)
		k.u64(math.Float64bits(float64(x)))
	case types.Null:
		k.b = append(k.b, tagNull)
	case types.Timestamp:
		return k.time(x.Time)
	case types.Duration:
		k.b = append(k.b, tagDur)
		k.u64(uint64(x.Duration))
	default:
		if d, self := objectOf(v); d != nil {
			k.b = append(k.b, tagObject)
			k.str(d.name)
			for _, n := range d.names {
				if !k.field(d, self, n) {
					return false
				}
			}
			return true
		}
		switch x := v.(type) {
		case traits.Lister:
			return k.list(x)
		case traits.Mapper:
			k.b = append(k.b, tagMap)
			return k.native(x.Value())
		}
		return false
	}
	return true
}

func (k *keyEnc) time(t time.Time) bool {
	if t.Location() != time.UTC || t != t.Round(0) {
		return false // printed with its zone or monotonic reading: leave it to the uncached path
	}
	k.b = append(k.b, tagTime)
	k.u64(uint64(t.Unix()))
	k.u64(uint64(t.Nanosecond()))
	return true
}

func (k *keyEnc) list(l traits.Lister) bool {
	switch s := l.Value().(type) {
	case []string: // cel's string list and goStrList: no boxing
		k.b = append(k.b, tagList)
		k.b = binary.AppendUvarint(k.b, uint64(len(s)))
		for _, e := range s {
			k.b = append(k.b, tagString)
			k.str(e)
		}
		return true
	case []ref.Val:
		k.b = append(k.b, tagList)
		k.b = binary.AppendUvarint(k.b, uint64(len(s)))
		for _, e := range s {
			if !k.val(e) {
				return false
			}
		}
		return true
	}
	n, ok := l.Size().(types.Int)
	if !ok {
		return false
	}
	k.b = append(k.b, tagList)
	k.b = binary.AppendUvarint(k.b, uint64(n))
	for i := types.Int(0); i < n; i++ {
		if !k.val(l.Get(i)) {
			return false
		}
	}
	return true
}

// Native kinds: the Go type of an attribute value, so that the encoding is injective on Go values (a CEL map
// converts its values from them, always the same way).
const (
	natNil = iota
	natString
	natBool
	natInt
	natInt64
	natInt32
	natUint64
	natFloat64
	natAnyList
	natStrList
	natAnyMap
	natStrMap
	natIntMap
	natFloatMap
	natStrListMap
)

// native encodes a Go value of the kinds record attributes and the org's maps hold.
func (k *keyEnc) native(v any) bool {
	k.b = append(k.b, tagNative)
	switch x := v.(type) {
	case nil:
		k.b = append(k.b, natNil)
	case string:
		k.b = append(k.b, natString)
		k.str(x)
	case bool:
		k.b = append(k.b, natBool)
		if x {
			k.b = append(k.b, 1)
		} else {
			k.b = append(k.b, 0)
		}
	case int:
		k.b = append(k.b, natInt)
		k.u64(uint64(x))
	case int64:
		k.b = append(k.b, natInt64)
		k.u64(uint64(x))
	case int32:
		k.b = append(k.b, natInt32)
		k.u64(uint64(x))
	case uint64:
		k.b = append(k.b, natUint64)
		k.u64(x)
	case float64:
		k.b = append(k.b, natFloat64)
		k.u64(math.Float64bits(x))
	case []any:
		k.b = append(k.b, natAnyList)
		k.b = binary.AppendUvarint(k.b, uint64(len(x)))
		for _, e := range x {
			if !k.native(e) {
				return false
			}
		}
	case []string:
		k.b = append(k.b, natStrList)
		k.b = binary.AppendUvarint(k.b, uint64(len(x)))
		for _, e := range x {
			k.str(e)
		}
	case map[string]any:
		k.b = append(k.b, natAnyMap)
		return nativeMap(k, x, func(e any) bool { return k.native(e) })
	case map[string]string:
		k.b = append(k.b, natStrMap)
		return nativeMap(k, x, func(e string) bool { k.str(e); return true })
	case map[string]int:
		k.b = append(k.b, natIntMap)
		return nativeMap(k, x, func(e int) bool { k.u64(uint64(e)); return true })
	case map[string]float64:
		k.b = append(k.b, natFloatMap)
		return nativeMap(k, x, func(e float64) bool { k.u64(math.Float64bits(e)); return true })
	case map[string][]string:
		k.b = append(k.b, natStrListMap)
		return nativeMap(k, x, func(e []string) bool {
			k.b = binary.AppendUvarint(k.b, uint64(len(e)))
			for _, s := range e {
				k.str(s)
			}
			return true
		})
	default:
		return false
	}
	return true
}

// nativeMap encodes a string-keyed map: its size, then its entries in key order.
func nativeMap[V any](k *keyEnc, m map[string]V, enc func(V) bool) bool {
	k.b = binary.AppendUvarint(k.b, uint64(len(m)))
	base := len(k.keys)
	for key := range m {
		k.keys = append(k.keys, key)
	}
	slices.Sort(k.keys[base:])
	for i := base; i < len(k.keys); i++ {
		key := k.keys[i]
		k.str(key)
		if !enc(m[key]) {
			k.keys = k.keys[:base]
			return false
		}
	}
	k.keys = k.keys[:base]
	return true
}

// objectOf returns the type definition of a view and the value its field getters take (nil: not a view).
func objectOf(v ref.Val) (*objDef, any) {
	if o, ok := v.(view); ok {
		return o.object()
	}
	return nil, nil
}
