package googleworkspace

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	reports "google.golang.org/api/admin/reports/v1"
	"google.golang.org/api/googleapi"
)

// Token audit event names the provider reads.
const (
	eventAuthorize = "authorize"
	eventRevoke    = "revoke"
)

const activitiesFields googleapi.Field = "nextPageToken,items(id/time,actor(email,profileId),events(name,parameters(name,value,multiValue,multiMessageValue)))"

// auditGrant is what the token audit log says about one (user, client) grant within the lookback.
type auditGrant struct {
	userID          string // actor profileId
	email           string // actor email
	clientID        string
	appName         string
	clientType      string
	scopes          []string // union of the scopes of every authorize event
	firstAuthorized time.Time
	lastAuthorized  time.Time
	lastEvent       string // authorize or revoke
	lastEventTime   time.Time
	revokedAt       time.Time // the latest revoke
	authorizations  int
	claimed         bool // a current token was found for it
	nameAt, typeAt  time.Time
}

type auditKey struct{ user, client string }

// auditLog indexes the token audit events by (user, client). It is safe for concurrent use by the sweep.
type auditLog struct {
	mu      sync.Mutex
	grants  map[auditKey]*auditGrant
	events  int
	skipped int // activities without a time, an actor or a client ID
}

func newAuditLog() *auditLog { return &auditLog{grants: map[auditKey]*auditGrant{}} }

func emailKey(email string) string { return "email:" + strings.ToLower(strings.TrimSpace(email)) }

// add folds one activity into the log.
func (l *auditLog) add(a *reports.Activity) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a == nil || a.Id == nil || a.Actor == nil {
		l.skipped++
		return
	}
	at, err := time.Parse(time.RFC3339Nano, a.Id.Time)
	if err != nil || (a.Actor.ProfileId == "" && a.Actor.Email == "") {
		l.skipped++
		return
	}
	for _, ev := range a.Events {
		if ev == nil || (ev.Name != eventAuthorize && ev.Name != eventRevoke) {
			continue
		}
		var clientID, appName, clientType string
		var scopes, scopeData []string
		for _, prm := range ev.Parameters {
			if prm == nil {
				continue
			}
			switch prm.Name {
			case "client_id":
				clientID = strings.TrimSpace(prm.Value)
			case "app_name":
				appName = strings.TrimSpace(prm.Value)
			case "client_type":
				clientType = prm.Value
			case "scope":
				scopes = append(scopes, prm.MultiValue...)
				if prm.Value != "" {
					scopes = append(scopes, prm.Value)
				}
			case "scope_data":
				for _, m := range prm.MultiMessageValue {
					if m == nil {
						continue
					}
					for _, np := range m.Parameter {
						if np != nil && np.Name == "scope_name" && np.Value != "" {
							scopeData = append(scopeData, np.Value)
						}
					}
				}
			}
		}
		if clientID == "" {
			l.skipped++
			continue
		}
		if len(scopes) == 0 {
			scopes = scopeData
		}
		l.events++
		user := a.Actor.ProfileId
		if user == "" {
			user = emailKey(a.Actor.Email)
		}
		k := auditKey{user, clientID}
		g := l.grants[k]
		if g == nil {
			g = &auditGrant{userID: a.Actor.ProfileId, email: a.Actor.Email, clientID: clientID}
			l.grants[k] = g
		}
		if g.email == "" {
			g.email = a.Actor.Email
		}
		switch ev.Name {
		case eventAuthorize:
			g.authorizations++
			if g.firstAuthorized.IsZero() || at.Before(g.firstAuthorized) {
				g.firstAuthorized = at
			}
			if at.After(g.lastAuthorized) {
				g.lastAuthorized = at
			}
			g.scopes = append(g.scopes, scopes...)
		case eventRevoke:
			if at.After(g.revokedAt) {
				g.revokedAt = at
			}
		}
		// The latest event decides the state; at the same instant a revoke wins over an authorize.
		if at.After(g.lastEventTime) || (at.Equal(g.lastEventTime) && ev.Name == eventRevoke) || g.lastEvent == "" {
			g.lastEvent, g.lastEventTime = ev.Name, at
		}
		// The latest app name and client type win.
		if appName != "" && (g.appName == "" || !at.Before(g.nameAt)) {
			g.appName, g.nameAt = appName, at
		}
		if clientType != "" && (g.clientType == "" || !at.Before(g.typeAt)) {
			g.clientType, g.typeAt = clientType, at
		}
	}
}

