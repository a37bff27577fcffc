package microsoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// tenant is what was read from one tenant, by the API or from an export.
type tenant struct {
	id          string // directory ID, when known
	sps         []*servicePrincipal
	byObject    map[string]*servicePrincipal
	grants      []grant
	assignments []appRoleAssignment
	users       map[string]*user // by object ID
	deleted     map[string]bool  // principal IDs that no longer resolve to a user
	signIns     map[string]time.Time
	signInsRead bool // the sign-in report was read: an app missing from it has no sign-in in its window
	audits      []directoryAudit
	auditsRead  bool
	source      string // api or export
}

func newTenant(id, source string) *tenant {
	return &tenant{id: id, source: source, byObject: map[string]*servicePrincipal{}, users: map[string]*user{},
		deleted: map[string]bool{}, signIns: map[string]time.Time{}}
}

func (t *tenant) addSP(sp servicePrincipal) {
	if sp.ID == "" || sp.AppID == "" {
		return // Graph always sends both; without them nothing can be attributed
	}
	if old, ok := t.byObject[strings.ToLower(sp.ID)]; ok {
		*old = sp // the same object twice (a repeated page): keep one
		return
	}
	s := &sp
	t.sps = append(t.sps, s)
	t.byObject[strings.ToLower(sp.ID)] = s
}

func (t *tenant) sp(objectID string) *servicePrincipal { return t.byObject[strings.ToLower(objectID)] }

// API names used in coverage errors and skips.
const (
	apiServicePrincipals = "servicePrincipals"
	apiGrants            = "oauth2PermissionGrants"
	apiUsers             = "users"
	apiGetByIDs          = "directoryObjects/getByIds"
	apiAssignments       = "servicePrincipals/appRoleAssignments"
	apiAudits            = "auditLogs/directoryAudits"
	apiSignIns           = "reports/servicePrincipalSignInActivities (beta)"
	apiOrganization      = "organization"
)

// readAPI reads the tenant from Graph. Only a failure to list service principals (or to authenticate) is fatal;
// every other part that fails is a coverage error (partial) and the rest is kept. Optional parts the credentials
// may not cover (audit log, sign-in report) are skipped with the reason.
func (p *provider) readAPI(ctx context.Context) (*tenant, error) {
	c, err := p.client()
	if err != nil {
		return nil, err
	}
	t := newTenant(p.cfg.TenantID, "api")
	diag := p.deps.Diagnostics

	// 1. Service principals: every app in the tenant.
	err = list(ctx, c, c.base+"/servicePrincipals?$select="+spSelect+"&$top=999", func(v []servicePrincipal) error {
		for _, sp := range v {
			t.addSP(sp)
		}
		return nil
	})
	if err != nil {
		var ae *authError
		if errors.As(err, &ae) || len(t.sps) == 0 {
			return nil, p.explain(apiServicePrincipals, PermApplicationRead, err)
		}
		diag.Error(apiServicePrincipals, "", p.explain(apiServicePrincipals, PermApplicationRead, err))
	}
	if !guidRE.MatchString(t.id) {
		p.tenantID(ctx, c, t)
	}

	// 2. App-only permissions of every app that is not Microsoft's own, 20 apps per $batch, while the listings
	// below run (they touch other parts of t).
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = p.readAssignments(ctx, c, t) // failures are coverage errors; cancellation is ctx.Err() below
	}()
	defer wg.Wait()

	// 3. Delegated grants, tenant-wide.
	err = list(ctx, c, c.base+"/oauth2PermissionGrants?$select=id,clientId,consentType,principalId,resourceId,scope&$top=999",
		func(v []grant) error { t.grants = append(t.grants, v...); return nil })
	if err != nil {
		if ctx.Err() != nil {
			return t, ctx.Err()
		}
		diag.Error(apiGrants, "", p.explain(apiGrants, PermDirectoryRead, err))
	}

	// 4. Last sign-in per app (beta report; needs AuditLog.Read.All and an Entra ID P1/P2 licence).
	if p.cfg.SignInActivity {
		p.readSignIns(ctx, c, t)
	} else {
		diag.Skip(apiSignIns + ": switched off (sign_in_activity: false); unused-consent rules have no data")
	}

	// 5. Consent history (needs AuditLog.Read.All).
	if p.cfg.AuditLogs {
		p.readAudits(ctx, c, t)
	} else {
		diag.Skip(apiAudits + ": switched off (audit_logs: false); no consent history")
	}
	// 6. The users behind Principal grants and consents (last: the audit log names users of removed grants too).
	p.readUsers(ctx, c, t)
	wg.Wait()
	p.log.Debug().Int64("graph_calls", c.calls.Load()).Msg("graph reads finished")
	return t, ctx.Err()
}

