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
	"sync"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/state"
)

// nightlyApp runs the CLI like cron would: a fresh process per night, the clock one day further each time.
func nightly(t *testing.T, night int, env []string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(&out, &errb)
	a.environ = env
	a.configSearch = func() []string { return nil }
	now := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC).AddDate(0, 0, night)
	a.now = func() time.Time { return now }
	a.newID = func() string { return fmt.Sprintf("night-%d", night) }
	code := a.execute(context.Background(), args)
	return result{code, out.String(), errb.String()}
}

// The "done when", end to end through the CLI: night 1 and night 2 on the demo with only a state folder
// (no baseline file) give a complete report and then a diff; one scan writes JSON, SARIF, OCSF, HTML and the
// inventory CSV at once; report render reproduces each byte for byte from the JSON; history shows the trend; a new
// critical finding reaches a webhook once and only once.
func TestNightlyWithState(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var alerts []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		mu.Lock()
		alerts = append(alerts, doc)
		mu.Unlock()
	}))
	defer hook.Close()
	cfg := demoConfigAt(t, filepath.Join(dir, "nightly.yaml"), `
notify:
  - {type: webhook, name: secops, url_env: SECOPS_HOOK, min_severity: critical}
`)
	env := []string{"SECOPS_HOOK=" + hook.URL + "/hook/SECRET"}
	state := filepath.Join(dir, "state")
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	formats := map[string]string{"json": "last.json", "sarif": "last.sarif", "ocsf": "last.ocsf.ndjson", "html": "last.html",
		"inventory-csv": "inventory.csv", "csv": "findings.csv", "markdown": "last.md", "table": "last.txt"}
	scan := func(night int) (scanner.Report, result) {
		args := []string{"scan", "--config", cfg, "--state-dir", state, "--format", "json", "--output", filepath.Join(out, "last.json")}
		for f, name := range formats {
			if f != "json" {
				args = append(args, "--output-file", f+"="+filepath.Join(out, name))
			}
		}
		r := nightly(t, night, env, args...)
		if r.code != exitFindings {
			t.Fatalf("night %d: exit %d, want 1 (findings, complete coverage): %s", night, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "SECRET") {
			t.Errorf("night %d: the webhook URL reached stderr", night)
		}
		return readReport(t, filepath.Join(out, "last.json")), r
	}

	first, _ := scan(1)
	for _, c := range first.Coverage {
		if c.Status != scanner.CoverageComplete {
			t.Fatalf("night 1: %s coverage %s", c.Provider, c.Status)
		}
	}
	newCritical := 0
	for _, f := range first.Findings {
		if f.Status == scanner.StatusExisting {
			t.Fatalf("night 1 without a baseline: %s is existing", f.RuleID)
		}
		if f.Status == scanner.StatusNew && f.Severity == scanner.SeverityCritical {
			newCritical++
		}
	}
	if newCritical == 0 {
		t.Fatal("the demo has no critical finding to alert on")
	}
	if len(first.Trend) != 1 {
		t.Errorf("night 1 trend: %d points", len(first.Trend))
	}

	// Every format renders from the JSON exactly as the scan wrote it.
	for f, name := range formats {
		want, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		rendered := filepath.Join(dir, "rendered-"+name)
		if r := run(t, nil, "report", "render", filepath.Join(out, "last.json"), "--format", f, "--output", rendered); r.code != 0 {
			t.Fatalf("render %s: exit %d: %s", f, r.code, r.stderr)
		}
		got, _ := os.ReadFile(rendered)
		if !bytes.Equal(got, want) {
			t.Errorf("report render --format %s differs from the scan's %s (%d vs %d bytes)", f, name, len(got), len(want))
		}
	}

	second, _ := scan(2)
	if second.Summary.NewFindings != 0 || len(second.Resolved) != 0 {
		t.Errorf("night 2 against night 1: %d new, %d resolved; want none", second.Summary.NewFindings, len(second.Resolved))
	}
	for _, f := range second.Findings {
		if f.Status == scanner.StatusNew {
			t.Errorf("night 2: %s still new", f.RuleID)
		}
		if f.Status == scanner.StatusExisting && !f.FirstSeen.Equal(first.Scan.StartedAt) {
			t.Errorf("night 2: %s first_seen %s, want night 1", f.RuleID, f.FirstSeen)
		}
	}
	if len(second.Trend) != 2 {
		t.Errorf("night 2 trend: %d points", len(second.Trend))
	}
	scan(3)

	mu.Lock()
	n := len(alerts)
	mu.Unlock()
	if n != 1 {
		t.Fatalf("the webhook got %d messages over three nights, want exactly 1 (night 1's new criticals)", n)
	}
	if got := len(alerts[0]["findings"].([]any)); got != newCritical {
		t.Errorf("the alert lists %d findings, want the %d new critical ones", got, newCritical)
	}

	h := run(t, nil, "history", "--state-dir", state, "--since", "0", "--format", "json")
	if h.code != 0 {
		t.Fatalf("history: exit %d: %s", h.code, h.stderr)
	}
	var hist []map[string]any
	if err := json.Unmarshal([]byte(h.stdout), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0]["new_findings"].(float64) == 0 || hist[1]["new_findings"].(float64) != 0 {
		t.Errorf("history: %s", h.stdout)
	}
	if tbl := run(t, nil, "history", "--state-dir", state, "--since", "0"); tbl.code != 0 || strings.Count(tbl.stdout, "night-") != 3 {
		t.Errorf("history table: %s %s", tbl.stdout, tbl.stderr)
	}
}

// The first night of a job that passes --baseline last.json: the file does not exist yet, which is a warning.
func TestMissingBaselineFileIsAWarning(t *testing.T) {
	dir := t.TempDir()
	r := run(t, nil, "scan", "--config", demoConfig, "--format", "json", "--output", filepath.Join(dir, "r.json"),
		"--baseline", filepath.Join(dir, "last.json"))
	if r.code != exitFindings || !strings.Contains(r.stderr, "baseline file does not exist yet") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestSecondScanOnTheSameStateIsRefused(t *testing.T) {
	dir := t.TempDir()
	st := filepath.Join(dir, "state")
	if err := os.Mkdir(st, 0o700); err != nil {
		t.Fatal(err)
	}
	lock, err := openLockedState(st)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	r := run(t, nil, "scan", "--config", demoConfig, "--state-dir", st, "--format", "json", "--output", filepath.Join(dir, "r.json"))
	if r.code != exitUsage || !strings.Contains(r.stderr, "locked by another running shadowscan") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestAlertDryRun(t *testing.T) {
	dir := t.TempDir()
	cfg := demoConfigAt(t, filepath.Join(dir, "c.yaml"), "notify:\n  - {type: slack, url_env: HOOK, min_severity: critical}\n")
	r := run(t, []string{"HOOK=https://hooks.slack.example/services/SECRET"}, "scan", "--config", cfg, "--dry-run",
		"--format", "json", "--output", filepath.Join(dir, "r.json"))
	if r.code != exitFindings || !strings.Contains(r.stderr, "dry run: slack (slack) would receive") || !strings.Contains(r.stderr, `"blocks"`) {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "SECRET") {
		t.Error("the URL was printed")
	}
	r = run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", filepath.Join(dir, "r.json"))
	if r.code != exitUsage || !strings.Contains(r.stderr, "HOOK (url_env) is not set") {
		t.Errorf("missing URL: exit %d: %s", r.code, r.stderr)
	}
}

func openLockedState(dir string) (io.Closer, error) {
	return state.Open(context.Background(), dir)
}
