package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/web"
)

// interruptProvider sends SIGINT to this process once it has emitted a record, then waits for cancellation, as a
// long API sweep would when an operator presses Ctrl-C.
type interruptConfig struct{}

func (*interruptConfig) Validate() error { return nil }

type interruptProvider struct{}

func (interruptProvider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	if err := emit(scanner.Record{Kind: scanner.KindApp, ID: "before-interrupt", Hints: []scanner.Hint{{Type: scanner.HintName, Value: "Acme"}}}); err != nil {
		return err
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
	<-ctx.Done()
	return ctx.Err()
}

func init() {
	scanner.Register(scanner.Registration[scanner.ProviderConfig]{Type: "test_interrupt", NewConfig: func() scanner.ProviderConfig { return &interruptConfig{} },
		New: func(scanner.ProviderConfig, scanner.Deps) (scanner.Provider, error) { return interruptProvider{}, nil }})
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(&out, &errb)
	a.environ = env
	a.configSearch = func() []string { return nil } // never the real ./shadowscan.yaml, user folder or /etc
	a.now = func() time.Time { return time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC) }
	a.newID = func() string { return "test-scan" }
	code := a.execute(context.Background(), args)
	return result{code, out.String(), errb.String()}
}

// scanDemo runs the demo as the README's first command does, to a JSON report at out, with flags added to the
// command line, and returns the report and the run. Any exit but 1 (high findings, complete coverage) fails the test.
func scanDemo(t *testing.T, out string, flags ...string) ([]byte, result) {
	t.Helper()
	r := run(t, nil, append([]string{"scan", "--config", demoConfig, "--format", "json", "--output", out}, flags...)...)
	if r.code != exitFindings {
		t.Fatalf("demo scan: exit %d, want 1 (high findings, complete coverage); stderr:\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data, r
}

// demoConfigAt writes the demo's config to path, loadable from there (its demo/ data files named by absolute
// path), with the old, new pairs of replace applied and extra appended, and returns path.
func demoConfigAt(t *testing.T, path, extra string, replace ...string) string {
	t.Helper()
	data, err := filepath.Abs(filepath.Join(repoRoot, "configs", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.NewReplacer(append([]string{"demo/", data + "/"}, replace...)...).Replace(string(readRepo(t, "configs/demo.yaml")))
	return testfile.Write(t, filepath.Dir(path), filepath.Base(path), body+extra)
}

func inventoryConfig(t *testing.T, records string) string {
	dir := t.TempDir()
	testfile.Write(t, dir, "records.ndjson", records)
	return testfile.Write(t, dir, "shadowscan.yaml", `organization: {name: Test Org, domains: [example.com]}
providers:
  - {type: inventory, name: inv, files: [records.ndjson]}
`)
}

const goodRecord = `{"kind":"app","id":"a1","hints":[{"type":"name","value":"Acme"}]}` + "\n"

func TestVersion(t *testing.T) {
	r := run(t, nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "shadowscan ") {
		t.Fatalf("%+v", r)
	}
}

func TestScanUsageErrors(t *testing.T) {
	cfg := inventoryConfig(t, goodRecord)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no config", []string{"scan"}, "flags in the group [config demo] is required"},
		{"missing config", []string{"scan", "--config", "/nonexistent/x.yaml"}, "config file not found"},
		{"bad format", []string{"scan", "--config", cfg, "--format", "pdf"}, `unknown format "pdf"`},
		{"bad fail-on", []string{"scan", "--config", cfg, "--fail-on", "severe"}, `--fail-on: "severe"`},
		{"unknown flag", []string{"scan", "--config", cfg, "--nope"}, "unknown flag"},
		{"unknown command", []string{"scna"}, "unknown command"},
		{"bad log level", []string{"--log-level", "loud", "version"}, "--log-level"},
		{"unwritable output", []string{"scan", "--config", cfg, "--output", "/nonexistent-dir/report.json"}, "not writable"},
		{"bad baseline", []string{"scan", "--config", cfg, "--baseline", cfg}, "not a shadowscan JSON report"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want 2; stderr %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "provider starting") {
				t.Errorf("a usage error must stop before scanning")
			}
		})
	}
}

func TestScanCleanAndJSON(t *testing.T) {
	cfg := inventoryConfig(t, goodRecord)
	r := run(t, nil, "scan", "--config", cfg, "--format", "json", "--log-format", "json")
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep scanner.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, r.stdout)
	}
	if rep.SchemaVersion != 1 || rep.Scan.ID != "test-scan" || rep.Scan.Organization != "Test Org" {
		t.Errorf("report header %+v", rep.Scan)
	}
	// Logs go to stderr as JSON lines tagged per component.
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["app"] != "shadowscan" {
			t.Errorf("log line not tagged: %q", line)
		}
	}
}

