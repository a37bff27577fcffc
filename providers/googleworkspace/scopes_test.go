package googleworkspace

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeScopes reads the scope table of the README, in its order.
func readmeScopes(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(https://www\\.googleapis\\.com/auth/[a-z.]+)` \\|").FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) != 3 {
		t.Fatalf("the README's scope table lists %d scopes, want 3: %v", len(out), out)
	}
	if !strings.Contains(string(b), "`mode: tokens` asks for the first two, `mode: audit` for the\nthird, `mode: both` for all three.") {
		t.Fatal("the README no longer says which mode asks for which scopes; update this test with it")
	}
	return out
}

// Each mode asks Google for exactly the scopes the README's least-privilege table gives it, no more: the scopes
// are read from the JWT the token endpoint receives on a real collection.
func TestScopesPerModeMatchTheREADME(t *testing.T) {
	t.Parallel()
	table := readmeScopes(t)
	// Literal values beside the README's, so that a changed constant fails too.
	if strings.Join(table, " ") != "https://www.googleapis.com/auth/admin.directory.user.readonly "+
		"https://www.googleapis.com/auth/admin.directory.user.security "+
		"https://www.googleapis.com/auth/admin.reports.audit.readonly" {
		t.Fatalf("README scopes %v", table)
	}
	for mode, want := range map[string][]string{
		ModeTokens: table[:2],
		ModeAudit:  table[2:],
		ModeBoth:   table,
	} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			f := &authFake{t: t}
			p, _ := authProvider(t, f, func(c *Config, u string) { c.CredentialsFile = writeKey(t, u+"/token"); c.Mode = mode })
			if _, err := collect(t, p); err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if got := f.seenClaims()["scope"]; got != strings.Join(want, " ") {
				t.Errorf("mode %s asked for %q, want %q", mode, got, strings.Join(want, " "))
			}
			if f.unauth != 0 {
				t.Errorf("%d unauthenticated calls", f.unauth)
			}
		})
	}
}
