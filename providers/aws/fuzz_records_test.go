package aws

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// FuzzTrustRecords: whatever a trust policy says, each principal is emitted, counted as internal or counted as a
// service exactly once; records carry the role and a unique ID under the account; internal accounts are never
// emitted; an AWS-account hint is always a 12-digit account outside the organisation.
func FuzzTrustRecords(f *testing.F) {
	for _, r := range fixtureRoles {
		f.Add(r.Doc)
	}
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::999988887777:root","*"],"Service":"lambda.amazonaws.com","Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	const own = "111111111111"
	internal := func(acct string) bool { return acct == own }
	a := account{ID: own, Name: "own"}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, doc string) {
		raw, _ := json.Marshal(doc)
		role := iamRole{ARN: "arn:aws:iam::" + own + ":role/r", Name: "r", TrustPolicy: raw}
		res, err := trustRecords(a, role, internal, now)
		if err != nil {
			if !strings.Contains(err.Error(), "role r") {
				t.Fatalf("error %q does not name the role", err)
			}
			return
		}
		pd, _ := decodePolicyDocument(raw)
		prins, _ := parseTrustPolicy(pd)
		if got := len(res.Records) + res.Internal + res.Services; got != len(prins) {
			t.Fatalf("%d principals but %d records + %d internal + %d services", len(prins), len(res.Records), res.Internal, res.Services)
		}
		ids := map[string]bool{}
		for _, r := range res.Records {
			if r.Kind != scanner.KindCloudTrust || !strings.HasPrefix(r.ID, "aws:"+own+":role/r:trust:") || ids[r.ID] {
				t.Fatalf("bad or duplicate record %q (%s)", r.ID, r.Kind)
			}
			ids[r.ID] = true
			if r.Attributes["role_arn"] != role.ARN {
				t.Fatalf("record %s lacks its role", r.ID)
			}
			if h, ok := r.Hint(scanner.HintAWSAccount); ok && (h.Value == own || !reAcct12.MatchString(h.Value)) {
				t.Fatalf("record %s hints account %q", r.ID, h.Value)
			}
		}
	})
}

// FuzzAgreementRecord: any agreement the export parser accepts becomes one subscription record whose ID names the
// account and the agreement, whose hint (if any) is the seller's account, and whose amount (if any) comes only with withAmount, is monthly
// or yearly or once, and not negative.
func FuzzAgreementRecord(f *testing.F) {
	if b, err := os.ReadFile("testdata/export/marketplace-agreements.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"agreementViewSummaries":[{"agreementId":"agmt-1","proposer":{"accountId":"107630771604"},"status":"ACTIVE"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ags, err := parseAgreements("a.json", b)
		if err != nil {
			if !strings.Contains(err.Error(), "a.json") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, ag := range ags {
			for _, withAmount := range []bool{false, true} {
				r := agreementRecord(account{ID: "123456789012"}, ag, withAmount)
				if r.Kind != scanner.KindSaaSSubscription || r.ID != "aws:123456789012:marketplace-agreement/"+ag.ID {
					t.Fatalf("record %q (%s)", r.ID, r.Kind)
				}
				if h, ok := r.Hint(scanner.HintAWSAccount); ok && h.Value != ag.ProposerID {
					t.Fatalf("hint %q, seller %q", h.Value, ag.ProposerID)
				}
				okPeriod := r.Amount != nil && (r.Amount.Period == scanner.PeriodMonthly || r.Amount.Period == scanner.PeriodAnnual ||
					r.Amount.Period == scanner.PeriodOneTime)
				if r.Amount != nil && (!withAmount || r.Amount.Value < 0 || !okPeriod) {
					t.Fatalf("amount %+v (with amount %v)", r.Amount, withAmount)
				}
			}
		}
	})
}