func TestScanPartialCoverageExit3(t *testing.T) {
	cfg := inventoryConfig(t, goodRecord+"{not json}\n")
	out := filepath.Join(filepath.Dir(cfg), "out", "report.json")
	_ = os.MkdirAll(filepath.Dir(out), 0o755)
	r := run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", out)
	if r.code != exitCoverage {
		t.Fatalf("exit %d, want 3: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal("the report must still be written:", err)
	}
	var rep scanner.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	c := rep.Coverage[0]
	if c.Status != scanner.CoveragePartial || c.Records != 1 || !strings.Contains(c.Errors[0].Target, "records.ndjson:2") {
		t.Errorf("coverage %+v", c)
	}
}

func TestScanInterruptedBySIGINT(t *testing.T) {
	dir := t.TempDir()
	cfg := testfile.Write(t, dir, "shadowscan.yaml", "organization: {name: T}\nproviders:\n  - {type: test_interrupt, name: sweep}\n")
	out := filepath.Join(dir, "report.json")
	r := run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", out)
	if r.code != exitCoverage {
		t.Fatalf("exit %d, want 3: %s", r.code, r.stderr)
	}
	var rep scanner.Report
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal("the partial report must be written:", err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	c := rep.Coverage[0]
	if c.Status != scanner.CoveragePartial || c.Records != 1 || !strings.Contains(c.Errors[0].Message, "scan interrupted") {
		t.Errorf("coverage %+v", c)
	}
	if len(rep.Unidentified) != 1 {
		t.Errorf("the record read before the interrupt must be kept: %+v", rep.Unidentified)
	}
	// What was read is still evaluated: the interrupt must not make rule evaluation fail.
	if len(rep.Coverage) != 1 {
		t.Errorf("coverage %+v: only the interrupted provider should be listed (no failed rule evaluation)", rep.Coverage)
	}
}

func TestExitCodePrecedence(t *testing.T) {
	f := func(sev, status string) scanner.Finding { return scanner.Finding{Severity: sev, Status: status} }
	complete := []scanner.Coverage{{Status: scanner.CoverageComplete}}
	partial := []scanner.Coverage{{Status: scanner.CoverageComplete}, {Status: scanner.CoverageFailed}}
	cases := []struct {
		name     string
		cov      []scanner.Coverage
		findings []scanner.Finding
		failOn   string
		onNew    bool
		want     int
	}{
		{"clean", complete, nil, "high", false, 0},
		{"below threshold", complete, []scanner.Finding{f("medium", "new")}, "high", false, 0},
		{"at threshold", complete, []scanner.Finding{f("high", "existing")}, "high", false, 1},
		{"above threshold", complete, []scanner.Finding{f("critical", "existing")}, "medium", false, 1},
		{"none never fails", complete, []scanner.Finding{f("critical", "new")}, "none", false, 0},
		{"suppressed never fails", complete, []scanner.Finding{f("critical", "suppressed")}, "low", false, 0},
		{"new fails with fail-on-new", complete, []scanner.Finding{f("low", "new")}, "none", true, 1},
		{"existing passes fail-on-new", complete, []scanner.Finding{f("low", "existing")}, "none", true, 0},
		{"coverage beats findings", partial, []scanner.Finding{f("critical", "new")}, "low", true, 3},
	}
	for _, tc := range cases {
		rep := &scanner.Report{Coverage: tc.cov, Findings: tc.findings}
		if got := exitCode(rep, tc.failOn, tc.onNew); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestCatalogCommands(t *testing.T) {
	dir := t.TempDir()
	bad := testfile.Write(t, dir, "bad.yaml", "vendors:\n  - id: Bad ID\n    name: x\n    category: nope\n")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"catalog", "validate"}, 0, "validate cleanly"},
		{[]string{"catalog", "validate", bad}, 1, "bad.yaml:2"},
		{[]string{"catalog", "show", "hotjar"}, 0, "Hotjar"},
		{[]string{"catalog", "show", "hotjr"}, 1, "hotjar"},
		{[]string{"catalog", "search", "hot", "jar"}, 0, "hotjar"},
		{[]string{"catalog", "list", "--category", "session_replay"}, 0, "fullstory"},
		{[]string{"catalog", "list", "--category", "nope"}, 2, `unknown category "nope"`},
		{[]string{"catalog", "show"}, 2, "accepts 1 arg"},
	}
	for _, tc := range cases {
		r := run(t, nil, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("%v: exit %d (want %d), output %q lacks %q", tc.args, r.code, tc.code, r.stdout+r.stderr, tc.want)
		}
	}
}

// TestCheckAndServeAgree is issue 8's "done when": check by name, check by consent URL and the page's API give the
// same verdict and alternatives for the demo organisation, with the real catalogue, approvals and resolver.
func TestCheckAndServeAgree(t *testing.T) {
	const demo = "../../configs/demo.yaml"
	consent := "https://accounts.google.com/o/oauth2/v2/auth?client_id=139846129051-hotjar.apps.googleusercontent.com" +
		"&redirect_uri=https%3A%2F%2Finsights.hotjar.com%2Fapi%2Fv2%2Fauth%2Fgoogle&response_type=code&scope=openid%20email"
	type verdict struct {
		Verdict      string `json:"verdict"`
		Alternatives []struct {
			Vendor struct {
				ID string `json:"id"`
			} `json:"vendor"`
			Owner string `json:"owner"`
		} `json:"alternatives"`
	}
	decode := func(s string) verdict {
		var v verdict
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, s)
		}
		return v
	}
	byName := run(t, nil, "check", "--config", demo, "--format", "json", "hotjar")
	byURL := run(t, nil, "check", "--config", demo, "--format", "json", consent)
	if byName.code != 1 || byURL.code != 1 {
		t.Fatalf("exit %d/%d, want 1 (needs IT approval): %s %s", byName.code, byURL.code, byName.stderr, byURL.stderr)
	}
	a, b := decode(byName.stdout), decode(byURL.stdout)

	p := checkPipeline(t, demo)
	srv := httptest.NewServer(web.New(web.Options{NewChecker: p.newChecker}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/check?q=hotjar")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c := decode(string(body))

	for _, v := range []verdict{a, b, c} {
		if v.Verdict != "unapproved" || len(v.Alternatives) == 0 || v.Alternatives[0].Vendor.ID != "fullstory" {
			t.Errorf("verdict %+v, want unapproved with FullStory as the alternative", v)
		}
	}
	if fmt.Sprint(a) != fmt.Sprint(b) || fmt.Sprint(a) != fmt.Sprint(c) {
		t.Errorf("check by name, by consent URL and the page disagree:\n%+v\n%+v\n%+v", a, b, c)
	}
	for q, code := range map[string]int{"apollo": 4, "fullstory": 0, "canva": 0, "semrush": 1, "mailchimp": 1} {
		if r := run(t, nil, "check", "--config", demo, q); r.code != code {
			t.Errorf("check %s: exit %d, want %d", q, r.code, code)
		}
	}
	if r := run(t, nil, "check", "--config", demo, "--format", "pdf", "x"); r.code != 2 {
		t.Errorf("bad format: exit %d", r.code)
	}
}

func TestVersionFields(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := run(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
		for _, want := range []string{"commit:", "built:", "go:", "catalogue:      sha256:", "vendors)", "rule pack:      sha256:", "rules)", "report schema:  1"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, r.stdout)
			}
		}
	}
	r := run(t, nil, "version", "--format", "json")
	var v versionInfo
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v.CatalogVendors < 100 || v.Rules == 0 || v.ReportSchema != 1 || v.GoVersion == "" {
		t.Errorf("version json: %v %+v", err, v)
	}
}
