package googleworkspace

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
	admin "google.golang.org/api/admin/directory/v1"
	reports "google.golang.org/api/admin/reports/v1"
	"google.golang.org/api/option"
)

// services builds the Directory and Reports clients over one authenticated, rate-limited HTTP client (so both
// share the admin's quota).
func (p *provider) services(ctx context.Context) (*admin.Service, *reports.Service, error) {
	client, err := p.httpClient(ctx)
	if err != nil {
		return nil, nil, err
	}
	opts := []option.ClientOption{option.WithHTTPClient(client)}
	if p.cfg.Endpoint != "" {
		// The generated clients put the method's relative path (admin/directory/v1/..., admin/reports/v1/...)
		// after the endpoint.
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(p.cfg.Endpoint, "/")+"/"))
	}
	dir, err := admin.NewService(ctx, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("building the Directory API client: %w", err)
	}
	rep, err := reports.NewService(ctx, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("building the Reports API client: %w", err)
	}
	return dir, rep, nil
}

// collectAPI reads users, the token audit log and every user's tokens, and emits the joined grants.
func (p *provider) collectAPI(ctx context.Context, out *scanner.Emitter) error {
	started := p.now().UTC()
	dir, rep, err := p.services(ctx)
	if err != nil {
		return err
	}
	scope := "customer " + p.cfg.Customer
	if p.cfg.Domain != "" {
		scope = "domain " + p.cfg.Domain
	}
	p.log.Debug().Str("mode", p.cfg.Mode).Str("scope", scope).Int("max_qpm", p.cfg.MaxQPM).
		Int("concurrency", p.cfg.Concurrency).Int64("lookback_ms", p.cfg.Lookback.Milliseconds()).Msg("google workspace collection starting")

	// 1. Users, so that every grant can name its person, org unit and department.
	var users []person
	var usersErr error
	if p.cfg.readsTokens() {
		users, usersErr = p.listUsers(ctx, dir)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if usersErr != nil {
			if len(users) == 0 && (isSetup(usersErr) || !p.cfg.readsAudit()) {
				return usersErr
			}
			p.deps.Diagnostics.Error("users.list", scope, usersErr)
			if len(users) > 0 {
				p.log.Warn().Err(usersErr).Int("users", len(users)).Msg("users.list stopped early; sweeping the users read so far")
			} else {
				p.log.Warn().Err(usersErr).Msg("users.list failed; only the token audit log is read")
			}
		}
		auditCalls := 0
		if p.cfg.readsAudit() {
			auditCalls = 2
		}
		p.logEstimate(len(users), auditCalls)
	}
	people := indexPeople(users)
	if sh := p.deps.Shard; sh.Sharded() {
		// Every shard lists the users (a few calls); each sweeps only its own, by a stable hash.
		mine := users[:0:0]
		for _, u := range users {
			if sh.Owns(shardKey(u.ID, u.Email)) {
				mine = append(mine, u)
			}
		}
		p.log.Debug().Str("shard", sh.String()).Int("users", len(users)).Int("users_in_shard", len(mine)).Msg("users sharded")
		users = mine
	}

	// 2. The token audit log, before the sweep, so that each current grant carries its authorisation times.
	var aud *auditLog
	auditOK := false
	if p.cfg.readsAudit() {
		var err error
		aud, err = p.readAudit(ctx, rep)
		auditOK = err == nil
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if !p.cfg.readsTokens() && aud.size() == 0 {
				return err
			}
			p.deps.Diagnostics.Error("activities.list", "token audit log", err)
			p.log.Warn().Err(err).Msg("token audit log not fully read; grants revoked between scans may be missing")
		}
	}

	// 3. The sweep: tokens.list for every user.
	// With a state folder and a recent checkpoint only the users that changed are read (incremental.go).
	var res *sweepResult
	if p.cfg.readsTokens() && len(users) > 0 {
		plan := p.planSweep(users, usersErr == nil, aud, auditOK, started)
		res = p.sweep(ctx, dir, plan.reread, aud, out, p.deps.StateDir != "")
		if err := out.Err(); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := p.emitCarried(plan, aud, res, out); err != nil {
			return err
		}
		p.reportPlan(plan, len(users))
		if p.deps.StateDir != "" && res.fatal == nil {
			if err := p.saveCheckpoint(p.nextCheckpoint(plan, res, started)); err != nil {
				p.deps.Diagnostics.Error("checkpoint", p.checkpointPath(), fmt.Errorf("not written; the next night sweeps in full: %w", err))
			}
		}
		swept := len(plan.reread)
		if n := res.failedCount(); n > 0 {
			p.deps.Diagnostics.Error("tokens.list", fmt.Sprintf("%d of %d users", n, swept), errors.New(res.summary(swept)))
		}
		p.log.Debug().Int("users", swept).Int("users_read", res.ok).Int("grants", res.grants).
			Int("users_deleted", len(res.deleted)).Int("users_failed", res.failedCount()).Msg("token sweep finished")
	}

	// 4. Grants the audit log knows but no current token holds: made and revoked between scans, or gone.
	auditOnly := 0
	for _, a := range aud.unclaimed() {
		u, ok := people.find(a.userID, a.email)
		if !ok {
			u = person{ID: a.userID, Email: a.email}
		}
		if !p.deps.Shard.Owns(shardKey(u.ID, u.Email)) {
			continue
		}
		// A grant is known to be gone when its last event is a revoke, or when the user's tokens were read and it
		// was not among them.
		tokensRead := res != nil && res.fatal == nil && (res.read[a.userID] || res.read[strings.ToLower(a.email)])
		g := grant{user: u, clientID: a.clientID, displayText: a.appName, scopes: a.scopes, source: sourceAudit,
			audit: a, revoked: a.lastEvent == eventRevoke || tokensRead}
		if err := out.Send(p.record(g)); err != nil {
			return err
		}
		auditOnly++
	}
	if aud != nil {
		p.log.Debug().Int("audit_only_grants", auditOnly).Msg("grants from the token audit log without a current token")
	}
	switch {
	case res != nil && res.fatal != nil:
		return res.fatal
	case usersErr != nil && len(users) == 0:
		return usersErr
	}
	return nil
}

// peopleIndex finds a user by ID or email.
type peopleIndex map[string]person

func indexPeople(users []person) peopleIndex {
	idx := peopleIndex{}
	for _, u := range users {
		if u.ID != "" {
			idx["id:"+u.ID] = u
		}
		if u.Email != "" {
			idx[emailKey(u.Email)] = u
		}
	}
	return idx
}

func (idx peopleIndex) find(id, email string) (person, bool) {
	if id != "" {
		if u, ok := idx["id:"+id]; ok {
			return u, true
		}
	}
	if email != "" {
		if u, ok := idx[emailKey(email)]; ok {
			return u, true
		}
	}
	return person{}, false
}
