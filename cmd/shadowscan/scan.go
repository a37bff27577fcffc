package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/report"
)

type scanFlags struct {
	config    string
	format    string
	output    string
	baseline  string
	failOn    string
	failOnNew bool
	stateDir  string
	demo      bool
}

func (a *app) scanCmd() *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Collect from every configured provider and report unapproved tools",
		Long: `Collect from every configured provider, resolve each record to a catalogue vendor, evaluate the rules and
write the report. --demo scans the demo company built into the binary, offline.
Exit codes: 0 clean; 1 findings at or above --fail-on (or new ones with --fail-on-new);
2 usage or config error, nothing scanned; 3 coverage incomplete (the report is still written).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runScan(cmd.Context(), cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.config, "config", "c", "", "config file (YAML)")
	fl.StringVarP(&f.format, "format", "f", "", "report format: "+strings.Join(report.Formats, "|")+" (default from config, else table)")
	fl.StringVarP(&f.output, "output", "o", "", `report path, "-" for stdout (default from config, else stdout)`)
	fl.StringVar(&f.baseline, "baseline", "", "previous JSON report: mark findings new or existing, list resolved ones")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 on findings at or above: critical|high|medium|low|info|none (default from config, else high)")
	fl.BoolVar(&f.failOnNew, "fail-on-new", false, "exit 1 when there are new findings (needs --baseline to be useful)")
	fl.StringVar(&f.stateDir, "state-dir", "", "state folder (embedded database): history, automatic baseline, first_seen across scans (default from config state.dir)")
	fl.BoolVar(&f.demo, "demo", false, "scan the demo company built into the binary (offline, no credentials) instead of --config")
	cmd.MarkFlagsMutuallyExclusive("config", "demo")
	cmd.MarkFlagsOneRequired("config", "demo")
	return cmd
}

func (a *app) runScan(ctx context.Context, cmd *cobra.Command, f scanFlags) error {
	if f.demo {
		dir, err := os.MkdirTemp("", "shadowscan-demo-")
		if err != nil {
			return usageErr(fmt.Errorf("--demo: %w", err))
		}
		defer os.RemoveAll(dir)
		if f.config, err = configs.ExtractDemo(dir); err != nil {
			return usageErr(fmt.Errorf("--demo: %w", err))
		}
	}
	cfg, err := configs.LoadWithEnv(f.config, a.environ)
	if err != nil {
		return usageErr(err)
	}
	if err := cfg.RequireProviders(); err != nil {
		return usageErr(err)
	}
	if cmd.Flags().Changed("format") {
		cfg.Output.Format = f.format
	}
	if cmd.Flags().Changed("output") {
		cfg.Output.Path = f.output
	}
	if cmd.Flags().Changed("fail-on") {
		cfg.Output.FailOn = f.failOn
	}
	if f.failOnNew {
		cfg.Output.FailOnNew = true
	}
	if cmd.Flags().Changed("state-dir") {
		cfg.State.Dir = f.stateDir
	}
	if !slices.Contains(configs.FailOnLevels, cfg.Output.FailOn) {
		return usageErr(fmt.Errorf("--fail-on: %q is not one of %s", cfg.Output.FailOn, strings.Join(configs.FailOnLevels, ", ")))
	}
	if !slices.Contains(report.Formats, cfg.Output.Format) {
		return usageErr(fmt.Errorf("--format: unknown format %q (one of %s)", cfg.Output.Format, strings.Join(report.Formats, ", ")))
	}
	// Fail before scanning, not after an hour of API calls.
	if err := report.CheckWritable(cfg.Output.Path); err != nil {
		return usageErr(err)
	}
	var baseline *scanner.Report
	if f.baseline != "" {
		if baseline, err = readBaseline(f.baseline); err != nil {
			return usageErr(err)
		}
	}
	pipe, err := a.buildPipeline(cfg)
	if err != nil {
		return usageErr(err)
	}
	writer, err := report.New(cfg.Output.Format, report.Options{Color: a.colour(cfg.Output.Path),
		Width: a.tableWidth(cfg.Output.Path), CategoryName: pipe.catalog.CategoryName})
	if err != nil {
		return usageErr(fmt.Errorf("--format: %w", err))
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := scanner.Options{
		Concurrency: cfg.Scan.Concurrency,
		Timeout:     cfg.Scan.Timeout,
		Logger:      a.log,
		Now:         a.now,
		Org:         cfg.Organization,
		Tool:        scanner.Tool{Name: "shadowscan", Version: buildVersion()},
		ScanID:      a.newID(),
		Resolver:    pipe.resolver,
		Policy:      pipe.policy,
		Evaluator:   pipe.evaluator,
		Baseline:    baseline,
		StateDir:    cfg.State.Dir,
	}
	for _, p := range cfg.Providers {
		opts.Instances = append(opts.Instances, scanner.Instance{Name: p.Name, Type: p.Type, Config: p.Config, Timeout: p.Timeout})
	}
	stopProgress := func() {}
	if a.stderrTTY {
		opts.Progress = &scanner.Progress{}
		stopProgress = a.showProgress(opts.Progress)
	}
	rep, err := scanner.Run(ctx, opts)
	stopProgress()
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		a.log.Warn().Msg("scan interrupted; writing the partial report")
	}
	// The report is written even when interrupted; use a fresh context so a cancelled one cannot stop the write.
	if cfg.Output.Path == "" || cfg.Output.Path == "-" {
		if err := writer.Write(context.WithoutCancel(ctx), a.stdout, rep); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	} else {
		if err := report.WriteFile(context.WithoutCancel(ctx), cfg.Output.Path, cfg.Output.FileMode, writer, rep); err != nil {
			return err
		}
		a.log.Debug().Str("path", cfg.Output.Path).Str("format", cfg.Output.Format).Msg("report written")
	}
	if code := exitCode(rep, cfg.Output.FailOn, cfg.Output.FailOnNew); code != exitClean {
		return &exitError{code: code}
	}
	return nil
}

// exitCode applies DESIGN.md: 3 when coverage is incomplete, else 1 for findings at or above failOn (or new
// ones with failOnNew), else 0. Suppressed findings never fail a scan.
func exitCode(rep *scanner.Report, failOn string, failOnNew bool) int {
	for _, c := range rep.Coverage {
		if c.Status != scanner.CoverageComplete {
			return exitCoverage
		}
	}
	threshold := scanner.SeverityRank(failOn) // "none" ranks 0: never fails on severity
	for _, f := range rep.Findings {
		if f.Status == scanner.StatusSuppressed {
			continue
		}
		if threshold > 0 && scanner.SeverityRank(f.Severity) >= threshold {
			return exitFindings
		}
		if failOnNew && f.Status == scanner.StatusNew {
			return exitFindings
		}
	}
	return exitClean
}

func readBaseline(path string) (*scanner.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--baseline: %w", err)
	}
	var rep scanner.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("--baseline %s: not a shadowscan JSON report: %v", path, err)
	}
	if rep.SchemaVersion != scanner.SchemaVersion {
		return nil, fmt.Errorf("--baseline %s: schema_version %d, this shadowscan reads %d", path, rep.SchemaVersion, scanner.SchemaVersion)
	}
	return &rep, nil
}

// colour is on only for a table going to a terminal, and never with NO_COLOR.
func (a *app) colour(path string) bool {
	if a.getenv("NO_COLOR") != "" || (path != "" && path != "-") {
		return false
	}
	f, ok := a.stdout.(*os.File)
	return ok && isTerminal(f)
}

// showProgress redraws one status line on stderr until the returned stop function is called.
func (a *app) showProgress(p *scanner.Progress) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(a.stderr, "\r\x1b[2K")
				return
			case <-t.C:
				snap, elapsed := p.Snapshot()
				parts := make([]string, 0, len(snap))
				for _, s := range snap {
					mark := ""
					if s.Status != "" {
						mark = " " + s.Status
					}
					parts = append(parts, fmt.Sprintf("%s %d%s", report.Clean(s.Name), s.Records, mark))
				}
				fmt.Fprintf(a.stderr, "\r\x1b[2Kscanning %s · %s", strings.Join(parts, " · "), elapsed.Truncate(100*time.Millisecond))
			}
		}
	}()
	return func() { close(done); <-finished }
}
