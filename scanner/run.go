package scanner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// Instance is one configured provider.
type Instance struct {
	Name    string
	Type    string
	Config  ProviderConfig
	Timeout time.Duration // 0: Options.Timeout
}

// Options drive one scan.
type Options struct {
	Instances   []Instance
	Concurrency int           // providers collecting at once; default 4
	Timeout     time.Duration // per provider; default 30m
	// Grace is how long Run waits for a provider that ignores cancellation before abandoning it; default 10s.
	Grace      time.Duration
	Logger     zerolog.Logger
	Now        func() time.Time
	Org        Organization
	Tool       Tool
	ScanID     string
	HTTPClient *http.Client
	StateDir   string // passed to providers in Deps.StateDir
	// Shard, when Count > 0, makes this run one shard of a sharded scan: providers that partition their work
	// (Factory.Shards) read their share, every other instance is read whole by the one shard its name hashes to,
	// and the report carries the ShardState that report merge needs.
	Shard Shard
	// FullSweep asks providers that sweep incrementally (from checkpoints) for a full sweep (scan --full).
	FullSweep bool

	Resolver    Resolver  // nil: every record is unidentified
	Policy      Policy    // approvals and suppressions; nil: every vendor is unapproved, nothing suppressed
	Evaluator   Evaluator // nil: no findings
	Baseline    *Report   // last run's report, for new/existing/resolved
	MaxEvidence int       // evidence kept per finding; default 100 (evidence_count counts all)

	Progress *Progress // optional: live per-provider record counts

	// withTimeout gives an instance its deadline; nil is context.WithTimeout. Tests replace it to expire an
	// instance at a chosen point instead of racing the clock.
	withTimeout func(ctx context.Context, inst Instance, timeout time.Duration) (context.Context, context.CancelFunc)
}

// Run collects from every instance concurrently and streams each record through resolve and evaluate as it
// arrives; records are not kept. It then rolls up the inventory, runs inventory-stage rules and applies the
// baseline and suppressions. When ctx is cancelled, Run still returns the partial report, with the unfinished
// providers' coverage saying so.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Minute
	}
	if opts.Grace <= 0 {
		opts.Grace = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxEvidence <= 0 {
		opts.MaxEvidence = 100
	}
	started := opts.Now().UTC()
	log := opts.Logger.With().Str("component", "scanner").Logger()

	acc := newAccumulator(opts)
	// Records already read are resolved and evaluated even after an interrupt, so the partial report keeps their
	// findings; evaluation is bounded per rule (CEL cost limits), so it needs no cancellation of its own.
	evalCtx := context.WithoutCancel(ctx)
	recs := newBatches()
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		for batch := range recs.ch {
			for i := range batch {
				acc.add(evalCtx, &batch[i])
			}
			recs.recycle(batch)
		}
	}()

	if opts.Progress != nil {
		opts.Progress.init(opts.Instances)
	}
	coverage := make([]Coverage, len(opts.Instances))
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for i, inst := range opts.Instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				coverage[i] = Coverage{Provider: inst.Name, Type: inst.Type, Status: CoverageFailed,
					Errors: []CoverageError{{Message: "not started: scan interrupted"}}}
				return
			}
			coverage[i] = runInstance(ctx, opts, inst, recs, log)
		}()
	}
	wg.Wait()
	close(recs.ch)
	<-consumed

	var shard *ShardState
	if opts.Shard.Count > 0 {
		shard = acc.shardState(opts.Shard) // before finish rounds spend and adds inventory-stage findings
	}
	rep := acc.finish(evalCtx)
	rep.Shard = shard
	if c, ok := acc.rulesCoverage(); ok {
		coverage = append(coverage, c)
	}
	rep.SchemaVersion = SchemaVersion
	rep.Tool = opts.Tool
	rep.Scan = ScanInfo{ID: opts.ScanID, StartedAt: started, FinishedAt: opts.Now().UTC(), Organization: opts.Org.Name}
	rep.Coverage = coverage
	var sups []Suppression
	if opts.Policy != nil {
		sups = opts.Policy.Suppressions()
	}
	applyLifecycle(rep, opts.Baseline, sups, opts.Now())
	rep.Summary = summarise(rep)
	// The same numbers as the report's summary: suppressed findings are counted apart, as the summary does.
	s := rep.Summary
	log.Info().Int("findings", s.Findings).Int("new", s.NewFindings).Int("suppressed", s.SuppressedFindings).
		Int("critical", s.BySeverity[SeverityCritical]).Int("high", s.BySeverity[SeverityHigh]).
		Int("vendors", s.Vendors).Int("unidentified", s.UnidentifiedApps).
		Int64("took_ms", rep.Scan.FinishedAt.Sub(started).Milliseconds()).Msg("scan finished")
	return rep, nil
}

