package aws

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// The README's policy and StackSet template, and the provider's Permissions, name exactly the actions a scan calls
// (as the fake recorded them): no more, no less.
func TestReadmePermissions(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```(json|yaml)\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	policy := map[string]bool{}
	member := map[string]bool{}
	for _, bl := range blocks {
		switch {
		case bl[1] == "json":
			var doc struct {
				Statement []struct {
					Action json.RawMessage
				}
			}
			if err := json.Unmarshal([]byte(bl[2]), &doc); err != nil {
				t.Fatalf("README policy JSON: %v", err)
			}
			for _, st := range doc.Statement {
				acts, err := stringList(st.Action)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range acts {
					policy[a] = true
				}
			}
		case strings.Contains(bl[2], "AWS::IAM::Role"):
			for _, m := range regexp.MustCompile(`(?m)^\s+- ([a-z0-9-]+:[A-Za-z]+)\s*$`).FindAllStringSubmatch(bl[2], -1) {
				member[m[1]] = true
			}
		}
	}
	if len(policy) == 0 || len(member) == 0 {
		t.Fatalf("README: policy %d actions, member role %d actions", len(policy), len(member))
	}
	// What a scan really asks for: every feature on (the organisation with an OU to skip, Cost Explorer) against
	// the fake, which records the IAM action of each request. GetCallerIdentity needs no permission.
	f := newNorthwind(t)
	h := newHarness(t, f, func(c *Config) {
		c.Organization.SkipOUs = []string{"Sandbox"}
		c.CostExplorer = true
	})
	if _, err := scannertest.Collect(t, h.provider(t)); err != nil {
		t.Fatal(err)
	}
	called, memberCalled := map[string]bool{}, map[string]bool{}
	for a := range f.Actions() {
		if a == "sts:GetCallerIdentity" || a == "member|sts:GetCallerIdentity" {
			continue
		}
		if m, ok := strings.CutPrefix(a, "member|"); ok {
			memberCalled[m] = true
			continue
		}
		called[a] = true
	}
	if got, w := keys(policy), keys(called); !equal(got, w) {
		t.Errorf("README policy actions\n  %v\nactions a scan calls\n  %v", got, w)
	}
	// The member role grants what member accounts were asked for, and everything else the scan calls but the
	// organisation-wide reads, which only the management account makes (the fixture's members need not use all).
	for a := range memberCalled {
		if !member[a] {
			t.Errorf("a scan calls %s in member accounts, but the README's member role lacks it", a)
		}
	}
	for a := range called {
		memberNeeds := !strings.HasPrefix(a, "organizations:") && a != "ce:GetCostAndUsage" && a != "sts:AssumeRole"
		if memberNeeds != member[a] {
			t.Errorf("%s: in the README's member role = %v, want %v", a, member[a], memberNeeds)
		}
	}
	for a := range member {
		if !called[a] {
			t.Errorf("the README's member role grants %s, which no scan calls", a)
		}
	}
	declared := map[string]bool{}
	for _, p := range Permissions {
		declared[p.Name] = true
	}
	if got, w := keys(declared), keys(called); !equal(got, w) {
		t.Errorf("Permissions declares\n  %v\nactions a scan calls\n  %v", got, w)
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }
