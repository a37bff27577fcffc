package scannertest

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-viper/mapstructure/v2"
	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/scanner"
)

// PermissionsByMarker is the HTML comment that precedes a README's permissions-by-setting table.
const PermissionsByMarker = "<!-- permissions by setting -->"

var (
	reModeRow = regexp.MustCompile("(?m)^\\| `(\\{.*?\\})` \\| (.*?) \\|$")
	reCode    = regexp.MustCompile("`([^`]+)`")
)

// expandGroup is the names of the permissions in group name (an IAM statement's Sid), or name itself.
func expandGroup(name string, perms []scanner.Permission) []string {
	var out []string
	for _, p := range perms {
		if p.Group == name {
			out = append(out, p.Name)
		}
	}
	if len(out) == 0 {
		return []string{name}
	}
	return out
}

// CheckPermissionsByMode keeps a README's permissions-by-setting table true: after PermissionsByMarker, each row
// "| `{yaml settings}` | `perm`, `perm` |" (or "none"; a permission Group such as an IAM Sid stands for its members) must list exactly the declared permissions that a config with
// those settings (on top of newConfig's defaults) uses, as `shadowscan permissions --config` prints them.
func CheckPermissionsByMode(t *testing.T, readme string, newConfig func() scanner.ProviderConfig, perms []scanner.Permission) {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, PermissionsByMarker)
	if i < 0 {
		t.Fatalf("%s has no %s table", readme, PermissionsByMarker)
	}
	table := doc[i:]
	if end := strings.Index(table, "\n\n"); end >= 0 {
		table = table[:end]
	}
	rows := reModeRow.FindAllStringSubmatch(table, -1)
	if len(rows) < 2 {
		t.Fatalf("%s: the permissions-by-setting table has %d rows", readme, len(rows))
	}
	for _, row := range rows {
		var settings map[string]any
		if err := yaml.Unmarshal([]byte(row[1]), &settings); err != nil {
			t.Errorf("%s: row %s: %v", readme, row[1], err)
			continue
		}
		cfg := newConfig()
		if err := mapstructure.Decode(settings, cfg); err != nil {
			t.Errorf("%s: row %s: %v", readme, row[1], err)
			continue
		}
		var want []string
		if strings.TrimSpace(row[2]) != "none" {
			for _, m := range reCode.FindAllStringSubmatch(row[2], -1) {
				want = append(want, expandGroup(m[1], perms)...)
			}
		}
		var got []string
		for _, p := range scanner.NeededPermissions(cfg, perms) {
			got = append(got, p.Name)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: with %s the README lists\n  %v\nthe provider needs\n  %v", readme, row[1], want, got)
		}
	}
}

// CheckDoctor asserts doctor's checks: each named check (after rename, e.g. an address replaced by a
// placeholder) has the wanted outcome and nothing else is checked, and the details say each of words. It returns
// the checks as text.
func CheckDoctor(t *testing.T, checks []scanner.PermissionCheck, rename func(string) string, want map[string]bool, words ...string) string {
	t.Helper()
	var text strings.Builder
	got := map[string]bool{}
	for _, c := range checks {
		name := rename(c.Permission)
		got[name] = c.OK
		text.WriteString(name + ": " + c.Detail + "\n")
	}
	if len(got) != len(want) {
		t.Errorf("checks %v, want %v", got, want)
	}
	for k, ok := range want {
		if g, seen := got[k]; !seen || g != ok {
			t.Errorf("%s: ok=%v (checked: %v), want %v\n%s", k, g, seen, ok, text.String())
		}
	}
	for _, w := range words {
		if !strings.Contains(text.String(), w) {
			t.Errorf("checks do not say %q:\n%s", w, text.String())
		}
	}
	return text.String()
}