// runInstance runs one provider to completion, timeout or abandonment and returns its coverage.
func runInstance(ctx context.Context, opts Options, inst Instance, out *batches, base zerolog.Logger) Coverage {
	start := time.Now()
	cov := Coverage{Provider: inst.Name, Type: inst.Type, Errors: []CoverageError{}}
	log := base.With().Str("provider_kind", inst.Type).Str("provider", inst.Name).Logger()
	diag := &Diagnostics{}
	var count atomic.Int64
	finish := func(status string, errs ...CoverageError) Coverage {
		cov.Records = int(count.Load())
		cov.DurationMS = time.Since(start).Milliseconds()
		cov.Errors = append(append(cov.Errors, diag.Errors()...), errs...)
		cov.Skipped = diag.Skipped()
		status = SettleStatus(status, cov.Records, len(cov.Errors))
		cov.Status = status
		if opts.Progress != nil {
			opts.Progress.done(inst.Name, cov.Status)
		}
		ev := log.Info()
		if status != CoverageComplete {
			ev = log.Warn()
			if status == CoverageFailed {
				ev = log.Error()
			}
		}
		ev.Str("status", status).Int("records", cov.Records).Int("errors", len(cov.Errors)).
			Int64("took_ms", cov.DurationMS).Msg("provider finished")
		return cov
	}

	f, ok := Lookup(inst.Type)
	if !ok {
		return finish(CoverageFailed, CoverageError{Message: fmt.Sprintf("unknown provider type %q", inst.Type)})
	}
	if !f.Shards && !opts.Shard.Owns("instance:"+inst.Name) {
		// Another shard reads this instance whole; an empty complete line merges away.
		log.Debug().Str("shard", opts.Shard.String()).Msg("provider read by another shard")
		return finish(CoverageComplete)
	}
	timeout := inst.Timeout
	if timeout <= 0 {
		timeout = opts.Timeout
	}
	withTimeout := opts.withTimeout
	if withTimeout == nil {
		withTimeout = func(ctx context.Context, _ Instance, d time.Duration) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, d)
		}
	}
	pctx, cancel := withTimeout(ctx, inst, timeout)
	defer cancel()

	// Every way out of runInstance closes the batcher first: it hands over the records emit has accepted, and
	// emits after it (a provider that ignores cancellation) are dropped, never sent on a closed channel.
	batch := &batcher{b: out}
	defer batch.close()
	emit := func(r Record) error {
		if r.Kind == "" || r.ID == "" {
			diag.Error("emit", r.ID, fmt.Errorf("provider bug: record without kind or id (kind=%q id=%q)", r.Kind, r.ID))
			return nil
		}
		r.Provider, r.Source = inst.Name, inst.Type
		id := r.ID
		open, err := batch.add(pctx, r)
		if !open {
			log.Error().Str("record", id).Msg("provider emitted after Collect returned; record dropped")
			return ErrStop
		}
		if err != nil {
			return err
		}
		count.Add(1)
		if opts.Progress != nil {
			opts.Progress.add(inst.Name)
		}
		return nil
	}

	log.Debug().Int64("timeout_ms", timeout.Milliseconds()).Msg("provider starting")
	done := make(chan error, 1)
	go func() {
		var err error
		defer func() {
			if p := recover(); p != nil {
				log.Debug().Str("stack", string(debug.Stack())).Msg("provider panic stack")
				err = fmt.Errorf("provider panicked: %v", p)
			}
			batch.close()
			done <- err
		}()
		p, nerr := f.New(inst.Config, Deps{Name: inst.Name, Logger: log, Diagnostics: diag, Org: opts.Org,
			Now: opts.Now, HTTPClient: opts.HTTPClient, StateDir: opts.StateDir, Shard: opts.Shard, FullSweep: opts.FullSweep})
		if nerr != nil {
			err = fmt.Errorf("setting up: %w", nerr)
			return
		}
		err = p.Collect(pctx, emit)
	}()

	var err error
	select {
	case err = <-done:
	case <-pctx.Done():
		select {
		case err = <-done:
		case <-time.After(opts.Grace):
			batch.close()
			err = fmt.Errorf("did not stop within %s of cancellation; abandoned", opts.Grace)
			if ctx.Err() == nil {
				err = fmt.Errorf("timed out after %s and did not stop within %s; abandoned", timeout, opts.Grace)
			}
			return finish(CoverageFailed, CoverageError{Message: err.Error()})
		}
	}
	switch {
	case err == nil && ctx.Err() != nil:
		// Returned cleanly, but because the scan was interrupted: what it read is not the whole picture.
		return finish(CoverageFailed, CoverageError{Message: "scan interrupted"})
	case err == nil:
		return finish(CoverageComplete)
	case ctx.Err() != nil:
		return finish(CoverageFailed, CoverageError{Message: "scan interrupted: " + err.Error()})
	case errors.Is(err, context.DeadlineExceeded) || pctx.Err() == context.DeadlineExceeded:
		return finish(CoverageFailed, CoverageError{Message: fmt.Sprintf("timed out after %s: %v", timeout, err)})
	default:
		return finish(CoverageFailed, CoverageError{Message: err.Error()})
	}
}

