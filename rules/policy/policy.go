// Package policy is the organisation's policy, in one place: approvals (approved-tools file, with scope ceilings
// and AWS accounts), suppressions, scope classes, ceiling matching and approved alternatives. *Policy implements
// scanner.Policy, which the scanner, the rule engine and `check` all use, so a scope is beyond its ceiling for all
// of them or for none.
//
// Ceiling semantics (one matcher, scanner/glob, on normalised scope names):
//
//   - Both the ceiling and the scope are normalised first (NormalizeScope): the Google scope URL prefix
//     (https://www.googleapis.com/auth/), the Graph resource (https://graph.microsoft.com/ or its application
//     GUID 00000003-0000-0000-c000-000000000000/) are dropped, https://mail.google.com/ becomes
//     "mail.google.com", and names are lower-cased. So a ceiling written as a URL and a grant holding the short
//     name (or the other way round) agree.
//   - "*" is any run of characters within a segment, "?" one character, "[rs]" a class. '/' separates segments:
//     "drive*" allows "drive.file" but not "drive/x" — a ceiling only widens where it says so.
//   - "email" and "userinfo.email" (and "profile" and "userinfo.profile") are the same scope.
//   - An empty ceiling allows everything; a malformed glob is rejected when the approvals file loads.
package policy

import (
	"github.com/shadowscan/shadowscan/scanner"
)

// Policy is the loaded policy. The zero value and nil approve nothing and suppress nothing.
type Policy struct {
	approvals    *Approvals
	suppressions []scanner.Suppression
}

var _ scanner.Policy = (*Policy)(nil)

// New builds a policy from loaded approvals and suppressions (either may be nil).
func New(a *Approvals, sups []scanner.Suppression) *Policy {
	return &Policy{approvals: a, suppressions: sups}
}

// Approvals returns the approved-tools entries behind the policy (nil when no file was loaded).
func (p *Policy) Approvals() *Approvals {
	if p == nil {
		return nil
	}
	return p.approvals
}

// Approval implements scanner.Policy.
func (p *Policy) Approval(vendorID string) scanner.Approval {
	return p.Approvals().Approval(vendorID)
}

// Tools implements scanner.Policy.
func (p *Policy) Tools() []scanner.ApprovedTool {
	entries := p.Approvals().Entries()
	out := make([]scanner.ApprovedTool, 0, len(entries))
	for _, e := range entries {
		out = append(out, scanner.ApprovedTool{VendorID: e.Vendor.ID, Name: e.Vendor.Name, Status: e.Effective(),
			Owner: e.Owner, Ticket: e.Ticket, Subcategories: e.Vendor.Subcategories, Expires: e.Expires})
	}
	return out
}

// Suppressions implements scanner.Policy.
func (p *Policy) Suppressions() []scanner.Suppression {
	if p == nil {
		return nil
	}
	return p.suppressions
}

// ScopeClass implements scanner.Policy.
func (p *Policy) ScopeClass(scope string) scanner.ScopeClass { return Classify(scope) }

// BeyondCeiling implements scanner.Policy.
func (p *Policy) BeyondCeiling(scopes, ceiling []string) []string {
	return BeyondCeiling(scopes, ceiling)
}

// Classify classifies one scope, with the reason shown to people who ask (`check`, `serve`).
func Classify(scope string) scanner.ScopeClass {
	c := ScopeClass(scope)
	return scanner.ScopeClass{Scope: scope, Class: c, Why: classWhy[c]}
}

var classWhy = map[string]string{
	ClassRestricted: "reads or changes mail or files (Google restricted scope, or Microsoft Graph mail/files)",
	ClassHigh:       "high privilege: sends mail as the user, or broad directory or tenant access",
	ClassSensitive:  "personal data such as calendar or contacts (Google sensitive scope)",
	ClassLow:        "sign-in and basic profile",
	ClassUnknown:    "not in shadowscan's scope tables; check what it grants before approving",
}

// ApprovedBySubcategory maps each subcategory to the names and IDs of the vendors approved (not tolerated, not
// expired) in it, best first: org.approved_by_subcategory for rules. It works on any scanner.Policy.
func ApprovedBySubcategory(p scanner.Policy) (names, ids map[string][]string) {
	names, ids = map[string][]string{}, map[string][]string{}
	if p == nil {
		return names, ids
	}
	for _, t := range sortedTools(p.Tools(), true) {
		for _, sc := range t.Subcategories {
			names[sc] = append(names[sc], t.Name)
			ids[sc] = append(ids[sc], t.VendorID)
		}
	}
	return names, ids
}
