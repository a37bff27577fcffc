package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// accumulator holds the streaming state of a scan: per-vendor roll-ups, unidentified groups and findings. It never
// keeps the records themselves.
type accumulator struct {
	opts Options

	vendors      map[string]*vendorAcc
	unidentified map[string]*unidentifiedAcc

	mu       sync.Mutex // guards findings (matches can arrive from the evaluator concurrently)
	findings map[string]*findingAcc

	notSoftware int // unresolved records their provider marked software_likely=false (meals, travel)

	evaluated  atomic.Int64
	evalErrors atomic.Int64
	firstErr   atomic.Value // string
}

type vendorAcc struct {
	item    InventoryItem
	users   map[string]struct{}
	sources map[string]struct{}
	scopes  map[string]struct{}
}

type unidentifiedAcc struct {
	u        Unidentified
	nameRank int // 0 unset, 1 a name hint, 2 a summary: the name shown is the best-ranked, then the smallest
	users    map[string]struct{}
	sources  map[string]struct{}
	kinds    map[string]struct{}
	scopes   map[string]struct{}
}

type findingAcc struct {
	f      Finding
	seen   map[string]struct{} // evidence keys, to count each record once
	msgKey string              // evidence key of the match whose message is shown
}

func evidenceKey(e Evidence) string { return e.Provider + "\x00" + e.Kind + "\x00" + e.ID }

func newAccumulator(opts Options) *accumulator {
	return &accumulator{opts: opts, vendors: map[string]*vendorAcc{}, unidentified: map[string]*unidentifiedAcc{},
		findings: map[string]*findingAcc{}}
}

// User returns the person a record belongs to, lower-cased, or "": how the scanner counts users and how rules see
// record.user.
func (r *Record) User() string {
	if r.Principal == nil {
		return ""
	}
	if r.Principal.Email != "" {
		return strings.ToLower(strings.TrimSpace(r.Principal.Email))
	}
	if r.Principal.Type == "user" && r.Principal.ID != "" {
		return strings.ToLower(r.Principal.ID)
	}
	return ""
}

// RecordEvidence is the evidence a record gives a finding: its provider, kind, ID and a one-line summary (the
// provider's, or kind, ID and user), with terminal controls removed.
func RecordEvidence(rec *Record) Evidence {
	s := rec.Summary
	if s == "" {
		s = rec.Kind + " " + rec.ID
		if u := rec.User(); u != "" {
			s += " (" + u + ")"
		}
	}
	return Evidence{Provider: rec.Provider, Kind: rec.Kind, ID: rec.ID, Summary: textsafe.Clean(s)}
}

// strongestHint picks the hint that best identifies what an unresolved record is.
func strongestHint(r *Record) (Hint, bool) {
	for _, t := range HintTypes {
		if h, ok := r.Hint(t); ok {
			return h, true
		}
	}
	return Hint{}, false
}

func (a *accumulator) add(ctx context.Context, rec *Record) {
	res := Resolution{}
	if a.opts.Resolver != nil {
		res = a.opts.Resolver.Resolve(rec)
	}
	appr := Approval{Status: ApprovalUnapproved}
	user := rec.User()
	if res.Vendor != nil {
		if a.opts.Policy != nil {
			appr = a.opts.Policy.Approval(res.Vendor.ID)
		}
		a.addVendor(rec, res, appr, user)
	} else if soft, ok := rec.Attributes[AttrSoftwareLikely].(bool); ok && !soft {
		// Not software and no catalogue vendor: a taxi or a lunch is not shadow IT. Counted, not reported.
		a.notSoftware++
		return
	} else {
		a.addUnidentified(rec, res, user)
	}
	if a.opts.Evaluator == nil {
		return
	}
	a.evaluated.Add(1)
	emit := func(m Match) {
		if m.Evidence == nil {
			m.Evidence = []Evidence{RecordEvidence(rec)}
		}
		a.addMatch(m)
	}
	if err := a.opts.Evaluator.EvaluateRecord(ctx, rec, res, appr, emit); err != nil {
		a.noteEvalError(err)
	}
}

func (a *accumulator) noteEvalError(err error) {
	if a.evalErrors.Add(1) == 1 {
		a.firstErr.Store(err.Error())
	}
	a.opts.Logger.Warn().Err(err).Str("component", "rules").Msg("rule evaluation failed")
}

// rulesCoverageType is the coverage type of the line that reports failed rule evaluations.
const rulesCoverageType = "rules"