// explain adds the permission an API needs to a permission error.
func (p *provider) explain(api, perm string, err error) error {
	if forbidden(err) {
		return fmt.Errorf("%s: %w (the app registration needs the %s application permission, with admin consent)", api, err, perm)
	}
	return fmt.Errorf("%s: %w", api, err)
}

// tenantID learns the directory ID when tenant_id is a domain or not set (to tell internal apps from others).
func (p *provider) tenantID(ctx context.Context, c *graphClient, t *tenant) {
	var org page[struct {
		ID string `json:"id"`
	}]
	if err := c.send(ctx, http.MethodGet, c.base+"/organization?$select=id", nil, &org); err != nil || len(org.Value) == 0 {
		p.deps.Diagnostics.Skip(apiOrganization + ": directory ID unknown, so apps registered in this tenant cannot be told apart from third-party ones; set tenant_id to the directory ID")
		return
	}
	t.id = org.Value[0].ID
}

// readUsers resolves the users of Principal grants and of consents in the audit log: users with $select (one listing for the whole tenant), then
// directoryObjects/getByIds for any user created since, and whatever is still missing was deleted.
func (p *provider) readUsers(ctx context.Context, c *graphClient, t *tenant) {
	want := map[string]bool{}
	for _, g := range t.grants {
		if g.ConsentType == ConsentPrincipal && g.PrincipalID != "" {
			want[strings.ToLower(g.PrincipalID)] = true
		}
	}
	for _, c := range indexConsents(t) {
		if c.principalID != "" && !c.allPrincipals {
			want[strings.ToLower(c.principalID)] = true
		}
	}
	if len(want) == 0 {
		return
	}
	err := list(ctx, c, c.base+"/users?$select="+userSelect+"&$top=999", func(v []user) error {
		for i := range v {
			if id := strings.ToLower(v[i].ID); want[id] {
				u := v[i]
				t.users[id] = &u
			}
		}
		return nil
	})
	if err != nil {
		p.deps.Diagnostics.Error(apiUsers, "", p.explain(apiUsers, PermDirectoryRead, err))
		if forbidden(err) {
			return // getByIds needs the same permission
		}
	}
	var missing []string
	for id := range want {
		if t.users[id] == nil {
			missing = append(missing, id)
		}
	}
	sortStrings(missing)
	for len(missing) > 0 && ctx.Err() == nil {
		n := min(len(missing), 1000)
		chunk := missing[:n]
		missing = missing[n:]
		body, _ := json.Marshal(map[string]any{"ids": chunk, "types": []string{"user"}})
		var res page[user]
		if err := c.send(ctx, http.MethodPost, c.base+"/directoryObjects/getByIds", body, &res); err != nil {
			p.deps.Diagnostics.Error(apiGetByIDs, "", p.explain(apiGetByIDs, PermDirectoryRead, err))
			continue
		}
		for i := range res.Value {
			u := res.Value[i]
			t.users[strings.ToLower(u.ID)] = &u
		}
		for _, id := range chunk {
			if t.users[id] == nil {
				t.deleted[id] = true // granted, then deleted: the grant stays, attributed to the object ID
			}
		}
	}
}

