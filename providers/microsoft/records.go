package microsoft

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// Ownership of an app, as records report it.
const (
	ownerThirdParty = "third_party" // registered in another organisation's tenant: a vendor
	ownerMicrosoft  = "microsoft"   // a Microsoft first-party app
	ownerInternal   = "internal"    // registered in this tenant (or a managed identity): not a vendor
)

// microsoftTenants are the tenants Microsoft's first-party apps are registered in (the same set the catalogue's
// microsoft_apps.csv is filtered by; the catalogue resolver also knows every first-party app ID).
var microsoftTenants = map[string]bool{
	"f8cdef31-a31e-4b4a-93e4-5f571e91255a": true, // Microsoft Services
	"72f988bf-86f1-41af-91ab-2d7cd011db47": true, // Microsoft
	"cdc5aeea-15c5-4db6-b079-fcadd2505dc2": true, // Microsoft (first-party apps of some services)
}

// ownership classifies an app by the tenant it is registered in.
func ownership(sp *servicePrincipal, tenantID string) string {
	owner := strings.ToLower(sp.AppOwnerOrganizationID)
	switch {
	case strings.EqualFold(sp.ServicePrincipalType, "ManagedIdentity"):
		return ownerInternal
	case microsoftTenants[owner]:
		return ownerMicrosoft
	case owner != "" && strings.EqualFold(owner, tenantID):
		return ownerInternal
	}
	return ownerThirdParty
}

// emitTenant turns what was read into records: a service_principal per third-party or internal app, an
// oauth_grant per delegated grant (app, user or tenant-wide, resource), one per (app, resource) of app-only
// permissions, and one per consent in the audit log whose grant no longer exists.
func (p *provider) emitTenant(t *tenant, out *scanner.Emitter) error {
	tk := p.cfg.TenantID
	if tk == "" {
		tk = t.id
	}
	if tk == "" {
		tk = "tenant"
	}
	tk = strings.ToLower(tk)
	b := &builder{p: p, t: t, key: tk, consents: indexConsents(t)}
	sort.SliceStable(t.sps, func(i, j int) bool { return t.sps[i].AppID < t.sps[j].AppID })
	for _, sp := range t.sps {
		if ownership(sp, t.id) == ownerMicrosoft || !p.owns(sp.AppID) {
			continue
		}
		if err := out.Send(b.spRecord(sp)); err != nil {
			return err
		}
	}
	// Records are sent as they are built, so that no list of them is held.
	if err := b.grantRecords(out.Send); err != nil {
		return err
	}
	if err := b.assignmentRecords(out.Send); err != nil {
		return err
	}
	return b.revokedRecords(out.Send)
}

type builder struct {
	p        *provider
	t        *tenant
	key      string
	consents map[string]*consent
	seen     map[string]bool // consent keys that still have a grant
}

// appFacts are the attributes every record of an app carries.
func (b *builder) appFacts(sp *servicePrincipal, attrs map[string]any) {
	own := ownership(sp, b.t.id)
	name, verified := sp.verified()
	attrs["ownership"] = own
	attrs["app_id"] = strings.ToLower(sp.AppID)
	attrs["app_name"] = sp.DisplayName
	attrs["publisher_verified"] = verified
	if name != "" {
		attrs["verified_publisher"] = name
	}
	if sp.PublisherName != "" {
		attrs["publisher"] = sp.PublisherName
	}
	if sp.AppOwnerOrganizationID != "" {
		attrs["owner_tenant"] = strings.ToLower(sp.AppOwnerOrganizationID)
	}
	attrs["sign_ins_read"] = b.t.signInsRead
	if at, ok := b.t.signIns[strings.ToLower(sp.AppID)]; ok {
		attrs["last_sign_in"] = at.UTC().Format(time.RFC3339)
	}
	attrs["source"] = b.t.source
}

// hints are the vendor hints of an app: its application ID, and (not for internal apps, which are no vendor) its
// name and homepage domain.
func (b *builder) hints(sp *servicePrincipal) []scanner.Hint {
	h := []scanner.Hint{{Type: scanner.HintEntraAppID, Value: strings.ToLower(sp.AppID)}}
	if ownership(sp, b.t.id) == ownerInternal {
		return h
	}
	if sp.DisplayName != "" {
		h = append(h, scanner.Hint{Type: scanner.HintName, Value: sp.DisplayName})
	}
	if host := homepageHost(sp.Homepage); host != "" {
		h = append(h, scanner.Hint{Type: scanner.HintDomain, Value: host})
	}
	return h
}

