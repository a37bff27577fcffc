package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// Case is one example (or one `rules test` case): the variables a rule sees.
type Case struct {
	File string
	Line int
	// Rule and Expect are set for cases in a test file: the rule to run and "match" or "no_match".
	Rule   string
	Expect string
	Name   string

	Record       *scanner.Record
	Resolution   scanner.Resolution
	Approval     scanner.Approval
	Usage        *scanner.InventoryItem
	Unidentified *scanner.Unidentified
	Org          *CaseOrg
}

// CaseOrg overrides the example organisation.
type CaseOrg struct {
	Name                  string              `json:"name"`
	Domains               []string            `json:"domains"`
	Marketing             *CaseMarketing      `json:"marketing"`
	Thresholds            map[string]int      `json:"thresholds"`
	ApprovedBySubcategory map[string][]string `json:"approved_by_subcategory"`
	Now                   string              `json:"now"`
}

// CaseMarketing is organization.marketing in a case.
type CaseMarketing struct {
	OrgUnits    []string          `json:"org_units"`
	Departments []string          `json:"departments"`
	AWSTags     map[string]string `json:"aws_tags"`
}

type caseVendor struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	Category      string        `json:"category"`
	Subcategories []string      `json:"subcategories"`
	Martech       bool          `json:"martech"`
	Confidence    *float64      `json:"confidence"`
	Reason        string        `json:"reason"`
	Hint          *scanner.Hint `json:"hint"`
}

type caseApproval struct {
	Status      string   `json:"status"`
	Owner       string   `json:"owner"`
	Ticket      string   `json:"ticket"`
	Expires     string   `json:"expires"`
	Notes       string   `json:"notes"`
	Scopes      []string `json:"scopes"`
	AWSAccounts []string `json:"aws_accounts"`
}

type caseUsage struct {
	Users        []string           `json:"users"`
	UserCount    *int               `json:"user_count"`
	Sources      []string           `json:"sources"`
	Records      *int               `json:"records"`
	Kinds        map[string]int     `json:"kinds"`
	Scopes       []string           `json:"scopes"`
	MonthlySpend map[string]float64 `json:"monthly_spend"`
	FirstSeen    time.Time          `json:"first_seen"`
	LastSeen     time.Time          `json:"last_seen"`
	// Unidentified groups only.
	Key      string `json:"key"`
	HintType string `json:"hint_type"`
	Value    string `json:"value"`
	Name     string `json:"name"`
}

// ExampleNow is org.now in examples and test cases unless a case sets org.now.
var ExampleNow = time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)

// exampleOrg is the organisation examples run against.
func exampleOrg() OrgInfo {
	return OrgInfo{
		Organization: scanner.Organization{Name: "Example", Domains: []string{"example.com"},
			Marketing: scanner.Marketing{OrgUnits: []string{"/Marketing"}, Departments: []string{"Marketing"},
				AWSTags: map[string]string{"cost-center": "marketing"}}},
		Now: func() time.Time { return ExampleNow },
	}
}

func parseExamples(doc *yamlDoc, id, stage string, n *yaml.Node) (Examples, Errors) {
	var ex Examples
	f, _, errs := doc.Fields(n, id, "examples", "match", "no_match")
	if f == nil {
		return ex, errs
	}
	for _, key := range []string{"match", "no_match"} {
		list := f[key]
		if list == nil {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			errs = append(errs, doc.ErrAt(list, id, "examples.%s must be a list", key))
			continue
		}
		for i, c := range list.Content {
			cs, es := parseCase(doc, id, stage, fmt.Sprintf("examples.%s[%d]", key, i), yamlpos.ResolveAlias(c), false)
			errs = append(errs, es...)
			if cs == nil {
				continue
			}
			if key == "match" {
				ex.Match = append(ex.Match, cs)
			} else {
				ex.NoMatch = append(ex.NoMatch, cs)
			}
		}
	}
	if len(errs) == 0 && len(ex.Match) == 0 {
		errs = append(errs, doc.ErrAt(n, id, "examples: at least one match example is required"))
	}
	return ex, errs
}

var caseKeys = []string{"record", "vendor", "approval", "org", "usage"}

