package catalog

import (
	"fmt"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// taxonomyFile is the name of the embedded taxonomy; every other embedded *.yaml file is a vendor file.
const taxonomyFile = "taxonomy.yaml"

// taxonomyIDPattern is the form of category and subcategory IDs: snake_case.
var taxonomyIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// Category returns the top-level category with the given ID.
func (c *Catalog) Category(id string) (*Category, bool) {
	for i := range c.Categories {
		if c.Categories[i].ID == id {
			return &c.Categories[i], true
		}
	}
	return nil, false
}

// CategoryName returns the display name of a category ID, or the ID itself when it is unknown.
func (c *Catalog) CategoryName(id string) string {
	if cat, ok := c.Category(id); ok {
		return cat.Name
	}
	return id
}

// SubcategoryName returns the display name of a subcategory ID, or the ID itself when it is unknown.
func (c *Catalog) SubcategoryName(id string) string {
	if _, sub, ok := c.subcategory(id); ok {
		return sub.Name
	}
	return id
}

// SubcategoryCategory returns the ID of the category a subcategory belongs to ("" if unknown).
func (c *Catalog) SubcategoryCategory(id string) string {
	if cat, _, ok := c.subcategory(id); ok {
		return cat.ID
	}
	return ""
}

// subcategory finds a subcategory by ID. Subcategory IDs are unique across the whole taxonomy.
func (c *Catalog) subcategory(id string) (*Category, *Subcategory, bool) {
	for i := range c.Categories {
		cat := &c.Categories[i]
		for j := range cat.Subcategories {
			if cat.Subcategories[j].ID == id {
				return cat, &cat.Subcategories[j], true
			}
		}
	}
	return nil, nil, false
}

// parseTaxonomy decodes taxonomy.yaml: a top-level `categories:` list of {id, name, martech, subcategories:
// [{id, name}]}. Unknown keys, duplicate IDs and malformed IDs are issues with file:line.
func parseTaxonomy(name string, data []byte) ([]Category, []Issue) {
	var issues []Issue
	add := func(line int, format string, args ...any) {
		issues = append(issues, Issue{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	root, iss := parseDocument(name, data)
	if len(iss) > 0 {
		return nil, iss
	}
	if root.Kind != yaml.MappingNode {
		add(root.Line, "expected a mapping with a top-level categories: list")
		return nil, issues
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "categories" {
			add(k.Line, "unknown top-level key %q (expected categories)", k.Value)
			continue
		}
		list = v
	}
	if list == nil {
		add(root.Line, "missing top-level categories: list")
		return nil, issues
	}
	if list.Kind != yaml.SequenceNode {
		add(list.Line, "categories: must be a list")
		return nil, issues
	}
	seen := map[string]int{}
	// checkID applies the same rules to category and subcategory IDs: snake_case, named, unique across both.
	checkID := func(kind, id, name string, line int) {
		if !taxonomyIDPattern.MatchString(id) {
			add(line, "%s id %q must be snake_case (a-z, 0-9, _)", kind, id)
		}
		if name == "" {
			add(line, "%s %q: missing name", kind, id)
		}
		if prev, dup := seen[id]; dup {
			add(line, "duplicate taxonomy id %q (first at line %d)", id, prev)
		} else {
			seen[id] = line
		}
	}
	var cats []Category
	for _, item := range list.Content {
		var cat Category
		var ok bool
		cat.ID, cat.Name, ok = taxonomyItem(item, "category", "{id, name, martech, subcategories}", add, func(k, v *yaml.Node) bool {
			switch k.Value {
			case "martech":
				if err := v.Decode(&cat.Martech); err != nil || v.Kind != yaml.ScalarNode {
					add(v.Line, "martech: must be true or false")
				}
			case "subcategories":
				if v.Kind != yaml.SequenceNode {
					add(v.Line, "subcategories: must be a list")
					break
				}
				for _, s := range v.Content {
					if id, name, ok := taxonomyItem(s, "subcategory", "{id, name}", add, nil); ok {
						checkID("subcategory", id, name, s.Line)
						cat.Subcategories = append(cat.Subcategories, Subcategory{ID: id, Name: name})
					}
				}
			default:
				return false
			}
			return true
		})
		if ok {
			checkID("category", cat.ID, cat.Name, item.Line)
			cats = append(cats, cat)
		}
	}
	if len(cats) == 0 && len(issues) == 0 {
		add(list.Line, "categories: is empty")
	}
	return cats, issues
}

// taxonomyItem reads the id and name of one taxonomy item, a category or a subcategory (what, with its keys for the
// message when the item is not a mapping: ok is then false). more is given every other key and reports whether it
// knows it (nil: no other key is known); an unknown key is an issue.
func taxonomyItem(item *yaml.Node, what, keys string, add func(line int, format string, args ...any),
	more func(k, v *yaml.Node) bool) (id, name string, ok bool) {
	if item.Kind != yaml.MappingNode {
		add(item.Line, "%s must be a mapping %s", what, keys)
		return "", "", false
	}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		switch {
		case k.Value == "id":
			id = scalarText(v)
		case k.Value == "name":
			name = scalarText(v)
		case more == nil || !more(k, v):
			add(k.Line, "unknown %s key %q", what, k.Value)
		}
	}
	return id, name, true
}