func homepageHost(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" || !strings.Contains(h, ".") || strings.HasSuffix(h, ".microsoftonline.com") ||
		strings.HasSuffix(h, ".microsoft.com") || strings.HasSuffix(h, ".azurewebsites.net") {
		return ""
	}
	return h
}

func (b *builder) spRecord(sp *servicePrincipal) scanner.Record {
	attrs := map[string]any{}
	b.appFacts(sp, attrs)
	if sp.ServicePrincipalType != "" {
		attrs["sp_type"] = sp.ServicePrincipalType
	}
	if sp.AccountEnabled != nil {
		attrs["account_enabled"] = *sp.AccountEnabled
	}
	if len(sp.Tags) > 0 {
		attrs["tags"] = append([]string(nil), sp.Tags...)
	}
	if sp.Homepage != "" {
		attrs["homepage"] = sp.Homepage
	}
	if len(sp.ReplyURLs) > 0 {
		attrs["reply_urls"] = append([]string(nil), sp.ReplyURLs...)
	}
	r := scanner.Record{
		Kind:       KindServicePrincipal,
		ID:         "entra:" + b.key + ":sp:" + strings.ToLower(sp.AppID),
		Hints:      b.hints(sp),
		Principal:  &scanner.Principal{Type: "service", ID: sp.ID, Name: sp.DisplayName},
		FirstSeen:  sp.CreatedDateTime.Time,
		Attributes: attrs,
	}
	if at, ok := b.t.signIns[strings.ToLower(sp.AppID)]; ok {
		r.LastSeen = at
	}
	switch attrs["ownership"] {
	case ownerInternal:
		r.Summary = fmt.Sprintf("internal app %s (registered in this tenant)", sp.DisplayName)
	default:
		pub := "unverified publisher"
		if v, _ := attrs["publisher_verified"].(bool); v {
			pub = "verified publisher " + fmt.Sprint(attrs["verified_publisher"])
		}
		r.Summary = fmt.Sprintf("third-party app %s (%s)", sp.DisplayName, pub)
	}
	return r
}

// setResource names the resource in attrs and returns its name.
func (b *builder) setResource(attrs map[string]any, objectID string) string {
	name, app := b.resource(objectID)
	if name != "" {
		attrs["resource"] = name
	}
	if app != "" {
		attrs["resource_app_id"] = app
	}
	return name
}

// resourceKey identifies a resource in record IDs: its application ID (the same in every tenant and in exports),
// or its object ID when the resource is unknown.
func (b *builder) resourceKey(objectID string) string {
	if _, app := b.resource(objectID); app != "" {
		return app
	}
	return strings.ToLower(objectID)
}

// resourceName names a resource service principal (Microsoft Graph, Office 365 Exchange Online…).
func (b *builder) resource(id string) (name, appID string) {
	if sp := b.t.sp(id); sp != nil {
		return sp.DisplayName, strings.ToLower(sp.AppID)
	}
	return "", ""
}

