package googleworkspace

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
	admin "google.golang.org/api/admin/directory/v1"
	"google.golang.org/api/googleapi"
)

// Fields of the partial responses: only what a grant's attribution needs.
const (
	usersFields  googleapi.Field = "nextPageToken,users(id,primaryEmail,name/fullName,orgUnitPath,organizations(department,primary),suspended)"
	tokensFields googleapi.Field = "items(clientId,displayText,anonymous,nativeApp,scopes,userKey)"
	// malformedTries is how often a call whose body is not valid JSON is made before the page or user counts as
	// not read.
	malformedTries = 3
	// setupRefusalsFatal is how many users refused (403) before any was read make the sweep fail as a whole.
	setupRefusalsFatal = 10
	// googleQPM is the Admin SDK's default quota per admin, for the estimate in the log.
	googleQPM = 2400
)

// listUsers pages through users.list. On an error after some pages it returns the users read so far with the
// error, so that the sweep can still cover them.
func (p *provider) listUsers(ctx context.Context, dir *admin.Service) ([]person, error) {
	call := dir.Users.List().MaxResults(500).Projection("basic").Fields(usersFields)
	scope := "customer " + p.cfg.Customer
	if p.cfg.Domain != "" {
		call = call.Domain(p.cfg.Domain)
		scope = "domain " + p.cfg.Domain
	} else {
		call = call.Customer(p.cfg.Customer)
	}
	var users []person
	page := 0
	err := resumePages(ctx,
		func(ctx context.Context, f func(*admin.Users) error) error { return call.Pages(ctx, f) },
		func(tok string) { call.PageToken(tok) },
		func(x *admin.Users) string { return x.NextPageToken },
		func(x *admin.Users) error {
			page++
			for _, u := range x.Users {
				if u == nil || (u.Id == "" && u.PrimaryEmail == "") {
					continue
				}
				pe := person{ID: u.Id, Email: u.PrimaryEmail, OrgUnit: u.OrgUnitPath, Suspended: u.Suspended,
					Department: department(u.Organizations)}
				if u.Name != nil {
					pe.Name = u.Name.FullName
				}
				users = append(users, pe)
			}
			p.log.Debug().Str("api", "users.list").Str("scope", scope).Int("page", page).Int("users", len(x.Users)).Msg("users page")
			return nil
		})
	if err != nil {
		if len(users) == 0 {
			return nil, p.explain("users.list", err)
		}
		return users, fmt.Errorf("after %d users (%d pages): %w", len(users), page, p.explain("users.list", err))
	}
	return users, nil
}

// department picks the department of a user's primary organisation, else the first one that has one. The
// generated client leaves organizations untyped (it is a JSON array of objects).
func department(orgs any) string {
	list, _ := orgs.([]any)
	var first string
	for _, o := range list {
		m, _ := o.(map[string]any)
		d, _ := m["department"].(string)
		if d == "" {
			continue
		}
		if primary, _ := m["primary"].(bool); primary {
			return d
		}
		if first == "" {
			first = d
		}
	}
	return first
}

// pageLoopError is a nextPageToken that points back at a page already read.
type pageLoopError struct{ pages int }

func (e *pageLoopError) Error() string {
	return fmt.Sprintf("nextPageToken repeats after %d pages: stopped listing there (the entries of those pages are kept)", e.pages)
}

// resumePages runs a generated Pages loop and, when a page's body is malformed, asks for that same page again
// (up to malformedTries times) from its page token: no page is read twice and a half-read list is never restarted. A
// nextPageToken already followed stops the listing with a *pageLoopError instead of looping.
func resumePages[T any](ctx context.Context, pages func(context.Context, func(T) error) error, setToken func(string),
	next func(T) string, fn func(T) error) error {
	tries, read := 0, 0
	seen := map[string]bool{} // next-page tokens already followed
	var fnErr error
	for {
		var nextTok string
		err := pages(ctx, func(x T) error {
			tries = 0
			read++
			if err := fn(x); err != nil {
				fnErr = err
				return err
			}
			nextTok = next(x)
			if nextTok != "" && seen[nextTok] {
				// The generated Pages loop would follow it forever.
				fnErr = &pageLoopError{pages: read}
				return fnErr
			}
			seen[nextTok] = true
			return nil
		})
		if err == nil || fnErr != nil || ctx.Err() != nil || !isMalformed(err) {
			return err
		}
		tries++
		if tries >= malformedTries {
			return err
		}
		if nextTok != "" {
			setToken(nextTok)
		}
	}
}

