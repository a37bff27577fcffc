package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runIn is run with an injected config search list (never the real ./shadowscan.yaml, user folder or /etc).
func runIn(t *testing.T, env, search []string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(&out, &errb)
	a.environ = env
	a.configSearch = func() []string { return search }
	a.now = func() time.Time { return time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC) }
	code := a.execute(context.Background(), args)
	return result{code, out.String(), errb.String()}
}

// TestCheckConfigDiscovery: --config, then SHADOWSCAN_CONFIG, then the search list; the answer says which config
// it used, and with none says so at the top and gives no approval verdict.
func TestCheckConfigDiscovery(t *testing.T) {
	demo, err := filepath.Abs(demoConfig)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// A config in the "user config folder" of the search list: the demo's.
	userCfg := demoConfigAt(t, filepath.Join(dir, "home", ".config", "shadowscan", "shadowscan.yaml"), "")
	missing := []string{filepath.Join(dir, "cwd", "shadowscan.yaml"), filepath.Join(dir, "etc", "shadowscan", "shadowscan.yaml")}
	withUser := []string{missing[0], userCfg, missing[1]}

	for _, tc := range []struct {
		name   string
		env    []string
		search []string
		args   []string
		code   int
		want   []string
	}{
		{"none found", nil, missing, []string{"check", "hubspot"}, 1,
			[]string{"No shadowscan config found (looked at --config, SHADOWSCAN_CONFIG,", "cwd/shadowscan.yaml", "NO APPROVAL VERDICT"}},
		{"banned needs a config too", nil, missing, []string{"check", "apollo"}, 1, []string{"NO APPROVAL VERDICT"}},
		{"--config", nil, missing, []string{"check", "--config", demo, "hubspot"}, 0,
			[]string{"APPROVED", "Config: " + demo + " (--config)"}},
		{"SHADOWSCAN_CONFIG", []string{"SHADOWSCAN_CONFIG=" + demo}, missing, []string{"check", "apollo"}, 4,
			[]string{"BANNED", "(SHADOWSCAN_CONFIG)"}},
		{"user config folder", nil, withUser, []string{"check", "hubspot"}, 0, []string{"APPROVED", "found at " + userCfg}},
		{"request_to printed with how to send it", nil, withUser, []string{"check", "hotjar"}, 1,
			[]string{"Request for IT", "Email the request to it-requests@northwind.example.", "## Request: approval to use Hotjar"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runIn(t, tc.env, tc.search, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr %s", r.code, tc.code, r.stderr)
			}
			flat := strings.Join(strings.Fields(r.stdout), " ")
			for _, w := range tc.want {
				if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("answer lacks %q:\n%s", w, r.stdout)
				}
			}
			if tc.name == "none found" && !strings.HasPrefix(r.stdout, "No shadowscan config found") {
				t.Errorf("the missing config is not said at the top:\n%s", r.stdout)
			}
		})
	}
	if r := runIn(t, []string{"SHADOWSCAN_CONFIG=" + filepath.Join(dir, "nope.yaml")}, missing, "check", "hubspot"); r.code != 2 ||
		!strings.Contains(r.stderr, "SHADOWSCAN_CONFIG") {
		t.Errorf("a missing SHADOWSCAN_CONFIG file: exit %d, %s", r.code, r.stderr)
	}
}

