package aws

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

const demoDir = "../../configs/demo/aws"

func demoConfig() *Config {
	c := NewConfig()
	c.Export = ExportConfig{
		AccountName:             "northwind-prod",
		IAMAuthorizationDetails: []string{filepath.Join(demoDir, "iam-authorization-details.json")},
		IAMCredentialReports:    []string{filepath.Join(demoDir, "iam-credential-report.json")},
		Route53RecordSets:       []Route53Export{{Zone: "northwind.example", File: filepath.Join(demoDir, "route53-northwind.example.json")}},
	}
	return c
}

func exportProvider(t *testing.T, c *Config) (*provider, *scanner.Diagnostics) {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	diag := &scanner.Diagnostics{}
	d := scanner.Deps{Name: "aws", Logger: zerolog.New(zerolog.NewTestWriter(t)), Diagnostics: diag,
		Now: func() time.Time { return testNow }}
	return newProvider(c, d, func(context.Context) (aws.Config, error) {
		t.Error("export mode loaded an AWS configuration")
		return aws.Config{}, nil
	}), diag
}

func TestExportDemo(t *testing.T) {
	p, diag := exportProvider(t, demoConfig())
	recs, err := scannertest.Collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if errs := diag.Errors(); len(errs) > 0 {
		t.Fatalf("coverage errors: %+v", errs)
	}
	m := scannertest.ByID(recs)
	seg := scannertest.MustRecord(t, m, "aws:210987654321:role/segment-s3-destination:trust:107630771604")
	wantAttrs(t, seg, map[string]any{"external_id_present": true, "account_name": "northwind-prod"})
	ht := scannertest.MustRecord(t, m, "aws:210987654321:role/hightouch-warehouse-sync:trust:324528010823")
	wantAttrs(t, ht, map[string]any{"external_id_present": false})
	unk := scannertest.MustRecord(t, m, "aws:210987654321:role/partner-data-export:trust:arn:aws:iam::999988887777:role/data-export-worker")
	wantHint(t, unk, scanner.HintAWSAccount, "999988887777")
	key := scannertest.MustRecord(t, m, "aws:210987654321:user/hubspot-sync:key/1")
	wantAttrs(t, key, map[string]any{"key_age_days": int64(1349), "key_last_used": "2026-11-21T02:00:00Z", "status": "Active",
		"user_arn": "arn:aws:iam::210987654321:user/integrations/hubspot-sync", "tags": []string{"owner=alice.moreau@northwind.example", "team=marketing"}})
	wantHint(t, key, scanner.HintName, "hubspot sync")
	spf := scannertest.MustRecord(t, m, "aws:210987654321:route53:northwind.example:dns:northwind.example:TXT:spf_include:servers.mcsv.net")
	wantHint(t, spf, scanner.HintSPFInclude, "servers.mcsv.net")
	lp := scannertest.MustRecord(t, m, "aws:210987654321:route53:northwind.example:dns:lp.northwind.example:CNAME:cname")
	wantHint(t, lp, scanner.HintCNAMETarget, "7c2f1e9a.unbouncepages.com")
	for id := range m {
		for _, no := range []string{"crm-export-lambda", "it-breakglass", "erin.lopez", "root_account", "key/2"} {
			if strings.Contains(id, no) {
				t.Errorf("unexpected record %s", id)
			}
		}
	}
	if s := strings.Join(diag.Skipped(), "\n"); !strings.Contains(s, "identity providers") {
		t.Errorf("skipped: %s", s)
	}
	checkGolden(t, "testdata/demo.golden.json", recs)
}

// checkGolden compares records, sorted by ID, with a golden JSON file (-update rewrites it).
func checkGolden(t *testing.T, path string, recs []scanner.Record) {
	t.Helper()
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	golden.JSON(t, path, recs)
}