// parseCase decodes one case. In a test file (testFile) it also has rule, expect and name.
func parseCase(doc *yamlDoc, id, stage, what string, n *yaml.Node, testFile bool) (*Case, Errors) {
	keys := caseKeys
	if testFile {
		keys = append(append([]string{}, caseKeys...), "rule", "expect", "name")
	}
	f, _, errs := doc.Fields(n, id, what, keys...)
	if f == nil || len(errs) > 0 {
		return nil, errs
	}
	c := &Case{File: doc.File, Line: n.Line}
	bad := func(at *yaml.Node, format string, args ...any) (*Case, Errors) {
		if at == nil {
			at = n
		}
		return nil, append(errs, doc.ErrAt(at, id, "%s: %s", what, fmt.Sprintf(format, args...)))
	}
	if testFile {
		var e *Error
		if c.Rule, e = doc.Str(f["rule"], id, what+".rule"); e != nil {
			return nil, Errors{e}
		}
		if c.Expect, e = doc.Str(f["expect"], id, what+".expect"); e != nil {
			return nil, Errors{e}
		}
		if c.Name, e = doc.Str(f["name"], id, what+".name"); e != nil {
			return nil, Errors{e}
		}
		if c.Rule == "" {
			return bad(nil, "rule is required")
		}
		if c.Expect != "match" && c.Expect != "no_match" {
			return bad(f["expect"], "expect must be match or no_match, not %q", c.Expect)
		}
	}
	decode := func(key string, into any) bool {
		node := f[key]
		if node == nil {
			return false
		}
		data, err := yamlpos.ToJSON(node)
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			err = dec.Decode(into)
		}
		if err != nil {
			errs = append(errs, doc.ErrAt(node, id, "%s.%s: %s", what, key, strings.TrimPrefix(err.Error(), "json: ")))
		}
		return true
	}
	if decode("record", &c.Record) && c.Record != nil {
		if c.Record.Kind == "" {
			errs = append(errs, doc.ErrAt(f["record"], id, "%s.record: kind is required", what))
		}
		if c.Record.ID == "" {
			c.Record.ID = fmt.Sprintf("example-%d", n.Line)
		}
		if c.Record.Provider == "" {
			c.Record.Provider = "example"
		}
	}
	var v caseVendor
	hasVendor := decode("vendor", &v)
	if hasVendor {
		if v.ID == "" {
			errs = append(errs, doc.ErrAt(f["vendor"], id, "%s.vendor: id is required (leave vendor out for an unresolved record)", what))
		}
		if v.Name == "" {
			v.Name = v.ID
		}
		conf := 1.0
		if v.Confidence != nil {
			conf = *v.Confidence
		}
		c.Resolution = scanner.Resolution{Vendor: &scanner.Vendor{ID: v.ID, Name: v.Name, Category: v.Category,
			Martech: v.Martech, Subcategories: v.Subcategories}, Confidence: conf, Reason: v.Reason}
		if v.Hint != nil {
			c.Resolution.Hint = *v.Hint
		}
	}
	var a caseApproval
	c.Approval = scanner.Approval{Status: scanner.ApprovalUnapproved}
	if decode("approval", &a) {
		if a.Status == "" {
			a.Status = scanner.ApprovalApproved
		}
		if !slices.Contains([]string{scanner.ApprovalApproved, scanner.ApprovalTolerated, scanner.ApprovalReview,
			scanner.ApprovalBanned, scanner.ApprovalExpired, scanner.ApprovalUnapproved}, a.Status) {
			errs = append(errs, doc.ErrAt(f["approval"], id, "%s.approval: status %q is not one of approved, tolerated, review, banned, expired, unapproved", what, a.Status))
		}
		c.Approval = scanner.Approval{Status: a.Status, Owner: a.Owner, Ticket: a.Ticket, Notes: a.Notes,
			Scopes: a.Scopes, AWSAccounts: a.AWSAccounts}
		if a.Expires != "" {
			t, err := yamlpos.ParseDate(a.Expires)
			if err != nil {
				errs = append(errs, doc.ErrAt(f["approval"], id, "%s.approval.expires: %v", what, err))
			}
			c.Approval.Expires = t
		}
		if !hasVendor && a.Status != scanner.ApprovalUnapproved {
			errs = append(errs, doc.ErrAt(f["approval"], id, "%s: an approval needs a vendor", what))
		}
	}
	var u caseUsage
	if decode("usage", &u) {
		count := func(p *int, n int) int {
			if p != nil {
				return *p
			}
			return n
		}
		if stage == StageUnidentified || (stage == "" && !hasVendor) {
			c.Unidentified = &scanner.Unidentified{Key: u.Key, HintType: scanner.HintType(u.HintType), Value: u.Value,
				Name: u.Name, Sources: u.Sources, Records: count(u.Records, 1), UserCount: count(u.UserCount, len(u.Users)),
				Users: u.Users, Scopes: u.Scopes, FirstSeen: u.FirstSeen, LastSeen: u.LastSeen}
			for k := range u.Kinds {
				c.Unidentified.Kinds = append(c.Unidentified.Kinds, k)
			}
			if c.Unidentified.Key == "" {
				c.Unidentified.Key = string(c.Unidentified.HintType) + ":" + strings.ToLower(c.Unidentified.Value)
			}
		} else {
			c.Usage = &scanner.InventoryItem{Approval: c.Approval.Status, Sources: u.Sources,
				UserCount: count(u.UserCount, len(u.Users)), Users: u.Users, Records: count(u.Records, 1),
				MonthlySpend: u.MonthlySpend, FirstSeen: u.FirstSeen, LastSeen: u.LastSeen, Kinds: u.Kinds,
				Scopes: u.Scopes}
			if c.Resolution.Vendor != nil {
				c.Usage.Vendor = *c.Resolution.Vendor
			}
		}
	}
	var o CaseOrg
	if decode("org", &o) {
		c.Org = &o
		if o.Now != "" {
			if _, err := time.Parse(time.RFC3339, o.Now); err != nil {
				errs = append(errs, doc.ErrAt(f["org"], id, "%s.org.now: %q is not an RFC 3339 time", what, o.Now))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	switch {
	case stage == StageRecord && c.Record == nil:
		return bad(nil, "a record-stage case needs a record")
	case stage == StageInventory && (c.Usage == nil || c.Resolution.Vendor == nil):
		return bad(nil, "an inventory-stage case needs usage and vendor")
	case stage == StageUnidentified && (c.Unidentified == nil || hasVendor):
		return bad(nil, "an unidentified-stage case needs usage and no vendor")
	case stage != "" && stage != StageRecord && c.Record != nil:
		return bad(f["record"], "a %s-stage case has no record (use usage)", stage)
	case stage == StageRecord && f["usage"] != nil,
		stage == "" && c.Record != nil && f["usage"] != nil:
		return bad(f["usage"], "a record-stage case has no usage")
	}
	return c, nil
}

// casePolicy is the policy of a case: the approved tools it names, nothing else.
type casePolicy struct {
	*policy.Policy
	tools []scanner.ApprovedTool
}

func (c casePolicy) Tools() []scanner.ApprovedTool { return c.tools }

// orgInfo is the organisation a case runs against.
func (c *Case) orgInfo() OrgInfo {
	o := exampleOrg()
	if c.Org == nil {
		return o
	}
	if c.Org.Name != "" {
		o.Organization.Name = c.Org.Name
	}
	if c.Org.Domains != nil {
		o.Organization.Domains = c.Org.Domains
	}
	if m := c.Org.Marketing; m != nil {
		o.Organization.Marketing = scanner.Marketing{OrgUnits: m.OrgUnits, Departments: m.Departments, AWSTags: m.AWSTags}
	}
	o.Thresholds = c.Org.Thresholds
	if c.Org.ApprovedBySubcategory != nil {
		var tools []scanner.ApprovedTool
		for sc, names := range c.Org.ApprovedBySubcategory {
			for _, n := range names {
				tools = append(tools, scanner.ApprovedTool{Name: n, Status: scanner.ApprovalApproved, Subcategories: []string{sc}})
			}
		}
		o.Policy = casePolicy{tools: tools}
	}
	if c.Org.Now != "" {
		if t, err := time.Parse(time.RFC3339, c.Org.Now); err == nil {
			o.Now = func() time.Time { return t }
		}
	}
	return o
}

// RunCase evaluates one rule on one case. It returns the match (nil when the rule did not match); a match has its
// message and remediation rendered, so template errors surface here.
func RunCase(ctx context.Context, r *Rule, c *Case) (*scanner.Match, error) {
	ev, err := stageEnvs()
	if err != nil {
		return nil, err
	}
	e := &Engine{adapter: ev.provider, rendered: map[renderKey]renderedText{}}
	e.org = newOrgView(c.orgInfo(), ev.provider)
	st := &evalState{}
	switch r.Stage {
	case StageRecord:
		if c.Record == nil {
			return nil, fmt.Errorf("%s:%d: a record-stage rule needs a record", c.File, c.Line)
		}
		st.record.reset(c.Record, e.org, e.adapter)
		st.vendor.resetRecord(c.Record, c.Resolution, e.adapter)
		st.appr.reset(c.Approval, e.adapter)
		st.act = activation{record: &st.record, vendor: &st.vendor, approval: &st.appr, org: e.org}
	case StageInventory:
		if c.Usage == nil {
			return nil, fmt.Errorf("%s:%d: an inventory-stage rule needs usage and a vendor", c.File, c.Line)
		}
		st.vendor.resetKnown(c.Usage.Vendor, e.adapter)
		st.appr.reset(c.Approval, e.adapter)
		st.usage.reset(c.Usage, nil, e.adapter)
		st.act = activation{vendor: &st.vendor, approval: &st.appr, org: e.org, usage: &st.usage}
	case StageUnidentified:
		if c.Unidentified == nil {
			return nil, fmt.Errorf("%s:%d: an unidentified-stage rule needs usage (and no vendor)", c.File, c.Line)
		}
		name := c.Unidentified.Name
		if name == "" {
			name = c.Unidentified.Value
		}
		st.vendor.resetUnknown(c.Unidentified.Key, name, e.adapter)
		st.appr.reset(scanner.Approval{Status: scanner.ApprovalUnapproved}, e.adapter)
		st.usage.reset(nil, c.Unidentified, e.adapter)
		st.act = activation{vendor: &st.vendor, approval: &st.appr, org: e.org, usage: &st.usage}
	}
	if r.Stage == StageRecord && r.kinds != nil && !r.kinds[c.Record.Kind] {
		return nil, nil
	}
	m, ok, err := e.eval(ctx, r, st, false)
	var in guardIn
	if r.Stage == StageRecord {
		in.reset(c.Record, c.Resolution.Vendor, &c.Approval)
	}
	if r.Stage == StageRecord && r.decide != nil && (ok || err == nil) {
		// The engine takes a decision in Go for `when` itself: it must agree with CEL whenever it is made.
		if match, known := r.decide(&in); known && match != ok {
			return nil, fmt.Errorf("%s:%d: rule %s: engine bug: when decided in Go is %v, in CEL %v", c.File, c.Line, r.ID, match, ok)
		}
	}
	if !ok {
		return nil, err
	}
	if r.Stage == StageRecord && r.prefilter != nil && !r.prefilter(&in) {
		// The engine skips a record when the prefilter is false; every matching case checks that it may not.
		return &m, fmt.Errorf("%s:%d: rule %s: engine bug: the prefilter rejects a record its when matches", c.File, c.Line, r.ID)
	}
	return &m, err
}

// CaseResult is the outcome of one example or test case.
type CaseResult struct {
	Rule   string
	Expect string // match or no_match
	Index  int    // position among the rule's examples of that kind (test files: among the file's cases)
	Name   string
	File   string
	Line   int
	OK     bool
	Err    error          // evaluation error
	Match  *scanner.Match // the match, when the rule matched
}

func (cr CaseResult) String() string {
	where := fmt.Sprintf("%s:%d", cr.File, cr.Line)
	label := fmt.Sprintf("%s %s[%d]", cr.Rule, cr.Expect, cr.Index)
	if cr.Name != "" {
		label += " " + cr.Name
	}
	switch {
	case cr.Err != nil:
		return fmt.Sprintf("FAIL %s (%s): %v", label, where, cr.Err)
	case cr.OK:
		return fmt.Sprintf("ok   %s (%s)", label, where)
	case cr.Expect == "match":
		return fmt.Sprintf("FAIL %s (%s): did not match", label, where)
	}
	return fmt.Sprintf("FAIL %s (%s): matched, want no match (group %q)", label, where, cr.Match.GroupKey)
}

func runOne(ctx context.Context, r *Rule, c *Case, expect string, idx int) CaseResult {
	res := CaseResult{Rule: r.ID, Expect: expect, Index: idx, Name: c.Name, File: c.File, Line: c.Line}
	m, err := RunCase(ctx, r, c)
	res.Match, res.Err = m, err
	res.OK = err == nil && (m != nil) == (expect == "match")
	return res
}

// RunExamples runs every example of every rule in the set.
func RunExamples(ctx context.Context, rs *RuleSet) []CaseResult {
	var out []CaseResult
	for _, r := range rs.Rules {
		out = append(out, RunRuleExamples(ctx, r)...)
	}
	return out
}

// RunRuleExamples runs one rule's examples.
func RunRuleExamples(ctx context.Context, r *Rule) []CaseResult {
	var out []CaseResult
	for i, c := range r.Examples.Match {
		out = append(out, runOne(ctx, r, c, "match", i))
	}
	for i, c := range r.Examples.NoMatch {
		out = append(out, runOne(ctx, r, c, "no_match", i))
	}
	return out
}
