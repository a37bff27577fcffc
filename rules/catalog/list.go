package catalog

import (
	"errors"
	"fmt"

	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// List returns the vendors `catalog list` shows: category filters by a category ID ("data") or a subcategory ID
// ("session_replay"), "" lists everything; martechOnly drops martech: false entries. An unknown category is an
// error that suggests the nearest ID.
func List(c *Catalog, category string, martechOnly bool) ([]*Entry, error) {
	if c == nil {
		return nil, errors.New("catalog: no catalogue")
	}
	if category != "" {
		if _, ok := c.Category(category); !ok && c.SubcategoryCategory(category) == "" {
			return nil, fmt.Errorf("unknown category %q%s", textsafe.Clean(category), didYouMean(category, c.taxonomyIDs()))
		}
	}
	var out []*Entry
	for _, e := range c.ByCategory(category) {
		if !martechOnly || e.Martech {
			out = append(out, e)
		}
	}
	return out, nil
}

func (c *Catalog) taxonomyIDs() []string {
	var ids []string
	for _, cat := range c.Categories {
		ids = append(ids, cat.ID)
		for _, s := range cat.Subcategories {
			ids = append(ids, s.ID)
		}
	}
	return ids
}
