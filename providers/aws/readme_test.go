package aws

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The README's policy and StackSet template must name exactly the actions the provider calls: no more, no less.
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
	want := map[string]bool{}
	for _, p := range Permissions {
		want[p.Name] = true
	}
	if got, w := keys(policy), keys(want); !equal(got, w) {
		t.Errorf("README policy actions\n  %v\nprovider Permissions\n  %v", got, w)
	}
	for a := range want {
		memberNeeds := !strings.HasPrefix(a, "organizations:") && a != "ce:GetCostAndUsage" && a != "sts:AssumeRole"
		if memberNeeds && !member[a] {
			t.Errorf("member role lacks %s", a)
		}
	}
	for a := range member {
		if !want[a] || strings.HasPrefix(a, "organizations:") || a == "ce:GetCostAndUsage" || a == "sts:AssumeRole" {
			t.Errorf("member role grants %s, which member accounts do not need", a)
		}
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