// rulesCoverage is the coverage line for failed rule evaluations, if any failed.
func (a *accumulator) rulesCoverage() (Coverage, bool) {
	n := a.evalErrors.Load()
	if n == 0 {
		return Coverage{}, false
	}
	return Coverage{Provider: "rules", Type: rulesCoverageType, Status: CoveragePartial, Records: int(a.evaluated.Load()),
		Errors: []CoverageError{{API: "evaluate",
			Message: fmt.Sprintf("%d rule evaluations failed; findings may be missing (first: %s)", n, a.firstEvalError())}}}, true
}

func (a *accumulator) firstEvalError() string {
	s, _ := a.firstErr.Load().(string)
	return s
}

func widen(first, last *time.Time, r *Record) {
	f, l := r.FirstSeen, r.LastSeen
	if f.IsZero() {
		f = l
	}
	if l.IsZero() {
		l = f
	}
	if !f.IsZero() && (first.IsZero() || f.Before(*first)) {
		*first = f.UTC()
	}
	if !l.IsZero() && (last.IsZero() || l.After(*last)) {
		*last = l.UTC()
	}
}

func (a *accumulator) addVendor(rec *Record, res Resolution, appr Approval, user string) {
	v := a.vendors[res.Vendor.ID]
	if v == nil {
		v = &vendorAcc{item: InventoryItem{Vendor: *res.Vendor, Approval: appr.Status, MonthlySpend: map[string]float64{},
			Kinds: map[string]int{}}, users: map[string]struct{}{}, sources: map[string]struct{}{}, scopes: map[string]struct{}{}}
		a.vendors[res.Vendor.ID] = v
	}
	it := &v.item
	it.Records++
	it.Kinds[rec.Kind]++
	v.sources[rec.Source] = struct{}{}
	if user != "" {
		v.users[user] = struct{}{}
	}
	for _, s := range rec.Scopes {
		v.scopes[s] = struct{}{}
	}
	if rec.Amount != nil {
		if m, ok := rec.Amount.Monthly(); ok {
			it.MonthlySpend[strings.ToUpper(rec.Amount.Currency)] += m
		}
	}
	widen(&it.FirstSeen, &it.LastSeen, rec)
}

func (a *accumulator) addUnidentified(rec *Record, res Resolution, user string) {
	h := res.Hint
	if h.Value == "" {
		h, _ = strongestHint(rec)
	}
	key := string(h.Type) + ":" + strings.ToLower(h.Value)
	if h.Value == "" {
		h = Hint{}
		key = "kind:" + rec.Kind
	}
	u := a.unidentified[key]
	if u == nil {
		u = &unidentifiedAcc{u: Unidentified{Key: key, HintType: h.Type, Value: h.Value}, users: map[string]struct{}{},
			sources: map[string]struct{}{}, kinds: map[string]struct{}{}, scopes: map[string]struct{}{}}
		a.unidentified[key] = u
	}
	u.u.Records++
	// Records arrive in no fixed order across providers; choose the name so that order does not matter.
	name, rank := unidentifiedName(rec, res)
	if rank > 0 && (u.nameRank == 0 || rank < u.nameRank || (rank == u.nameRank && name < u.u.Name)) {
		u.u.Name, u.nameRank = name, rank
	}
	u.sources[rec.Source] = struct{}{}
	u.kinds[rec.Kind] = struct{}{}
	if user != "" {
		u.users[user] = struct{}{}
	}
	for _, s := range rec.Scopes {
		u.scopes[s] = struct{}{}
	}
	widen(&u.u.FirstSeen, &u.u.LastSeen, rec)
}

// Fingerprint is the stable ID of a finding: a hash of the rule ID and the group key, never of times.
func Fingerprint(ruleID, groupKey string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + groupKey))
	return hex.EncodeToString(sum[:16])
}

