package scanner

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Shard is the part of the work one process of a sharded scan does (`scan --shard K/N`): Index K of Count N,
// 0 ≤ K < N. The zero value, and any Count ≤ 1, is the whole scan.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Sharded says whether s is one part of a larger scan.
func (s Shard) Sharded() bool { return s.Count > 1 }

// Owns says whether key belongs to this shard. The hash (64-bit FNV-1a of the key) is stable across runs,
// machines and versions, so a user or an account stays in its shard from night to night.
func (s Shard) Owns(key string) bool {
	if !s.Sharded() {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()%uint64(s.Count) == uint64(s.Index)
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseShard reads "K/N".
func ParseShard(v string) (Shard, error) {
	k, n, ok := strings.Cut(strings.TrimSpace(v), "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q is not K/N (e.g. 0/4)", v)
	}
	if ni < 1 || ni > 1024 || ki < 0 || ki >= ni {
		return Shard{}, fmt.Errorf("%q: want 0 ≤ K < N ≤ 1024", v)
	}
	return Shard{Index: ki, Count: ni}, nil
}

// ShardStateVersion is the version of ShardState's layout; report merge refuses versions it does not know.
const ShardStateVersion = 1

// ShardState is what a shard report carries (the `shard` field, additive to schema_version 1) so that report merge
// can rebuild exactly the report an unsharded scan gives: the roll-ups before rounding and before inventory-stage
// rules (which merge re-runs over the whole organisation), the record-stage findings before lifecycle, and what
// the rules coverage line counts.
type ShardState struct {
	Version int `json:"version"`
	Shard
	Vendors      []ShardVendor       `json:"vendors"`
	Unidentified []ShardUnidentified `json:"unidentified"`
	Findings     []ShardFinding      `json:"findings"`
	Evaluated    int64               `json:"evaluated"`
	EvalErrors   int64               `json:"eval_errors"`
	FirstError   string              `json:"first_eval_error,omitempty"`
}

// ShardVendor is one vendor's roll-up in one shard.
type ShardVendor struct {
	Vendor        Vendor             `json:"vendor"`
	Subcategories []string           `json:"subcategories,omitempty"`
	Approval      string             `json:"approval"`
	Users         []string           `json:"users"`
	Sources       []string           `json:"sources"`
	Scopes        []string           `json:"scopes"`
	Kinds         map[string]int     `json:"kinds"`
	Records       int                `json:"records"`
	MonthlySpend  map[string]float64 `json:"monthly_spend"` // not rounded
	FirstSeen     time.Time          `json:"first_seen,omitzero"`
	LastSeen      time.Time          `json:"last_seen,omitzero"`
}

// ShardUnidentified is one unidentified group in one shard.
type ShardUnidentified struct {
	Unidentified
	NameRank int `json:"name_rank"`
}

// ShardFinding is one record-stage finding in one shard, before suppressions and the baseline.
type ShardFinding struct {
	Finding
	MessageKey string `json:"message_key"`
}

// shardState captures the accumulator before finish rounds spend and adds inventory-stage findings.
func (a *accumulator) shardState(s Shard) *ShardState {
	st := &ShardState{Version: ShardStateVersion, Shard: s, Vendors: []ShardVendor{}, Unidentified: []ShardUnidentified{},
		Findings: []ShardFinding{}, Evaluated: a.evaluated.Load(), EvalErrors: a.evalErrors.Load(), FirstError: a.firstEvalError()}
	for _, v := range a.vendors {
		it := v.item
		spend := make(map[string]float64, len(it.MonthlySpend))
		for k, x := range it.MonthlySpend {
			spend[k] = x
		}
		sv := ShardVendor{Vendor: it.Vendor, Subcategories: it.Vendor.Subcategories,
			Approval: it.Approval, Kinds: it.Kinds, Records: it.Records, MonthlySpend: spend, FirstSeen: it.FirstSeen, LastSeen: it.LastSeen}
		sv.Users, sv.Sources, sv.Scopes = v.seen.lists()
		st.Vendors = append(st.Vendors, sv)
	}
	sort.Slice(st.Vendors, func(i, j int) bool { return st.Vendors[i].Vendor.ID < st.Vendors[j].Vendor.ID })
	for _, u := range a.unidentified {
		st.Unidentified = append(st.Unidentified, ShardUnidentified{Unidentified: u.row(), NameRank: u.nameRank})
	}
	sort.Slice(st.Unidentified, func(i, j int) bool { return st.Unidentified[i].Key < st.Unidentified[j].Key })
	a.mu.Lock()
	for _, fa := range a.findings {
		fa.settle()
		f := fa.f
		f.Evidence = append([]Evidence(nil), f.Evidence...)
		sort.Slice(f.Evidence, func(i, j int) bool { return evidenceLess(f.Evidence[i], f.Evidence[j]) })
		st.Findings = append(st.Findings, ShardFinding{Finding: f, MessageKey: fa.msgKey.String()})
	}
	a.mu.Unlock()
	sort.Slice(st.Findings, func(i, j int) bool { return st.Findings[i].Fingerprint < st.Findings[j].Fingerprint })
	return st
}

func addSet(m map[string]struct{}, l []string) {
	for _, s := range l {
		m[s] = struct{}{}
	}
}

func widenTimes(first, last *time.Time, f, l time.Time) {
	if !f.IsZero() && (first.IsZero() || f.Before(*first)) {
		*first = f
	}
	if !l.IsZero() && (last.IsZero() || l.After(*last)) {
		*last = l
	}
}

// absorb folds one shard's state into the accumulator, with the same rules add and addMatch apply to records, so
// the order of shards does not matter.
func (a *accumulator) absorb(st *ShardState) {
	for _, sv := range st.Vendors {
		vd := sv.Vendor
		vd.Subcategories = sv.Subcategories
		v := a.vendor(vd, sv.Approval)
		it := &v.item
		it.Records += sv.Records
		for k, n := range sv.Kinds {
			it.Kinds[k] += n
		}
		for c, x := range sv.MonthlySpend {
			it.MonthlySpend[c] += x
		}
		v.seen.merge(sv.Users, sv.Sources, sv.Scopes)
		widenTimes(&it.FirstSeen, &it.LastSeen, sv.FirstSeen, sv.LastSeen)
	}
	for _, su := range st.Unidentified {
		u := a.unidentifiedGroup(parseUnidKey(su.Key), su.HintType, su.Value)
		u.u.Records += su.Records
		if su.Value < u.u.Value {
			u.u.Value = su.Value
		}
		u.offerName(su.Name, su.NameRank)
		u.seen.merge(su.Users, su.Sources, su.Scopes)
		addSet(u.kinds, su.Kinds)
		widenTimes(&u.u.FirstSeen, &u.u.LastSeen, su.FirstSeen, su.LastSeen)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, sf := range st.Findings {
		fa := a.findings[sf.Fingerprint]
		f := sf.Finding
		f.Status, f.Suppression = "", nil
		if fa == nil {
			fa = &findingAcc{f: f, msgKey: parseEvKey(sf.MessageKey)}
			fa.f.Evidence = nil
			a.findings[sf.Fingerprint] = fa
		} else if r, cur := SeverityRank(f.Severity), SeverityRank(fa.f.Severity); r > cur || (r == cur && sf.MessageKey < fa.msgKey.String()) {
			fa.f.Severity, fa.f.Title, fa.f.Message, fa.f.Remediation, fa.msgKey = f.Severity, f.Title, f.Message, f.Remediation, parseEvKey(sf.MessageKey)
		}
		// Shards hold disjoint records, so their evidence counts add up; the evidence kept is the first
		// MaxEvidence of the union in (provider, kind, id) order, which each shard's own first MaxEvidence contain.
		// The count is then base plus keys, no longer the kept list.
		fa.countByKeys()
		fa.base += sf.EvidenceCount
		for _, e := range sf.Evidence {
			if !hasEvidence(fa.f.Evidence, keyOf(&e)) {
				fa.f.Evidence = append(fa.f.Evidence, e)
			}
		}
		sort.Slice(fa.f.Evidence, func(i, j int) bool { return evidenceLess(fa.f.Evidence[i], fa.f.Evidence[j]) })
		if len(fa.f.Evidence) > a.opts.MaxEvidence {
			fa.f.Evidence = fa.f.Evidence[:a.opts.MaxEvidence]
		}
		fa.heaped = false // sorted now, not a heap
	}
	a.evaluated.Add(st.Evaluated)
	if st.EvalErrors > 0 && a.evalErrors.Add(st.EvalErrors) == st.EvalErrors {
		a.firstErr.Store(st.FirstError)
	}
}

// MergeOptions drive Merge: the inventory-stage rules and the lifecycle of the merged report.
type MergeOptions struct {
	Evaluator   Evaluator // inventory-stage rules, re-run over the whole organisation; nil: none
	Baseline    *Report
	Policy      Policy // its suppressions apply to the merged findings, as in Run; nil: none
	MaxEvidence int    // default 100, as in Run
	Now         func() time.Time
	Logger      zerolog.Logger
	ScanID      string // default: the first shard's
	Tool        Tool   // default: the first shard's
}

// Merge combines the reports of every shard of one sharded scan into the report an unsharded scan of the same data
// gives. It refuses an incomplete or mixed set: every index 0..N-1 exactly once, one shard count, one organisation.
func Merge(ctx context.Context, shards []*Report, opts MergeOptions) (*Report, error) {
	if len(shards) == 0 {
		return nil, errors.New("no shard reports")
	}
	if opts.MaxEvidence <= 0 {
		opts.MaxEvidence = 100
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	n := 0
	seen := map[int]bool{}
	for i, r := range shards {
		st := r.Shard
		switch {
		case st == nil:
			return nil, fmt.Errorf("report %d (scan %s) is not a shard report: it has no shard field (was it written by scan --shard?)", i+1, r.Scan.ID)
		case st.Version != ShardStateVersion:
			return nil, fmt.Errorf("report %d (scan %s): shard state version %d, this shadowscan merges version %d", i+1, r.Scan.ID, st.Version, ShardStateVersion)
		case r.SchemaVersion != SchemaVersion:
			return nil, fmt.Errorf("report %d (scan %s): schema_version %d, this shadowscan reads %d", i+1, r.Scan.ID, r.SchemaVersion, SchemaVersion)
		case n != 0 && st.Count != n:
			return nil, fmt.Errorf("report %d (scan %s) is shard %s, but the first is of %d shards: reports of different scans", i+1, r.Scan.ID, st.Shard, n)
		case seen[st.Index]:
			return nil, fmt.Errorf("shard %s is given twice (report %d, scan %s)", st.Shard, i+1, r.Scan.ID)
		case r.Scan.Organization != shards[0].Scan.Organization:
			return nil, fmt.Errorf("report %d is of organisation %q, the first of %q", i+1, r.Scan.Organization, shards[0].Scan.Organization)
		}
		n = st.Count
		seen[st.Index] = true
	}
	if n == 0 {
		n = 1
	}
	var missing []string
	for k := range n {
		if !seen[k] {
			missing = append(missing, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("shards missing: %s (a merged report must cover every shard)", strings.Join(missing, ", "))
	}
	ordered := append([]*Report(nil), shards...)
	sort.Slice(ordered, func(i, j int) bool { return ordered[i].Shard.Index < ordered[j].Shard.Index })

	acc := newAccumulator(Options{Evaluator: opts.Evaluator, Policy: opts.Policy, MaxEvidence: opts.MaxEvidence, Logger: opts.Logger})
	for _, r := range ordered {
		acc.absorb(r.Shard)
	}
	rep := acc.finish(context.WithoutCancel(ctx))
	rep.SchemaVersion = SchemaVersion
	first := ordered[0]
	rep.Tool = first.Tool
	if opts.Tool.Name != "" {
		rep.Tool = opts.Tool
	}
	rep.Scan = ScanInfo{ID: first.Scan.ID, StartedAt: first.Scan.StartedAt, FinishedAt: first.Scan.FinishedAt,
		Organization: first.Scan.Organization}
	if opts.ScanID != "" {
		rep.Scan.ID = opts.ScanID
	}
	for _, r := range ordered[1:] {
		if r.Scan.StartedAt.Before(rep.Scan.StartedAt) {
			rep.Scan.StartedAt = r.Scan.StartedAt
		}
		if r.Scan.FinishedAt.After(rep.Scan.FinishedAt) {
			rep.Scan.FinishedAt = r.Scan.FinishedAt
		}
	}
	rep.Coverage = mergeCoverage(ordered)
	if c, ok := acc.rulesCoverage(); ok {
		rep.Coverage = append(rep.Coverage, c)
	}
	var sups []Suppression
	if opts.Policy != nil {
		sups = opts.Policy.Suppressions()
	}
	applyLifecycle(rep, opts.Baseline, sups, opts.Now())
	rep.Summary = summarise(rep)
	return rep, nil
}

// mergeCoverage joins each provider's coverage over the shards: records add up, errors and skips are listed once
// each in shard order, and the status is what one process would have reported: complete when every shard was,
// otherwise partial if anything was read and failed if nothing was.
func mergeCoverage(shards []*Report) []Coverage {
	var order []string
	by := map[string]*Coverage{}
	incomplete := map[string]bool{}
	for _, r := range shards {
		for _, c := range r.Coverage {
			if c.Type == rulesCoverageType {
				continue
			}
			m := by[c.Provider]
			if m == nil {
				m = &Coverage{Provider: c.Provider, Type: c.Type, Errors: []CoverageError{}}
				by[c.Provider] = m
				order = append(order, c.Provider)
			}
			m.Records += c.Records
			m.DurationMS = max(m.DurationMS, c.DurationMS)
			// An error every shard met (the organisation could not be listed) is listed once.
			for _, e := range c.Errors {
				if !slices.Contains(m.Errors, e) {
					m.Errors = append(m.Errors, e)
				}
			}
			for _, s := range c.Skipped {
				if !slices.Contains(m.Skipped, s) {
					m.Skipped = append(m.Skipped, s)
				}
			}
			if c.Status != CoverageComplete {
				incomplete[c.Provider] = true
			}
		}
	}
	out := make([]Coverage, 0, len(order))
	for _, p := range order {
		c := *by[p]
		switch {
		case !incomplete[p] && len(c.Errors) == 0:
			c.Status = CoverageComplete
		case c.Records > 0:
			c.Status = CoveragePartial
		default:
			c.Status = CoverageFailed
		}
		out = append(out, c)
	}
	return out
}