// readAssignments reads servicePrincipals/{id}/appRoleAssignments of every app not owned by Microsoft, 20 apps
// per $batch, concurrently. A throttled or failed answer goes back to the queue with its Retry-After and rides along
// in a later batch; an app whose answer still fails after max_attempts is a coverage error naming it.
func (p *provider) readAssignments(ctx context.Context, c *graphClient, t *tenant) error {
	var ids []string
	for _, sp := range t.sps {
		if ownership(sp, t.id) != ownerMicrosoft && p.owns(sp.AppID) {
			ids = append(ids, sp.ID)
		}
	}
	q := newBatchQueue(ids, c.clock)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	diag := p.deps.Diagnostics
	fail := func(id string, err error) {
		diag.Error(apiAssignments, spLabel(t.sp(id), id), p.explain(apiAssignments, PermApplicationRead, err))
	}
	worker := func() {
		defer wg.Done()
		for {
			items, ok := q.take(ctx)
			if !ok {
				return
			}
			reqs := make([]batchRequest, len(items))
			for i, it := range items {
				reqs[i] = batchRequest{ID: itoa(i), Method: http.MethodGet,
					URL: "/servicePrincipals/" + pathEscape(it.id) + "/appRoleAssignments?$select=" + assignmentSelect + "&$top=999"}
			}
			res, err := c.batch(ctx, reqs)
			for i, it := range items {
				if err != nil {
					fail(it.id, err)
					continue
				}
				r := res[itoa(i)]
				if d, again := c.retryDelay(r, it.attempt); again {
					q.retry(it, d)
					continue
				}
				if e := batchErr(r); e != nil {
					if statusOf(e) != http.StatusNotFound { // 404: deleted since it was listed, it holds nothing now
						fail(it.id, e)
					}
					continue
				}
				var pg page[appRoleAssignment]
				if e := json.Unmarshal(r.Body, &pg); e != nil {
					fail(it.id, fmt.Errorf("$batch answer is not valid JSON: %w", e))
					continue
				}
				got := pg.Value
				if pg.NextLink != "" {
					if e := c.sameHost(pg.NextLink); e != nil {
						fail(it.id, e)
					} else if e := list(ctx, c, pg.NextLink, func(v []appRoleAssignment) error { got = append(got, v...); return nil }); e != nil {
						fail(it.id, e)
					}
				}
				mu.Lock()
				t.assignments = append(t.assignments, got...)
				mu.Unlock()
			}
			q.done(len(items))
		}
	}
	for range p.cfg.Concurrency {
		wg.Add(1)
		go worker()
	}
	wg.Wait()
	return ctx.Err()
}

// batchItem is one app's appRoleAssignments request, with its attempt count.
type batchItem struct {
	id        string
	attempt   int
	notBefore time.Time
}

// batchQueue hands out up to 20 requests at a time: retries whose wait is over first, then fresh ones. It is done
// when nothing is left, waiting or in flight.
type batchQueue struct {
	mu       sync.Mutex
	cond     *sync.Cond
	clock    interface{ Now() time.Time }
	sleep    func(context.Context, time.Duration) error
	fresh    []string
	retries  []batchItem
	inFlight int
}

