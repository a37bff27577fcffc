// Package googleworkspace collects every third-party OAuth grant in a Google Workspace account ("Sign in with
// Google", "Allow access to your Gmail / Drive / Contacts"), attributed to the people who granted it, with their
// org unit, department and suspended state.
//
// Sources: Admin SDK Directory users.list and tokens.list (the grants held now), and the Reports API token audit
// log (authorize and revoke events within a lookback), which gives first and last authorisation times and catches
// grants made and revoked between two scans. Without delegation it reads GAM's `print tokens` CSV or a saved
// tokens JSON instead (export_file).
package googleworkspace

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	admin "google.golang.org/api/admin/directory/v1"
	reports "google.golang.org/api/admin/reports/v1"

	"github.com/shadowscan/shadowscan/providers/internal/httpx"
	"github.com/shadowscan/shadowscan/scanner"
)

// Type is the provider's registered type.
const Type = "google_workspace"

// Scopes the provider asks for, and nothing more.
const (
	ScopeUserReadonly  = admin.AdminDirectoryUserReadonlyScope  // users.list
	ScopeUserSecurity  = admin.AdminDirectoryUserSecurityScope  // tokens.list
	ScopeAuditReadonly = reports.AdminReportsAuditReadonlyScope // activities.list (token audit log)
)

func init() {
	scanner.Register(scanner.Registration[*Config]{
		Type:        Type,
		Description: "Google Workspace: every third-party OAuth grant (tokens.list per user, token audit log), with who granted it, their org unit and department",
		NewConfig:   NewConfig,
		New: func(c *Config, d scanner.Deps) (scanner.Provider, error) {
			return newProvider(c, d)
		},
		Shards: true,
		Shape:  shape,
		Permissions: []scanner.Permission{
			{Name: ScopeUserReadonly, Why: "users.list: every user with org unit, department (organizations) and suspended state, to attribute each grant to a person",
				Degrades: "grants cannot be attributed to org units and departments; marketing-department rules see nobody", When: whenTokens},
			{Name: ScopeUserSecurity, Why: "tokens.list: the OAuth tokens each user has granted to third-party apps; the only scope that can read them (it also allows deleting them, which shadowscan never does)",
				Degrades: "no OAuth grant is read: every OAuth rule (unapproved apps, restricted scopes) sees nothing", When: whenTokens},
			{Name: ScopeAuditReadonly, Why: "activities.list for application 'token': authorize and revoke events, for first/last authorisation times and grants revoked between scans (modes audit and both)",
				Degrades: "first/last authorisation times and grants revoked between scans are unknown", When: whenAudit},
		},
		PermissionKind: scanner.PermissionOAuthScope,
		PermissionSetup: "Admin console › Security › Access and data control › API controls › Manage Domain Wide " +
			"Delegation › Add new: enter the service account's OAuth 2 client ID (gcloud iam service-accounts describe " +
			"SA_EMAIL --format='value(oauth2ClientId)') and the scopes below, comma-separated. Set admin_email to an admin " +
			"allowed to read users, their security settings and reports.",
	})
}

// provider is one configured Google Workspace instance.
type provider struct {
	cfg  Config
	deps scanner.Deps
	log  zerolog.Logger
	now  func() time.Time

	// Test seams: the retry clock and jitter, the base backoff, and the auth endpoints.
	clock       httpx.Clock
	rand        func() float64
	baseDelay   time.Duration
	tokenURL    string
	iamEndpoint string
	adc         func(ctx context.Context, scopes ...string) (oauth2.TokenSource, error)

	// scopeOverride, when set, is the only scope asked for (doctor checks one scope at a time).
	scopeOverride []string

	// What the credentials say about the service account, for error messages.
	saEmail    string
	saClientID string
}

func newProvider(c *Config, d scanner.Deps) (*provider, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	p := &provider{cfg: *c, deps: d, log: d.Logger, now: d.Now, clock: httpx.SystemClock,
		tokenURL: googleTokenURL, iamEndpoint: iamCredentialsEndpoint, adc: google.DefaultTokenSource}
	if p.now == nil {
		p.now = time.Now
	}
	if sh := d.Shard; sh.Sharded() {
		// The tenant's quota is shared by every shard.
		if p.cfg.ShardMaxQPM > 0 {
			p.cfg.MaxQPM = p.cfg.ShardMaxQPM
		} else {
			p.cfg.MaxQPM = max(1, p.cfg.MaxQPM/sh.Count)
		}
	}
	if p.deps.Diagnostics == nil {
		p.deps.Diagnostics = &scanner.Diagnostics{}
	}
	return p, nil
}

