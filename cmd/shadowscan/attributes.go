package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/report"
)

// attrRow is one record attribute on one record kind, with the providers that declare it.
type attrRow struct {
	kind, name string
	typ        scanner.AttrType
	providers  []string
	meaning    string
}

// attributeRows flattens the registered providers' declarations: one row per kind, attribute and type.
func attributeRows() []attrRow {
	byKey := map[string]*attrRow{}
	for name, decls := range scanner.Declared() {
		for _, d := range decls {
			for _, k := range d.Kinds {
				key := k + "\x00" + name + "\x00" + string(d.Type)
				r, ok := byKey[key]
				if !ok {
					r = &attrRow{kind: k, name: name, typ: d.Type, meaning: d.Meaning}
					byKey[key] = r
				}
				r.providers = append(r.providers, d.Provider)
			}
		}
	}
	rows := make([]attrRow, 0, len(byKey))
	for _, r := range byKey {
		sort.Strings(r.providers)
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].kind != rows[j].kind {
			return rows[i].kind < rows[j].kind
		}
		if rows[i].name != rows[j].name {
			return rows[i].name < rows[j].name
		}
		return rows[i].typ < rows[j].typ
	})
	return rows
}

// writeAttributes prints the attributes rules may read (`shadowscan rules show` without an ID).
func writeAttributes(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tATTRIBUTE\tTYPE\tPROVIDERS\tMEANING")
	for _, r := range attributeRows() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.kind, r.name, r.typ, strings.Join(r.providers, ","), report.Clean(r.meaning))
	}
	fmt.Fprintln(tw, "\nRead them as record.attributes.?name.orValue(default); a rule that reads an attribute no provider declares does not load.")
	return tw.Flush()
}

// attributesMarkdown is the table rules/README.md carries between its generated-attributes markers.
func attributesMarkdown() string {
	var b strings.Builder
	b.WriteString("| kind | attribute | type | providers | meaning |\n|---|---|---|---|---|\n")
	for _, r := range attributeRows() {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", r.kind, r.name, r.typ, strings.Join(r.providers, ", "),
			strings.ReplaceAll(r.meaning, "|", `\|`))
	}
	return b.String()
}
