package rules

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// DefaultThresholds are the numbers rules read as org.thresholds.<name> unless rules.thresholds overrides them.
var DefaultThresholds = map[string]int{
	// many_users is how many distinct users make an unapproved tool "used by many people".
	"many_users": 10,
}

// OrgInfo is what the engine tells rules about the organisation (the CEL `org`).
type OrgInfo struct {
	Organization scanner.Organization
	// Thresholds are merged over DefaultThresholds (config rules.thresholds).
	Thresholds map[string]int
	// Policy gives inventory-stage rules the full approval of each vendor and org.approved_by_subcategory; nil:
	// only the status the scanner recorded in the inventory, and nothing approved.
	Policy scanner.Policy
	// Now is the scan clock (org.now); default time.Now.
	Now func() time.Time
}

// Engine evaluates a RuleSet. It implements scanner.Evaluator and is safe for concurrent use.
type Engine struct {
	rs      *RuleSet
	org     *orgView
	policy  scanner.Policy
	adapter types.Adapter

	byKind       map[string][]*Rule // record-stage rules that can match each kind (kind-specific + any-kind)
	anyKind      []*Rule            // record-stage rules with no kind restriction
	inventory    []*Rule
	unidentified []*Rule

	pool sync.Pool // *evalState

	mu       sync.Mutex
	rendered map[renderKey]renderedText
	byInputs map[string]renderedText // by keyEnc.renderKey: the exact template inputs
}

type renderKey struct {
	rule  int
	group string
	// name is an unknown vendor's name when the templates read it: it comes from each record's name hint, so two
	// records of one group may disagree; each name gets its own text, and the scanner shows the text of the
	// group's first record in (provider, kind, id) order, whatever the arrival order.
	name string
}

type renderedText struct {
	message, remediation string
}

// evalState is the per-evaluation scratch space, pooled.
type evalState struct {
	guard  guardIn
	act    activation
	record recordView
	vendor vendorView
	appr   approvalView
	usage  usageView
	key    keyEnc
}

// activation resolves the CEL variables of one evaluation.
type activation struct {
	record, vendor, approval, org, usage ref.Val
}

func (a *activation) ResolveName(name string) (any, bool) {
	var v ref.Val
	switch name {
	case "record":
		v = a.record
	case "vendor":
		v = a.vendor
	case "approval":
		v = a.approval
	case "org":
		v = a.org
	case "usage":
		v = a.usage
	}
	return v, v != nil
}

func (a *activation) Parent() interpreter.Activation { return nil }

// NewEngine builds an engine over a rule set.
func NewEngine(rs *RuleSet, org OrgInfo) *Engine {
	ev, err := stageEnvs()
	if err != nil {
		// The environment is fixed; Load would already have failed.
		panic(err)
	}
	e := &Engine{rs: rs, policy: org.Policy, adapter: ev.provider, byKind: map[string][]*Rule{},
		rendered: map[renderKey]renderedText{}, byInputs: map[string]renderedText{}}
	e.org = newOrgView(org, ev.provider)
	var specific []*Rule
	for _, r := range rs.Rules {
		switch r.Stage {
		case StageRecord:
			if r.kinds == nil {
				e.anyKind = append(e.anyKind, r)
			} else {
				specific = append(specific, r)
			}
		case StageInventory:
			e.inventory = append(e.inventory, r)
		case StageUnidentified:
			e.unidentified = append(e.unidentified, r)
		}
	}
	for _, r := range specific {
		for k := range r.kinds {
			e.byKind[k] = append(e.byKind[k], r)
		}
	}
	for k, list := range e.byKind {
		list = append(list, e.anyKind...)
		sort.Slice(list, func(i, j int) bool { return list[i].index < list[j].index })
		e.byKind[k] = list
	}
	e.pool.New = func() any { return &evalState{} }
	return e
}