func evidenceLess(a, b Evidence) bool {
	if a.Provider != b.Provider {
		return a.Provider < b.Provider
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.ID < b.ID
}

// addMatch folds a match into its finding. Evidence is kept deterministically: the first MaxEvidence items in
// (provider, kind, id) order, whatever order records arrived in; evidence_count counts every distinct item.
func (a *accumulator) addMatch(m Match) {
	fp := Fingerprint(m.RuleID, m.GroupKey)
	a.mu.Lock()
	defer a.mu.Unlock()
	key := ""
	if len(m.Evidence) > 0 {
		key = evidenceKey(m.Evidence[0])
	}
	fa := a.findings[fp]
	if fa == nil {
		fa = &findingAcc{f: Finding{Fingerprint: fp, RuleID: m.RuleID, Title: m.Title, Severity: m.Severity,
			Vendor: m.Vendor, Message: m.Message, Remediation: m.Remediation, Evidence: []Evidence{}},
			seen: map[string]struct{}{}, msgKey: key}
		a.findings[fp] = fa
	} else if r, cur := SeverityRank(m.Severity), SeverityRank(fa.f.Severity); r > cur || (r == cur && key < fa.msgKey) {
		// The shown severity is the highest; among equals the message of the first evidence in sort order, so
		// that the arrival order of records does not change the report.
		fa.f.Severity, fa.f.Title, fa.f.Message, fa.f.Remediation, fa.msgKey = m.Severity, m.Title, m.Message, m.Remediation, key
	}
	for _, e := range m.Evidence {
		k := evidenceKey(e)
		if _, dup := fa.seen[k]; dup {
			continue
		}
		fa.seen[k] = struct{}{}
		fa.f.EvidenceCount++
		ev := &fa.f.Evidence
		if len(*ev) < a.opts.MaxEvidence {
			*ev = append(*ev, e)
			continue
		}
		maxI := 0
		for i := range *ev {
			if evidenceLess((*ev)[maxI], (*ev)[i]) {
				maxI = i
			}
		}
		if evidenceLess(e, (*ev)[maxI]) {
			(*ev)[maxI] = e
		}
	}
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func round2(m map[string]float64) map[string]float64 {
	for k, v := range m {
		m[k] = math.Round(v*100) / 100
	}
	return m
}

// finish builds the inventory and unidentified lists, runs inventory-stage rules and returns the findings.
func (a *accumulator) finish(ctx context.Context) *Report {
	rep := &Report{Inventory: []InventoryItem{}, Unidentified: []Unidentified{}, Findings: []Finding{}, Resolved: []Finding{}}
	for _, v := range a.vendors {
		it := v.item
		it.Users = sortedKeys(v.users)
		it.UserCount = len(it.Users)
		it.Sources = sortedKeys(v.sources)
		it.Scopes = sortedKeys(v.scopes)
		it.MonthlySpend = round2(it.MonthlySpend)
		rep.Inventory = append(rep.Inventory, it)
	}
	sort.Slice(rep.Inventory, func(i, j int) bool {
		a, b := rep.Inventory[i].Vendor, rep.Inventory[j].Vendor
		if la, lb := strings.ToLower(a.Name), strings.ToLower(b.Name); la != lb {
			return la < lb
		}
		return a.ID < b.ID
	})
	for _, u := range a.unidentified {
		x := u.u
		x.Users = sortedKeys(u.users)
		x.UserCount = len(x.Users)
		x.Sources = sortedKeys(u.sources)
		x.Kinds = sortedKeys(u.kinds)
		x.Scopes = sortedKeys(u.scopes)
		rep.Unidentified = append(rep.Unidentified, x)
	}
	sort.Slice(rep.Unidentified, func(i, j int) bool { return rep.Unidentified[i].Key < rep.Unidentified[j].Key })

	if a.notSoftware > 0 {
		a.opts.Logger.Debug().Str("component", "scanner").Int("records", a.notSoftware).
			Msg("unresolved records marked as not software (travel, meals, retail) left out of the report")
	}
	if a.opts.Evaluator != nil {
		if err := a.opts.Evaluator.EvaluateInventory(ctx, rep.Inventory, rep.Unidentified, a.addMatch); err != nil {
			a.noteEvalError(err)
		}
	}
	for _, fa := range a.findings {
		f := fa.f
		sort.Slice(f.Evidence, func(i, j int) bool { return evidenceLess(f.Evidence[i], f.Evidence[j]) })
		rep.Findings = append(rep.Findings, f)
	}
	SortFindings(rep.Findings)
	return rep
}

// SortFindings orders findings by severity (highest first), rule, vendor and fingerprint.
func SortFindings(fs []Finding) {
	vname := func(f *Finding) string {
		if f.Vendor == nil {
			return ""
		}
		return strings.ToLower(f.Vendor.Name)
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if ra, rb := SeverityRank(a.Severity), SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if va, vb := vname(a), vname(b); va != vb {
			return va < vb
		}
		return a.Fingerprint < b.Fingerprint
	})
}

// unidentifiedName names an app the catalogue does not know. The name is shown to everyone (the serve page without
// its token), so it comes from typed vendor fields: a name hint, else a merchant descriptor. A record's free-text
// summary is used only when the record names no person (it may say who paid or granted); lower rank is better.
func unidentifiedName(rec *Record, res Resolution) (string, int) {
	if n, ok := rec.Hint(HintName); ok && n.Value != "" {
		return n.Value, 1
	}
	if res.Name != "" {
		return res.Name, 1 // the resolver's name for the group ("Landing Vendor (landing-vendor.example)")
	}
	if n, ok := rec.Hint(HintMerchant); ok && n.Value != "" {
		return n.Value, 2
	}
	if rec.Summary != "" && (rec.Principal == nil || !rec.Principal.IsPerson()) {
		return rec.Summary, 3
	}
	return "", 0
}
