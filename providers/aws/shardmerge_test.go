package aws

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/providers/internal/fakes/googleadmin"
	"github.com/shadowscan/shadowscan/scanner"
)

// The shard-merge equality of issue #16 over the real providers: a Google Workspace tenant (the Admin SDK fake), an
// AWS organisation (this package's fake), DNS zone files and inventory files, scanned by the real shadowscan binary
// once unsharded and as N = 2, 4, 8 shards (`scan --shard K/N`), each set merged with `report merge`; every merged
// report must equal the unsharded one byte for byte once scan IDs, times and durations are blanked. It lives here
// because only this package can start the AWS fake, and it runs the binary because only package main wires the CLI.

// shardTenant is the Google side: users granting catalogue apps (by name and client ID) and an unknown app, some
// many, with Gmail scopes now and then.
func shardTenant(users int) *googleadmin.Server {
	apps := []googleadmin.Token{
		{ClientID: "1040812374812-hubspot.apps.googleusercontent.com", DisplayText: "HubSpot", Scopes: []string{"openid", "email", "https://www.googleapis.com/auth/calendar.readonly"}},
		{ClientID: "283746192837-mailchimp.apps.googleusercontent.com", DisplayText: "Mailchimp", Scopes: []string{"openid", "https://www.googleapis.com/auth/contacts.readonly"}},
		{ClientID: "48213377201-leadmagnet.apps.googleusercontent.com", DisplayText: "LeadMagnet Pro", Scopes: []string{"https://www.googleapis.com/auth/gmail.readonly"}},
		{ClientID: "99887766-zoom.apps.googleusercontent.com", DisplayText: "Zoom", Scopes: []string{"https://www.googleapis.com/auth/calendar"}},
		{ClientID: "55443322-canva.apps.googleusercontent.com", DisplayText: "Canva", Scopes: []string{"https://www.googleapis.com/auth/drive.file"}},
		{ClientID: "11223344-typeform.apps.googleusercontent.com", DisplayText: "Typeform", Scopes: []string{"email"}},
	}
	s := &googleadmin.Server{UsersPageSize: 500}
	for u := range users {
		dept := []string{"Marketing", "Sales", "Engineering"}[u%3]
		user := googleadmin.User{ID: fmt.Sprint(300000 + u), Email: fmt.Sprintf("user%06d@northwind.example", u),
			Name: fmt.Sprintf("User %d", u), OrgUnit: "/" + dept, Department: dept}
		for g := range 1 + u%3 {
			user.Tokens = append(user.Tokens, apps[(u*7+g*5)%len(apps)])
		}
		s.Users = append(s.Users, user)
	}
	return s
}

// shadowscanBinary builds the CLI once per test binary into dir.
func shadowscanBinary(t testing.TB, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(dir, "shadowscan")
	cmd := exec.Command(goTool, "build", "-o", bin, "github.com/shadowscan/shadowscan/cmd/shadowscan")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building shadowscan: %v\n%s", err, out)
	}
	return bin
}

var (
	reScanID   = regexp.MustCompile(`"(id|scan_id)": "[^"]*"`)
	reScanTime = regexp.MustCompile(`"(started_at|finished_at)": "[^"]*"`)
	reDuration = regexp.MustCompile(`"duration_ms": \d+`)
)

func normaliseReport(b []byte) []byte {
	b = reScanID.ReplaceAll(b, []byte(`"$1": "-"`))
	b = reScanTime.ReplaceAll(b, []byte(`"$1": "-"`))
	return reDuration.ReplaceAll(b, []byte(`"duration_ms": 0`))
}

