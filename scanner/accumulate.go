package scanner

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
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
	unidentified map[unidKey]*unidentifiedAcc

	mu       sync.Mutex // guards findings and byGroup (matches can arrive from the evaluator concurrently)
	findings map[string]*findingAcc
	byGroup  map[groupID]*findingAcc // the same findings by rule and group key, so a match needs no hashing

	// resolved memoises the resolution of single-hint records by kind and hint (Resolver says it may): real
	// sources repeat the same few thousand client IDs, merchants and hosts over millions of records.
	resolved map[resolveKey]Resolution

	users *nameIDs // the users of every roll-up, numbered once

	// cur is the record being evaluated; emitRecord (a.addRecordMatch, bound once) folds its matches.
	cur        *Record
	emitRecord func(Match)
	// curKey is cur's hashed evidence key once a finding that counts by keys needed it: a record matches several
	// such findings (one per rule grouped by vendor, say), and hashing it once is enough.
	curKey    evHash
	curKeySet bool

	notSoftware int // unresolved records their provider marked software_likely=false (meals, travel)

	evaluated  atomic.Int64
	evalErrors atomic.Int64
	firstErr   atomic.Value // string
}

type vendorAcc struct {
	item InventoryItem
	seen seenSets
}

type unidentifiedAcc struct {
	u        Unidentified
	nameRank int // 0 unset, 1 a name hint, 2 a summary: the name shown is the best-ranked, then the smallest
	seen     seenSets
	kinds    map[string]struct{}
}

// row is the group as the report lists it, its sets sorted.
func (u *unidentifiedAcc) row() Unidentified {
	x := u.u
	x.Users, x.Sources, x.Scopes = u.seen.lists()
	x.UserCount = len(x.Users)
	x.Kinds = sortedKeys(u.kinds)
	return x
}

// seenSets are the distinct users, sources and scopes of the records rolled up into one inventory or unidentified
// row. Users are numbered by the accumulator's shared table (see nameIDs).
type seenSets struct {
	names           *nameIDs
	users           idSet
	sources, scopes map[string]struct{}
	lastSource      string
	lastScopes      []string // a copy: every scope in it is in scopes
}

func newSeenSets(names *nameIDs) seenSets {
	return seenSets{names: names, sources: map[string]struct{}{}, scopes: map[string]struct{}{}}
}

func (s *seenSets) add(rec *Record, user string) {
	// Consecutive records of a roll-up mostly share their source and scopes: compared, not hashed again.
	if rec.Source != s.lastSource || len(s.sources) == 0 {
		s.sources[rec.Source] = struct{}{}
		s.lastSource = rec.Source
	}
	if user != "" {
		s.users.add(s.names.id(user))
	}
	if !slices.Equal(rec.Scopes, s.lastScopes) {
		for _, sc := range rec.Scopes {
			s.scopes[sc] = struct{}{}
		}
		s.lastScopes = append(s.lastScopes[:0], rec.Scopes...)
	}
}

// merge adds the lists of a shard's roll-up.
func (s *seenSets) merge(users, sources, scopes []string) {
	for _, u := range users {
		s.users.add(s.names.id(u))
	}
	addSet(s.sources, sources)
	addSet(s.scopes, scopes)
}

// lists returns the sets sorted.
func (s *seenSets) lists() (users, sources, scopes []string) {
	return s.users.names(s.names), sortedKeys(s.sources), sortedKeys(s.scopes)
}

type findingAcc struct {
	f Finding // f.EvidenceCount is brought up to date by settle
	// hashed: the evidence is counted by keys, not by the kept list (see keepEvidence). keys are then the hashed
	// keys of the evidence counted, to count each record once: keys[:nSorted] are sorted and distinct, the rest
	// is appended since and merged by settle. Appending costs a fraction of a set insert (a finding can have
	// millions of pieces of evidence), and the slice holds no pointers for the collector.
	hashed  bool
	keys    []evHash
	nSorted int
	base    int   // evidence counted by absorbed shards (their records are disjoint from each other)
	msgKey  evKey // evidence key of the match whose message is shown
	heaped  bool  // f.Evidence is full and kept as a max-heap by key (see keepEvidence)
}

