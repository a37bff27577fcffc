package check

import (
	"strings"
	"testing"
)

// The next step for an app nobody catalogued says it is already in use only when the report counts someone; the
// warning about scopes beyond the approval is added only for a tool that is approved or tolerated.
func TestNextStepEdges(t *testing.T) {
	unknown := func(users int) *Result {
		return &Result{Query: "Frob", Verdict: VerdictUnknown, Usage: &Usage{InReport: true, UserCount: users}}
	}
	if s := nextStep(unknown(0)); s != "shadowscan does not know Frob. Do not grant it access yet; send the request below to IT so they can assess it." {
		t.Errorf("in the report with nobody: %q", s)
	}
	if s := nextStep(unknown(1)); !strings.HasPrefix(s, "shadowscan does not know Frob, but it is already in use here: 1 person.") {
		t.Errorf("in the report with one person: %q", s)
	}
	const beyond = "scopes beyond what IT approved"
	for verdict, want := range map[string]bool{VerdictApproved: true, VerdictTolerated: true, VerdictBanned: false,
		VerdictUnapproved: false, VerdictUnknown: false, VerdictReview: false, VerdictExpired: false} {
		r := &Result{Query: "Frob", Verdict: verdict, ScopesBeyondApproval: true}
		if got := strings.Contains(nextStep(r), beyond); got != want {
			t.Errorf("%s with scopes beyond the approval: warning %v, want %v", verdict, got, want)
		}
	}
}
