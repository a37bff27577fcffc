package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

func doctor(t *testing.T, f *fakeAWS, mut func(*Config)) map[string]scanner.PermissionCheck {
	t.Helper()
	h := newHarness(t, f, mut)
	pc, ok := h.provider(t).(scanner.PermissionChecker)
	if !ok {
		t.Fatal("the AWS provider does not check its permissions")
	}
	m := map[string]scanner.PermissionCheck{}
	for _, c := range pc.CheckPermissions(context.Background()) {
		m[c.Permission] = c
	}
	return m
}

func TestDoctorAgainstTheFakeOrganisation(t *testing.T) {
	m := doctor(t, newNorthwind(t), nil)
	for _, want := range []string{"credentials", "organizations:ListAccounts", "iam:GetAccountAuthorizationDetails",
		"route53:ListHostedZones", "tag:GetResources", "sts:AssumeRole"} {
		c, ok := m[want]
		if !ok || !c.OK {
			t.Errorf("%s: %+v (present %v)", want, c, ok)
		}
	}
	member := 0
	for k, c := range m {
		if strings.HasPrefix(k, "member ") {
			member++
			if !c.OK && !c.Skipped {
				t.Errorf("%s: %s", k, c.Detail)
			}
		}
		if strings.Contains(c.Detail, "fake-secret") || strings.Contains(c.Detail, baseAccessKey) {
			t.Errorf("%s: a secret reached the output: %s", k, c.Detail)
		}
	}
	if member == 0 {
		t.Error("the member role was not checked")
	}
}

// A denied action fails alone, with the action and the caller to fix; the others still pass.
func TestDoctorDeniedAction(t *testing.T) {
	f := newNorthwind(t)
	f.deny[acctMgmt+"/ListHostedZones"] = true
	m := doctor(t, f, nil)
	c := m["route53:ListHostedZones"]
	if c.OK || !strings.Contains(c.Detail, "add route53:ListHostedZones to the policy of arn:") {
		t.Errorf("denied action: %+v", c)
	}
	if !m["iam:ListSAMLProviders"].OK {
		t.Errorf("an allowed action failed: %+v", m["iam:ListSAMLProviders"])
	}
}
