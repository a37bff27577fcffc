package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/report"
)

type mergeFlags struct {
	config    string
	output    string
	format    string
	baseline  string
	failOn    string
	failOnNew bool
	maxSpread time.Duration
}

func (a *app) reportMergeCmd() *cobra.Command {
	var f mergeFlags
	cmd := &cobra.Command{
		Use:   "merge SHARD.json|DIR... --config FILE --output PATH",
		Short: "Combine the shard reports of a sharded scan into the report one process would have written",
		Long: `Combine the reports of every shard of one sharded scan (scan --shard K/N) into one report: the same
coverage, inventory, grouped findings and fingerprints an unsharded scan of the same data gives. The inventory-stage
rules see the whole organisation, so they are run again here over the merged roll-ups: --config must be the scan's
config (its rules, thresholds, approvals and suppressions). A folder argument stands for the *.json files in it.
The set must be complete: every shard 0..N-1 exactly once, all of one shard count.
Exit codes as scan: 0 clean; 1 findings at or above --fail-on; 2 usage error (nothing written); 3 coverage incomplete.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runMerge(cmd.Context(), cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.config, "config", "c", "", "the scan's config file (rules, approvals, suppressions)")
	fl.StringVarP(&f.output, "output", "o", "", `merged report path, "-" for stdout`)
	fl.StringVarP(&f.format, "format", "f", "json", "report format: "+strings.Join(report.Formats, "|"))
	fl.StringVar(&f.baseline, "baseline", "", "previous JSON report: mark findings new or existing, list resolved ones")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 on findings at or above this severity (default from config, else high)")
	fl.BoolVar(&f.failOnNew, "fail-on-new", false, "exit 1 when there are new findings")
	fl.DurationVar(&f.maxSpread, "max-spread", 12*time.Hour, "refuse shards whose scans started further apart than this (a stale shard report of an earlier night)")
	_ = cmd.MarkFlagRequired("config")
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

// shardFiles expands folder arguments to the *.json files in them, sorted.
func shardFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(filepath.Join(a, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("%s: no *.json shard reports in this folder", a)
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	return out, nil
}

func readShard(path string) (*scanner.Report, error) {
	rep, err := scanner.ReadReport(path)
	if err != nil {
		return nil, err
	}
	if rep.Shard == nil {
		return nil, fmt.Errorf("%s: not a shard report (no shard field; write shard reports with scan --shard K/N --format json)", path)
	}
	return rep, nil
}

// checkSpread refuses shard reports of different nights: a shard that failed tonight leaves last night's file.
func checkSpread(shards []*scanner.Report, files []string, spread time.Duration) error {
	lo, hi := 0, 0
	for i, r := range shards {
		if r.Scan.StartedAt.Before(shards[lo].Scan.StartedAt) {
			lo = i
		}
		if r.Scan.StartedAt.After(shards[hi].Scan.StartedAt) {
			hi = i
		}
	}
	if d := shards[hi].Scan.StartedAt.Sub(shards[lo].Scan.StartedAt); d > spread {
		return fmt.Errorf("%s started %s after %s (more than --max-spread %s): shard reports of different scans",
			files[hi], d.Round(time.Minute), files[lo], spread)
	}
	return nil
}

func (a *app) runMerge(ctx context.Context, cmd *cobra.Command, args []string, f mergeFlags) error {
	cfg, err := configs.LoadWithEnv(f.config, a.environ)
	if err != nil {
		return usageErr(err)
	}
	cfg.Output.Format, cfg.Output.Path = f.format, f.output
	if cmd.Flags().Changed("fail-on") {
		cfg.Output.FailOn = f.failOn
	}
	if !slices.Contains(configs.FailOnLevels, cfg.Output.FailOn) {
		return usageErr(fmt.Errorf("--fail-on: %q is not one of %s", cfg.Output.FailOn, strings.Join(configs.FailOnLevels, ", ")))
	}
	if err := report.CheckWritable(cfg.Output.Path); err != nil {
		return usageErr(err)
	}
	files, err := shardFiles(args)
	if err != nil {
		return usageErr(err)
	}
	shards := make([]*scanner.Report, 0, len(files))
	for _, p := range files {
		r, err := readShard(p)
		if err != nil {
			return usageErr(err)
		}
		shards = append(shards, r)
	}
	if err := checkSpread(shards, files, f.maxSpread); err != nil {
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
	writer, err := report.New(cfg.Output.Format, report.Options{CategoryName: pipe.catalog.CategoryName})
	if err != nil {
		return usageErr(fmt.Errorf("--format: %w", err))
	}
	rep, err := scanner.Merge(ctx, shards, scanner.MergeOptions{Evaluator: pipe.evaluator, Baseline: baseline,
		Policy: pipe.policy, Now: a.now, Logger: a.log, Tool: scanner.Tool{Name: "shadowscan", Version: buildVersion()}})
	if err != nil {
		return usageErr(err)
	}
	rep.Rules = ruleInfos(rep, pipe.rules)
	if cfg.Output.Path == "-" {
		if err := writer.Write(ctx, a.stdout, rep); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	} else if err := report.WriteFile(ctx, cfg.Output.Path, cfg.Output.FileMode, writer, rep); err != nil {
		return err
	}
	a.log.Info().Int("shards", len(shards)).Int("findings", len(rep.Findings)).Int("vendors", len(rep.Inventory)).
		Str("path", cfg.Output.Path).Msg("shard reports merged")
	if code := exitCode(rep, cfg.Output.FailOn, f.failOnNew || cfg.Output.FailOnNew); code != exitClean {
		return &exitError{code: code}
	}
	return nil
}