func TestExportContract(t *testing.T) {
	scannertest.RunProviderContract(t, func(t *testing.T) scanner.Provider {
		p, _ := exportProvider(t, demoConfig())
		return p
	}, scannertest.Contract{
		Kinds: []string{scanner.KindCloudTrust, scanner.KindCloudCredential, scanner.KindDNSRecord},
		Populated: map[string][]string{
			scanner.KindCloudTrust:      {"Hints", "Attributes.role_arn", "Attributes.principal", "Attributes.role_last_used"},
			scanner.KindCloudCredential: {"Hints", "Attributes.user_name", "Attributes.key_age_days", "Attributes.key_last_used"},
		},
	})
}

func TestExportMarketplaceAndCSVReport(t *testing.T) {
	c := NewConfig()
	c.Export = ExportConfig{
		AccountID:             "210987654321",
		MarketplaceAgreements: []string{"testdata/export/marketplace-agreements.json"},
		IAMCredentialReports:  []string{"testdata/export/credential-report.csv"},
	}
	p, diag := exportProvider(t, c)
	recs, err := scannertest.Collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(diag.Errors()) > 0 {
		t.Fatalf("errors: %+v", diag.Errors())
	}
	m := scannertest.ByID(recs)
	ag := scannertest.MustRecord(t, m, "aws:210987654321:marketplace-agreement/agmt-4f9c2b7e1d0a8c6b5e3f")
	wantAttrs(t, ag, map[string]any{"seller_account_id": "324528010823", "product_id": "prod-hightouch0001",
		"start_time": "2026-03-01T10:15:00Z", "end_time": "2027-03-01T10:15:00Z", "offer_id": "offer-hightouchprivate01"})
	payg := scannertest.MustRecord(t, m, "aws:210987654321:marketplace-agreement/agmt-payg0000000000000001")
	wantAttrs(t, payg, map[string]any{"start_time": "2026-01-01T00:00:00Z", "end_time": ""})
	if payg.Amount != nil {
		t.Errorf("pay-as-you-go agreement with an amount: %+v", payg.Amount)
	}
	k1 := scannertest.MustRecord(t, m, "aws:210987654321:user/mailchimp-export:key/1")
	wantAttrs(t, k1, map[string]any{"key_never_used": true, "key_slot": int64(1)})
	k2 := scannertest.MustRecord(t, m, "aws:210987654321:user/mailchimp-export:key/2")
	wantAttrs(t, k2, map[string]any{"key_last_used_service": "s3", "key_last_used_region": "eu-west-1"})
}

func TestExportBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string { return testfile.Write(t, dir, name, body) }
	syntax := write("syntax.json", "{\n  \"RoleDetailList\": [\n    {\"RoleName\": \"x\",, }\n  ]\n}")
	typeErr := write("type.json", `{"ResourceRecordSets": [{"Name": "a.", "Type": "TXT", "TTL": "300"}]}`)
	notRR := write("notrr.json", `{"Something": []}`)
	badPolicy := write("policy.json", `{"RoleDetailList":[{"RoleName":"bad","Arn":"arn:aws:iam::210987654321:role/bad","AssumeRolePolicyDocument":"%7B%22Statement"},`+
		`{"RoleName":"good","Arn":"arn:aws:iam::210987654321:role/good","AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":{"AWS":"107630771604"},"Action":"sts:AssumeRole"}]}}]}`)
	badB64 := write("report.json", `{"Content": "!!!", "ReportFormat": "text/csv"}`)
	badCSV := write("report.csv", "user,arn\nx,y\n")
	badTime := write("report2.csv", "user,arn,access_key_1_active,access_key_1_last_rotated\nx,arn:aws:iam::210987654321:user/x,true,yesterday\n")

	c := NewConfig()
	c.Export = ExportConfig{
		IAMAuthorizationDetails: []string{syntax, badPolicy, filepath.Join(dir, "missing.json")},
		IAMCredentialReports:    []string{badB64, badCSV, badTime},
		Route53RecordSets:       []Route53Export{{Zone: "a", File: typeErr}, {Zone: "b", File: notRR}},
	}
	p, diag := exportProvider(t, c)
	recs, err := scannertest.Collect(t, p)
	if err != nil {
		t.Fatalf("Collect: %v (one file was good)", err)
	}
	scannertest.MustRecord(t, scannertest.ByID(recs), "aws:210987654321:role/good:trust:107630771604")
	errs := errorsText(diag)
	for _, want := range []string{
		syntax + ":3:22: invalid character ','",
		typeErr + ":1:62: ResourceRecordSets.TTL: want int64, got JSON string",
		notRR + ": no ResourceRecordSets",
		"missing.json: no such file",
		"role bad: trust policy: unexpected EOF",
		badB64 + ": Content is not base64",
		badCSV + ":1: credential report has no \"access_key_1_active\" column",
		badTime + ":2: access_key_1_last_rotated: timestamp \"yesterday\" is not ISO 8601",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}

	// Nothing readable: Collect fails.
	c2 := NewConfig()
	c2.Export.IAMAuthorizationDetails = []string{syntax}
	p2, _ := exportProvider(t, c2)
	if _, err := scannertest.Collect(t, p2); err == nil || !strings.Contains(err.Error(), "no export file could be read") {
		t.Errorf("Collect error = %v", err)
	}
}