func (b *builder) grantRecords(send func(scanner.Record) error) error {
	type acc struct {
		g      grant
		scopes map[string]bool
	}
	merged := map[string]*acc{}
	var keys []string
	for _, g := range b.t.grants {
		if g.ClientID == "" {
			b.p.deps.Diagnostics.Error(apiGrants, g.ID, errors.New("grant without clientId: not attributable to an app"))
			continue
		}
		client := b.t.sp(g.ClientID)
		if client != nil && !b.p.owns(client.AppID) || client == nil && !b.p.owns(g.ClientID) {
			continue // another shard's app
		}
		if client == nil {
			client = &servicePrincipal{ID: g.ClientID, AppID: g.ClientID}
			b.p.deps.Diagnostics.Error(apiGrants, g.ID, fmt.Errorf("grant %s names client %s, which is not among the service principals read; reported under its object ID", g.ID, g.ClientID))
			b.t.addSP(*client)
			client = b.t.sp(g.ClientID)
		}
		who := "all"
		if g.ConsentType != ConsentAllPrincipals {
			who = strings.ToLower(g.PrincipalID)
		}
		k := strings.ToLower(client.AppID) + ":" + who + ":" + b.resourceKey(g.ResourceID)
		a := merged[k]
		if a == nil {
			a = &acc{g: g, scopes: map[string]bool{}}
			merged[k] = a
			keys = append(keys, k)
		}
		for _, s := range strings.Fields(g.Scope) {
			a.scopes[s] = true
		}
	}
	sort.Strings(keys)
	b.seen = map[string]bool{}
	for _, k := range keys {
		a := merged[k]
		g := a.g
		client := b.t.sp(g.ClientID)
		attrs := map[string]any{"permission_type": "delegated", "grant_id": g.ID}
		b.appFacts(client, attrs)
		consentType := g.ConsentType
		if consentType == "" {
			consentType = ConsentPrincipal
		}
		attrs["consent_type"] = consentType
		resName := b.setResource(attrs, g.ResourceID)
		var pr *scanner.Principal
		who := "all"
		if consentType == ConsentAllPrincipals {
			pr = &scanner.Principal{Type: "tenant", Name: "all users"}
		} else {
			who = strings.ToLower(g.PrincipalID)
			pr = &scanner.Principal{Type: "user", ID: g.PrincipalID}
			if u := b.t.users[who]; u != nil {
				pr.Email = u.UserPrincipalName
				if pr.Email == "" {
					pr.Email = u.Mail
				}
				pr.Name, pr.Department = u.DisplayName, u.Department
				if u.AccountEnabled != nil && !*u.AccountEnabled {
					pr.Suspended = true
				}
				if u.UsageLocation != "" {
					attrs["usage_location"] = u.UsageLocation
				}
			} else if b.t.deleted[who] {
				attrs["user_deleted"] = true
			}
		}
		scopes := sortedKeys(a.scopes)
		r := scanner.Record{
			Kind:       scanner.KindOAuthGrant,
			ID:         "entra:" + b.key + ":grant:" + k,
			Hints:      b.hints(client),
			Principal:  pr,
			Scopes:     scopes,
			FirstSeen:  client.CreatedDateTime.Time,
			Attributes: attrs,
		}
		ck := consentKey(strings.ToLower(client.AppID), who, strings.ToLower(g.ResourceID))
		if c := b.consents[ck]; c != nil {
			b.seen[ck] = true
			c.apply(&r)
		}
		if at, ok := b.t.signIns[strings.ToLower(client.AppID)]; ok {
			r.LastSeen = at
		}
		holder := pr.Email
		if consentType == ConsentAllPrincipals {
			holder = "an admin for all users"
		} else if holder == "" {
			holder = "user " + pr.ID
		}
		r.Summary = fmt.Sprintf("%s granted %s %s on %s", holder, client.DisplayName, scopeCount(len(scopes)), orUnknown(resName))
		if err := send(r); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) assignmentRecords(send func(scanner.Record) error) error {
	type acc struct {
		client   *servicePrincipal
		resource string
		roles    map[string]bool
		first    time.Time
		ids      []string
	}
	merged := map[string]*acc{}
	var keys []string
	for _, a := range b.t.assignments {
		client := b.t.sp(a.PrincipalID)
		if client == nil || !strings.EqualFold(a.PrincipalType, "ServicePrincipal") && a.PrincipalType != "" || !b.p.owns(client.AppID) {
			continue // assigned to a user or group: not app-only
		}
		k := strings.ToLower(client.AppID) + ":" + b.resourceKey(a.ResourceID)
		m := merged[k]
		if m == nil {
			m = &acc{client: client, resource: a.ResourceID, roles: map[string]bool{}}
			merged[k] = m
			keys = append(keys, k)
		}
		m.roles[b.roleName(a)] = true
		m.ids = append(m.ids, a.ID)
		if t := a.CreatedDateTime.Time; !t.IsZero() && (m.first.IsZero() || t.Before(m.first)) {
			m.first = t
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		m := merged[k]
		attrs := map[string]any{"permission_type": "application", "consent_type": ConsentApplication}
		b.appFacts(m.client, attrs)
		resName := b.setResource(attrs, m.resource)
		sort.Strings(m.ids)
		attrs["assignment_ids"] = m.ids
		scopes := sortedKeys(m.roles)
		r := scanner.Record{
			Kind:       scanner.KindOAuthGrant,
			ID:         "entra:" + b.key + ":approle:" + k,
			Hints:      b.hints(m.client),
			Principal:  &scanner.Principal{Type: "service", ID: m.client.ID, Name: m.client.DisplayName},
			Scopes:     scopes,
			FirstSeen:  m.first,
			Attributes: attrs,
		}
		if c := b.consents[consentKey(strings.ToLower(m.client.AppID), "app", strings.ToLower(m.resource))]; c != nil {
			c.apply(&r)
		}
		if at, ok := b.t.signIns[strings.ToLower(m.client.AppID)]; ok {
			r.LastSeen = at
		}
		r.Summary = fmt.Sprintf("%s holds %s on %s (no user in the loop)", m.client.DisplayName, count(len(scopes), "app-only permission"), orUnknown(resName))
		if err := send(r); err != nil {
			return err
		}
	}
	return nil
}

// roleName resolves an app role ID through the resource's appRoles; an unknown ID stays visible as itself.
func (b *builder) roleName(a appRoleAssignment) string {
	if res := b.t.sp(a.ResourceID); res != nil {
		for _, r := range res.AppRoles {
			if strings.EqualFold(r.ID, a.AppRoleID) && r.Value != "" {
				return r.Value
			}
		}
	}
	if a.AppRoleID == "00000000-0000-0000-0000-000000000000" {
		return "default-access"
	}
	return "approle:" + strings.ToLower(a.AppRoleID)
}

// revokedRecords are consents of the audit log whose grant no longer exists: who let the app in, and when, even
// though it is gone now.
func (b *builder) revokedRecords(send func(scanner.Record) error) error {
	var keys []string
	for k, c := range b.consents {
		if !b.seen[k] && c.who != "app" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := b.consents[k]
		sp := b.t.sp(c.clientObjectID)
		if sp == nil {
			sp = &servicePrincipal{ID: c.clientObjectID, AppID: c.appID, DisplayName: c.appName}
		}
		if sp.AppID == "" || ownership(sp, b.t.id) == ownerMicrosoft || !b.p.owns(sp.AppID) {
			continue
		}
		attrs := map[string]any{"permission_type": "delegated", "revoked": true}
		b.appFacts(sp, attrs)
		attrs["source"] = "audit"
		if c.allPrincipals {
			attrs["consent_type"] = ConsentAllPrincipals
		} else {
			attrs["consent_type"] = ConsentPrincipal
		}
		b.setResource(attrs, c.resourceID)
		pr := &scanner.Principal{Type: "tenant", Name: "all users"}
		if !c.allPrincipals {
			pr = &scanner.Principal{Type: "user", ID: c.principalID, Email: c.byUPN}
			if u := b.t.users[strings.ToLower(c.principalID)]; u != nil {
				pr.Email, pr.Name, pr.Department = u.UserPrincipalName, u.DisplayName, u.Department
			}
		}
		r := scanner.Record{
			Kind:       scanner.KindOAuthGrant,
			ID:         "entra:" + b.key + ":consent:" + c.appID + ":" + c.who + ":" + b.resourceKey(c.resourceID),
			Hints:      b.hints(sp),
			Principal:  pr,
			Scopes:     c.scopes,
			Attributes: attrs,
		}
		c.apply(&r)
		r.Summary = fmt.Sprintf("%s consented to %s (%s) on %s; the grant has since been removed", orElse(c.byUPN, "someone"),
			orElse(sp.DisplayName, sp.AppID), scopeCount(len(c.scopes)), c.at.UTC().Format("2006-01-02"))
		if err := send(r); err != nil {
			return err
		}
	}
	return nil
}

// consent is the latest consent event of the audit log for one (app, user or all or app-only, resource).
type consent struct {
	appID, appName, clientObjectID string
	who                            string // user object ID, "all", or "app"
	principalID                    string
	resourceID                     string
	allPrincipals                  bool
	byUPN                          string
	at                             time.Time
	scopes                         []string
	activity                       string
}

func (c *consent) apply(r *scanner.Record) {
	if c.byUPN != "" {
		r.Attributes["consented_by"] = c.byUPN
	}
	if !c.at.IsZero() {
		r.Attributes["consented_at"] = c.at.UTC().Format(time.RFC3339)
		if r.FirstSeen.IsZero() || c.at.Before(r.FirstSeen) {
			r.FirstSeen = c.at
		}
	}
}

func consentKey(appID, who, resource string) string { return appID + ":" + who + ":" + resource }

var (
	guidFind  = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	permEntry = regexp.MustCompile(`\[([^\[\]]*)\]`)
)

// indexConsents reads the consent events (latest per key). The audit log describes the permissions in a
// modifiedProperties string such as
// "[] => [[Id: …, ClientId: <sp>, PrincipalId: <user>, ResourceId: <sp>, ConsentType: Principal, Scope: Mail.Read User.Read, …]]".
func indexConsents(t *tenant) map[string]*consent {
	out := map[string]*consent{}
	for _, ev := range t.audits {
		if ev.Result != "" && !strings.EqualFold(ev.Result, "success") {
			continue
		}
		by := ""
		if u := ev.InitiatedBy.User; u != nil {
			by = u.UserPrincipalName
		}
		for _, tr := range ev.TargetResources {
			if !strings.EqualFold(tr.Type, "ServicePrincipal") && tr.Type != "" {
				continue
			}
			base := consent{clientObjectID: tr.ID, appName: tr.DisplayName, byUPN: by, at: ev.ActivityDateTime.Time, activity: ev.ActivityDisplayName}
			var perms []map[string]string
			clientAppID := "" // app role assignments: the app that received the role
			for _, mp := range tr.ModifiedProperties {
				v := mp.NewValue
				switch mp.DisplayName {
				case "TargetId.ServicePrincipalNames":
					if base.appID == "" {
						base.appID = strings.ToLower(guidFind.FindString(v))
					}
				case "ServicePrincipal.AppId":
					clientAppID = strings.ToLower(guidFind.FindString(v))
				case "ConsentContext.OnBehalfOfAll":
					base.allPrincipals = strings.Contains(strings.ToLower(v), "true")
				case "ConsentAction.Permissions", "DelegatedPermissionGrant.Scope":
					perms = append(perms, parsePermissions(v)...)
				case "AppRole.Value":
					base.scopes = append(base.scopes, strings.Trim(v, `" `))
				}
			}
			if ev.ActivityDisplayName == "Add app role assignment to service principal" {
				// The target is the resource (Microsoft Graph…); the app that got the role is named in the
				// modified properties.
				if clientAppID == "" {
					continue
				}
				c := base
				c.appID, c.who, c.resourceID, c.clientObjectID = clientAppID, "app", strings.ToLower(tr.ID), ""
				remember(out, &c)
				continue
			}
			if sp := t.sp(tr.ID); sp != nil && base.appID == "" {
				base.appID = strings.ToLower(sp.AppID)
			}
			if base.appID == "" {
				continue
			}
			if len(perms) == 0 {
				c := base
				c.who = "all"
				if !c.allPrincipals {
					continue // nothing says whom it was for
				}
				remember(out, &c)
				continue
			}
			for _, pm := range perms {
				c := base
				c.resourceID = strings.ToLower(pm["resourceid"])
				c.principalID = pm["principalid"]
				c.scopes = sortedKeys(setOf(strings.Fields(pm["scope"])))
				if strings.EqualFold(pm["consenttype"], ConsentAllPrincipals) || (c.principalID == "" && c.allPrincipals) {
					c.allPrincipals, c.who = true, "all"
				} else {
					c.who = strings.ToLower(c.principalID)
				}
				remember(out, &c)
			}
		}
	}
	return out
}

func remember(m map[string]*consent, c *consent) {
	k := consentKey(c.appID, c.who, c.resourceID)
	if old := m[k]; old == nil || c.at.After(old.at) {
		m[k] = c
	}
}

// parsePermissions reads the "[Key: value, …]" entries of a ConsentAction.Permissions value (the part after "=>").
func parsePermissions(v string) []map[string]string {
	if i := strings.LastIndex(v, "=>"); i >= 0 {
		v = v[i+2:]
	}
	var out []map[string]string
	for _, m := range permEntry.FindAllStringSubmatch(v, -1) {
		e := map[string]string{}
		for _, part := range strings.Split(m[1], ", ") {
			k, val, ok := strings.Cut(part, ":")
			if !ok {
				continue
			}
			e[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(val)
		}
		if len(e) > 0 && (e["scope"] != "" || e["resourceid"] != "") {
			out = append(out, e)
		}
	}
	return out
}

func setOf(s []string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, x := range s {
		m[x] = true
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortStrings(s []string) { sort.Strings(s) }

func scopeCount(n int) string { return count(n, "permission") }

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func orUnknown(s string) string { return orElse(s, "an unknown resource") }

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