func newBatchQueue(ids []string, clock interface {
	Now() time.Time
	Sleep(context.Context, time.Duration) error
}) *batchQueue {
	q := &batchQueue{fresh: ids, clock: clock, sleep: clock.Sleep}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// take returns the next batch, waiting for retries to become due; false when all is done or ctx is cancelled.
func (q *batchQueue) take(ctx context.Context) ([]batchItem, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if ctx.Err() != nil {
			return nil, false
		}
		now := q.clock.Now()
		var out []batchItem
		var wait time.Duration
		rest := q.retries[:0]
		for _, it := range q.retries {
			switch {
			case len(out) < batchSize && !it.notBefore.After(now):
				out = append(out, it)
			default:
				if d := it.notBefore.Sub(now); d > 0 && (wait == 0 || d < wait) {
					wait = d
				}
				rest = append(rest, it)
			}
		}
		q.retries = rest
		for len(out) < batchSize && len(q.fresh) > 0 {
			out = append(out, batchItem{id: q.fresh[0], attempt: 1})
			q.fresh = q.fresh[1:]
		}
		if len(out) > 0 {
			q.inFlight += len(out)
			return out, true
		}
		switch {
		case len(q.retries) > 0 && wait > 0:
			q.mu.Unlock()
			err := q.sleep(ctx, wait)
			q.mu.Lock()
			if err != nil {
				return nil, false
			}
		case q.inFlight > 0:
			q.cond.Wait() // an answer in flight may come back as a retry
		default:
			return nil, false
		}
	}
}

// retry puts an item back, due after d.
func (q *batchQueue) retry(it batchItem, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	it.attempt++
	it.notBefore = q.clock.Now().Add(d)
	q.retries = append(q.retries, it)
}

// done marks n handed-out items as answered (retried or not).
func (q *batchQueue) done(n int) {
	q.mu.Lock()
	q.inFlight -= n
	q.mu.Unlock()
	q.cond.Broadcast()
}

func spLabel(sp *servicePrincipal, id string) string {
	if sp == nil || sp.DisplayName == "" {
		return id
	}
	return sp.DisplayName + " (" + sp.AppID + ")"
}

// readSignIns reads the beta servicePrincipalSignInActivities report. It needs AuditLog.Read.All and an Entra ID
// P1/P2 licence; without either it is skipped, with the reason.
func (p *provider) readSignIns(ctx context.Context, c *graphClient, t *tenant) {
	err := list(ctx, c, c.beta+"/reports/servicePrincipalSignInActivities?$top=999", func(v []signInActivity) error {
		for _, a := range v {
			id := strings.ToLower(a.AppID)
			if at := a.LastSignInActivity.LastSignInDateTime.Time; !at.IsZero() && at.After(t.signIns[id]) {
				t.signIns[id] = at
			}
		}
		return nil
	})
	switch {
	case err == nil:
		t.signInsRead = true
	case forbidden(err) || statusOf(err) == http.StatusNotFound || statusOf(err) == http.StatusBadRequest:
		t.signIns = map[string]time.Time{}
		p.deps.Diagnostics.Skip(fmt.Sprintf("%s: %v (needs %s and an Entra ID P1/P2 licence); last sign-in unknown, unused-consent rules have no data",
			apiSignIns, err, PermAuditLogRead))
	default:
		// A page failed mid-way: what was read is not the whole picture, so no app may be called unused.
		t.signIns = map[string]time.Time{}
		p.deps.Diagnostics.Error(apiSignIns, "", err)
	}
}

// readAudits reads consent events of the lookback from the directory audit log, one listing per activity.
func (p *provider) readAudits(ctx context.Context, c *graphClient, t *tenant) {
	since := p.now().Add(-p.cfg.Lookback).UTC().Format("2006-01-02T15:04:05Z")
	for _, act := range consentActivities {
		filter := fmt.Sprintf("activityDisplayName eq '%s' and activityDateTime ge %s", act, since)
		u := c.base + "/auditLogs/directoryAudits?$filter=" + url.QueryEscape(filter) + "&$top=999"
		err := list(ctx, c, u, func(v []directoryAudit) error { t.audits = append(t.audits, v...); return nil })
		if err == nil {
			continue
		}
		if forbidden(err) {
			t.audits = nil
			p.deps.Diagnostics.Skip(fmt.Sprintf("%s: %v (needs the optional %s permission); consent history (who consented when, grants since removed) not read",
				apiAudits, err, PermAuditLogRead))
			return
		}
		p.deps.Diagnostics.Error(apiAudits, act, err)
		return
	}
	t.auditsRead = true
}
