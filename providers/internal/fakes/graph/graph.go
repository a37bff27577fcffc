// Package graph is an in-process fake of the parts of Microsoft Graph that shadowscan reads: servicePrincipals,
// oauth2PermissionGrants, servicePrincipals/{id}/appRoleAssignments, users, directoryObjects/getByIds,
// auditLogs/directoryAudits, organization, the beta reports/servicePrincipalSignInActivities, and JSON $batch. It
// speaks the documented wire format (OData collections with @odata.nextLink and $skiptoken, $select and $top
// honoured, Graph error bodies, $batch with per-request status and headers), so tests drive the provider's real
// net/http client against it:
//
//	srv := httptest.NewServer(&graph.Server{ServicePrincipals: sps, Errorf: t.Errorf})
//	// graph_endpoint: srv.URL + "/v1.0"
//
// Faults (throttling with Retry-After, 5xx, truncated bodies, 403, a repeating nextLink) are scripted per request
// key, also inside $batch. Login (login.go) fakes the Microsoft identity platform's token endpoint.
package graph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shadowscan/shadowscan/internal/ctxsleep"
	"github.com/shadowscan/shadowscan/providers/internal/fakes/faults"
)

// ServicePrincipal is one app in the tenant.
type ServicePrincipal struct {
	ID, AppID, DisplayName string
	AppOwnerOrganizationID string
	PublisherName          string
	VerifiedPublisherID    string // empty: unverified
	VerifiedPublisherName  string
	Type                   string // Application (default), ManagedIdentity, Legacy
	Disabled               bool
	Created                time.Time
	Tags                   []string
	Homepage               string
	ReplyURLs              []string
	AppRoles               []AppRole
}

// AppRole is an application permission a resource offers.
type AppRole struct{ ID, Value, DisplayName string }

// Grant is one oauth2PermissionGrant.
type Grant struct{ ID, ClientID, ConsentType, PrincipalID, ResourceID, Scope string }

// Assignment is one app role assignment; PrincipalID is the client service principal's object ID.
type Assignment struct {
	ID, AppRoleID, PrincipalID, ResourceID, ResourceDisplayName string
	Created                                                     time.Time
}

// User is a directory user. A Deleted user is referenced by grants but found by no lookup (deleted between
// the grant listing and the user lookup).
type User struct {
	ID, UPN, DisplayName, Department, UsageLocation string
	Deleted                                         bool
}

// SignIn is one app's last sign-in (beta servicePrincipalSignInActivities).
type SignIn struct {
	AppID string
	Last  time.Time
}

// Fault is one scripted failure; an empty Body means a Graph error body for Status.
type Fault = faults.Fault

// Common faults.
var (
	Unavailable503 = Fault{Status: 503, RetryAfter: "1", Body: GraphError("ServiceUnavailable", "Service unavailable")}
	Internal500    = Fault{Status: 500, Body: GraphError("generalException", "An internal server error occurred")}
	Truncated      = Fault{Status: 200, Body: `{"@odata.context":"x","value":[{"id":"`}
	Forbidden403   = Fault{Status: 403, Body: GraphError("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")}
)

// Throttled429 is a 429 with the given Retry-After seconds.
func Throttled429(retryAfter string) Fault {
	return Fault{Status: 429, RetryAfter: retryAfter, Body: GraphError("TooManyRequests", "Too many requests")}
}

// GraphError renders a Graph JSON error body.
func GraphError(code, message string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": message,
		"innerError": map[string]string{"request-id": "00000000-0000-0000-0000-000000000000"}}})
	return string(b)
}

// Request is one request the server saw (batch parts included, with Batch set).
type Request struct {
	Key    string
	Method string
	URL    string // path and query
	Batch  bool
}