// sweepResult is what the token sweep found.
type sweepResult struct {
	mu      sync.Mutex
	ok      int                 // users whose tokens were read
	grants  int                 // grants emitted
	deleted []string            // users deleted during the scan (404)
	failed  map[string][]string // reason -> users whose tokens could not be read
	read    map[string]bool     // user IDs and emails whose tokens were read
	fatal   error               // setup errors before any success: every user would fail the same way
	// setupFails counts permission refusals before any user was read; setupLimit of them are fatal.
	setupFails, setupLimit int
	firstErr               error
	got                    map[string][]savedGrant // by userKey, when a checkpoint is to be written
}

func (r *sweepResult) failedCount() int {
	n := 0
	for _, us := range r.failed {
		n += len(us)
	}
	return n
}

// summary names how many users' tokens were not read and why, with a few of them per reason.
func (r *sweepResult) summary(total int) string {
	reasons := make([]string, 0, len(r.failed))
	for k := range r.failed {
		reasons = append(reasons, k)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if len(r.failed[reasons[i]]) != len(r.failed[reasons[j]]) {
			return len(r.failed[reasons[i]]) > len(r.failed[reasons[j]])
		}
		return reasons[i] < reasons[j]
	})
	parts := make([]string, 0, len(reasons))
	for _, k := range reasons {
		us := append([]string(nil), r.failed[k]...)
		sort.Strings(us)
		ex := us
		if len(ex) > 5 {
			ex = append(ex[:5:5], fmt.Sprintf("and %d more", len(us)-5))
		}
		parts = append(parts, fmt.Sprintf("%d × %s (%s)", len(us), k, strings.Join(ex, ", ")))
	}
	return fmt.Sprintf("the OAuth tokens of %d of %d users could not be read after retries: %s", r.failedCount(), total, strings.Join(parts, "; "))
}