// countByKeys moves the count from the kept list to hashed keys: the list holds every piece counted so far.
func (fa *findingAcc) countByKeys() {
	if fa.hashed {
		return
	}
	fa.hashed = true
	fa.keys = make([]evHash, 0, 2*len(fa.f.Evidence))
	for i := range fa.f.Evidence {
		fa.keys = append(fa.keys, keyOf(&fa.f.Evidence[i]).hash())
	}
}

// settle merges the keys appended since the last call and sets f.EvidenceCount.
func (fa *findingAcc) settle() {
	if !fa.hashed {
		fa.f.EvidenceCount = fa.base + len(fa.f.Evidence)
		return
	}
	if len(fa.keys) > fa.nSorted {
		sortHashes(fa.keys)
		fa.keys = slices.Compact(fa.keys)
		fa.nSorted = len(fa.keys)
	}
	fa.f.EvidenceCount = fa.base + len(fa.keys)
}

func compareHashes(a, b evHash) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

// sortHashes sorts evidence hashes. Large sets (a finding of a million records) are sorted by a radix sort on the
// first word, a byte a pass, then runs that share the first word by the second: linear passes over memory
// instead of n log n comparisons through a function.
func sortHashes(h []evHash) {
	if len(h) < 1<<12 {
		slices.SortFunc(h, compareHashes)
		return
	}
	buf := make([]evHash, len(h))
	src, dst := h, buf
	var count [256]int
	for shift := 0; shift < 64; shift += 8 {
		clear(count[:])
		for i := range src {
			count[uint8(src[i][0]>>shift)]++
		}
		pos := 0
		for d, n := range count {
			count[d] = pos
			pos += n
		}
		for i := range src {
			d := uint8(src[i][0] >> shift)
			dst[count[d]] = src[i]
			count[d]++
		}
		src, dst = dst, src
	}
	// An even number of passes: the sorted keys are back in h.
	for i := 0; i < len(h); {
		j := i + 1
		for j < len(h) && h[j][0] == h[i][0] {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(h[i:j], compareHashes)
		}
		i = j
	}
}

// hasEvidence reports whether ev holds a piece with key k.
func hasEvidence(ev []Evidence, k evKey) bool {
	for i := range ev {
		if ev[i].ID == k.id && ev[i].Kind == k.kind && ev[i].Provider == k.provider {
			return true
		}
	}
	return false
}

// evKey identifies one piece of evidence: a record's provider, kind and ID.
type evKey struct{ provider, kind, id string }

// evHash is an evKey hashed to 128 bits, for the sets that count distinct evidence: a finding can have millions
// of pieces, and a set of two words per piece (no pointers for the collector to follow) costs a fraction of a set
// of strings. Two different keys share a hash with probability about n²/2¹²⁹ (10⁻²⁷ for a million records).
type evHash [2]uint64

var evSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func (k evKey) hash() evHash {
	var out evHash
	var h maphash.Hash
	for i, seed := range evSeeds {
		h.SetSeed(seed)
		h.WriteString(k.provider)
		h.WriteByte(0)
		h.WriteString(k.kind)
		h.WriteByte(0)
		h.WriteString(k.id)
		out[i] = h.Sum64()
	}
	return out
}

func keyOf(e *Evidence) evKey { return evKey{e.Provider, e.Kind, e.ID} }

// less orders keys by provider, kind, then ID (as evidenceLess).
func (k evKey) less(o evKey) bool {
	if k.provider != o.provider {
		return k.provider < o.provider
	}
	if k.kind != o.kind {
		return k.kind < o.kind
	}
	return k.id < o.id
}

// String is the key as shard states carry it (ShardFinding.MessageKey); "" for no evidence.
func (k evKey) String() string {
	if k == (evKey{}) {
		return ""
	}
	return k.provider + "\x00" + k.kind + "\x00" + k.id
}

func parseEvKey(s string) evKey {
	if s == "" {
		return evKey{}
	}
	p := strings.SplitN(s, "\x00", 3)
	for len(p) < 3 {
		p = append(p, "")
	}
	return evKey{p[0], p[1], p[2]}
}

type resolveKey struct {
	kind string
	hint Hint
}

