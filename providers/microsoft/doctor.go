package microsoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/shadowscan/shadowscan/scanner"
)

// graphProbe is the cheapest Graph call that needs a permission.
type graphProbe struct {
	perm string
	path string // relative to the v1.0 (or beta) base
	beta bool
	note string // what else a refusal may mean
}

// probes are the calls doctor makes, per permission, in the order the scan needs them.
func (p *provider) probes() []graphProbe {
	out := []graphProbe{
		{perm: PermApplicationRead, path: "/servicePrincipals?$top=1&$select=id"},
		{perm: PermDirectoryRead, path: "/oauth2PermissionGrants?$top=1"},
		{perm: PermDirectoryRead, path: "/users?$top=1&$select=id"},
	}
	if p.cfg.AuditLogs {
		out = append(out, graphProbe{perm: PermAuditLogRead, path: "/auditLogs/directoryAudits?$top=1"})
	}
	if p.cfg.SignInActivity {
		out = append(out, graphProbe{perm: PermAuditLogRead, path: "/reports/servicePrincipalSignInActivities?$top=1", beta: true,
			note: "the sign-in report also needs an Entra ID P1/P2 licence"})
	}
	return out
}

// CheckPermissions implements scanner.PermissionChecker: a token from the configured credential, then per Graph
// permission the cheapest calls that need it (one page of one entry). Export mode checks the file instead.
func (p *provider) CheckPermissions(ctx context.Context) []scanner.PermissionCheck {
	if p.cfg.ExportFile != "" {
		return scanner.CheckFilesReadable(p.cfg.ExportFile)
	}
	var out []scanner.PermissionCheck
	if p.cfg.Auth != AuthNone {
		out = append(out, p.checkToken(ctx))
		if !out[0].OK {
			return out // every call below would fail the same way
		}
	}
	c, err := p.client()
	if err != nil {
		return append(out, scanner.PermissionCheck{Permission: "credentials", Detail: err.Error()})
	}
	c.maxAttempts = 1         // a probe that fails is reported, not retried for minutes
	index := map[string]int{} // permission → its line in out
	for _, pr := range p.probes() {
		i, ok := index[pr.perm]
		if !ok {
			out = append(out, scanner.PermissionCheck{Permission: pr.perm, OK: true})
			i = len(out) - 1
			index[pr.perm] = i
		}
		base, call := c.base, "GET "+pr.path
		if pr.beta {
			base, call = c.beta, "GET /beta"+pr.path
		}
		var pg page[json.RawMessage]
		if err := c.send(ctx, http.MethodGet, base+pr.path, nil, &pg); err != nil {
			out[i].OK = false
			out[i].Detail = joinDetail(out[i].Detail, call+": "+p.fix(pr, err))
			continue
		}
		out[i].Detail = joinDetail(out[i].Detail, call+" passed")
	}
	return out
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// checkToken asks the configured credential for a Graph token (client credentials).
func (p *provider) checkToken(ctx context.Context) scanner.PermissionCheck {
	c := scanner.PermissionCheck{Permission: "credentials"}
	how := "client_secret_file"
	switch {
	case p.cfg.CertificateFile != "":
		how = "certificate_file"
	case p.cfg.FederatedTokenFile != "":
		how = "federated_token_file"
	}
	cred, err := p.credential(p.baseTransport())
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{p.cfg.tokenScope()}}); err != nil {
		why := firstLine(err.Error())
		if strings.Contains(why, "unable to resolve an endpoint") {
			// MSAL drops the network error behind this message.
			login := p.cfg.LoginEndpoint
			if login == "" {
				login = DefaultLoginEndpoint
			}
			why += fmt.Sprintf(" (%s could not be reached, or did not answer as the Microsoft identity platform: check network access to it, and login_endpoint)", login)
		}
		c.Detail = fmt.Sprintf("no token for %s with %s: %v — check tenant_id %s, client_id %s and that the %s belongs to that app registration (Entra admin center › App registrations › Certificates & secrets)",
			p.cfg.tokenScope(), how, why, p.cfg.TenantID, p.cfg.ClientID, strings.ReplaceAll(how, "_", " "))
		return c
	}
	c.OK = true
	c.Detail = fmt.Sprintf("token for %s (tenant %s, client %s, %s)", p.cfg.tokenScope(), p.cfg.TenantID, p.cfg.ClientID, how)
	return c
}

// fix says why a probe failed and what to do.
func (p *provider) fix(pr graphProbe, err error) string {
	var ae *apiError
	if errors.As(err, &ae) && (ae.Status == http.StatusForbidden || ae.Status == http.StatusUnauthorized) {
		app := "the app registration"
		if p.cfg.ClientID != "" {
			app = "app registration " + p.cfg.ClientID
		}
		s := fmt.Sprintf("%d %s — add the %s application permission (Microsoft Graph › Application permissions) to %s and grant admin consent for the tenant",
			ae.Status, ae.Code, pr.perm, app)
		if pr.note != "" {
			s += "; " + pr.note
		}
		return s
	}
	return err.Error()
}

// firstLine shortens an azidentity error to what says why: the line with the AADSTS code when the login endpoint
// answered, else the first two lines (the failing step and the network error), without troubleshooting links.
func firstLine(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "AADSTS") {
			return l
		}
		if l != "" && !strings.Contains(l, "aka.ms") && strings.Trim(l, "-") != "" && len(lines) < 2 {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " ")
}
