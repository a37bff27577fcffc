package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/report"
	"github.com/shadowscan/shadowscan/scanner/state"
)

type scanFlags struct {
	config     string
	format     string
	output     string
	baseline   string
	failOn     string
	failOnNew  bool
	stateDir   string
	demo       bool
	files      []string
	dryRun     bool
	shard      string
	shardCount int
	full       bool
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
	fl.StringVar(&f.baseline, "baseline", "", "previous JSON report: mark findings new or existing, list resolved ones (wins over the state's; a missing file is a warning)")
	fl.StringArrayVar(&f.files, "output-file", nil, "also write the report as FORMAT=PATH (repeatable; adds to output.files)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the alerts that would be sent instead of sending them")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 on findings at or above: critical|high|medium|low|info|none (default from config, else high)")
	fl.BoolVar(&f.failOnNew, "fail-on-new", false, "exit 1 when there are new findings (needs --baseline to be useful)")
	fl.StringVar(&f.stateDir, "state-dir", "", "state folder (embedded database): history, automatic baseline, first_seen across scans (default from config state.dir)")
	fl.BoolVar(&f.demo, "demo", false, "scan the demo company built into the binary (offline, no credentials) instead of --config")
	fl.StringVar(&f.shard, "shard", "", "scan shard K of N (K/N, 0-based) and write a shard report for `report merge`; "+
		"\"auto\" takes K from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) and N from --shard-count")
	fl.BoolVar(&f.full, "full", false, "ignore the providers' checkpoints and read everything (a full Google token sweep)")
	fl.IntVar(&f.shardCount, "shard-count", 0, "N for --shard auto (the Indexed Job's completions)")
	cmd.MarkFlagsMutuallyExclusive("config", "demo")
	cmd.MarkFlagsOneRequired("config", "demo")
	return cmd
}

