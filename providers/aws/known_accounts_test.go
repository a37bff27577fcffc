package aws

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// martechEntries are the martech and customer-data vendors in known_aws_accounts.yaml (catalogue source FACTS S1; see rules/catalog/LICENSES.md).
var martechEntries = []string{"SegmentIO", "mParticle", "Tealium", "RudderStack", "Hightouch", "Census", "Snowplow",
	"Improvado", "Funnel", "kochava", "MediaMath", "MadKudu", "Common Room", "Salesforce", "Kustomer", "Brightcove",
	"Fivetran", "Stitch", "Hevo", "Workato", "Domo"}

var (
	reYAMLName     = regexp.MustCompile(`^- name: '(.*)'\s*$`)
	reYAMLAccounts = regexp.MustCompile(`^\s+accounts: \[(.*)\]\s*$`)
	reQuoted       = regexp.MustCompile(`'([^']*)'`)
)

// readKnownAccounts reads the entries' account lists (the file keeps each list on one line).
func readKnownAccounts(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("testdata/known_aws_accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	name := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := reYAMLName.FindStringSubmatch(sc.Text()); m != nil {
			name = m[1]
			continue
		}
		if m := reYAMLAccounts.FindStringSubmatch(sc.Text()); m != nil && name != "" {
			for _, q := range reQuoted.FindAllStringSubmatch(m[1], -1) {
				out[name] = append(out[name], q[1])
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every martech vendor account in the catalogue's source list must survive the trust-policy path as an
// aws_account hint, whatever principal shape names it (the catalogue resolves the hint to the vendor).
func TestKnownMartechAccountsRoundTrip(t *testing.T) {
	known := readKnownAccounts(t)
	a := account{ID: "222222222222", Name: "northwind-marketing"}
	notInternal := func(string) bool { return false }
	total := 0
	for _, vendor := range martechEntries {
		accts := known[vendor]
		if len(accts) == 0 {
			t.Errorf("%s: not in known_aws_accounts.yaml", vendor)
			continue
		}
		for _, acct := range accts {
			if !reAcct12.MatchString(acct) {
				t.Errorf("%s: %q is not a 12-digit account", vendor, acct)
				continue
			}
			for shape, principal := range map[string]string{
				"id":       `"` + acct + `"`,
				"root":     `"arn:aws:iam::` + acct + `:root"`,
				"role ARN": `["arn:aws:iam::` + acct + `:role/vendor-worker"]`,
			} {
				doc := trustDoc(`[{"Effect":"Allow","Principal":{"AWS":` + principal + `},"Action":"sts:AssumeRole"}]`)
				role := iamRole{Name: "vendor", ARN: "arn:aws:iam::222222222222:role/vendor"}
				role.TrustPolicy, _ = json.Marshal(iamEncode(doc))
				res, err := trustRecords(a, role, notInternal, testNow)
				if err != nil {
					t.Fatalf("%s %s %s: %v", vendor, acct, shape, err)
				}
				if len(res.Records) != 1 {
					t.Fatalf("%s %s %s: %d records", vendor, acct, shape, len(res.Records))
				}
				h, ok := res.Records[0].Hint(scanner.HintAWSAccount)
				if !ok || h.Value != acct {
					t.Errorf("%s %s %s: hint %+v", vendor, acct, shape, res.Records[0].Hints)
				}
				total++
			}
		}
	}
	if total < 3*25 {
		t.Errorf("only %d round trips; the martech list shrank?", total)
	}
	if !strings.HasPrefix(known["Funnel"][0], "0") {
		t.Errorf("Funnel's account should start with 0 (leading zeros must survive): %v", known["Funnel"])
	}
}