// maxResolved bounds the resolution memo; when full it is emptied and fills again.
const maxResolved = 1 << 16

// resolve resolves a record, from the memo when it has one hint.
func (a *accumulator) resolve(rec *Record) Resolution {
	if len(rec.Hints) != 1 {
		return a.opts.Resolver.Resolve(rec)
	}
	k := resolveKey{rec.Kind, rec.Hints[0]}
	if res, ok := a.resolved[k]; ok {
		return res
	}
	res := a.opts.Resolver.Resolve(rec)
	if len(a.resolved) >= maxResolved {
		clear(a.resolved)
	}
	a.resolved[k] = res
	return res
}

// groupID is a finding's identity before hashing: rule and group key (Fingerprint hashes them).
type groupID struct{ rule, group string }

func newAccumulator(opts Options) *accumulator {
	a := &accumulator{opts: opts, vendors: map[string]*vendorAcc{}, unidentified: map[unidKey]*unidentifiedAcc{},
		findings: map[string]*findingAcc{}, byGroup: map[groupID]*findingAcc{}, resolved: map[resolveKey]Resolution{}, users: newNameIDs()}
	a.emitRecord = a.addRecordMatch
	return a
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
		res = a.resolve(rec)
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
	a.cur, a.curKeySet = rec, false
	err := a.opts.Evaluator.EvaluateRecord(ctx, rec, res, appr, a.emitRecord)
	a.cur = nil
	if err != nil {
		a.noteEvalError(err)
	}
}

// addRecordMatch folds a match on the record being evaluated; without evidence of its own, the match's evidence is
// the record (RecordEvidence), built only if the finding keeps it.
func (a *accumulator) addRecordMatch(m Match) {
	if m.Evidence != nil || a.cur == nil {
		a.addMatch(m)
		return
	}
	a.fold(m, a.cur)
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

// vendor returns the roll-up of a vendor, new (with this approval status) when it has none yet.
func (a *accumulator) vendor(vd Vendor, approval string) *vendorAcc {
	v := a.vendors[vd.ID]
	if v == nil {
		v = &vendorAcc{item: InventoryItem{Vendor: vd, Approval: approval, MonthlySpend: map[string]float64{},
			Kinds: map[string]int{}}, seen: newSeenSets(a.users)}
		a.vendors[vd.ID] = v
	}
	return v
}

// unidKey is an unidentified group's key in parts, so that a record finds its group without building the string:
// the report's key is kind + ":" + value, kind a hint type or "kind" (then value is a record kind).
type unidKey struct{ kind, value string }

func parseUnidKey(s string) unidKey {
	k, v, _ := strings.Cut(s, ":")
	return unidKey{k, v}
}

// unidentifiedGroup returns the roll-up of an unidentified group, new when it has none yet.
func (a *accumulator) unidentifiedGroup(key unidKey, t HintType, value string) *unidentifiedAcc {
	u := a.unidentified[key]
	if u == nil {
		u = &unidentifiedAcc{u: Unidentified{Key: key.kind + ":" + key.value, HintType: t, Value: value},
			seen: newSeenSets(a.users), kinds: map[string]struct{}{}}
		a.unidentified[key] = u
	}
	return u
}

// offerName takes a group's display name when it ranks better (lower; 0 is none) than the one held, or equal and
// smaller: records and shards arrive in no fixed order, and the name must not depend on it.
func (u *unidentifiedAcc) offerName(name string, rank int) {
	if rank > 0 && (u.nameRank == 0 || rank < u.nameRank || (rank == u.nameRank && name < u.u.Name)) {
		u.u.Name, u.nameRank = name, rank
	}
}

func (a *accumulator) addVendor(rec *Record, res Resolution, appr Approval, user string) {
	v := a.vendor(*res.Vendor, appr.Status)
	it := &v.item
	it.Records++
	it.Kinds[rec.Kind]++
	v.seen.add(rec, user)
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
	key := unidKey{string(h.Type), strings.ToLower(h.Value)}
	if h.Value == "" {
		h = Hint{}
		key = unidKey{"kind", rec.Kind}
	}
	u := a.unidentifiedGroup(key, h.Type, h.Value)
	u.u.Records++
	// Records arrive in no fixed order across providers; choose the value (spellings of one key differ in case
	// only) and the name so that order does not matter.
	if h.Value < u.u.Value {
		u.u.Value = h.Value
	}
	u.offerName(unidentifiedName(rec, res))
	u.kinds[rec.Kind] = struct{}{}
	u.seen.add(rec, user)
	widen(&u.u.FirstSeen, &u.u.LastSeen, rec)
}

// Fingerprint is the stable ID of a finding: a hash of the rule ID and the group key, never of times.
func Fingerprint(ruleID, groupKey string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + groupKey))
	return hex.EncodeToString(sum[:16])
}