// Server is the fake. Set its fields before serving; they are not modified afterwards.
type Server struct {
	TenantID          string
	ServicePrincipals []ServicePrincipal
	Grants            []Grant
	Assignments       []Assignment
	Users             []User
	// Audits are directoryAudits entries as Graph returns them (see ConsentEvent).
	Audits  []map[string]any
	SignIns []SignIn
	// PageSize caps page sizes (default 100); a smaller $top is honoured.
	PageSize int
	// RequireSelect answers 400 to collection reads without $select (proves the client sends it).
	RequireSelect bool
	// Token, when set, is the bearer token every request must carry (else 401).
	Token string
	// Latency is added to every HTTP request (not to each part of a $batch).
	Latency time.Duration
	// Script's fault keys: "servicePrincipals#N", "oauth2PermissionGrants#N", "users#N", "directoryAudits#N",
	// "signIns#N" (page N from 1), "getByIds", "organization", "batch" (the $batch call itself) and
	// "appRoleAssignments/<spObjectID>" (also inside $batch).
	faults.Script
	// Forbidden lists collections (keys without #N: servicePrincipals, users, directoryAudits, signIns, …) that
	// always answer 403 Authorization_RequestDenied.
	Forbidden map[string]bool
	// RepeatNextLink makes page N of a collection ("oauth2PermissionGrants#2") link back to itself.
	RepeatNextLink map[string]bool
	// Errorf reports unmatched requests (a test's t.Errorf); they are answered 404.
	Errorf func(format string, args ...any)

	mu       sync.Mutex
	requests []Request

	once     sync.Once
	sps      []map[string]any
	grants   []map[string]any
	users    []map[string]any
	byClient map[string][]map[string]any
	spIDs    map[string]bool
}

// index renders the entities once (the fields are not modified after serving starts).
func (s *Server) index() {
	s.once.Do(func() {
		s.sps, s.grants, s.users = s.spEntities(), s.grantEntities(), s.userEntities()
		s.byClient, s.spIDs = map[string][]map[string]any{}, map[string]bool{}
		for _, sp := range s.ServicePrincipals {
			s.spIDs[sp.ID] = true
		}
		for _, a := range s.Assignments {
			s.byClient[a.PrincipalID] = append(s.byClient[a.PrincipalID], map[string]any{"id": a.ID, "appRoleId": a.AppRoleID, "principalId": a.PrincipalID,
				"principalType": "ServicePrincipal", "resourceId": a.ResourceID, "resourceDisplayName": a.ResourceDisplayName,
				"createdDateTime": a.Created.UTC().Format(time.RFC3339), "deletedDateTime": nil})
		}
	})
}

// Requests returns every request seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// HTTPCalls counts the HTTP requests seen (a $batch counts once).
func (s *Server) HTTPCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if !r.Batch {
			n++
		}
	}
	return n
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Latency > 0 && ctxsleep.Sleep(r.Context(), s.Latency) != nil { // the client gave up while the fake was slow
		return
	}
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeJSON(w, 401, nil, GraphError("InvalidAuthenticationToken", "Access token is empty or invalid."))
		return
	}
	if r.Method == http.MethodPost && (r.URL.Path == "/v1.0/$batch" || r.URL.Path == "/beta/$batch") {
		s.serveBatch(w, r)
		return
	}
	s.serve(w, r, false)
}

// serve answers one (possibly batched) request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, batched bool) {
	s.index()
	q := r.URL.Query()
	path := r.URL.Path
	var key, coll string
	var answer func(w http.ResponseWriter)
	page := pageOf(q.Get("$skiptoken"), s.pageSize(q))
	switch {
	case r.Method == http.MethodGet && path == "/v1.0/servicePrincipals":
		coll, key = "servicePrincipals", fmt.Sprintf("servicePrincipals#%d", page)
		answer = func(w http.ResponseWriter) { s.list(w, r, coll, key, s.sps) }
	case r.Method == http.MethodGet && path == "/v1.0/oauth2PermissionGrants":
		coll, key = "oauth2PermissionGrants", fmt.Sprintf("oauth2PermissionGrants#%d", page)
		answer = func(w http.ResponseWriter) { s.list(w, r, coll, key, s.grants) }
	case r.Method == http.MethodGet && path == "/v1.0/users":
		coll, key = "users", fmt.Sprintf("users#%d", page)
		answer = func(w http.ResponseWriter) { s.list(w, r, coll, key, s.users) }
	case r.Method == http.MethodGet && path == "/v1.0/auditLogs/directoryAudits":
		coll, key = "directoryAudits", fmt.Sprintf("directoryAudits#%d", page)
		answer = func(w http.ResponseWriter) { s.list(w, r, coll, key, s.auditEntities(q.Get("$filter"))) }
	case r.Method == http.MethodGet && path == "/beta/reports/servicePrincipalSignInActivities":
		coll, key = "signIns", fmt.Sprintf("signIns#%d", page)
		answer = func(w http.ResponseWriter) { s.list(w, r, coll, key, s.signInEntities()) }
	case r.Method == http.MethodGet && path == "/v1.0/organization":
		coll, key = "organization", "organization"
		answer = func(w http.ResponseWriter) {
			writeJSON(w, 200, nil, mustJSON(map[string]any{"value": []map[string]any{{"id": s.TenantID}}}))
		}
	case r.Method == http.MethodPost && path == "/v1.0/directoryObjects/getByIds":
		coll, key = "getByIds", "getByIds"
		answer = func(w http.ResponseWriter) { s.getByIDs(w, r) }
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/v1.0/servicePrincipals/") && strings.HasSuffix(path, "/appRoleAssignments"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/v1.0/servicePrincipals/"), "/appRoleAssignments")
		coll, key = "appRoleAssignments", "appRoleAssignments/"+id
		if page > 1 {
			key += fmt.Sprintf("#%d", page)
		}
		answer = func(w http.ResponseWriter) {
			if !s.spIDs[id] {
				writeJSON(w, 404, nil, GraphError("Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present."))
				return
			}
			s.list(w, r, coll, key, s.byClient[id])
		}
	default:
		if s.Errorf != nil {
			s.Errorf("graph fake: unexpected %s %s", r.Method, r.URL.String())
		}
		writeJSON(w, 404, nil, GraphError("Request_UnsupportedQuery", "Unsupported request: "+r.Method+" "+path))
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Key: key, Method: r.Method, URL: r.URL.RequestURI(), Batch: batched})
	f := s.Next(key)
	s.mu.Unlock()
	if s.Forbidden[coll] {
		f = &Forbidden403
	}
	if f != nil {
		h := map[string]string{}
		if f.RetryAfter != "" {
			h["Retry-After"] = f.RetryAfter
		}
		body := f.Body
		if body == "" && f.Status >= 400 {
			body = GraphError(http.StatusText(f.Status), http.StatusText(f.Status))
		}
		writeJSON(w, f.Status, h, body)
		return
	}
	answer(w)
}

