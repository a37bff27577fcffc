package main

import (
	"os"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/rules"
)

// TestRulesREADMEAttributes keeps the attribute table in rules/README.md equal to the providers' declarations.
func TestRulesREADMEAttributes(t *testing.T) {
	const path = "../../rules/README.md"
	const begin, end = "<!-- attributes:begin", "<!-- attributes:end -->"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s: markers %q … %q not found", path, begin, end)
	}
	i += strings.Index(s[i:], "\n") + 1
	want := attributesMarkdown()
	if s[i:j] == want {
		return
	}
	if golden.Update() {
		if err := os.WriteFile(path, []byte(s[:i]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the attribute table is out of date; run go test ./cmd/shadowscan -run TestRulesREADMEAttributes -update", path)
}

// TestUndeclaredAttributeFailsToLoad: with the real providers registered, a rule reading an attribute no provider
// declares (or one declared only for other kinds) is a load error at the attribute's file:line:column.
func TestUndeclaredAttributeFailsToLoad(t *testing.T) {
	for name, tc := range map[string]struct{ when, want string }{
		"typo": {`record.kind == "cloud_trust" && record.attributes.?same_organizaton.orValue(false) != true`,
			`x.yaml:7:58: rule "r": when: record.attributes.same_organizaton is not an attribute any provider declares`},
		"other kind": {`record.kind == "oauth_grant" && record.attributes.?external_id_present.orValue(false)`,
			`x.yaml:7:58: rule "r": when: record.attributes.external_id_present is not declared for oauth_grant; it is declared on aws (cloud_trust)`},
		"index": {`record.kind == "dns_record" && record.attributes["danglng"] == true`,
			`x.yaml:7:56: rule "r": when: record.attributes.danglng is not an attribute any provider declares (did you mean "dangling"?)`},
		"declared": {`record.kind == "dns_record" && has(record.attributes.dangling) && record.attributes.?zone.orValue("") != ""`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			src := "rules:\n  - id: r\n    title: T\n    severity: low\n    stage: record\n    when: >\n      " + tc.when +
				"\n    message: m\n    remediation: r\n"
			_, err := rules.LoadFiles(map[string][]byte{"x.yaml": []byte(src)})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}