func FuzzParseAuthorizationDetails(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(demoDir, "iam-authorization-details.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%7B%7D","RoleLastUsed":{"LastUsedDate":1.5e9}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		roles, _, err := parseAuthorizationDetails("f.json", b)
		if err != nil {
			return
		}
		for _, r := range roles {
			_, _ = trustRecords(account{ID: "210987654321"}, r, func(string) bool { return false }, testNow)
		}
	})
}

func FuzzParseCredentialReport(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(demoDir, "iam-credential-report.json")); err == nil {
		f.Add(b)
	}
	if b, err := os.ReadFile("testdata/export/credential-report.csv"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("user,arn,access_key_1_active,access_key_1_last_rotated\n\"a,b\",x,true,N/A\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		keys, err := parseCredentialReport("r.csv", b)
		if err != nil {
			return
		}
		for _, k := range keys {
			if k.Slot < 1 || k.Slot > 2 {
				t.Fatalf("slot %d", k.Slot)
			}
			_ = credentialRecord(account{ID: "1"}, k, nil, testNow)
		}
	})
}

func FuzzParseRecordSets(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(demoDir, "route53-northwind.example.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"ResourceRecordSets":[{"Name":"a.b.","Type":"CNAME","ResourceRecords":[{"Value":"a.b."}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sets, err := parseRecordSets("z.json", b)
		if err != nil {
			return
		}
		_ = zoneRecords(account{ID: "1"}, hostedZone{ID: "Z", Name: "b"}, sets)
	})
}

func FuzzParseAgreements(f *testing.F) {
	if b, err := os.ReadFile("testdata/export/marketplace-agreements.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ags, err := parseAgreements("a.json", b)
		if err != nil {
			return
		}
		for _, ag := range ags {
			_ = agreementRecord(account{ID: "1"}, ag, true)
		}
	})
}

func FuzzJoinTXT(f *testing.F) {
	for _, s := range []string{`"v=spf1 " "include:x ~all"`, `"a\"b" "c\\d"`, `"\065\066"`, `plain`, `"unterminated`, `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := joinTXT(s)
		if !strings.HasPrefix(strings.TrimSpace(s), `"`) && out != strings.TrimSpace(s) {
			t.Fatalf("unquoted value changed: %q → %q", s, out)
		}
	})
}

func TestJoinTXT(t *testing.T) {
	for in, want := range map[string]string{
		`"v=spf1 include:a " "include:b ~all"`: "v=spf1 include:a include:b ~all",
		`"a\"b"`:                               `a"b`,
		`"x\\y"`:                               `x\y`,
		`"\065BC"`:                             "ABC",
		`unquoted text`:                        "unquoted text",
		`"one""two"`:                           "onetwo",
		`""`:                                   "",
	} {
		if got := joinTXT(in); got != want {
			t.Errorf("joinTXT(%s) = %q, want %q", in, got, want)
		}
	}
}
