package aws

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParseTrustPolicy(t *testing.T) {
	type p = trustPrincipal
	tests := []struct {
		name string
		doc  string
		want []trustPrincipal
		err  string
	}{
		{name: "account id string",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"107630771604"},"Action":"sts:AssumeRole"}]}`,
			want: []p{{Key: "107630771604", Value: "107630771604", Type: "account", Account: "107630771604", Actions: []string{"sts:AssumeRole"}}}},
		{name: "root ARN keyed by account",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::107630771604:root"},"Action":"sts:AssumeRole"}]}`,
			want: []p{{Key: "107630771604", Value: "arn:aws:iam::107630771604:root", Type: "account", Account: "107630771604", Actions: []string{"sts:AssumeRole"}}}},
		{name: "list of ARNs and ids, statement object",
			doc: `{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::324528010823:role/x","arn:aws:sts::324528010823:assumed-role/x/s","071303700930"]},"Action":["sts:AssumeRole"]}}`,
			want: []p{
				{Key: "071303700930", Value: "071303700930", Type: "account", Account: "071303700930", Actions: []string{"sts:AssumeRole"}},
				{Key: "arn:aws:iam::324528010823:role/x", Value: "arn:aws:iam::324528010823:role/x", Type: "arn", Account: "324528010823", Actions: []string{"sts:AssumeRole"}},
				{Key: "arn:aws:sts::324528010823:assumed-role/x/s", Value: "arn:aws:sts::324528010823:assumed-role/x/s", Type: "arn", Account: "324528010823", Actions: []string{"sts:AssumeRole"}},
			}},
		{name: "bare wildcard",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`,
			want: []p{{Key: "*", Value: "*", Type: "wildcard", Actions: []string{"sts:AssumeRole"}}}},
		{name: "AWS wildcard pinned to the organisation",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]}`,
			want: []p{{Key: "*", Value: "*", Type: "wildcard", OrgRestricted: true, Actions: []string{"sts:AssumeRole"}, Conditions: []string{"aws:principalorgid"}}}},
		{name: "wildcard account in an ARN",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:role/vendor"},"Action":"sts:AssumeRole"}]}`,
			want: []p{{Key: "arn:aws:iam::*:role/vendor", Value: "arn:aws:iam::*:role/vendor", Type: "wildcard", Actions: []string{"sts:AssumeRole"}}}},
		{name: "service and federated and canonical",
			doc: `{"Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"],"Federated":"arn:aws:iam::111111111111:saml-provider/Okta",` +
				`"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"sts:AssumeRoleWithSAML"}]}`,
			want: []p{
				{Key: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", Value: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", Type: "canonical_user", Actions: []string{"sts:AssumeRoleWithSAML"}},
				{Key: "arn:aws:iam::111111111111:saml-provider/Okta", Value: "arn:aws:iam::111111111111:saml-provider/Okta", Type: "federated", Account: "111111111111", Actions: []string{"sts:AssumeRoleWithSAML"}},
				{Key: "ec2.amazonaws.com", Value: "ec2.amazonaws.com", Type: "service", Actions: []string{"sts:AssumeRoleWithSAML"}},
			}},
		{name: "external id present",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"107630771604"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["a","b"]}}}]}`,
			want: []p{{Key: "107630771604", Value: "107630771604", Type: "account", Account: "107630771604", ExternalID: true, Actions: []string{"sts:AssumeRole"}, Conditions: []string{"sts:externalid"}}}},
		{name: "external id key case-insensitive, Null false counts",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"107630771604"},"Action":"sts:AssumeRole","Condition":{"Null":{"STS:EXTERNALID":"false"}}}]}`,
			want: []p{{Key: "107630771604", Value: "107630771604", Type: "account", Account: "107630771604", ExternalID: true, Actions: []string{"sts:AssumeRole"}, Conditions: []string{"sts:externalid"}}}},
		{name: "external id negated or IfExists does not count",
			doc: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"107630771604"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"sts:ExternalId":"x"}}},` +
				`{"Effect":"Allow","Principal":{"AWS":"324528010823"},"Action":"sts:AssumeRole","Condition":{"StringEqualsIfExists":{"sts:ExternalId":"x"}}}]}`,
			want: []p{
				{Key: "107630771604", Value: "107630771604", Type: "account", Account: "107630771604", Actions: []string{"sts:AssumeRole"}, Conditions: []string{"sts:externalid"}},
				{Key: "324528010823", Value: "324528010823", Type: "account", Account: "324528010823", Actions: []string{"sts:AssumeRole"}, Conditions: []string{"sts:externalid"}},
			}},
		{name: "merge: external id only if every allowing statement has it",
			doc: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"107630771604"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}},` +
				`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::107630771604:root"},"Action":"sts:TagSession"},` +
				`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::107630771604:root"},"Action":"sts:Assume*"}]}`,
			want: []p{{Key: "107630771604", Value: "107630771604", Type: "account", Account: "107630771604", Actions: []string{"sts:Assume*", "sts:AssumeRole"}, Conditions: []string{"sts:externalid"}}}},
		{name: "deny and non-assume actions ignored",
			doc: `{"Statement":[{"Effect":"Deny","Principal":{"AWS":"107630771604"},"Action":"sts:AssumeRole"},` +
				`{"Effect":"Allow","Principal":{"AWS":"324528010823"},"Action":"s3:GetObject"}]}`,
			want: []p{}},
		{name: "wildcard actions",
			doc:  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"107630771604"},"Action":"*"},{"Effect":"Allow","Principal":{"AWS":"324528010823"},"Action":"sts:*"}]}`,
			want: []p{{Key: "107630771604", Value: "107630771604", Type: "account", Account: "107630771604", Actions: []string{"*"}}, {Key: "324528010823", Value: "324528010823", Type: "account", Account: "324528010823", Actions: []string{"sts:*"}}}},
		{name: "NotPrincipal", doc: `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"107630771604"},"Action":"sts:AssumeRole"}]}`,
			want: []p{{Key: "*", Value: "NotPrincipal", Type: "wildcard", NotPrincipal: true, Actions: []string{"sts:AssumeRole"}}}},
		{name: "NotAction", doc: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"107630771604"},"NotAction":"sts:TagSession"}]}`,
			want: []p{{Key: "107630771604", Value: "107630771604", Type: "account", Account: "107630771604", Actions: []string{"NotAction"}}}},
		{name: "deleted principal", doc: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"AROA3XFRBF535PLBIFPI4"},"Action":"sts:AssumeRole"}]}`,
			want: []p{{Key: "AROA3XFRBF535PLBIFPI4", Value: "AROA3XFRBF535PLBIFPI4", Type: "unique_id", Actions: []string{"sts:AssumeRole"}}}},
		{name: "govcloud partition", doc: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws-us-gov:iam::107630771604:root"},"Action":"sts:AssumeRole"}]}`,
			want: []p{{Key: "107630771604", Value: "arn:aws-us-gov:iam::107630771604:root", Type: "account", Account: "107630771604", Actions: []string{"sts:AssumeRole"}}}},
		{name: "not JSON", doc: `{"Statement": [`, err: "trust policy"},
		{name: "no statement", doc: `{"Version":"2012-10-17"}`, err: "no Statement"},
		{name: "string principal other than *", doc: `{"Statement":[{"Effect":"Allow","Principal":"107630771604","Action":"sts:AssumeRole"}]}`, err: `only "*"`},
		{name: "principal number", doc: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":107630771604},"Action":"sts:AssumeRole"}]}`, err: "Principal.AWS"},
		{name: "no principal", doc: `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, err: "no Principal"},
		{name: "action object", doc: `{"Statement":[{"Effect":"Allow","Principal":"*","Action":{"a":1}}]}`, err: "Action"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTrustPolicy([]byte(tc.doc))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n  %+v\nwant\n  %+v", got, tc.want)
			}
		})
	}
}

func TestDecodePolicyDocument(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::107630771604:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"a+b c"}}}]}`
	for name, raw := range map[string]string{
		"IAM URL-encoded string": mustJSON(iamEncode(doc)),
		"query-escaped string":   mustJSON(url.QueryEscape(doc)), // '+' for spaces would be wrong, but a literal %2B stays '+'
		"CLI object":             doc,
		"JSON text string":       mustJSON(doc),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := decodePolicyDocument(json.RawMessage(raw))
			if err != nil {
				t.Fatal(err)
			}
			ps, err := parseTrustPolicy(got)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 1 || ps[0].Account != "107630771604" || !ps[0].ExternalID {
				t.Errorf("got %+v", ps)
			}
		})
	}
	for _, bad := range []string{``, `null`, `""`, `"%zz"`, `"not json"`, `42`} {
		if _, err := decodePolicyDocument(json.RawMessage(bad)); err == nil {
			t.Errorf("decodePolicyDocument(%s): no error", bad)
		}
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestTrustRecordsClassification(t *testing.T) {
	a := account{ID: "222222222222", Name: "mkt"}
	internal := func(acct string) bool { return acct == "222222222222" || acct == "111111111111" }
	role := iamRole{Name: "r", ARN: "arn:aws:iam::222222222222:role/r", TrustPolicy: json.RawMessage(mustJSON(iamEncode(trustDoc(
		`[{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:role/x","107630771604"],` +
			`"Service":"ecs-tasks.amazonaws.com","Federated":["cognito-identity.amazonaws.com","accounts.google.com"]},"Action":"sts:AssumeRole"}]`))))}
	res, err := trustRecords(a, role, internal, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if res.Internal != 2 || res.Services != 2 || len(res.Records) != 2 {
		t.Fatalf("internal %d services %d records %d", res.Internal, res.Services, len(res.Records))
	}
	if res.Records[0].ID != "aws:222222222222:role/r:trust:107630771604" || hintValue(res.Records[0], "aws_account") != "107630771604" {
		t.Errorf("record 0: %+v", res.Records[0])
	}
	if res.Records[1].ID != "aws:222222222222:role/r:trust:accounts.google.com" || hintValue(res.Records[1], "domain") != "accounts.google.com" {
		t.Errorf("record 1: %+v", res.Records[1])
	}
	if _, err := trustRecords(a, iamRole{Name: "bad", TrustPolicy: json.RawMessage(`"%7B"`)}, internal, testNow); err == nil ||
		!strings.Contains(err.Error(), "role bad") {
		t.Errorf("bad policy error = %v", err)
	}
}

func FuzzParseTrustPolicy(f *testing.F) {
	for _, r := range fixtureRoles {
		f.Add(r.Doc)
		f.Add(iamEncode(r.Doc))
	}
	f.Add(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*"}}`)
	f.Add(`{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"NotAction":"x","Condition":{"Null":{"sts:ExternalId":false}}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		raw, _ := json.Marshal(s)
		doc, err := decodePolicyDocument(raw)
		if err != nil {
			return
		}
		ps, err := parseTrustPolicy(doc)
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.Key == "" || p.Type == "" {
				t.Fatalf("principal without key or type: %+v", p)
			}
			if p.Account != "" && !reAcct12.MatchString(p.Account) {
				t.Fatalf("bad account %q", p.Account)
			}
		}
	})
}