// SettleStatus is a provider's coverage status from how it ended (complete when Collect returned nil, failed
// when it returned an error), the records it emitted and its coverage errors: coverage errors make a complete run
// partial, and records read make a failed run partial.
func SettleStatus(status string, records, errors int) string {
	if status == CoverageComplete && errors > 0 {
		return CoveragePartial
	}
	if status == CoverageFailed && records > 0 {
		return CoveragePartial
	}
	return status
}

// Progress reports live per-provider record counts, for a terminal progress line.
type Progress struct {
	mu      sync.Mutex
	order   []string
	counts  map[string]int64
	status  map[string]string
	started time.Time
}

// ProviderProgress is one provider's state in a Progress snapshot.
type ProviderProgress struct {
	Name    string
	Records int64
	Status  string // "" while running
}

func (p *Progress) init(insts []Instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started = time.Now()
	p.counts, p.status = map[string]int64{}, map[string]string{}
	for _, in := range insts {
		p.order = append(p.order, in.Name)
	}
}

func (p *Progress) add(name string) {
	p.mu.Lock()
	p.counts[name]++
	p.mu.Unlock()
}

func (p *Progress) done(name, status string) {
	p.mu.Lock()
	p.status[name] = status
	p.mu.Unlock()
}

// Snapshot returns every provider's state and the time since the scan started.
func (p *Progress) Snapshot() ([]ProviderProgress, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]ProviderProgress, 0, len(p.order))
	for _, n := range p.order {
		out = append(out, ProviderProgress{Name: n, Records: p.counts[n], Status: p.status[n]})
	}
	if p.started.IsZero() {
		return out, 0
	}
	return out, time.Since(p.started)
}