func newOrgView(org OrgInfo, adapter types.Adapter) *orgView {
	now := time.Now
	if org.Now != nil {
		now = org.Now
	}
	th := map[string]int{}
	for k, v := range DefaultThresholds {
		th[k] = v
	}
	for k, v := range org.Thresholds {
		th[k] = v
	}
	ov := &orgView{name: org.Organization.Name, domains: org.Organization.Domains,
		orgUnits: org.Organization.Marketing.OrgUnits, departments: org.Organization.Marketing.Departments,
		awsTags: org.Organization.Marketing.AWSTags, thresholds: th, now: now().UTC(),
	}
	ov.approvedBy, ov.approvedIDs = policy.ApprovedBySubcategory(org.Policy)
	ov.build(adapter)
	return ov
}

// Rules returns the engine's rule set.
func (e *Engine) Rules() *RuleSet { return e.rs }

// EvaluateRecord runs every record-stage rule that can match the record's kind.
func (e *Engine) EvaluateRecord(ctx context.Context, rec *scanner.Record, res scanner.Resolution, appr scanner.Approval, emit func(scanner.Match)) error {
	rules, ok := e.byKind[rec.Kind]
	if !ok {
		rules = e.anyKind
	}
	if len(rules) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	st := e.pool.Get().(*evalState)
	defer e.pool.Put(st)
	st.guard.reset(rec, res.Vendor, &appr)
	ready := false

	var errs evalErrors
	known := 1
	if res.Vendor == nil {
		known = -1
	}
	for _, r := range rules {
		if r.known != 0 && r.known != known {
			continue // the rule's `when` requires the opposite of vendor.known
		}
		decided := false
		if r.decide != nil {
			match, known := r.decide(&st.guard)
			if known && !match {
				continue // `when` is false for this record
			}
			decided = known
		} else if r.prefilter != nil && !r.prefilter(&st.guard) {
			continue // a term of `when` is false for this record
		}
		if !ready {
			// The activation is built once per record, and only for a record some rule may match.
			st.record.reset(rec, e.org, e.adapter)
			st.vendor.resetRecord(rec, res, e.adapter)
			st.appr.reset(appr, e.adapter)
			st.act = activation{record: &st.record, vendor: &st.vendor, approval: &st.appr, org: e.org}
			ready = true
		}
		m, ok, err := e.eval(ctx, r, st, decided)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs.add(fmt.Errorf("rule %s on record %s/%s: %w", r.ID, rec.Provider, rec.ID, err))
		}
		if !ok {
			continue
		}
		m.Vendor = res.Vendor // the scanner adds the record's evidence (scanner.RecordEvidence)
		emit(m)
	}
	st.record.rec, st.vendor.rec, st.guard.rec = nil, nil, nil
	return errs.err()
}

// EvaluateInventory runs the inventory-stage rules once per vendor and the unidentified-stage rules once per
// unidentified group.
func (e *Engine) EvaluateInventory(ctx context.Context, inv []scanner.InventoryItem, unidentified []scanner.Unidentified, emit func(scanner.Match)) error {
	var errs evalErrors
	st := e.pool.Get().(*evalState)
	defer e.pool.Put(st)
	if len(e.inventory) > 0 {
		for i := range inv {
			it := &inv[i]
			appr := scanner.Approval{Status: it.Approval}
			if e.policy != nil {
				appr = e.policy.Approval(it.Vendor.ID)
			}
			st.vendor.resetKnown(it.Vendor, e.adapter)
			st.appr.reset(appr, e.adapter)
			st.usage.reset(it, nil, e.adapter)
			st.act = activation{vendor: &st.vendor, approval: &st.appr, org: e.org, usage: &st.usage}
			for _, r := range e.inventory {
				m, ok, err := e.eval(ctx, r, st, false)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					errs.add(fmt.Errorf("rule %s on vendor %s: %w", r.ID, it.Vendor.ID, err))
				}
				if !ok {
					continue
				}
				v := it.Vendor
				m.Vendor = &v
				m.Evidence = []scanner.Evidence{{Provider: "shadowscan", Kind: "inventory", ID: it.Vendor.ID,
					Summary: usageSummary(it.Records, it.UserCount, it.Sources)}}
				emit(m)
			}
		}
	}
	if len(e.unidentified) > 0 {
		for i := range unidentified {
			u := &unidentified[i]
			name := u.Name
			if name == "" {
				name = u.Value
			}
			st.vendor.resetUnknown(u.Key, name, e.adapter)
			st.appr.reset(scanner.Approval{Status: scanner.ApprovalUnapproved}, e.adapter)
			st.usage.reset(nil, u, e.adapter)
			st.act = activation{vendor: &st.vendor, approval: &st.appr, org: e.org, usage: &st.usage}
			for _, r := range e.unidentified {
				m, ok, err := e.eval(ctx, r, st, false)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					errs.add(fmt.Errorf("rule %s on unidentified %s: %w", r.ID, u.Key, err))
				}
				if !ok {
					continue
				}
				m.Evidence = []scanner.Evidence{{Provider: "shadowscan", Kind: "unidentified", ID: u.Key,
					Summary: textsafe.Clean(strings.TrimSpace(name + ": " + usageSummary(u.Records, u.UserCount, u.Sources)))}}
				emit(m)
			}
		}
	}
	st.usage = usageView{}
	return errs.err()
}