// TestCheckReportFromConfig: check.report is the last report when --report is not given, so an app only the scan
// saw is "in use" by name.
func TestCheckReportFromConfig(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "last.json")
	scanDemo(t, rep, "--log-level", "warn")
	cfg := demoConfigAt(t, filepath.Join(dir, "shadowscan.yaml"), "\n# test\n", "check:\n", "check:\n  report: last.json\n")
	r := runIn(t, nil, []string{cfg}, "check", "LeadMagnet Pro")
	flat := strings.Join(strings.Fields(r.stdout), " ")
	if r.code != 1 || !strings.Contains(flat, "already in use here: 2 people granted it") || !strings.Contains(flat, "gmail.readonly") {
		t.Errorf("check \"LeadMagnet Pro\" with check.report: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestListFormats: catalog list and rules list take --format table|json; catalog list shows approval status when a
// config is given, and describes each vendor as check does.
func TestListFormats(t *testing.T) {
	const demo = "../../configs/demo.yaml"
	r := run(t, nil, "catalog", "list", "--category", "session_replay", "--format", "json", "--config", demo)
	var vendors []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &vendors); err != nil || r.code != 0 {
		t.Fatalf("catalog list --format json: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	status := map[string]any{}
	for _, v := range vendors {
		status[v["id"].(string)] = v["approval"]
		if v["id"] == "hotjar" {
			var checked struct{ Vendor map[string]any }
			r := run(t, nil, "check", "hotjar", "--format", "json", "--config", demo)
			if err := json.Unmarshal([]byte(r.stdout), &checked); err != nil {
				t.Fatalf("check hotjar --format json: %v\n%s%s", err, r.stdout, r.stderr)
			}
			delete(v, "approval")
			if !reflect.DeepEqual(v, checked.Vendor) {
				t.Errorf("catalog list describes hotjar as\n%v\ncheck as\n%v", v, checked.Vendor)
			}
		}
	}
	if status["fullstory"] != "approved" || status["hotjar"] != "unapproved" {
		t.Errorf("approval status with --config: %v", status)
	}
	r = run(t, nil, "catalog", "list", "--category", "session_replay", "--config", demo)
	if !strings.Contains(r.stdout, "APPROVAL") || !regexp.MustCompile(`fullstory .*approved`).MatchString(r.stdout) {
		t.Errorf("catalog list table with --config lacks the approval column:\n%s", r.stdout)
	}
	if r := run(t, nil, "catalog", "list", "--category", "session_replay"); strings.Contains(r.stdout, "APPROVAL") {
		t.Errorf("approval column without a config:\n%s", r.stdout)
	}
	r = run(t, nil, "rules", "list", "--format", "json")
	var rs []struct{ ID, Severity, Stage string }
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil || len(rs) == 0 || rs[0].Severity != "critical" {
		t.Errorf("rules list --format json: %v %.200s", err, r.stdout)
	}
	for _, args := range [][]string{{"rules", "list", "--format", "xml"}, {"catalog", "list", "--format", "csv"}} {
		if r := run(t, nil, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
}

// TestCheckReportFromState: with only a state folder in the config, the scan stores its report there and check
// answers from it without --report or check.report: an app only the scan saw is in use, a vendor it saw is "in
// scan <id>". The scan wrote no JSON file at all (a table to a file), so the answer can only come from the state.
func TestCheckReportFromState(t *testing.T) {
	dir := t.TempDir()
	cfg := demoConfigAt(t, filepath.Join(dir, "shadowscan.yaml"), "\nstate: {dir: state}\n")
	// Before any scan: no state database, so no usage, and no error.
	r := runIn(t, nil, []string{cfg}, "check", "LeadMagnet Pro")
	if r.code != 1 || !strings.Contains(r.stdout, "No scan report") {
		t.Fatalf("check before any scan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := nightly(t, 1, nil, "scan", "--config", cfg, "--format", "table", "--output", filepath.Join(dir, "morning.txt"),
		"--log-level", "warn"); r.code != exitFindings {
		t.Fatalf("scan with the state: exit %d %s", r.code, r.stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(m) != 0 {
		t.Fatalf("the scan wrote JSON files %v; the test needs the state to be the only copy", m)
	}
	r = runIn(t, nil, []string{cfg}, "check", "LeadMagnet Pro")
	flat := strings.Join(strings.Fields(r.stdout), " ")
	if r.code != 1 || !strings.Contains(flat, "already in use here: 2 people granted it") {
		t.Errorf("check \"LeadMagnet Pro\" from the state: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runIn(t, nil, []string{cfg}, "check", "hotjar", "--format", "json")
	var ans struct {
		Usage *struct {
			InReport bool   `json:"in_report"`
			ScanID   string `json:"scan_id"`
		} `json:"usage"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ans); err != nil || ans.Usage == nil || !ans.Usage.InReport || ans.Usage.ScanID != "night-1" {
		t.Errorf("check hotjar --format json from the state: %v %+v\n%s%s", err, ans.Usage, r.stdout, r.stderr)
	}
	// --report still wins over the state.
	other := filepath.Join(dir, "other.json")
	if r := run(t, nil, "scan", "--config", inventoryConfig(t, goodRecord), "--format", "json", "--output", other, "--fail-on", "none"); r.code != 0 {
		t.Fatalf("other scan: %+v", r)
	}
	r = runIn(t, nil, []string{cfg}, "check", "hotjar", "--report", other)
	if !strings.Contains(r.stdout, "Not seen in scan test-scan") {
		t.Errorf("--report does not win over the state:\n%s%s", r.stdout, r.stderr)
	}
}