// finish merges grants known only by email into the same user's grants known by ID, and normalises scopes.
func (l *auditLog) finish() {
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := map[string]string{}
	for k, g := range l.grants {
		if g.userID != "" && g.email != "" {
			ids[emailKey(g.email)] = k.user
		}
	}
	for k, g := range l.grants {
		id, ok := ids[k.user]
		if !ok {
			continue
		}
		into := l.grants[auditKey{id, k.client}]
		if into == nil {
			g.userID = id
			l.grants[auditKey{id, k.client}] = g
		} else {
			mergeAudit(into, g)
		}
		delete(l.grants, k)
	}
	for _, g := range l.grants {
		g.scopes = normaliseScopes(g.scopes)
	}
}

func mergeAudit(into, g *auditGrant) {
	into.authorizations += g.authorizations
	into.scopes = append(into.scopes, g.scopes...)
	if !g.firstAuthorized.IsZero() && (into.firstAuthorized.IsZero() || g.firstAuthorized.Before(into.firstAuthorized)) {
		into.firstAuthorized = g.firstAuthorized
	}
	if g.lastAuthorized.After(into.lastAuthorized) {
		into.lastAuthorized = g.lastAuthorized
	}
	if g.revokedAt.After(into.revokedAt) {
		into.revokedAt = g.revokedAt
	}
	if g.lastEventTime.After(into.lastEventTime) || (g.lastEventTime.Equal(into.lastEventTime) && g.lastEvent == eventRevoke) {
		into.lastEvent, into.lastEventTime = g.lastEvent, g.lastEventTime
	}
	if g.appName != "" && (into.appName == "" || g.nameAt.After(into.nameAt)) {
		into.appName, into.nameAt = g.appName, g.nameAt
	}
	if g.clientType != "" && (into.clientType == "" || g.typeAt.After(into.typeAt)) {
		into.clientType, into.typeAt = g.clientType, g.typeAt
	}
}

// claim returns the audit history of a grant that is held now, and marks it so it is not emitted again as an
// audit-only grant.
func (l *auditLog) claim(u person, clientID string) *auditGrant {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []auditKey{{u.ID, clientID}, {emailKey(u.Email), clientID}} {
		if k.user == "" || k.user == emailKey("") {
			continue
		}
		if g := l.grants[k]; g != nil {
			g.claimed = true
			return g
		}
	}
	return nil
}

// unclaimed returns the grants no current token was found for, in a stable order.
func (l *auditLog) unclaimed() []*auditGrant {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*auditGrant
	for _, g := range l.grants {
		if !g.claimed {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].userID+out[i].email != out[j].userID+out[j].email {
			return out[i].userID+out[i].email < out[j].userID+out[j].email
		}
		return out[i].clientID < out[j].clientID
	})
	return out
}

func (l *auditLog) size() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.grants)
}

// readAudit reads the authorize and revoke events of the lookback. On an error it returns what it read so far.
func (p *provider) readAudit(ctx context.Context, rep *reports.Service) (*auditLog, error) {
	log := newAuditLog()
	start := p.now().Add(-p.cfg.Lookback).UTC().Format(time.RFC3339)
	for _, name := range []string{eventAuthorize, eventRevoke} {
		call := rep.Activities.List("all", "token").EventName(name).StartTime(start).MaxResults(1000).Fields(activitiesFields)
		if c := p.cfg.Customer; c != "" && c != DefaultCustomer {
			call = call.CustomerId(c)
		}
		page := 0
		err := resumePages(ctx,
			func(ctx context.Context, f func(*reports.Activities) error) error { return call.Pages(ctx, f) },
			func(tok string) { call.PageToken(tok) },
			func(x *reports.Activities) string { return x.NextPageToken },
			func(x *reports.Activities) error {
				page++
				for _, a := range x.Items {
					log.add(a)
				}
				p.log.Debug().Str("api", "activities.list").Str("event", name).Int("page", page).Int("activities", len(x.Items)).Msg("token audit page")
				return nil
			})
		if err != nil {
			log.finish()
			return log, fmt.Errorf("%s events, page %d: %w", name, page+1, p.explain("activities.list", err))
		}
	}
	log.finish()
	p.log.Debug().Int("events", log.events).Int("grants", len(log.grants)).Int("skipped", log.skipped).
		Str("since", start).Msg("token audit log read")
	return log, nil
}

// activeSince returns the users (by ID and by email key) with an authorize or revoke event at or after t.
func (l *auditLog) activeSince(t time.Time) map[string]bool {
	out := map[string]bool{}
	if l == nil {
		return out
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, g := range l.grants {
		if g.lastEventTime.Before(t) && g.lastAuthorized.Before(t) && g.revokedAt.Before(t) {
			continue
		}
		if g.userID != "" {
			out[g.userID] = true
		}
		if g.email != "" {
			out[emailKey(g.email)] = true
		}
	}
	return out
}