// parseShardFlags reads --shard K/N, or --shard auto with JOB_COMPLETION_INDEX and --shard-count. No --shard is
// the whole scan (Count 0).
func (a *app) parseShardFlags(f scanFlags) (scanner.Shard, error) {
	if f.shard == "" {
		if f.shardCount != 0 {
			return scanner.Shard{}, errors.New("--shard-count: only with --shard auto")
		}
		return scanner.Shard{}, nil
	}
	v := f.shard
	if v == "auto" {
		idx := a.getenv("JOB_COMPLETION_INDEX")
		if idx == "" {
			return scanner.Shard{}, errors.New("--shard auto: JOB_COMPLETION_INDEX is not set (it is set in a Kubernetes Indexed Job's pods)")
		}
		if f.shardCount == 0 {
			return scanner.Shard{}, errors.New("--shard auto: the shard count is not set (--shard-count N, the Indexed Job's completions)")
		}
		v = idx + "/" + strconv.Itoa(f.shardCount)
	} else if f.shardCount != 0 {
		return scanner.Shard{}, errors.New("--shard-count: only with --shard auto")
	}
	s, err := scanner.ParseShard(v)
	if err != nil {
		return scanner.Shard{}, fmt.Errorf("--shard: %w", err)
	}
	return s, nil
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
	extra, err := parseOutputFiles(f.files)
	if err != nil {
		return usageErr(err)
	}
	shard, err := a.parseShardFlags(f)
	if err != nil {
		return usageErr(err)
	}
	if shard.Count > 0 && cfg.Output.Format != "json" {
		return usageErr(fmt.Errorf("--shard: a shard report is JSON (--format json), not %s; render the merged report instead", cfg.Output.Format))
	}
	outs, err := a.outputs(cfg, append(slices.Clone(cfg.Output.Files), extra...))
	if err != nil {
		return usageErr(err)
	}
	chans, err := a.alertChannels(cfg)
	if err != nil {
		return usageErr(err)
	}
	var st *state.Store
	if cfg.State.Dir != "" {
		if st, err = state.Open(ctx, cfg.State.Dir); err != nil {
			return usageErr(err)
		}
		defer st.Close()
	}
	baseline, err := a.scanBaseline(ctx, f.baseline, st)
	if err != nil {
		return usageErr(err)
	}
	pipe, err := a.buildPipeline(cfg)
	if err != nil {
		return usageErr(err)
	}
	for i := range outs {
		if outs[i].writer, err = report.New(outs[i].format, a.writerOptions(outs[i].path, pipe.catalog.CategoryName)); err != nil {
			return usageErr(fmt.Errorf("--format: %w", err))
		}
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
		Shard:       shard,
		FullSweep:   f.full,
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
	rep.Rules = ruleInfos(rep, pipe.rules)
	// The report is written even when interrupted; use a fresh context so a cancelled one cannot stop the writes.
	wctx := context.WithoutCancel(ctx)
	var stateErr error
	if st != nil {
		stateErr = a.remember(wctx, st, rep, cfg)
	}
	writeErr := a.writeOutputs(wctx, outs, rep)
	if failed := a.sendAlerts(wctx, chans, rep, f.dryRun); len(failed) > 0 {
		fmt.Fprintln(a.stderr, "shadowscan:", alertSummary(failed))
	}
	if writeErr != nil {
		return writeErr
	}
	if stateErr != nil {
		return fmt.Errorf("the report was written, but the scan was not stored in %s: %w", cfg.State.Dir, stateErr)
	}
	if code := exitCode(rep, cfg.Output.FailOn, cfg.Output.FailOnNew); code != exitClean {
		return &exitError{code: code}
	}
	return nil
}

// exitCode applies the exit codes of README.md: 3 when coverage is incomplete, else 1 for findings at or above failOn (or new
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

// outputs lists output.path and every extra file, and checks each path can be written before any scanning
// starts; their writers are built once the catalogue is loaded.
func (a *app) outputs(cfg *configs.Config, files []configs.OutputFile) ([]output, error) {
	all := append([]configs.OutputFile{{Format: cfg.Output.Format, Path: cfg.Output.Path}}, files...)
	seen := map[string]bool{}
	var outs []output
	for _, of := range all {
		if of.Path != "" && of.Path != "-" {
			if seen[of.Path] {
				return nil, fmt.Errorf("output %s is named twice", of.Path)
			}
			seen[of.Path] = true
		}
		// Fail before scanning, not after an hour of API calls.
		if err := report.CheckWritable(of.Path); err != nil {
			return nil, err
		}
		outs = append(outs, output{format: of.Format, path: of.Path, mode: cfg.Output.FileMode})
	}
	return outs, nil
}

// writeOutputs writes every output from the same report; a failure of one does not stop the others.
func (a *app) writeOutputs(ctx context.Context, outs []output, rep *scanner.Report) error {
	var errs []error
	for _, o := range outs {
		if o.path == "" || o.path == "-" {
			if err := o.writer.Write(ctx, a.stdout, rep); err != nil {
				errs = append(errs, fmt.Errorf("writing report: %w", err))
			}
			continue
		}
		if err := report.WriteFile(ctx, o.path, o.mode, o.writer, rep); err != nil {
			a.log.Error().Err(err).Str("path", o.path).Str("format", o.format).Msg("report not written")
			errs = append(errs, err)
			continue
		}
		a.log.Debug().Str("path", o.path).Str("format", o.format).Msg("report written")
	}
	return errors.Join(errs...)
}

func readBaseline(path string) (*scanner.Report, error) {
	rep, err := scanner.ReadReport(path)
	if err != nil {
		return nil, fmt.Errorf("--baseline: %w", err)
	}
	return rep, nil
}

// writerOptions are the human-facing writer settings for an output path.
func (a *app) writerOptions(path string, categoryName func(string) string) report.Options {
	return report.Options{Color: a.colour(path), Width: a.tableWidth(path), CategoryName: categoryName}
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
