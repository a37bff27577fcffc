package yamlpos

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"syntax", "a:\n  b: [unclosed\n", "f.yaml:1: invalid YAML: did not find expected ',' or ']'"},
		{"bad indent", "a: 1\n b: 2\n", "f.yaml:2: invalid YAML: mapping values are not allowed in this context"},
		{"tab", "a:\n\tb: 1\n", "f.yaml:2: invalid YAML: found character that cannot start any token"},
		{"two documents", "a: 1\n---\nb: 2\n", "f.yaml:2: more than one YAML document; put everything in one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tc.yaml))
			var e *Error
			if !errors.As(err, &e) || err.Error() != tc.want {
				t.Errorf("Parse = %v, want %q", err, tc.want)
			}
		})
	}
	d, err := Parse("empty.yaml", []byte("# only a comment\n"))
	if err != nil || d.Root != nil {
		t.Errorf("empty file: %v, root %v", err, d)
	}
}

func TestLookup(t *testing.T) {
	d, err := Parse("c.yaml", []byte("scan:\n  Timeout: 5m\nproviders:\n  - type: dns\n  - type: aws\n    regions: [eu-west-1]\nbase: &b {x: 1}\nalias: *b\n"))
	if err != nil {
		t.Fatal(err)
	}
	for path, line := range map[string]int{
		"scan.timeout":          2, // keys match without regard to case
		"providers[1].regions":  6,
		"providers[1].missing":  5, // the closest parent
		"providers[7]":          4,
		"alias.x":               7, // through the alias
		"nothing.here":          0,
		"scan.timeout.too_deep": 2,
	} {
		if got := d.LineOf(path); got != line {
			t.Errorf("LineOf(%q) = %d, want %d", path, got, line)
		}
	}
	if n := d.Lookup("providers[0].type"); n == nil || n.Value != "dns" {
		t.Errorf("Lookup(providers[0].type) = %v", n)
	}
}

// Item points at the line of each list value, and at the key's value when one string stood for the list.
func TestItem(t *testing.T) {
	d, err := Parse("f.yaml", []byte("one: a\nmany:\n  - b\n  - c\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n := Item(d.Lookup("one"), 0); n.Line != 1 || n.Value != "a" {
		t.Errorf("one: line %d %q", n.Line, n.Value)
	}
	if n := Item(d.Lookup("many"), 1); n.Line != 4 || n.Value != "c" {
		t.Errorf("many[1]: line %d %q", n.Line, n.Value)
	}
}

// Items: an empty document has none, a list gives its items with aliases resolved, anything else is an error at it.
func TestItems(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		n        int
	}{
		{"", "", 0},
		{"~\n", "", 0},
		{"- a\n- &x {k: v}\n- *x\n", "", 3},
		{"k: v\n", "f.yaml:1:1: the file must be a list, not a mapping", 0},
	} {
		d, err := Parse("f.yaml", []byte(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		items, ierr := d.Items("the file must be a list")
		got := ""
		if ierr != nil {
			got = ierr.Error()
		}
		if !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") || len(items) != tc.n {
			t.Errorf("%q: %d items, error %q; want %d, %q", tc.in, len(items), got, tc.n, tc.want)
		}
		if tc.n == 3 && items[2].Kind != items[1].Kind {
			t.Errorf("alias not resolved: %v", items[2].Kind)
		}
	}
}

// Where places a problem for every file we parse; what is not known is left out, a column only goes with a line.
func TestWhere(t *testing.T) {
	for _, tc := range []struct {
		file         string
		line, column int
		kind, id     string
		want         string
	}{
		{"r.yaml", 3, 7, "rule", "aws-x", `r.yaml:3:7: rule "aws-x": `},
		{"v.yaml", 12, 0, "entry", "hubspot", `v.yaml:12: entry "hubspot": `},
		{"v.yaml", 0, 4, "entry", "", "v.yaml: "},
		{"", 5, 2, "entry", "a\"b", `entry "a\"b": `},
		{"", 0, 0, "rule", "", ""},
	} {
		if got := Where(tc.file, tc.line, tc.column, tc.kind, tc.id); got != tc.want {
			t.Errorf("Where(%q, %d, %d, %q, %q) = %q, want %q", tc.file, tc.line, tc.column, tc.kind, tc.id, got, tc.want)
		}
	}
	e := &Error{File: "r.yaml", Line: 2, Column: 3, RuleID: "x", Msg: "bad", Source: "a: \x1b[31mb"}
	if got, want := e.Error(), "r.yaml:2:3: rule \"x\": bad\n | a: "; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "\n |   ^") {
		t.Errorf("Error() = %q, want %q…, a caret under column 3", got, want)
	}
}
