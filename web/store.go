package web

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/scanner"
)

// MaxTrend is how many past scans the trend keeps.
const MaxTrend = 60

// MaxTrendFiles is how many files of the history folder are read (newest names last).
const MaxTrendFiles = 400

// TrendPoint is one scan's headline numbers, for the trend.
type TrendPoint struct {
	ScanID                   string             `json:"scan_id"`
	FinishedAt               time.Time          `json:"finished_at"`
	Vendors                  int                `json:"vendors"`
	MartechVendors           int                `json:"martech_vendors"`
	UnapprovedMartechVendors int                `json:"unapproved_martech_vendors"`
	Findings                 int                `json:"findings"`
	UnapprovedMonthlySpend   map[string]float64 `json:"unapproved_monthly_spend"`
}

func trendPoint(scan scanner.ScanInfo, s scanner.Summary) TrendPoint {
	return TrendPoint{ScanID: scan.ID, FinishedAt: scan.FinishedAt, Vendors: s.Vendors, MartechVendors: s.MartechVendors,
		UnapprovedMartechVendors: s.UnapprovedMartechVendors, Findings: s.Findings,
		UnapprovedMonthlySpend: s.UnapprovedMonthlySpend}
}

// store holds the current report and its Checker, reloading the report file when it changes. A malformed new
// file leaves the last good report in place.
type store struct {
	path, historyDir string
	trendFn          func() ([]TrendPoint, error)
	interval         time.Duration
	newChecker       func(*scanner.Report) *check.Checker
	log              zerolog.Logger
	now              func() time.Time

	mu        sync.Mutex
	checked   time.Time // last stat of the file
	modTime   time.Time
	size      int64
	statOK    bool
	rep       *scanner.Report
	checker   *check.Checker
	loadErr   string
	history   map[string]TrendPoint
	histFiles map[string]fileStamp // history folder files already read
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// snapshot is what one request works with.
type snapshot struct {
	checker *check.Checker
	rep     *scanner.Report
	loadErr string
	trend   []TrendPoint
}

func newStore(o Options) *store {
	s := &store{path: o.ReportPath, historyDir: o.HistoryDir, trendFn: o.Trend, interval: o.ReloadInterval, newChecker: o.NewChecker,
		log: o.Logger, now: o.Now, history: map[string]TrendPoint{}, histFiles: map[string]fileStamp{}}
	s.checker = s.newChecker(nil)
	s.mu.Lock()
	s.refreshLocked(true)
	s.mu.Unlock()
	return s
}

// get returns the current state, reloading the report first if its file changed.
func (s *store) get() snapshot {
	s.mu.Lock()
	s.refreshLocked(false)
	snap := snapshot{checker: s.checker, rep: s.rep, loadErr: s.loadErr, trend: s.trendLocked()}
	s.mu.Unlock()
	if s.trendFn != nil {
		trend, err := s.trendFn()
		if err != nil {
			s.log.Warn().Err(err).Msg("cannot read the trend from the state")
			trend = nil
		}
		snap.trend = trend
	}
	return snap
}

func (s *store) refreshLocked(force bool) {
	if s.path == "" {
		if force {
			s.readHistoryLocked()
		}
		return
	}
	now := s.now()
	if !force && s.interval >= 0 && now.Sub(s.checked) < s.interval {
		return
	}
	s.checked = now
	fi, err := os.Stat(s.path)
	if err != nil {
		if s.statOK || force {
			s.log.Warn().Err(err).Str("report", s.path).Msg("cannot read the report file; keeping the last good report")
		}
		s.statOK = false
		s.loadErr = "report file: " + errText(err)
		return
	}
	if s.statOK && fi.ModTime().Equal(s.modTime) && fi.Size() == s.size {
		return
	}
	s.statOK, s.modTime, s.size = true, fi.ModTime(), fi.Size()
	rep, err := scanner.ReadReport(s.path)
	if err != nil {
		s.loadErr = err.Error()
		s.log.Error().Err(err).Str("report", s.path).Msg("report file is not a valid report; keeping the last good one")
		return
	}
	s.rep, s.loadErr = rep, ""
	s.checker = s.newChecker(rep)
	s.history[rep.Scan.ID] = trendPoint(rep.Scan, rep.Summary)
	s.readHistoryLocked()
	s.log.Info().Str("report", s.path).Str("scan_id", rep.Scan.ID).Int("vendors", len(rep.Inventory)).
		Msg("report loaded")
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// readHistoryLocked reads the summaries of the past reports in the history folder (new or changed files only).
func (s *store) readHistoryLocked() {
	if s.historyDir == "" {
		return
	}
	entries, err := os.ReadDir(s.historyDir)
	if err != nil {
		s.log.Warn().Err(err).Str("history", s.historyDir).Msg("cannot read the history folder")
		return
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(strings.ToLower(e.Name()), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) > MaxTrendFiles {
		names = names[len(names)-MaxTrendFiles:]
	}
	for _, n := range names {
		p := filepath.Join(s.historyDir, n)
		fi, err := os.Stat(p)
		if err != nil || fi.Size() > scanner.MaxReportBytes {
			continue
		}
		st := fileStamp{fi.ModTime(), fi.Size()}
		if old, ok := s.histFiles[p]; ok && old == st {
			continue
		}
		s.histFiles[p] = st
		tp, err := readSummary(p)
		if err != nil {
			s.log.Warn().Err(err).Str("file", p).Msg("skipping a history file")
			continue
		}
		s.history[tp.ScanID] = tp
	}
}

func readSummary(path string) (TrendPoint, error) {
	h, err := scanner.ReadReportHeader(path)
	if err != nil {
		return TrendPoint{}, err
	}
	if h.Scan.ID == "" {
		return TrendPoint{}, fmt.Errorf("report %s: no scan ID", filepath.Base(path))
	}
	return trendPoint(h.Scan, h.Summary), nil
}

func (s *store) trendLocked() []TrendPoint {
	out := make([]TrendPoint, 0, len(s.history))
	for _, p := range s.history {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].FinishedAt.Equal(out[j].FinishedAt) {
			return out[i].FinishedAt.Before(out[j].FinishedAt)
		}
		return out[i].ScanID < out[j].ScanID
	})
	if len(out) > MaxTrend {
		for _, p := range out[:len(out)-MaxTrend] {
			delete(s.history, p.ScanID)
		}
		out = out[len(out)-MaxTrend:]
	}
	return out
}
