package rules

import (
	"strings"
	"testing"
)

// TestGroupedMessageReads: a message or remediation may read only what the rule's group determines; anything else
// is a load error at the template's file:line:column.
func TestGroupedMessageReads(t *testing.T) {
	for _, c := range []struct {
		name, groupBy, vars, message string
		want                         string // "" = loads; else the error's position and what it names
	}{
		{"vendor name by vendor key", "", "", "{{.vendor.name}} ({{.approval.status}}) in {{.org.name}}", ""},
		{"record field by vendor key", "", "", "x {{.record.id}}", `t.yaml:9:19: rule "t": message: .record.id is not`},
		{"record whole", "", "", "{{with .record}}{{.id}}{{end}}", `t.yaml:9:22: rule "t": message: .record is not`},
		{"root variable in with", "", "", "{{with .vendor.name}}{{$.record.summary}}{{end}}", `t.yaml:9:38: rule "t": message: .record.summary is not`},
		{"vendor hint by vendor key", "", "", "{{.vendor.hint.value}}", `message: .vendor.hint.value is not`},
		{"record by record id", "record.id", "", "{{.record.summary}} {{.vendor.reason}}", ""},
		{"record id as a fallback only", `string(record.attributes.?name.orValue(record.id))`, "", "{{.record.summary}}", `message: .record.summary is not`},
		{"var part of group_by", `vendor.key + ":" + record.hint("aws_account")`, `a: record.hint("aws_account")`, "{{.vars.a}}", ""},
		{"var not part of group_by", "", `a: record.hint("aws_account")`, "{{.vars.a}}", `message: .vars.a is not`},
		{"var over vendor fields", "", `a: vendor.key.upperAscii() + org.name`, "{{.vars.a}}", ""},
		{"all vars", "", `a: record.id`, "{{.vars}}", `message: .vars is not`},
		{"vendor by vendor id without known", "vendor.id", "", "{{.vendor.name}}", `message: .vendor.name is not`},
		{"record by string(record.id)", "string(record.id)", "", "{{.record.summary}}", ""},
		{"the default group is named", "", "", "{{.record.id}}", "(group_by: vendor.key, the default)"},
		{"the rule's group is named", "vendor.id", "", "{{.vendor.name}}", "(group_by: vendor.id)"},
		{"whole vendor", "", "", "{{.vendor}}", `message: .vendor is not`},
		{"var over the whole vendor", "", `a: org.alternatives(vendor)`, "{{.vars.a}}", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := "rules:\n  - id: t\n    title: T\n    severity: low\n    stage: record\n    when: record.kind == \"x\"\n"
			if c.groupBy != "" {
				src += "    group_by: '" + c.groupBy + "'\n"
			} else {
				src += "    tags: []\n"
			}
			if c.vars != "" {
				src += "    vars: {" + c.vars + "}\n"
			} else {
				src += "    description: d\n"
			}
			src += "    message: \"" + c.message + "\"\n    remediation: r\n"
			_, errs := ParseFile("t.yaml", []byte(src))
			got := ""
			if len(errs) > 0 {
				got = errs.Err().Error()
			}
			switch {
			case c.want == "" && got != "":
				t.Fatalf("want no error, got %s\n%s", got, src)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Fatalf("want an error containing %q, got %q\n%s", c.want, got, src)
			}
		})
	}
}
