package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner"
)

const demoConfig = "../../configs/demo.yaml"

func readReport(t *testing.T, path string) scanner.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep scanner.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

// Night 1 and night 2 of the demo through the CLI: --baseline makes findings existing, new and resolved, and
// --fail-on-new fails the scan exactly when something is new.
func TestBaselineLifecycleThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	night1 := filepath.Join(dir, "night1.json")
	if r := run(t, nil, "scan", "--config", demoConfig, "--format", "json", "--output", night1); r.code != exitFindings {
		t.Fatalf("night 1: exit %d: %s", r.code, r.stderr)
	}
	first := readReport(t, night1)
	var active []scanner.Finding
	for _, f := range first.Findings {
		if f.Status != scanner.StatusSuppressed {
			active = append(active, f)
		}
	}
	if len(active) < 2 {
		t.Fatalf("the demo needs at least two active findings, has %d", len(active))
	}
	for _, f := range active {
		if f.Status != scanner.StatusNew {
			t.Fatalf("without a baseline every finding is new: %s is %s", f.RuleID, f.Status)
		}
	}

	// The same data against itself: nothing new, nothing resolved, and --fail-on-new passes.
	night2 := filepath.Join(dir, "night2.json")
	r := run(t, nil, "scan", "--config", demoConfig, "--format", "json", "--output", night2, "--baseline", night1,
		"--fail-on", "none", "--fail-on-new")
	if r.code != exitClean {
		t.Fatalf("night 2 against night 1: exit %d, want 0: %s", r.code, r.stderr)
	}
	second := readReport(t, night2)
	if second.Summary.NewFindings != 0 || len(second.Resolved) != 0 {
		t.Errorf("night 2: %d new, %d resolved; want 0 and 0", second.Summary.NewFindings, len(second.Resolved))
	}
	for _, f := range second.Findings {
		if f.Status == scanner.StatusNew {
			t.Errorf("%s (%s) is new against a baseline that holds it", f.RuleID, f.Fingerprint)
		}
	}

	// A baseline that lacks one finding and holds one that is gone: that finding is new, the other resolved.
	dropped := active[0]
	base := first
	base.Findings = nil
	for _, f := range first.Findings {
		if f.Fingerprint != dropped.Fingerprint {
			base.Findings = append(base.Findings, f)
		}
	}
	gone := scanner.Finding{Fingerprint: "feedfacefeedfacefeedfacefeedface", RuleID: "unapproved-martech",
		Title: "Unapproved martech vendor in use", Severity: scanner.SeverityHigh, Status: scanner.StatusNew}
	base.Findings = append(base.Findings, gone)
	b, _ := json.Marshal(base)
	baseline := testfile.Write(t, dir, "baseline.json", string(b))
	night3 := filepath.Join(dir, "night3.json")
	r = run(t, nil, "scan", "--config", demoConfig, "--format", "json", "--output", night3, "--baseline", baseline,
		"--fail-on", "none", "--fail-on-new")
	if r.code != exitFindings {
		t.Fatalf("a new finding with --fail-on-new: exit %d, want 1: %s", r.code, r.stderr)
	}
	third := readReport(t, night3)
	statuses := map[string]string{}
	for _, f := range third.Findings {
		statuses[f.Fingerprint] = f.Status
	}
	if statuses[dropped.Fingerprint] != scanner.StatusNew {
		t.Errorf("the finding missing from the baseline is %q, want new", statuses[dropped.Fingerprint])
	}
	if third.Summary.NewFindings != 1 {
		t.Errorf("summary.new_findings = %d, want 1", third.Summary.NewFindings)
	}
	if len(third.Resolved) != 1 || third.Resolved[0].Fingerprint != gone.Fingerprint {
		t.Errorf("resolved = %+v, want only the finding that is gone", third.Resolved)
	}
	for _, f := range active[1:] {
		if statuses[f.Fingerprint] != scanner.StatusExisting {
			t.Errorf("%s is %q, want existing", f.Fingerprint, statuses[f.Fingerprint])
		}
	}
	// Without --fail-on-new the same scan passes at --fail-on none.
	if r := run(t, nil, "scan", "--config", demoConfig, "--format", "json", "--output", night3, "--baseline", baseline,
		"--fail-on", "none"); r.code != exitClean {
		t.Errorf("--fail-on none without --fail-on-new: exit %d, want 0", r.code)
	}
}

type sigtermConfig struct{}

func (*sigtermConfig) Validate() error { return nil }

// sigtermProvider is interruptProvider with SIGTERM, which Kubernetes sends when it stops a pod.
type sigtermProvider struct{}

func (sigtermProvider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	if err := emit(scanner.Record{Kind: scanner.KindApp, ID: "before-term", Hints: []scanner.Hint{{Type: scanner.HintName, Value: "Acme"}}}); err != nil {
		return err
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	<-ctx.Done()
	return ctx.Err()
}

func init() {
	scanner.Register(scanner.Registration[scanner.ProviderConfig]{Type: "test_sigterm", NewConfig: func() scanner.ProviderConfig { return &sigtermConfig{} },
		New: func(scanner.ProviderConfig, scanner.Deps) (scanner.Provider, error) { return sigtermProvider{}, nil }})
}

func TestScanInterruptedBySIGTERM(t *testing.T) {
	dir := t.TempDir()
	cfg := testfile.Write(t, dir, "shadowscan.yaml", "organization: {name: T}\nproviders:\n  - {type: test_sigterm, name: sweep}\n")
	out := filepath.Join(dir, "report.json")
	r := run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", out)
	if r.code != exitCoverage {
		t.Fatalf("exit %d, want 3: %s", r.code, r.stderr)
	}
	rep := readReport(t, out)
	if c := rep.Coverage[0]; c.Status != scanner.CoveragePartial || c.Records != 1 {
		t.Errorf("coverage %+v: want partial with the one record read", c)
	}
}

// openPTY opens a pseudo-terminal pair; what is written to the returned terminal is read from the master by a
// goroutine into the returned buffer (read it after closing the terminal and calling wait).
func openPTY(t *testing.T) (tty *os.File, out *bytes.Buffer, wait func()) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	out = &bytes.Buffer{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(out, master) // ends with EIO once the terminal side is closed
	}()
	return tty, out, func() { wg.Wait(); master.Close() }
}

// The table is coloured on a terminal, and never with NO_COLOR.
func TestTableColourOnTerminalUnlessNoColor(t *testing.T) {
	for _, tc := range []struct {
		env        []string
		wantColour bool
	}{{nil, true}, {[]string{"NO_COLOR=1"}, false}} {
		tty, out, wait := openPTY(t)
		var errb bytes.Buffer
		a := newApp(tty, &errb)
		a.environ = tc.env
		code := a.execute(context.Background(), []string{"scan", "--config", demoConfig, "--format", "table"})
		tty.Close()
		wait()
		if code != exitFindings {
			t.Fatalf("env %v: exit %d: %s", tc.env, code, errb.String())
		}
		if got := strings.Contains(out.String(), "\x1b["); got != tc.wantColour {
			t.Errorf("env %v: colour = %v, want %v", tc.env, got, tc.wantColour)
		}
		if !strings.Contains(out.String(), "Northwind") {
			t.Errorf("env %v: the table did not reach the terminal: %q", tc.env, out.String())
		}
	}
}
