package catalog

import (
	"fmt"
	"strings"
	"testing"
)

func TestIssueString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		is   Issue
		want string
	}{
		{Issue{File: "org.yaml", Line: 7, Entry: "acme", Msg: "missing name"}, `org.yaml:7: entry "acme": missing name`},
		{Issue{File: "org.yaml", Msg: "file is empty"}, `org.yaml: file is empty`},
		{Issue{Entry: "acme", Msg: "x"}, `entry "acme": x`},
		{Issue{Msg: "x"}, `x`},
	} {
		if got := tc.is.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestValidationErrorTruncates(t *testing.T) {
	t.Parallel()
	var issues []Issue
	for i := range 25 {
		issues = append(issues, Issue{File: "f.yaml", Line: i + 1, Msg: "bad"})
	}
	msg := (&ValidationError{Issues: issues}).Error()
	if !strings.HasPrefix(msg, "catalogue: 25 issue(s)") || !strings.Contains(msg, "f.yaml:20: bad") ||
		strings.Contains(msg, "f.yaml:21: bad") || !strings.Contains(msg, "and 5 more") {
		t.Errorf("Error() =\n%s", msg)
	}
}

// TestValidateBuilt checks Validate on catalogues assembled in code, where positions come from Entry.File/Line.
func TestValidateBuilt(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	dup := *c
	dup.Entries = append([]Entry{}, c.Entries...)
	e, _ := c.Vendor("hotjar")
	clone := cloneEntry(*e)
	clone.File, clone.Line = "code.go", 42
	dup.Entries = append(dup.Entries, clone)
	bad := Entry{ID: "x_y", Name: "X", Category: "data", Subcategories: []string{"crm"}, File: "code.go", Line: 43,
		Signals: Signals{AWSAccounts: []string{"12"}}}
	dup.Entries = append(dup.Entries, bad)
	issues := Validate(&dup)
	var got []string
	for _, is := range issues {
		got = append(got, is.String())
	}
	joined := strings.Join(got, "\n")
	for _, w := range []string{
		`code.go:42: entry "hotjar": duplicate id`,
		`code.go:43: entry "x_y": id "x_y" must be lower-case`,
		`code.go:43: entry "x_y": primary subcategory "crm" belongs to category "social_relationships", not "data"`,
		`code.go:43: entry "x_y": aws_accounts[0] "12"`,
	} {
		if !strings.Contains(joined, w) {
			t.Errorf("missing %q in\n%s", w, joined)
		}
	}
	if len(Validate(nil)) != 1 {
		t.Error("Validate(nil) should report one issue")
	}
}

func TestPatternChecks(t *testing.T) {
	t.Parallel()
	good := []string{"mcsv.net", "servers.mcsv.net", "_spf.google.com", "{portal}.spf{n}.hubspotemail.net", "mkto-{id}.com",
		"{d}.hs{n}a.dkim.hubspotemail.net", "selector1-{d}._domainkey.{tenant}.onmicrosoft.com", "gallery.video", "Mixed.Case.Example"}
	for _, p := range good {
		if msg := checkHostPattern(p); msg != "" {
			t.Errorf("checkHostPattern(%q) = %q, want ok", p, msg)
		}
	}
	bad := []string{"", "com", "*.x.com", "{x}.com", "a..b.com", ".a.com", "a.b.{c}", "a b.com", "a.b/c", "x.{a}{b}.com",
		"x.{A}.com", "x.{a.com", "x.a}.com", "x.c0m.1", "é.com", strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 130) + "com"}
	for _, p := range bad {
		if msg := checkHostPattern(p); msg == "" {
			t.Errorf("checkHostPattern(%q) accepted", p)
		}
	}
	for _, s := range []string{"k2", "hs1-{portal}", "aweber_key_a", "s1"} {
		if msg := checkSelector(s); msg != "" {
			t.Errorf("checkSelector(%q) = %q", s, msg)
		}
	}
	for _, s := range []string{"", "k2._domainkey", "a.b", "{x}", "a b"} {
		if msg := checkSelector(s); msg == "" {
			t.Errorf("checkSelector(%q) accepted", s)
		}
	}
	for _, tx := range []string{"MS=", "google-site-verification=", "re:^00D[A-Za-z0-9]{12}=", "ZOOM_verify_"} {
		if msg := checkTXT(tx); msg != "" {
			t.Errorf("checkTXT(%q) = %q", tx, msg)
		}
	}
	for _, tx := range []string{"", "re:", "re:(", "re:a*", "ab", "v=spf1 -all", "v=DMARC1; p=none", "x\x00y="} {
		if msg := checkTXT(tx); msg == "" {
			t.Errorf("checkTXT(%q) accepted", tx)
		}
	}
	for _, d := range []string{"example.com", "a-b.co.uk", "xn--p1ai.xn--p1ai"} {
		if msg := checkDomain(d); msg != "" {
			t.Errorf("checkDomain(%q) = %q", d, msg)
		}
	}
	for _, d := range []string{"example.com.", "a_b.com", "-a.com", "a.123", "com"} {
		if msg := checkDomain(d); msg == "" {
			t.Errorf("checkDomain(%q) accepted", d)
		}
	}
	for _, id := range []string{"48213377201-leadmagnet.apps.googleusercontent.com", "123456789012345678901"} {
		if msg := checkGoogleClientID(id); msg != "" {
			t.Errorf("checkGoogleClientID(%q) = %q", id, msg)
		}
	}
	if checkEntraAppID("00000003-0000-0000-C000-000000000000") != "" || checkEntraAppID("0000-0000") == "" {
		t.Error("checkEntraAppID")
	}
	if checkAWSAccount("071303700930") != "" || checkAWSAccount("71303700930") == "" {
		t.Error("checkAWSAccount")
	}
	if checkText(strings.Repeat("é", 201), 200) == "" || checkText("ok", 200) != "" || checkText("bad\xff", 200) == "" ||
		checkText("rtl\u202eevil", 200) == "" {
		t.Error("checkText")
	}
}

func TestNearestWord(t *testing.T) {
	t.Parallel()
	if got := nearestWord("spff", entryKeys); got != "spf" {
		t.Errorf("nearestWord(spff) = %q", got)
	}
	if got := nearestWord("merchant", entryKeys); got != "merchants" {
		t.Errorf("nearestWord(merchant) = %q", got)
	}
	if got := nearestWord("zzzzzz", entryKeys); got != "" {
		t.Errorf("nearestWord(zzzzzz) = %q", got)
	}
}

func ExampleIssue_String() {
	fmt.Println(Issue{File: "org.yaml", Line: 4, Entry: "acme", Msg: `unknown category "dta" (did you mean "data"?)`})
	// Output: org.yaml:4: entry "acme": unknown category "dta" (did you mean "data"?)
}
