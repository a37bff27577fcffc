package rules

import (
	"strings"
	"testing"
)

// TestCaseErrors: each malformed case in a test file is an error naming the case and the fault.
func TestCaseErrors(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ yaml, want string }{
		"record without kind": {"cases: [{rule: banned-vendor, expect: match, record: {id: r1}}]",
			"cases[0].record: kind is required"},
		"vendor without id": {"cases: [{rule: banned-vendor, expect: match, record: {kind: x}, vendor: {name: HubSpot}}]",
			"cases[0].vendor: id is required"},
		"approval without vendor": {"cases: [{rule: banned-vendor, expect: match, record: {kind: x}, approval: {status: banned}}]",
			"cases[0]: an approval needs a vendor"},
		"approval status unknown": {"cases: [{rule: banned-vendor, expect: match, record: {kind: x}, vendor: {id: v}, approval: {status: fine}}]",
			`cases[0].approval: status "fine" is not one of`},
		"approval expiry": {"cases: [{rule: banned-vendor, expect: match, record: {kind: x}, vendor: {id: v}, approval: {status: approved, expires: tomorrow}}]",
			"cases[0].approval.expires:"},
		"org now": {"cases: [{rule: banned-vendor, expect: match, record: {kind: x}, org: {now: yesterday}}]",
			`cases[0].org.now: "yesterday" is not an RFC 3339 time`},
		"unknown record field": {"cases: [{rule: banned-vendor, expect: match, record: {kind: x, knid: y}}]",
			`cases[0].record: unknown field "knid"`},
		"no rule, at the case": {"cases:\n  - {expect: match, record: {kind: x}}",
			"t.yaml:2:5: cases[0]: rule is required"},
		"bad expect, at expect": {"cases:\n  - {rule: banned-vendor, expect: yes, record: {kind: x}}",
			"t.yaml:2:35: cases[0]: expect must be match or no_match"},
		"record-stage usage": {"cases: [{rule: banned-vendor, expect: match, record: {kind: x}, usage: {user_count: 1}}]",
			"cases[0]: a record-stage case has no usage"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := TestData(rs, "t.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	// The same cases made whole load: the errors above come from the fault, not from the rest of the case.
	for _, ok := range []string{
		"cases: [{rule: banned-vendor, expect: no_match, record: {kind: x}, approval: {status: unapproved}}]",
		"cases: [{rule: banned-vendor, expect: match, record: {kind: x}, vendor: {id: v}, approval: {status: banned, expires: 2027-01-01}}]",
		"cases: [{rule: banned-vendor, expect: no_match, record: {kind: x}, org: {now: \"2026-01-02T03:04:05Z\"}}]",
	} {
		run, err := TestData(rs, "t.yaml", []byte(ok))
		if err != nil {
			t.Errorf("%s: %v", ok, err)
			continue
		}
		if !run.OK() {
			t.Errorf("%s: %v", ok, run.Results)
		}
	}
}

// caseRules are rules that print what a case gave them, so a test can read the defaults parseCase fills in.
const caseRules = `
rules:
  - id: echo-record
    title: t
    severity: info
    stage: record
    when: "true"
    group_by: record.id
    message: "{{.record.id}}|{{.record.provider}}|{{.vendor.name}}|{{.vendor.known}}|{{.org.name}}|{{.org.now}}"
    remediation: r
  - id: echo-inventory
    title: t
    severity: info
    stage: inventory
    when: "true"
    group_by: vendor.id
    message: "{{.vendor.name}}|{{.usage.user_count}}|{{.usage.records}}|{{.approval.status}}"
    remediation: r
  - id: echo-unidentified
    title: t
    severity: info
    stage: unidentified
    when: "true"
    group_by: usage.key
    message: "{{.usage.key}}|{{.vendor.name}}|{{.usage.user_count}}|{{.usage.records}}"
    remediation: r
`

// TestCaseDefaults: what a case leaves out is filled in: record ID from the case's line, provider "example",
// an unknown vendor's name from the record ID, a known one's from its ID, usage counts from the users, an unidentified key from hint type and value.
func TestCaseDefaults(t *testing.T) {
	rs, err := LoadFiles(map[string][]byte{"echo.yaml": []byte(caseRules)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"record defaults", "cases:\n\n  - {rule: echo-record, expect: match, record: {kind: x}}",
			"example-3|example|example-3|false|Example|2026-11-15 09:00:00 +0000 UTC"},
		{"record given", "cases:\n  - {rule: echo-record, expect: match, record: {kind: x, id: r1, provider: gw}, vendor: {id: hubspot}}",
			"r1|gw|hubspot|true|Example|2026-11-15 09:00:00 +0000 UTC"},
		{"vendor name and org", "cases:\n  - {rule: echo-record, expect: match, record: {kind: x}, vendor: {id: hubspot, name: HubSpot}, org: {name: Acme, now: \"2026-02-03T04:05:06Z\"}}",
			"example-2|example|HubSpot|true|Acme|2026-02-03 04:05:06 +0000 UTC"},
		{"org without name", "cases:\n  - {rule: echo-record, expect: match, record: {kind: x}, org: {domains: [acme.test]}}",
			"example-2|example|example-2|false|Example|2026-11-15 09:00:00 +0000 UTC"},
		{"inventory counts from users", "cases:\n  - {rule: echo-inventory, expect: match, vendor: {id: hubspot}, usage: {users: [a, b, c]}}",
			"hubspot|3|1|unapproved"},
		{"inventory counts given", "cases:\n  - {rule: echo-inventory, expect: match, vendor: {id: hubspot, name: HubSpot}, approval: {status: review}, usage: {users: [a], user_count: 7, records: 9}}",
			"HubSpot|7|9|review"},
		{"inventory approval status defaults to approved", "cases:\n  - {rule: echo-inventory, expect: match, vendor: {id: hubspot}, approval: {owner: o}, usage: {}}",
			"hubspot|0|1|approved"},
		{"unidentified key from hint", "cases:\n  - {rule: echo-unidentified, expect: match, usage: {hint_type: domain, value: Foo.Example, users: [a, b]}}",
			"domain:foo.example|Foo.Example|2|1"},
		{"unidentified key and name given", "cases:\n  - {rule: echo-unidentified, expect: match, usage: {key: k1, hint_type: domain, value: foo.example, name: Foo, user_count: 5, records: 4}}",
			"k1|Foo|5|4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, err := TestData(rs, "t.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Results) != 1 || run.Results[0].Match == nil {
				t.Fatalf("results %v", run.Results)
			}
			if got := run.Results[0].Match.Message; got != tc.want {
				t.Errorf("message %q, want %q", got, tc.want)
			}
		})
	}
}