// sweep calls tokens.list for every user with bounded concurrency (the rate limit is in the transport) and emits
// their grants as they arrive, joined with the audit log when there is one.
func (p *provider) sweep(ctx context.Context, dir *admin.Service, users []person, aud *auditLog, out *scanner.Emitter, capture bool) *sweepResult {
	res := &sweepResult{failed: map[string][]string{}, read: map[string]bool{}, setupLimit: min(len(users), setupRefusalsFatal)}
	if capture {
		res.got = map[string][]savedGrant{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan person)
	var wg sync.WaitGroup
	workers := min(p.cfg.Concurrency, max(len(users), 1))
	for range workers {
		wg.Go(func() {
			for u := range jobs {
				if ctx.Err() != nil {
					continue
				}
				p.sweepUser(ctx, cancel, dir, u, aud, out, res)
			}
		})
	}
feed:
	for _, u := range users {
		select {
		case jobs <- u:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return res
}

func (p *provider) sweepUser(ctx context.Context, cancel context.CancelFunc, dir *admin.Service, u person, aud *auditLog,
	out *scanner.Emitter, res *sweepResult) {
	key := u.ID
	if key == "" {
		key = u.Email
	}
	who := firstNonEmpty(u.Email, u.ID)
	started := time.Now()
	items, err := p.userTokens(ctx, dir, key)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		if httpStatus(err) == 404 {
			res.mu.Lock()
			res.deleted = append(res.deleted, who)
			res.mu.Unlock()
			p.deps.Diagnostics.Skip(fmt.Sprintf("tokens.list: user %s was deleted during the scan (404); skipped", who))
			p.log.Debug().Str("api", "tokens.list").Str("user", who).Msg("user deleted during the scan; skipped")
			return
		}
		perUser := refusedPerUser(err)
		err = p.explain("tokens.list", err)
		res.mu.Lock()
		if isSetup(err) && res.ok == 0 && res.fatal == nil {
			// Refused before any user was read. A missing scope or API fails every user alike: fatal at once. A plain
			// 403 may be this user alone (outside the OUs a delegated admin manages): only a run of them is fatal.
			res.setupFails++
			if !perUser || res.setupFails >= res.setupLimit {
				res.fatal = err
				res.mu.Unlock()
				cancel()
				return
			}
		}
		reason := err.Error()
		var se *setupError
		if errors.As(err, &se) {
			reason = "403 permission denied"
		} else if after, ok := strings.CutPrefix(reason, "tokens.list: "); ok {
			reason = after
		}
		res.failed[reason] = append(res.failed[reason], who)
		if res.firstErr == nil {
			res.firstErr = err
		}
		res.mu.Unlock()
		p.log.Warn().Str("api", "tokens.list").Str("user", who).Err(err).Msg("could not read the user's tokens")
		return
	}
	res.mu.Lock()
	res.ok++
	res.read[strings.ToLower(u.Email)] = true
	if u.ID != "" {
		res.read[u.ID] = true
	}
	if res.got != nil {
		saved := []savedGrant{}
		for _, t := range items {
			if t != nil && t.ClientId != "" {
				saved = append(saved, savedGrant{ClientID: t.ClientId, DisplayText: t.DisplayText, Anonymous: t.Anonymous,
					NativeApp: t.NativeApp, Scopes: t.Scopes})
			}
		}
		res.got[userKey(u)] = saved
	}
	res.mu.Unlock()
	p.log.Debug().Str("api", "tokens.list").Str("user", who).Int("tokens", len(items)).Int64("took_ms", time.Since(started).Milliseconds()).Msg("tokens")
	for _, t := range items {
		if t == nil || t.ClientId == "" {
			continue
		}
		g := grant{user: u, clientID: t.ClientId, displayText: t.DisplayText, anonymous: t.Anonymous,
			nativeApp: t.NativeApp, scopes: t.Scopes, source: sourceTokens}
		if aud != nil {
			g.audit = aud.claim(u, t.ClientId)
		}
		if err := out.Send(p.record(g)); err != nil {
			cancel()
			return
		}
		res.mu.Lock()
		res.grants++
		res.mu.Unlock()
	}
}

// userTokens calls tokens.list for one user, again when the body was malformed.
func (p *provider) userTokens(ctx context.Context, dir *admin.Service, userKey string) ([]*admin.Token, error) {
	call := dir.Tokens.List(userKey).Fields(tokensFields).Context(ctx)
	var err error
	for range malformedTries {
		var resp *admin.Tokens
		resp, err = call.Do()
		if err == nil {
			return resp.Items, nil
		}
		if !isMalformed(err) || ctx.Err() != nil {
			return nil, err
		}
	}
	return nil, err
}

// logEstimate says, before the sweep, how many calls it makes and how long the rate limit and Google's quota make
// it take at least. auditCalls is a lower bound (the audit log has at least one page per event name).
func (p *provider) logEstimate(tokensCalls, auditCalls int) {
	calls := tokensCalls + auditCalls
	atLimit := time.Duration(math.Ceil(float64(calls)/float64(p.cfg.MaxQPM)*60)) * time.Second
	atQuota := time.Duration(math.Ceil(float64(calls)/googleQPM*60)) * time.Second
	p.log.Debug().Int("tokens_list_calls", tokensCalls).Int("activities_list_calls_min", auditCalls).Int("estimated_calls", calls).
		Int("max_qpm", p.cfg.MaxQPM).Int("concurrency", p.cfg.Concurrency).
		Int64("min_ms_at_max_qpm", atLimit.Milliseconds()).Int64("min_ms_at_google_quota", atQuota.Milliseconds()).
		Msgf("about %d Admin SDK calls (%d tokens.list, one per user, and at least %d activities.list); at max_qpm %d this takes at least %s, and Google's quota of about %d a minute per admin allows no less than %s",
			calls, tokensCalls, auditCalls, p.cfg.MaxQPM, atLimit, googleQPM, atQuota)
}
