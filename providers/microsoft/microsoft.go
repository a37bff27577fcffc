// Package microsoft collects every third-party application with access to a Microsoft 365 tenant (Microsoft
// Entra ID) and who let it in: service principals owned by other tenants, delegated permission grants
// (oauth2PermissionGrants: one user's consent, or an admin's for everyone), app-only permissions (app role
// assignments), consent history from the directory audit log and last sign-in per app.
//
// It reads Microsoft Graph v1.0 (and one beta report) over plain net/http with OData paging, $select and JSON
// $batch, authenticated by azidentity (client secret, certificate or workload identity federation). Without API
// access it reads Graph PowerShell ConvertTo-Json output or saved Graph responses instead (export_file).
package microsoft

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/httpx"
	"github.com/shadowscan/shadowscan/scanner"
)

// Type is the provider's registered type.
const Type = "microsoft"

// KindServicePrincipal is the record kind of one third-party (or internal) application in the tenant.
const KindServicePrincipal = "service_principal"

// Graph application permissions the provider needs, and nothing more.
const (
	PermApplicationRead = "Application.Read.All"
	PermDirectoryRead   = "Directory.Read.All"
	PermAuditLogRead    = "AuditLog.Read.All"
)

func init() {
	scanner.Register(scanner.Registration[*Config]{
		Type:        Type,
		Description: "Microsoft Entra ID: third-party apps in a Microsoft 365 tenant, their delegated and app-only permissions, who consented and when, last sign-in",
		NewConfig:   NewConfig,
		New: func(c *Config, d scanner.Deps) (scanner.Provider, error) {
			return newProvider(c, d)
		},
		Shape: shape,
		// In a sharded scan every shard lists the tenant (one listing serves all apps) but reads app-only
		// permissions for, and emits the records of, only the apps it owns (by application ID).
		Shards: true,
		Permissions: []scanner.Permission{
			{Name: PermApplicationRead, Why: "servicePrincipals and servicePrincipals/{id}/appRoleAssignments: every app in the tenant, its publisher and owner tenant, its app-only permissions, and the names of the permissions APIs offer (application permission, read-only)",
				Degrades: "no app is read: every Entra rule (unapproved apps, risky app-only permissions) sees nothing", When: whenAPI},
			{Name: PermDirectoryRead, Why: "oauth2PermissionGrants (delegated grants; Microsoft names no narrower read permission for them), users and directoryObjects/getByIds (UPN, department and usage location of each user who consented), organization (the tenant's own ID) (application permission, read-only)",
				Degrades: "delegated consents and who gave them are not read: user-consent rules see nothing", When: whenAPI},
			{Name: PermAuditLogRead, Why: "optional: auditLogs/directoryAudits (who consented when, incl. grants since removed) and the servicePrincipalSignInActivities report (last use per app); without it those parts are skipped and say so",
				Degrades: "consent history and last use per app are skipped (coverage says so)", When: whenAuditLog},
		},
		PermissionKind: scanner.PermissionGraphApp,
		PermissionSetup: "Entra admin center › App registrations › shadowscan › API permissions › Add a permission › " +
			"Microsoft Graph › Application permissions: add the permissions below, then Grant admin consent for the tenant. " +
			"Put the app's tenant ID and application (client) ID in tenant_id and client_id.",
	})
}

// provider is one configured Microsoft tenant.
type provider struct {
	cfg  Config
	deps scanner.Deps
	log  zerolog.Logger
	now  func() time.Time

	// Test seams: the retry clock and the base backoff.
	clock     httpx.Clock
	baseDelay time.Duration
}

func newProvider(c *Config, d scanner.Deps) (*provider, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	p := &provider{cfg: *c, deps: d, log: d.Logger, now: d.Now, clock: httpx.SystemClock, baseDelay: time.Second}
	if p.now == nil {
		p.now = time.Now
	}
	if p.deps.Diagnostics == nil {
		p.deps.Diagnostics = &scanner.Diagnostics{}
	}
	return p, nil
}

// Collect emits a service_principal record per third-party or internal app and an oauth_grant record per (app,
// user or tenant-wide, resource).
func (p *provider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	out := scanner.NewEmitter(emit, nil)
	start := time.Now()
	var (
		t   *tenant
		err error
	)
	if p.cfg.ExportFile != "" {
		t, err = p.readExport()
	} else {
		t, err = p.readAPI(ctx)
	}
	if t != nil {
		if eerr := p.emitTenant(t, out); eerr != nil && err == nil {
			err = eerr
		}
	}
	ev := p.log.Debug()
	if err != nil {
		ev = p.log.Warn().Err(err)
	}
	ev.Int("records", out.Count()).Int64("took_ms", time.Since(start).Milliseconds()).Msg("microsoft collection finished")
	return err
}

// owns says whether this shard reports the app (always, when the scan is not sharded).
func (p *provider) owns(appID string) bool {
	return p.deps.Shard.Owns("entra-app:" + strings.ToLower(appID))
}

// baseTransport is what every connection goes through: the injected client's transport (tests) or the default.
func (p *provider) baseTransport() http.RoundTripper {
	if p.deps.HTTPClient != nil && p.deps.HTTPClient.Transport != nil {
		return p.deps.HTTPClient.Transport
	}
	return http.DefaultTransport
}

// client builds the Graph client: credentials first, then the rate limit and retries of httpx around them.
func (p *provider) client() (*graphClient, error) {
	base := p.baseTransport()
	rt := base
	if p.cfg.Auth != AuthNone {
		cred, err := p.credential(base)
		if err != nil {
			return nil, err
		}
		rt = &bearer{cred: cred, scope: p.cfg.tokenScope(), base: base}
	}
	log := p.log
	u, _ := url.Parse(p.cfg.graphBase())
	return &graphClient{
		http: &http.Client{Transport: httpx.NewTransport(rt, httpx.Options{
			QPM:          float64(p.cfg.MaxQPM),
			MaxAttempts:  p.cfg.MaxAttempts,
			BaseDelay:    p.baseDelay,
			Clock:        p.clock,
			RetryReasons: []string{}, // a Graph 403 is a permission error, never throttling
			OnRetry:      httpx.LogRetries(log, "graph call"),
		})},
		base: p.cfg.graphBase(), beta: p.cfg.betaBase(), host: u.Host,
		clock: p.clock, maxAttempts: p.cfg.MaxAttempts, baseDelay: p.baseDelay, log: log,
	}, nil
}
