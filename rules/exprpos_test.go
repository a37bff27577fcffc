package rules

import (
	"strings"
	"testing"
)

// TestExprErrorPosition: a CEL error in `when` points at the offending text in the file, whatever the YAML scalar
// style. Each case's when has the undeclared name `nope` (want: file:line:column of its first letter) or a
// syntax error (want: where the parser stopped).
func TestExprErrorPosition(t *testing.T) {
	const head = "rules:\n  - id: p\n    title: t\n    severity: low\n    stage: record\n    message: m\n    remediation: r\n"
	// line 8 is the first line of `when`.
	// The file ends without a newline, so the last case line is the file's last line.
	for name, tc := range map[string]struct{ when, want string }{
		"plain":                  {`    when: record.kind == "x" && nope`, "r.yaml:8:33:"},
		"double quoted":          {`    when: "record.kind == 'x' && nope"`, "r.yaml:8:34:"},
		"single quoted":          {`    when: 'record.kind == "x" && nope'`, "r.yaml:8:34:"},
		"first line of block":    {"    when: |\n      nope && record.kind == \"x\"", "r.yaml:9:7:"},
		"literal block":          {"    when: |\n      record.kind == \"x\" &&\n      nope", "r.yaml:10:7:"},
		"literal, blank line":    {"    when: |\n      record.kind == \"x\" &&\n\n      nope", "r.yaml:11:7:"},
		"literal, indented":      {"    when: |\n      record.kind == \"x\" &&\n        nope", "r.yaml:10:9:"},
		"folded":                 {"    when: >\n      record.kind == \"x\" &&\n      vendor.known &&\n      nope", "r.yaml:11:7:"},
		"folded, blank lines":    {"    when: >\n      record.kind == \"x\" &&\n\n      vendor.known && nope\n\n", "r.yaml:11:23:"},
		"folded, two blank":      {"    when: >\n      record.kind == \"x\" &&\n\n\n      nope", "r.yaml:12:7:"},
		"plain, blank line":      {"    when: record.kind == \"x\" &&\n\n      nope", "r.yaml:10:7:"},
		"plain, two lines":       {"    when: record.kind == \"x\" &&\n      vendor.known && nope", "r.yaml:9:23:"},
		"at the end of the line": {"    when: vendor.known &&\n    group_by: nope", "r.yaml:8:26:"},
		"empty block":            {"    when: |\n\n", "r.yaml:8:11:"},
		"wide runes before":      {`    when: record.kind == "éü" && nope`, "r.yaml:8:36:"},
		"replacement char":       {"    when: record.kind == \"\uFFFD\" && nope", "r.yaml:8:35:"},
	} {
		t.Run(name, func(t *testing.T) {
			src := head + tc.when
			_, err := LoadFiles(map[string][]byte{"r.yaml": []byte(src)})
			if err == nil {
				t.Fatal("loaded")
			}
			first := strings.SplitN(err.Error(), "\n", 2)[0]
			if !strings.HasPrefix(first, tc.want) {
				t.Errorf("error %q, want at %s", err, tc.want)
			}
		})
	}
}