// Collect emits one oauth_grant record per (user, client ID).
func (p *provider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	out := scanner.NewEmitter(emit, nil)
	if p.cfg.ExportFile != "" && !p.deps.Shard.Owns("file:"+p.cfg.ExportFile) {
		p.log.Debug().Str("shard", p.deps.Shard.String()).Msg("export file read by another shard")
		return nil
	}
	start := time.Now()
	var err error
	if p.cfg.ExportFile != "" {
		err = p.collectExport(ctx, out)
	} else {
		err = p.collectAPI(ctx, out)
	}
	ev := p.log.Debug()
	if err != nil {
		ev = p.log.Warn().Err(err)
	}
	ev.Int("records", out.Count()).Int64("took_ms", time.Since(start).Milliseconds()).Msg("google workspace collection finished")
	return err
}

// shardKey is what a user's shard is chosen by: the lower-cased primary email (the user ID when there is none),
// the same for a current grant and for an audit event of that user.
func shardKey(id, email string) string {
	if email != "" {
		return "google-user:" + strings.ToLower(strings.TrimSpace(email))
	}
	return "google-user-id:" + id
}

// person is a Workspace user, as far as a grant's attribution needs.
type person struct {
	ID         string
	Email      string
	Name       string
	OrgUnit    string
	Department string
	Suspended  bool
}

// grant is one (user, client) OAuth grant from any source.
type grant struct {
	user        person
	clientID    string
	displayText string
	anonymous   bool
	nativeApp   bool
	scopes      []string
	source      string // tokens, audit, export
	audit       *auditGrant
	// revoked: the grant is not held any more (or, from the audit log alone, its last event was a revoke).
	revoked bool
}

// Sources of a record.
const (
	sourceTokens = "tokens"
	sourceAudit  = "audit"
	sourceExport = "export"
)

// record turns a grant into the normalised record.
func (p *provider) record(g grant) scanner.Record {
	userKey := g.user.ID
	if userKey == "" {
		userKey = strings.ToLower(g.user.Email)
	}
	name := g.displayText
	if name == "" && g.audit != nil {
		name = g.audit.appName
	}
	scopes := normaliseScopes(g.scopes)
	r := scanner.Record{
		Kind:  scanner.KindOAuthGrant,
		ID:    "google:" + p.customerKey() + ":" + userKey + ":" + g.clientID,
		Hints: []scanner.Hint{{Type: scanner.HintGoogleClientID, Value: g.clientID}},
		Principal: &scanner.Principal{Type: "user", ID: g.user.ID, Email: g.user.Email, Name: g.user.Name,
			OrgUnit: g.user.OrgUnit, Department: g.user.Department, Suspended: g.user.Suspended},
		Scopes: scopes,
		Attributes: map[string]any{
			"source":  g.source,
			"revoked": g.revoked,
		},
	}
	if name != "" {
		r.Hints = append(r.Hints, scanner.Hint{Type: scanner.HintName, Value: name})
	}
	if g.source != sourceAudit {
		r.Attributes["anonymous"] = g.anonymous
		r.Attributes["native_app"] = g.nativeApp
	}
	if g.user.ID != "" {
		r.Attributes["user_key"] = g.user.ID
	}
	if a := g.audit; a != nil {
		r.FirstSeen, r.LastSeen = a.firstAuthorized, a.lastAuthorized
		if r.FirstSeen.IsZero() {
			// Only a revoke is in the window: the grant is older than the lookback.
			r.LastSeen = a.lastEventTime
		}
		r.Attributes["last_event"] = a.lastEvent
		r.Attributes["authorizations"] = int64(a.authorizations)
		if a.clientType != "" {
			r.Attributes["client_type"] = a.clientType
		}
		if g.source == sourceAudit {
			r.Attributes["native_app"] = strings.HasPrefix(a.clientType, "NATIVE_")
		}
		if !a.revokedAt.IsZero() && g.revoked {
			r.Attributes["revoked_at"] = a.revokedAt.UTC().Format(time.RFC3339)
		}
	}
	who := g.user.Email
	if who == "" {
		who = userKey
	}
	app := name
	if app == "" {
		app = g.clientID
	}
	r.Summary = fmt.Sprintf("%s granted %s %s", who, app, scopeCount(len(scopes)))
	if g.revoked {
		r.Summary += " (revoked)"
	}
	if g.user.Suspended {
		r.Summary += " (user suspended)"
	}
	return r
}

func scopeCount(n int) string {
	if n == 1 {
		return "1 scope"
	}
	return fmt.Sprintf("%d scopes", n)
}

// customerKey is the customer part of record IDs: the configured customer, or the domain when only that is set.
func (p *provider) customerKey() string {
	if p.cfg.Customer != "" {
		return p.cfg.Customer
	}
	return p.cfg.Domain
}

// normaliseScopes trims, drops empties and duplicates, and sorts, so IDs and diffs are stable. Scopes are kept as
// Google reports them: full URLs for Google APIs, bare words for OpenID Connect (openid, email, profile).
func normaliseScopes(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