func (s *Server) pageSize(q url.Values) int {
	n := s.PageSize
	if n <= 0 {
		n = 100
	}
	if t, err := strconv.Atoi(q.Get("$top")); err == nil && t > 0 && t < n {
		n = t
	}
	return n
}

func pageOf(skip string, size int) int {
	off, _ := strconv.Atoi(skip)
	return off/size + 1
}

// list serves one page of a collection, honouring $select, $top and $skiptoken.
func (s *Server) list(w http.ResponseWriter, r *http.Request, coll, key string, all []map[string]any) {
	q := r.URL.Query()
	sel := q.Get("$select")
	if s.RequireSelect && sel == "" && coll != "signIns" && coll != "directoryAudits" {
		writeJSON(w, 400, nil, GraphError("BadRequest", "this fake requires $select on "+coll))
		return
	}
	size := s.pageSize(q)
	off, _ := strconv.Atoi(q.Get("$skiptoken"))
	if off < 0 || off > len(all) {
		writeJSON(w, 400, nil, GraphError("Directory_InvalidSkipToken", "invalid $skiptoken"))
		return
	}
	end := min(off+size, len(all))
	out := map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#" + coll, "value": project(all[off:end], sel)}
	if end < len(all) {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("$skiptoken", strconv.Itoa(end))
		if s.RepeatNextLink[key] {
			next.Set("$skiptoken", strconv.Itoa(off))
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		host := r.Host
		if h := r.Header.Get("X-Fake-Host"); h != "" {
			host, scheme = h, r.Header.Get("X-Fake-Scheme")
		}
		out["@odata.nextLink"] = scheme + "://" + host + r.URL.Path + "?" + next.Encode()
	}
	writeJSON(w, 200, nil, mustJSON(out))
}

// project keeps only the selected properties (all when sel is empty).
func project(in []map[string]any, sel string) []map[string]any {
	out := make([]map[string]any, len(in))
	if sel == "" {
		copy(out, in)
		return out
	}
	keep := map[string]bool{}
	for _, f := range strings.Split(sel, ",") {
		keep[strings.TrimSpace(f)] = true
	}
	for i, m := range in {
		p := map[string]any{}
		for k, v := range m {
			if keep[k] || strings.HasPrefix(k, "@odata.") {
				p[k] = v
			}
		}
		out[i] = p
	}
	return out
}

func (s *Server) spEntities() []map[string]any {
	out := make([]map[string]any, 0, len(s.ServicePrincipals))
	for _, sp := range s.ServicePrincipals {
		typ := sp.Type
		if typ == "" {
			typ = "Application"
		}
		roles := []map[string]any{}
		for _, r := range sp.AppRoles {
			roles = append(roles, map[string]any{"id": r.ID, "value": r.Value, "displayName": r.DisplayName,
				"allowedMemberTypes": []string{"Application"}, "isEnabled": true})
		}
		var vp map[string]any
		if sp.VerifiedPublisherID != "" {
			vp = map[string]any{"displayName": sp.VerifiedPublisherName, "verifiedPublisherId": sp.VerifiedPublisherID, "addedDateTime": "2023-01-01T00:00:00Z"}
		} else {
			vp = map[string]any{"displayName": nil, "verifiedPublisherId": nil, "addedDateTime": nil}
		}
		m := map[string]any{
			"id": sp.ID, "appId": sp.AppID, "displayName": sp.DisplayName, "appOwnerOrganizationId": nullable(sp.AppOwnerOrganizationID),
			"publisherName": nullable(sp.PublisherName), "verifiedPublisher": vp, "servicePrincipalType": typ,
			"accountEnabled": !sp.Disabled, "tags": orEmpty(sp.Tags), "homepage": nullable(sp.Homepage),
			"replyUrls": orEmpty(sp.ReplyURLs), "appRoles": roles, "oauth2PermissionScopes": []any{},
			"keyCredentials": []any{}, "passwordCredentials": []any{}, "description": nil,
		}
		if !sp.Created.IsZero() {
			m["createdDateTime"] = sp.Created.UTC().Format(time.RFC3339)
		}
		out = append(out, m)
	}
	return out
}

func (s *Server) grantEntities() []map[string]any {
	out := make([]map[string]any, 0, len(s.Grants))
	for _, g := range s.Grants {
		var pid any = g.PrincipalID
		if g.PrincipalID == "" {
			pid = nil
		}
		out = append(out, map[string]any{"id": g.ID, "clientId": g.ClientID, "consentType": g.ConsentType,
			"principalId": pid, "resourceId": g.ResourceID, "scope": g.Scope})
	}
	return out
}

func (s *Server) userEntity(u User) map[string]any {
	return map[string]any{"@odata.type": "#microsoft.graph.user", "id": u.ID, "userPrincipalName": u.UPN,
		"displayName": u.DisplayName, "mail": u.UPN, "department": nullable(u.Department),
		"usageLocation": nullable(u.UsageLocation), "accountEnabled": true, "jobTitle": nil}
}

func (s *Server) userEntities() []map[string]any {
	var out []map[string]any
	for _, u := range s.Users {
		if !u.Deleted {
			out = append(out, s.userEntity(u))
		}
	}
	return out
}

func (s *Server) signInEntities() []map[string]any {
	var out []map[string]any
	for i, si := range s.SignIns {
		out = append(out, map[string]any{"id": fmt.Sprintf("si-%d", i), "appId": si.AppID,
			"lastSignInActivity": map[string]any{"lastSignInDateTime": si.Last.UTC().Format(time.RFC3339), "lastSignInRequestId": "r"}})
	}
	return out
}

// auditEntities applies the filter the provider sends: activityDisplayName eq '…' and activityDateTime ge T.
func (s *Server) auditEntities(filter string) []map[string]any {
	var act string
	var since time.Time
	for _, part := range strings.Split(filter, " and ") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "activityDisplayName eq "); ok {
			act = strings.Trim(v, "'")
		}
		if v, ok := strings.CutPrefix(part, "activityDateTime ge "); ok {
			since, _ = time.Parse(time.RFC3339, v)
		}
	}
	var out []map[string]any
	for _, a := range s.Audits {
		if act != "" && a["activityDisplayName"] != act {
			continue
		}
		if at, err := time.Parse(time.RFC3339, fmt.Sprint(a["activityDateTime"])); err == nil && at.Before(since) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (s *Server) getByIDs(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IDs   []string `json:"ids"`
		Types []string `json:"types"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.IDs) > 1000 {
		writeJSON(w, 400, nil, GraphError("Request_BadRequest", "ids: at most 1000 GUIDs"))
		return
	}
	byID := map[string]User{}
	for _, u := range s.Users {
		byID[strings.ToLower(u.ID)] = u
	}
	var out []map[string]any
	for _, id := range body.IDs {
		if u, ok := byID[strings.ToLower(id)]; ok && !u.Deleted {
			// v1.0 returns only a subset of user properties here: no department or usage location.
			out = append(out, map[string]any{"@odata.type": "#microsoft.graph.user", "id": u.ID,
				"userPrincipalName": u.UPN, "displayName": u.DisplayName, "mail": u.UPN})
		}
	}
	writeJSON(w, 200, nil, mustJSON(map[string]any{"value": orEmptyMaps(out)}))
}

// serveBatch answers a JSON $batch: each part is routed like a request of its own, faults included.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Key: "batch", Method: r.Method, URL: r.URL.RequestURI()})
	f := s.Next("batch")
	s.mu.Unlock()
	if f != nil {
		h := map[string]string{}
		if f.RetryAfter != "" {
			h["Retry-After"] = f.RetryAfter
		}
		writeJSON(w, f.Status, h, f.Body)
		return
	}
	var req struct {
		Requests []struct {
			ID     string `json:"id"`
			Method string `json:"method"`
			URL    string `json:"url"`
		} `json:"requests"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, nil, GraphError("BadRequest", "Invalid batch payload format."))
		return
	}
	if len(req.Requests) > 20 {
		writeJSON(w, 400, nil, GraphError("BadRequest", "Number of requests exceeds the maximum of 20."))
		return
	}
	version := strings.TrimSuffix(r.URL.Path, "/$batch")
	type part struct {
		ID      string            `json:"id"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	parts := make([]part, 0, len(req.Requests))
	for _, br := range req.Requests {
		inner, err := http.NewRequestWithContext(r.Context(), br.Method, version+br.URL, nil)
		if err != nil || !strings.HasPrefix(br.URL, "/") {
			parts = append(parts, part{ID: br.ID, Status: 400, Body: json.RawMessage(GraphError("BadRequest", "Invalid request URL"))})
			continue
		}
		inner.Host = r.Host
		inner.Header.Set("X-Fake-Host", r.Host)
		inner.Header.Set("X-Fake-Scheme", scheme)
		rec := httptest.NewRecorder()
		s.serve(rec, inner, true)
		h := map[string]string{}
		for k := range rec.Header() {
			h[k] = rec.Header().Get(k)
		}
		body := rec.Body.Bytes()
		if !json.Valid(body) {
			// A truncated part cannot be embedded as JSON: Graph would have failed the part.
			parts = append(parts, part{ID: br.ID, Status: 502, Headers: h, Body: json.RawMessage(GraphError("BadGateway", "truncated upstream answer"))})
			continue
		}
		parts = append(parts, part{ID: br.ID, Status: rec.Code, Headers: h, Body: json.RawMessage(body)})
	}
	// Graph answers parts in any order.
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].ID > parts[j].ID })
	writeJSON(w, 200, nil, mustJSON(map[string]any{"responses": parts}))
}

// ConsentEvent builds a "Consent to application" directoryAudits entry the way Entra writes it.
func ConsentEvent(at time.Time, byUPN, spObjectID, appID, appName, principalID, resourceID, consentType, scope string, onBehalfOfAll bool) map[string]any {
	perms := fmt.Sprintf("[] => [[Id: g-%s, ClientId: %s, PrincipalId: %s, ResourceId: %s, ConsentType: %s, Scope: %s, CreatedDateTime: , LastModifiedDateTime ]]; ",
		appID[:8], spObjectID, principalID, resourceID, consentType, scope)
	return map[string]any{
		"id": "Directory_" + appID[:8] + "_" + at.Format("150405"), "category": "ApplicationManagement",
		"activityDateTime": at.UTC().Format(time.RFC3339), "activityDisplayName": "Consent to application",
		"result": "success", "loggedByService": "Core Directory",
		"initiatedBy": map[string]any{"user": map[string]any{"id": "u", "userPrincipalName": byUPN}, "app": nil},
		"targetResources": []map[string]any{{
			"id": spObjectID, "displayName": appName, "type": "ServicePrincipal",
			"modifiedProperties": []map[string]any{
				{"displayName": "ConsentContext.IsAdminConsent", "oldValue": nil, "newValue": fmt.Sprintf("%q", strconv.FormatBool(onBehalfOfAll))},
				{"displayName": "ConsentContext.OnBehalfOfAll", "oldValue": nil, "newValue": fmt.Sprintf("%q", strconv.FormatBool(onBehalfOfAll))},
				{"displayName": "ConsentAction.Permissions", "oldValue": nil, "newValue": fmt.Sprintf("%q", perms)},
				{"displayName": "TargetId.ServicePrincipalNames", "oldValue": nil, "newValue": fmt.Sprintf("%q", appID)},
			},
		}},
	}
}

func writeJSON(w http.ResponseWriter, status int, h map[string]string, body string) {
	for k, v := range h {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orEmptyMaps(m []map[string]any) []map[string]any {
	if m == nil {
		return []map[string]any{}
	}
	return m
}
