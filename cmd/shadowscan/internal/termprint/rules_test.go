package termprint

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/rules"
)

// ruleData is the rules package's test data.
const ruleData = "../../../../rules/testdata/"

func TestRuleListShow(t *testing.T) {
	rs, err := rules.Load(rules.Options{ExtraFiles: []string{ruleData + "valid/user_pack.yaml"}, Severity: map[string]string{"banned-vendor": "critical"}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RuleList(&b, rs); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"ID", "banned-vendor", "critical (was high)", "testdata/valid/user_pack.yaml", "redundant-tool"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(rs.Rules)+1 {
		t.Errorf("%d lines for %d rules", len(lines), len(rs.Rules))
	}
	if !strings.HasPrefix(lines[1], "banned-vendor") && !strings.HasPrefix(lines[1], "restricted-scopes") {
		t.Errorf("not sorted by severity: %s", lines[1])
	}
	b.Reset()
	if err := RuleShow(&b, rs, "scopes-beyond-ceiling"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"scopes-beyond-ceiling — OAuth scopes beyond", "severity:    high", "stage:       record (variables: record, vendor, approval, org)",
		"rules/builtin/oauth.yaml:", "withinCeiling(record.scopes, approval.scopes)", "var beyond:", "examples:    1 match, 3 no_match"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("show lacks %q:\n%s", want, b.String())
		}
	}
	if err := RuleShow(&b, rs, "banned-vendr"); err == nil || !strings.Contains(err.Error(), `did you mean "banned-vendor"`) {
		t.Errorf("show unknown: %v", err)
	}
}

func TestTestRun(t *testing.T) {
	rs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	ok, err := testFile(&b, rs, ruleData+"test/cases.yaml")
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v\n%s", ok, err, b.String())
	}
	if !strings.Contains(b.String(), "ok   scopes-beyond-ceiling match[0] chloe's HubSpot grant exceeds the ceiling") ||
		!strings.Contains(b.String(), "4 passed, 0 failed") {
		t.Errorf("output:\n%s", b.String())
	}
	b.Reset()
	ok, err = testFile(&b, rs, ruleData+"test/failing.yaml")
	if err != nil || ok {
		t.Fatalf("failing file: ok=%v err=%v", ok, err)
	}
	if !strings.Contains(b.String(), "FAIL banned-vendor match[0] wrong expectation") || !strings.Contains(b.String(), "0 passed, 2 failed") ||
		strings.Contains(b.String(), "\x1b") {
		t.Errorf("output:\n%q", b.String())
	}
	// A rules file: its own examples are run.
	b.Reset()
	ok, err = testFile(&b, rs, ruleData+"valid/user_pack.yaml")
	if err != nil || !ok || !strings.Contains(b.String(), "ok   expensive-vendor match[0]") {
		t.Errorf("rules file: ok=%v err=%v\n%s", ok, err, b.String())
	}
}

// testFile runs a test file as `shadowscan rules test` does: TestRun prints the rules package's result.
func testFile(b *bytes.Buffer, rs *rules.RuleSet, file string) (bool, error) {
	run, err := rules.TestFile(rs, file)
	if err != nil {
		return false, err
	}
	return run.OK(), TestRun(b, run)
}
