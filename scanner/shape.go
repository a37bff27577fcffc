package scanner

import (
	"fmt"
	"slices"
	"sort"
)

// AttrType is the type of a record attribute as rules see it (CEL type names).
type AttrType string

// Attribute types. Providers store string, bool, int64, float64 and []string values respectively.
const (
	TypeString  AttrType = "string"
	TypeBool    AttrType = "bool"
	TypeInt     AttrType = "int"
	TypeDouble  AttrType = "double"
	TypeStrings AttrType = "list(string)"
)

// AttrTypes lists the attribute types.
var AttrTypes = []AttrType{TypeString, TypeBool, TypeInt, TypeDouble, TypeStrings}

// TypeOf returns the attribute type of a value a provider stored, or "" for a value rules cannot read.
func TypeOf(v any) AttrType {
	switch v.(type) {
	case string:
		return TypeString
	case bool:
		return TypeBool
	case int, int32, int64:
		return TypeInt
	case float32, float64:
		return TypeDouble
	case []string:
		return TypeStrings
	}
	return ""
}

// Attribute declares one record attribute a provider sets.
type Attribute struct {
	Name    string
	Type    AttrType
	Meaning string
	// Kinds are the record kinds that carry it; empty means every kind the provider emits.
	Kinds []string
}

// Attr declares an attribute; kinds narrow it to some of the provider's record kinds.
func Attr(name string, t AttrType, meaning string, kinds ...string) Attribute {
	return Attribute{Name: name, Type: t, Meaning: meaning, Kinds: kinds}
}

// Shape declares what a provider emits: its record kinds and their attributes, the way a table declares its
// columns. Rules are checked against the union of every registered provider's shape when they load.
type Shape struct {
	Kinds      []string
	Attributes []Attribute
	// Replays is set by a provider that replays records written elsewhere (the inventory provider): its records
	// may be of any kind and carry any attribute another provider declares; it declares none itself.
	Replays bool
}

// validate reports a malformed shape (a programming error in the provider).
func (s Shape) validate() error {
	if s.Replays {
		if len(s.Kinds) > 0 || len(s.Attributes) > 0 {
			return fmt.Errorf("a replaying provider declares no kinds or attributes")
		}
		return nil
	}
	if len(s.Kinds) == 0 {
		return fmt.Errorf("no record kinds declared")
	}
	seen := map[string]bool{}
	for _, a := range s.Attributes {
		if a.Name == "" || a.Meaning == "" || !slices.Contains(AttrTypes, a.Type) {
			return fmt.Errorf("attribute %q: want a name, a meaning and one of the types %v", a.Name, AttrTypes)
		}
		for _, k := range a.kinds(s) {
			if !slices.Contains(s.Kinds, k) {
				return fmt.Errorf("attribute %q: kind %q is not one of the provider's kinds %v", a.Name, k, s.Kinds)
			}
			if seen[k+"\x00"+a.Name] {
				return fmt.Errorf("attribute %q declared twice for kind %q", a.Name, k)
			}
			seen[k+"\x00"+a.Name] = true
		}
	}
	return nil
}

func (a Attribute) kinds(s Shape) []string {
	if len(a.Kinds) == 0 {
		return s.Kinds
	}
	return a.Kinds
}

// Attribute returns the declaration of an attribute on a record kind.
func (s Shape) Attribute(kind, name string) (Attribute, bool) {
	for _, a := range s.Attributes {
		if a.Name == name && slices.Contains(a.kinds(s), kind) {
			return a, true
		}
	}
	return Attribute{}, false
}

// CheckRecord reports what in a record the shape does not declare: an undeclared kind, an undeclared attribute or
// an attribute of another type. A replaying shape accepts every record.
func (s Shape) CheckRecord(r *Record) error {
	if s.Replays {
		return nil
	}
	if !slices.Contains(s.Kinds, r.Kind) {
		return fmt.Errorf("record %s: kind %q is not declared (declared: %v)", r.ID, r.Kind, s.Kinds)
	}
	for name, v := range r.Attributes {
		a, ok := s.Attribute(r.Kind, name)
		if !ok {
			return fmt.Errorf("record %s (%s): attribute %q is not declared", r.ID, r.Kind, name)
		}
		if t := TypeOf(v); t != a.Type {
			return fmt.Errorf("record %s (%s): attribute %q is %T, declared %s", r.ID, r.Kind, name, v, a.Type)
		}
	}
	return nil
}

// DeclaredAttribute is one attribute as declared by one provider type.
type DeclaredAttribute struct {
	Provider string // provider type
	Attribute
}

// Declared returns every attribute declared by a registered provider, by name, sorted by provider type. Kinds
// are filled in (never empty).
func Declared() map[string][]DeclaredAttribute {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := map[string][]DeclaredAttribute{}
	for typ, f := range registry {
		for _, a := range f.Shape.Attributes {
			a.Kinds = a.kinds(f.Shape)
			out[a.Name] = append(out[a.Name], DeclaredAttribute{Provider: typ, Attribute: a})
		}
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool { return list[i].Provider < list[j].Provider })
	}
	return out
}

// DeclaredKinds returns every record kind a registered provider declares, sorted.
func DeclaredKinds() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	var out []string
	for _, f := range registry {
		for _, k := range f.Shape.Kinds {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// AttrSoftwareLikely is the attribute by which a provider says whether a record is software at all. The scanner
// leaves an unresolved record with software_likely=false out of the report (a taxi is not shadow IT); a provider
// that sets it declares it like any other attribute.
const AttrSoftwareLikely = "software_likely"