func evidenceLess(a, b Evidence) bool { return compareEvidence(a, b) < 0 }

// compareEvidence orders evidence by provider, kind, then ID.
func compareEvidence(a, b Evidence) int {
	if c := strings.Compare(a.Provider, b.Provider); c != 0 {
		return c
	}
	if c := strings.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// addMatch folds a match into its finding. Evidence is kept deterministically: the first MaxEvidence items in
// (provider, kind, id) order, whatever order records arrived in; evidence_count counts every distinct item.
func (a *accumulator) addMatch(m Match) { a.fold(m, nil) }

// fold is addMatch; when rec is not nil, the match has no evidence of its own and rec is its evidence.
func (a *accumulator) fold(m Match, rec *Record) {
	var key evKey
	if rec != nil {
		key = evKey{rec.Provider, rec.Kind, rec.ID}
	} else if len(m.Evidence) > 0 {
		key = keyOf(&m.Evidence[0])
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	gid := groupID{m.RuleID, m.GroupKey}
	fa := a.byGroup[gid]
	if fa == nil {
		fp := Fingerprint(m.RuleID, m.GroupKey)
		if fa = a.findings[fp]; fa == nil {
			fa = &findingAcc{f: Finding{Fingerprint: fp, RuleID: m.RuleID, Title: m.Title, Severity: m.Severity,
				Vendor: m.Vendor, Message: m.Message, Remediation: m.Remediation, Evidence: []Evidence{}},
				msgKey: key}
			a.findings[fp] = fa
		} else {
			a.takeMessage(fa, m, key)
		}
		a.byGroup[gid] = fa
	} else {
		a.takeMessage(fa, m, key)
	}
	if rec != nil {
		a.keepEvidence(fa, key, nil, rec)
		return
	}
	for i := range m.Evidence {
		a.keepEvidence(fa, keyOf(&m.Evidence[i]), &m.Evidence[i], nil)
	}
}

// takeMessage makes m's text the finding's when m is more severe or, among equals, its evidence comes first in
// sort order, so that the arrival order of records does not change the report.
func (a *accumulator) takeMessage(fa *findingAcc, m Match, key evKey) {
	if r, cur := SeverityRank(m.Severity), SeverityRank(fa.f.Severity); r > cur || (r == cur && key.less(fa.msgKey)) {
		fa.f.Severity, fa.f.Title, fa.f.Message, fa.f.Remediation, fa.msgKey = m.Severity, m.Title, m.Message, m.Remediation, key
	}
}

// keepEvidence counts one piece of evidence (e, or the record rec) and keeps it if it is among the first
// MaxEvidence keys. While every piece counted is kept, the kept list is the count (most findings never fill it,
// and then no key is hashed); once a new piece finds the list full, the count moves to hashed keys and the kept
// evidence becomes a max-heap by key, so a new piece is compared with the largest kept one only.
func (a *accumulator) keepEvidence(fa *findingAcc, k evKey, e *Evidence, rec *Record) {
	ev := fa.f.Evidence
	if !fa.hashed {
		if hasEvidence(ev, k) {
			return // counted and kept already
		}
		if len(ev) < a.opts.MaxEvidence {
			fa.f.Evidence = append(ev, evidenceOf(e, rec))
			return
		}
		fa.countByKeys()
	}
	fa.keys = append(fa.keys, a.hashOf(k, rec))
	if len(fa.keys) >= 2*fa.nSorted+4096 {
		fa.settle() // amortised: the unmerged part stays at most the size of the merged one
	}
	if len(ev) < a.opts.MaxEvidence {
		if !hasEvidence(ev, k) {
			fa.f.Evidence = append(ev, evidenceOf(e, rec))
		}
		return
	}
	if !fa.heaped {
		for i := len(ev)/2 - 1; i >= 0; i-- {
			siftDown(ev, i)
		}
		fa.heaped = true
	}
	// A piece already kept is not kept twice; one not kept before was larger than every kept piece then, and the
	// kept pieces only got smaller since, so it is not kept now either.
	if len(ev) > 0 && k.less(keyOf(&ev[0])) && !hasEvidence(ev, k) {
		ev[0] = evidenceOf(e, rec)
		siftDown(ev, 0)
	}
}

// hashOf is k.hash(), computed once per record being evaluated (k is then that record's key).
func (a *accumulator) hashOf(k evKey, rec *Record) evHash {
	if rec == nil || rec != a.cur {
		return k.hash()
	}
	if !a.curKeySet {
		a.curKey, a.curKeySet = k.hash(), true
	}
	return a.curKey
}

func evidenceOf(e *Evidence, rec *Record) Evidence {
	if e != nil {
		return *e
	}
	return RecordEvidence(rec)
}

// siftDown restores the max-heap (by key) below i.
func siftDown(ev []Evidence, i int) {
	for {
		l := 2*i + 1
		if l >= len(ev) {
			return
		}
		big := l
		if r := l + 1; r < len(ev) && evidenceLess(ev[l], ev[r]) {
			big = r
		}
		if !evidenceLess(ev[i], ev[big]) {
			return
		}
		ev[i], ev[big] = ev[big], ev[i]
		i = big
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
		it.Users, it.Sources, it.Scopes = v.seen.lists()
		it.UserCount = len(it.Users)
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
		rep.Unidentified = append(rep.Unidentified, u.row())
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
	rep.Findings = make([]Finding, 0, len(a.findings))
	for _, fa := range a.findings {
		fa.settle()
		f := fa.f
		slices.SortFunc(f.Evidence, compareEvidence)
		rep.Findings = append(rep.Findings, f)
	}
	SortFindings(rep.Findings)
	return rep
}

// SortFindings orders findings by severity (highest first), rule, vendor and fingerprint.
func SortFindings(fs []Finding) {
	// The keys are computed once (lower-casing a vendor name per comparison allocates), and an index is sorted
	// rather than the findings, which are large to swap.
	type sortKey struct {
		rank          int
		rule, vendor  string
		fingerprint   string
		originalIndex int
	}
	keys := make([]sortKey, len(fs))
	for i := range fs {
		f := &fs[i]
		k := sortKey{rank: SeverityRank(f.Severity), rule: f.RuleID, fingerprint: f.Fingerprint, originalIndex: i}
		if f.Vendor != nil {
			k.vendor = strings.ToLower(f.Vendor.Name)
		}
		keys[i] = k
	}
	compare := func(a, b sortKey) int {
		if a.rank != b.rank {
			return cmp.Compare(b.rank, a.rank)
		}
		if c := strings.Compare(a.rule, b.rule); c != 0 {
			return c
		}
		if c := strings.Compare(a.vendor, b.vendor); c != 0 {
			return c
		}
		if c := strings.Compare(a.fingerprint, b.fingerprint); c != 0 {
			return c
		}
		return cmp.Compare(a.originalIndex, b.originalIndex)
	}
	if slices.IsSortedFunc(keys, compare) {
		return // as the scan leaves them (finish sorts; the lifecycle sorts again)
	}
	// The original index makes the order total, so an unstable sort gives the stable order, and faster.
	slices.SortFunc(keys, compare)
	// Position i takes the finding at keys[i].originalIndex: applied in place, cycle by cycle, rather than through
	// a sorted copy of every finding (a scan's largest temporary allocation).
	for i := range keys {
		if keys[i].originalIndex < 0 {
			continue
		}
		first := fs[i]
		j := i
		for {
			from := keys[j].originalIndex
			keys[j].originalIndex = -1
			if from == i {
				fs[j] = first
				break
			}
			fs[j] = fs[from]
			j = from
		}
	}
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
