package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/rules"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/report"
	"github.com/shadowscan/shadowscan/scanner/state"
	"github.com/shadowscan/shadowscan/web"
)

// trendScans is how many past scans a report's trend shows.
const trendScans = 30

// scanBaseline picks the baseline: an explicit --baseline file wins; a missing file is a warning (the first night
// of a nightly job), not an error. Without one, the state's last complete scan is the baseline.
func (a *app) scanBaseline(ctx context.Context, path string, st *state.Store) (*scanner.Report, error) {
	if path != "" {
		rep, err := readBaseline(path)
		if err == nil {
			return rep, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		a.log.Warn().Str("component", "baseline").Str("path", path).
			Msg("baseline file does not exist yet (first run?): every finding counts as new")
		if st == nil {
			return nil, nil
		}
	}
	if st == nil {
		return nil, nil
	}
	rep, err := st.Baseline(ctx)
	if err != nil {
		return nil, err
	}
	if rep == nil {
		a.log.Debug().Str("component", "state").Msg("no complete scan in the state yet: every finding counts as new")
	} else {
		a.log.Debug().Str("component", "state").Str("baseline", rep.Scan.ID).Msg("baseline: the state's last complete scan")
	}
	return rep, nil
}

// lastReport is the report check answers from: --report when given; else the last scan stored in the state
// folder (--state-dir, else state.dir); else check.report (DESIGN: "the last report when no state dir"). A state
// that holds no report or cannot be read falls through to check.report, with a warning; no report at all is not
// an error (the answer then says nothing about who uses the tool).
func (a *app) lastReport(ctx context.Context, reportPath, stateDir string, cfg *configs.Config) (*scanner.Report, error) {
	if reportPath != "" {
		return scanner.ReadReport(reportPath)
	}
	if stateDir == "" {
		stateDir = cfg.State.Dir
	}
	if stateDir != "" {
		rep, err := stateLastReport(ctx, stateDir)
		switch {
		case err != nil:
			// An unreadable state (or one an older shadowscan wrote, until the next scan migrates it) does not
			// stop the approval answer; it is said on stderr.
			a.log.Warn().Str("component", "state").Err(err).Msg("last report not read from the state")
		case rep != nil:
			a.log.Debug().Str("component", "state").Str("scan", rep.Scan.ID).Msg("check answers from the state's last scan")
			return rep, nil
		default:
			a.log.Warn().Str("component", "state").Str("state_dir", stateDir).
				Msg("the state holds no scan report yet (run a scan with this state folder)")
		}
	}
	if cfg.Check.Report != "" {
		return scanner.ReadReport(cfg.Check.Report)
	}
	return nil, nil
}

// stateLastReport reads the last scan's report from a state folder; nil when there is no database or no report
// in it yet. The state is opened read-only, so a scan running meanwhile is not disturbed.
func stateLastReport(ctx context.Context, dir string) (*scanner.Report, error) {
	if _, err := os.Stat(filepath.Join(dir, state.FileName)); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	st, err := state.OpenReadOnly(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.LastReport(ctx)
}

// remember stores the scan in the state, prunes old scans and adds the trend to the report. A state failure is
// logged and returned, but never stops the report being written.
func (a *app) remember(ctx context.Context, st *state.Store, rep *scanner.Report, cfg *configs.Config) error {
	log := a.log.With().Str("component", "state").Logger()
	if err := st.Record(ctx, rep); err != nil {
		log.Error().Err(err).Msg("scan not stored")
		return err
	}
	if n, err := st.Prune(ctx, cfg.State.KeepFor, a.now()); err != nil {
		log.Error().Err(err).Msg("pruning old scans")
	} else if n > 0 {
		log.Info().Int("scans", n).Str("keep", cfg.State.Keep).Msg("old scans deleted")
	}
	trend, err := st.Trend(ctx, trendScans)
	if err != nil {
		log.Error().Err(err).Msg("reading the trend")
		return err
	}
	rep.Trend = trend
	log.Debug().Str("scan", rep.Scan.ID).Msg("scan stored")
	return nil
}

// stateTrend reads the serve page's trend from the state (read-only: a running scan is not disturbed).
func stateTrend(ctx context.Context, dir string) ([]web.TrendPoint, error) {
	st, err := state.OpenReadOnly(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	scans, err := st.History(ctx, time.Time{})
	if err != nil {
		return nil, err
	}
	out := make([]web.TrendPoint, 0, len(scans))
	for _, s := range scans[max(0, len(scans)-web.MaxTrend):] {
		out = append(out, web.TrendPoint{ScanID: s.ScanID, FinishedAt: s.FinishedAt, Vendors: s.Vendors,
			MartechVendors: s.MartechVendors, UnapprovedMartechVendors: s.UnapprovedMartechVendors, Findings: s.Findings,
			UnapprovedMonthlySpend: s.UnapprovedMonthlySpend})
	}
	return out, nil
}

// ruleInfos describes the rules the report's findings come from.
func ruleInfos(rep *scanner.Report, rs *rules.RuleSet) []scanner.RuleInfo {
	ids := map[string]bool{}
	for _, fs := range [][]scanner.Finding{rep.Findings, rep.Resolved, rep.Unconfirmed} {
		for _, f := range fs {
			ids[f.RuleID] = true
		}
	}
	out := []scanner.RuleInfo{}
	for id := range ids {
		info := scanner.RuleInfo{ID: id, Title: id, Tags: []string{}}
		if r, ok := rs.Rule(id); ok {
			info = scanner.RuleInfo{ID: r.ID, Title: r.Title, Severity: r.Severity, Description: strings.TrimSpace(r.Description),
				Tags: append([]string{}, r.Tags...)}
		} else if id == scanner.RuleSuppressionExpired {
			info = scanner.RuleInfo{ID: id, Title: "Suppression expired", Severity: scanner.SeverityLow, Tags: []string{"suppressions"},
				Description: "A suppression in the suppressions file has passed its expiry date, so the finding it covered is reported again."}
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(x, y scanner.RuleInfo) int { return strings.Compare(x.ID, y.ID) })
	return out
}

// output is one report file (or stdout) of a scan.
type output struct {
	format, path string
	mode         fs.FileMode
	writer       report.Writer
}

// parseOutputFiles reads repeated --output-file FORMAT=PATH values.
func parseOutputFiles(vals []string) ([]configs.OutputFile, error) {
	var out []configs.OutputFile
	for _, v := range vals {
		format, path, ok := strings.Cut(v, "=")
		if !ok || path == "" || path == "-" {
			return nil, fmt.Errorf("--output-file %q: want FORMAT=PATH with a file path, e.g. sarif=out.sarif", v)
		}
		if !slices.Contains(report.Formats, format) {
			return nil, fmt.Errorf("--output-file %q: unknown format %q (one of %s)", v, format, strings.Join(report.Formats, ", "))
		}
		out = append(out, configs.OutputFile{Format: format, Path: path})
	}
	return out, nil
}
