package googleworkspace

import (
	"context"
	"fmt"

	"github.com/shadowscan/shadowscan/scanner"
)

// CheckPermissions implements scanner.PermissionChecker the way GAM's "check serviceaccount" does: one access
// token per scope, so a scope missing from the delegation entry fails alone, then the cheapest call that needs it.
func (p *provider) CheckPermissions(ctx context.Context) []scanner.PermissionCheck {
	if p.cfg.ExportFile != "" {
		return scanner.CheckFilesReadable(p.cfg.ExportFile, p.cfg.UsersExportFile)
	}
	var out []scanner.PermissionCheck
	for _, scope := range p.scopes() {
		q := *p
		q.scopeOverride = []string{scope}
		api, err := q.probe(ctx, scope)
		c := scanner.PermissionCheck{Permission: scope, OK: err == nil, Detail: api + " as " + p.cfg.AdminEmail}
		if err != nil {
			c.Detail = q.explain(api, err).Error()
		}
		out = append(out, c)
	}
	return out
}

// probe makes the cheapest call that needs scope, with a token for that scope alone.
func (p *provider) probe(ctx context.Context, scope string) (string, error) {
	dir, rep, err := p.services(ctx)
	if err != nil {
		return "credentials", err
	}
	switch scope {
	case ScopeUserReadonly:
		call := dir.Users.List().MaxResults(1).Fields("users(primaryEmail)").Context(ctx)
		if p.cfg.Domain != "" {
			call = call.Domain(p.cfg.Domain)
		} else {
			call = call.Customer(p.cfg.Customer)
		}
		_, err = call.Do()
		return "users.list", err
	case ScopeUserSecurity:
		_, err = dir.Tokens.List(p.cfg.AdminEmail).Context(ctx).Do()
		return "tokens.list", err
	case ScopeAuditReadonly:
		_, err = rep.Activities.List("all", "token").MaxResults(1).Context(ctx).Do()
		return "activities.list", err
	}
	return "", fmt.Errorf("no probe for scope %s", scope)
}