func shardMergeCase(t testing.TB, users, accounts int) {
	dir := t.TempDir()
	bin := shadowscanBinary(t, dir)

	google := shardTenant(users)
	google.Errorf = t.Errorf
	gsrv := httptest.NewServer(google)
	defer gsrv.Close()
	org := largeOrg(t, accounts)
	asrv := httptest.NewServer(org)
	defer asrv.Close()

	write := func(name, body string) { testfile.Write(t, dir, name, body) }
	write("approved.yaml", "- {vendor: zoom, status: approved, owner: it@northwind.example}\n- {vendor: mailchimp, status: banned, owner: it@northwind.example}\n")
	write("inv-a.ndjson", `{"kind":"app","id":"a1","hints":[{"type":"name","value":"Hotjar"}]}`+"\n")
	write("inv-b.ndjson", `{"kind":"app","id":"b1","hints":[{"type":"name","value":"Typeform"}]}`+"\n"+
		`{"kind":"app","id":"b2","hints":[{"type":"name","value":"Some Tool Nobody Knows"}]}`+"\n")
	var zones []string
	for i, d := range []string{"northwind.example", "northwind-mail.example", "shop.northwind.example", "events.example"} {
		name := fmt.Sprintf("zone%d.zone", i)
		write(name, fmt.Sprintf("$ORIGIN %s.\n$TTL 300\n@ IN SOA ns1.%s. hostmaster.%s. 1 7200 3600 1209600 300\n@ IN NS ns1.%s.\n"+
			"@ IN TXT \"v=spf1 include:servers.mcsv.net include:sendgrid.net ~all\"\n@ IN TXT \"hubspot-developer-verification=abc%d\"\n"+
			"go IN CNAME hs-%d.s.hubspotemail.net.\ninfo IN CNAME unknown-landing.example.net.\n", d, d, d, d, i, i))
		zones = append(zones, name)
	}
	write("shadowscan.yaml", fmt.Sprintf(`organization: {name: Northwind, domains: [northwind.example],
  marketing: {departments: [Marketing], org_units: ["/Marketing"]}}
policy: {approved_file: approved.yaml}
output: {fail_on: none}
providers:
  - {type: google_workspace, name: workspace, admin_email: admin@northwind.example, auth: none, endpoint: "%s",
     max_qpm: 1000000, concurrency: 8}
  - {type: aws, name: aws-org, endpoint_url: "%s", regions: [us-east-1, eu-west-1], concurrency: 16,
     organization: {enabled: true, external_id: nw-org-scan}}
  - {type: dns, name: dns, zone_files: [%s]}
  - {type: inventory, name: imports, files: [inv-a.ndjson, inv-b.ndjson]}
`, gsrv.URL, asrv.URL, strings.Join(zones, ", ")))

	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=" + baseAccessKey,
		"AWS_SECRET_ACCESS_KEY=fake-secret", "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "aws-credentials")}
	cli := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--log-level", "warn")...)
		cmd.Dir, cmd.Env = dir, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("shadowscan %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
	}
	cli("scan", "--config", "shadowscan.yaml", "--format", "json", "--output", "whole.json")
	whole, err := os.ReadFile(filepath.Join(dir, "whole.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep scanner.Report
	if err := json.Unmarshal(whole, &rep); err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Coverage {
		if c.Status != scanner.CoverageComplete {
			t.Fatalf("unsharded scan: %s coverage %s %v", c.Provider, c.Status, c.Errors)
		}
	}
	if len(rep.Findings) < 5 || len(rep.Inventory) < 5 || len(rep.Unidentified) == 0 {
		t.Fatalf("the case is too thin to prove anything: %d findings, %d vendors, %d unidentified",
			len(rep.Findings), len(rep.Inventory), len(rep.Unidentified))
	}
	want := normaliseReport(whole)
	for _, n := range []int{2, 4, 8} {
		sdir := fmt.Sprintf("shards-%d", n)
		if err := os.Mkdir(filepath.Join(dir, sdir), 0o700); err != nil {
			t.Fatal(err)
		}
		for k := range n {
			cli("scan", "--config", "shadowscan.yaml", "--shard", fmt.Sprintf("%d/%d", k, n), "--format", "json",
				"--output", filepath.Join(sdir, fmt.Sprintf("%d.json", k)))
		}
		// Each real provider did split its work: every shard read some of it and none read all.
		for k := range n {
			b, err := os.ReadFile(filepath.Join(dir, sdir, fmt.Sprintf("%d.json", k)))
			var shard scanner.Report
			if err != nil || json.Unmarshal(b, &shard) != nil {
				t.Fatalf("shard %d/%d: %v", k, n, err)
			}
			for _, c := range shard.Coverage {
				if all := records(rep, c.Provider); (c.Provider == "workspace" || c.Provider == "aws-org") && (c.Records == 0 || c.Records >= all) {
					t.Errorf("shard %d/%d: %s read %d of %d records", k, n, c.Provider, c.Records, all)
				}
			}
		}
		merged := fmt.Sprintf("merged-%d.json", n)
		cli("report", "merge", sdir, "--config", "shadowscan.yaml", "--output", merged)
		got, err := os.ReadFile(filepath.Join(dir, merged))
		if err != nil {
			t.Fatal(err)
		}
		if got = normaliseReport(got); !bytes.Equal(got, want) {
			t.Errorf("%d shards merged differ from the unsharded scan:\n%s", n, lineDiff(got, want))
		}
	}
}

func records(rep scanner.Report, provider string) int {
	for _, c := range rep.Coverage {
		if c.Provider == provider {
			return c.Records
		}
	}
	return 0
}

func lineDiff(got, want []byte) string {
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range min(len(gl), len(wl)) {
		if !bytes.Equal(gl[i], wl[i]) {
			return fmt.Sprintf("line %d:\n  got  %s\n  want %s", i+1, gl[i], wl[i])
		}
	}
	return fmt.Sprintf("lengths %d vs %d lines", len(gl), len(wl))
}

// 2,000 users and 40 accounts: the size for every `go test` run.
func TestShardMergeRealProviders(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs 15 scans")
	}
	shardMergeCase(t, 2000, 40)
}

// BenchmarkShardMergeRealProviders is the figure: 20,000 users and 200 accounts, N = 2, 4, 8 (passed in
// 295 s on a shared 2-core machine at load ~35, binary build included):
//
//	go test -run '^$' -bench ShardMergeRealProviders -benchtime 1x -timeout 30m ./providers/aws/
func BenchmarkShardMergeRealProviders(b *testing.B) {
	for b.Loop() {
		shardMergeCase(b, 20000, 200)
	}
}
