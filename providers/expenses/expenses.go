// Package expenses is a provider that reads card and expense exports (CSV), finds the software subscriptions
// among the transactions and emits, per merchant and payer, a saas_subscription record (recurring charges, with a
// monthly-equivalent cost) or an expense record (one-off charges), each with a merchant hint for the catalogue.
//
// Reading is a pure streaming parser (Parse) over encoding/csv in bounded memory; grouping keeps per group only
// its charge days and a few evidence samples, so memory grows with the number of merchant/payer groups, not rows.
package expenses

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

func init() {
	scanner.Register(scanner.Registration[*Config]{
		Type:        "expenses",
		Description: "card and expense exports (CSV): software subscriptions, their payers and monthly cost",
		NewConfig:   NewConfig,
		New: func(c *Config, d scanner.Deps) (scanner.Provider, error) {
			return New(*c, d), nil
		},
		Shape: shape,
		Permissions: []scanner.Permission{{Name: "read access to the export files (path, paths)",
			Why: "the card or expense export finance downloads from the card platform; no API access is needed"}},
	})
}

// Provider reads expense exports.
type Provider struct {
	cfg  Config
	deps scanner.Deps
}

// New builds a provider from validated settings.
func New(cfg Config, d scanner.Deps) *Provider {
	return &Provider{cfg: cfg, deps: d}
}

// progressRows is how often Collect logs progress and checks for cancellation.
const progressRows = 100000

// Collect reads every file, then emits one record per merchant, payer and currency.
func (p *Provider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	log := p.deps.Logger
	files := p.cfg.Files()
	m := p.cfg.Mapping()
	g := newGrouper(p.cfg.MaxGroups)
	start := time.Now()
	var failed []error
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		st, err := p.readFile(ctx, f, m, g)
		ev := log.Debug()
		if err != nil {
			ev = log.Warn().Err(err)
		}
		ev.Str("file", f).Str("encoding", st.Encoding).Str("delimiter", string(st.Delimiter)).
			Int("header_line", st.HeaderLine).Int("rows", st.Rows).Int("transactions", st.Txns).Int("bad_rows", st.Bad).
			Msg("read expense export")
		if err == nil {
			continue
		}
		if ctx.Err() != nil || p.cfg.OnError == "fail" || errors.Is(err, errEmit) {
			return err
		}
		failed = append(failed, err) // the file could not be read (entirely); the others may still be
	}
	allFailed := len(failed) == len(files)
	if !allFailed {
		for _, err := range failed {
			p.deps.Diagnostics.Error("read", "", err)
		}
	}
	if g.overflow > 0 {
		p.deps.Diagnostics.Error("group", "", fmt.Errorf("%d rows not read: more than max_groups (%d) distinct merchant/payer groups",
			g.overflow, p.cfg.MaxGroups))
	}
	recs := g.records()
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	log.Debug().Int("records", len(recs)).Int("groups", len(g.groups)).Int64("took_ms", time.Since(start).Milliseconds()).
		Msg("expenses collected")
	if allFailed {
		// Records read before a file-level error were emitted; coverage is partial, or failed if none.
		return errors.Join(failed...)
	}
	return nil
}

// errEmit marks errors that must stop Collect (cancellation seen inside the parse).
var errEmit = errors.New("stopped")

func (p *Provider) readFile(ctx context.Context, path string, m Mapping, g *grouper) (Stats, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Stats{}, err
	}
	defer fh.Close()
	rows := 0
	fn := func(t Txn) error {
		rows++
		if rows%progressRows == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("%w: %w", errEmit, err)
			}
			p.deps.Logger.Debug().Str("file", path).Int("rows", rows).Msg("reading expense export")
		}
		err := g.add(t)
		switch {
		case err == nil, errors.Is(err, errTooManyGroups):
			return nil
		default:
			return p.bad(t.File, t.Line, err)
		}
	}
	onBad := func(file string, line int, err error) error { return p.bad(file, line, err) }
	st, err := Parse(fh, path, m, fn, onBad)
	reasons := make([]string, 0, len(st.Skipped))
	for r := range st.Skipped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		p.deps.Diagnostics.Skip(fmt.Sprintf("%s: %s skipped (%s)", path, plural(st.Skipped[r], "row"), r))
	}
	if st.Preamble > 0 {
		p.deps.Diagnostics.Skip(fmt.Sprintf("%s: %s before the header (line %d) skipped", path, plural(st.Preamble, "row"), st.HeaderLine))
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return st, ctx.Err()
	}
	return st, err
}

// bad reports a row that could not be read: a diagnostic (skip) or the error that stops the scan (fail).
func (p *Provider) bad(file string, line int, err error) error {
	re := &RowError{File: file, Line: line, Err: err}
	if p.cfg.OnError == "fail" {
		return re
	}
	p.deps.Diagnostics.Error("parse", fmt.Sprintf("%s:%d", file, line), err)
	return nil
}