func usageSummary(records, users int, sources []string) string {
	s := fmt.Sprintf("%d %s", records, plural(records, "record", "records"))
	if users > 0 {
		s += fmt.Sprintf(", %d %s", users, plural(users, "user", "users"))
	}
	if len(sources) > 0 {
		s += " (" + strings.Join(sources, ", ") + ")"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// eval evaluates one rule against the state's activation; ok is false when the rule does not match. matched says
// that Go decided `when` is true for the record (Rule.decide): the program is not run.
func (e *Engine) eval(ctx context.Context, r *Rule, st *evalState, matched bool) (m scanner.Match, ok bool, err error) {
	if !matched {
		out, err := r.when.eval(ctx, &st.act)
		if err != nil {
			return m, false, err
		}
		if out != types.True {
			if b, isBool := out.(types.Bool); isBool && !bool(b) {
				return m, false, nil
			}
			return m, false, fmt.Errorf("when returned %v, not a bool", out)
		}
	}
	key, inGo := "", false
	if r.groupField != nil {
		key, inGo = r.groupField(st)
	}
	if !inGo {
		gv, err := r.groupBy.eval(ctx, &st.act)
		if err != nil {
			return m, false, fmt.Errorf("group_by: %w", err)
		}
		s, isStr := gv.(types.String)
		if !isStr {
			return m, false, fmt.Errorf("group_by returned %v, not a string", gv)
		}
		key = string(s)
	}
	m = scanner.Match{RuleID: r.ID, Title: r.Title, Severity: r.Severity, GroupKey: key}
	txt, err := e.render(ctx, r, key, st)
	if err != nil {
		// The rule matched: report it with plain text rather than lose it, and return the error so that the scan
		// notes a rules problem.
		m.Message = r.Title + "."
		return m, true, fmt.Errorf("rendering the message: %w", err)
	}
	m.Message, m.Remediation = txt.message, txt.remediation
	return m, true, nil
}

// render returns the rule's message and remediation for a group. The templates read only what the group
// determines (checkGrouped), so they are rendered once per group and cached.
func (e *Engine) render(ctx context.Context, r *Rule, group string, st *evalState) (renderedText, error) {
	k := renderKey{rule: r.index, group: group}
	if st.act.record != nil && !st.vendor.known && r.readsVendorName() {
		k.name = st.vendor.nameVal()
	}
	var txt renderedText
	byGroup := &k
	if r.groupPerRecord {
		byGroup = nil // one record per group: a cache by group would only grow
	} else {
		e.mu.Lock()
		cached, ok := e.rendered[k]
		e.mu.Unlock()
		if ok {
			return cached, nil
		}
	}
	// A new group: the text may still be known by the exact inputs (a rule grouped by record.id, whose records
	// name the same vendor and attributes).
	ke := &st.key
	byInputs := ke.renderKey(ctx, r, &r.plan, st)
	var vars []ref.Val
	if byInputs {
		e.mu.Lock()
		cached, ok := e.byInputs[string(ke.b)]
		e.mu.Unlock()
		if ok {
			e.remember(byGroup, "", cached)
			return cached, nil
		}
		vars = ke.vars
	}
	data, err := e.templateData(ctx, r, st, vars)
	clear(ke.vars)
	if err != nil {
		return txt, err
	}
	if txt.message, err = renderTemplate(r.message, data); err != nil {
		return txt, fmt.Errorf("message: %w", err)
	}
	if txt.remediation, err = renderTemplate(r.remediation, data); err != nil {
		return txt, fmt.Errorf("remediation: %w", err)
	}
	inputs := ""
	if byInputs {
		inputs = string(ke.b)
	}
	e.remember(byGroup, inputs, txt)
	return txt, nil
}

// remember caches a rendered text by group (unless byGroup is nil) and by inputs (unless inputs is ""). Both
// caches are bounded; past the bound, texts are rendered again.
func (e *Engine) remember(byGroup *renderKey, inputs string, txt renderedText) {
	e.mu.Lock()
	if byGroup != nil && len(e.rendered) < 1<<20 {
		e.rendered[*byGroup] = txt
	}
	if inputs != "" && e.byInputs != nil && len(e.byInputs) < 1<<16 {
		e.byInputs[inputs] = txt
	}
	e.mu.Unlock()
}

// templateData converts what the rule's templates read (Rule.needs) to plain Go values, evaluating only the vars
// they use (unless vars holds them already, by index of r.vars).
func (e *Engine) templateData(ctx context.Context, r *Rule, st *evalState, pre []ref.Val) (map[string]any, error) {
	data := make(map[string]any, 6)
	put := func(name string, v ref.Val) {
		if v == nil {
			return
		}
		if ok, fields := r.needs.wants(name); ok {
			data[name] = nativeFields(v, fields)
		}
	}
	put("record", st.act.record)
	put("usage", st.act.usage)
	put("vendor", st.act.vendor)
	put("approval", st.act.approval)
	put("org", st.act.org)
	if ok, names := r.needs.wants("vars"); ok {
		vars := make(map[string]any, len(r.vars))
		for i, p := range r.vars {
			name := r.Vars[i].Name
			if names != nil && !names[name] {
				continue
			}
			var v ref.Val
			if i < len(pre) && pre[i] != nil {
				v = pre[i]
			} else {
				var err error
				if v, err = p.eval(ctx, &st.act); err != nil {
					return nil, fmt.Errorf("vars.%s: %w", name, err)
				}
			}
			vars[name] = toNative(v)
		}
		data["vars"] = vars
	}
	return data, nil
}

// readsVendorName reports whether the rule's templates read vendor.name.
func (r *Rule) readsVendorName() bool {
	ok, fields := r.needs.wants("vendor")
	return ok && (fields == nil || fields["name"])
}

// nativeFields converts a view to a map of the given fields only (nil: every field), other values as toNative.
func nativeFields(v ref.Val, fields map[string]bool) any {
	obj, ok := v.(view)
	if !ok || fields == nil {
		return toNative(v)
	}
	d, self := obj.object()
	m := make(map[string]any, len(fields))
	for n := range fields {
		f := d.fields[n]
		if f == nil {
			continue // missingkey=error reports it, as it would with every field present
		}
		if x, ok := f.get(self); ok {
			m[n] = toNative(x)
		}
	}
	return m
}

// evalErrors keeps the first few evaluation errors of one call.
type evalErrors struct {
	list []error
	n    int
}

func (e *evalErrors) add(err error) {
	e.n++
	if len(e.list) < 3 {
		e.list = append(e.list, err)
	}
}

func (e *evalErrors) err() error {
	if e.n == 0 {
		return nil
	}
	err := errors.Join(e.list...)
	if e.n > len(e.list) {
		err = fmt.Errorf("%w (and %d more)", err, e.n-len(e.list))
	}
	return err
}
