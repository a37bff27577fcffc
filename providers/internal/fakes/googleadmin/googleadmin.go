// Package googleadmin is an in-process fake of the parts of the Google Admin SDK that shadowscan reads: Directory
// users.list and tokens.list, and Reports activities.list for the OAuth token audit log. It speaks the documented
// JSON wire format (kinds, paging with nextPageToken, Google error bodies) at the relative paths the generated
// clients use when they are given an endpoint, so tests and end-to-end runs drive the real
// google.golang.org/api clients against it:
//
//	srv := httptest.NewServer(&googleadmin.Server{Users: users, Errorf: t.Errorf})
//	admin.NewService(ctx, option.WithEndpoint(srv.URL+"/"), option.WithHTTPClient(client))
//
// Like the real API it honours partial responses (`fields=`): a field the client did not ask for is not sent, so a
// client that forgets nextPageToken in its field list sees one page only, as it would in production. Faults
// (throttling with Retry-After, 5xx, malformed bodies) are scripted per request key, or chosen by a
// function for every request. The server records each request so tests can count the rate it saw.
package googleadmin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shadowscan/shadowscan/internal/ctxsleep"
	"github.com/shadowscan/shadowscan/providers/internal/fakes/faults"
)

// Token is one OAuth grant of a user, as tokens.list returns it.
type Token struct {
	ClientID    string
	DisplayText string
	Anonymous   bool
	NativeApp   bool
	Scopes      []string
}

// User is one Workspace user.
type User struct {
	ID         string
	Email      string
	Name       string
	OrgUnit    string
	Department string
	Suspended  bool
	Tokens     []Token
	// Deleted users are listed by users.list but tokens.list answers 404 for them (deleted during the scan).
	Deleted bool
}

// Event is one OAuth token audit event (application "token").
type Event struct {
	Time       time.Time
	Name       string // authorize or revoke
	ActorEmail string
	ProfileID  string
	ClientID   string
	AppName    string
	ClientType string // WEB, NATIVE_IOS, ...
	Scopes     []string
}

// Fault is one scripted failure; for a status >= 400 with an empty Body a Google error body is generated.
type Fault = faults.Fault

// Common faults, with the bodies Google sends.
var (
	RateLimit403 = Fault{Status: 403, Body: GoogleError(403, "userRateLimitExceeded", "usageLimits",
		"Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'")}
	Quota403       = Fault{Status: 403, Body: GoogleError(403, "quotaExceeded", "usageLimits", "Quota exceeded")}
	Unavailable503 = Fault{Status: 503, Body: GoogleError(503, "backendError", "global", "The service is currently unavailable.")}
	Malformed      = Fault{Status: 200, Body: `{"kind": "admin#directory#tokenList", "items": [{"clientId": "12`}
	Forbidden403   = Fault{Status: 403, Body: GoogleError(403, "forbidden", "global", "Not Authorized to access this resource/api")}
)

// TooMany429 is a 429 with the given Retry-After (seconds or an HTTP date).
func TooMany429(retryAfter string) Fault {
	return Fault{Status: 429, RetryAfter: retryAfter, Body: GoogleError(429, "rateLimitExceeded", "usageLimits", "Rate Limit Exceeded")}
}

// GoogleError renders a Google JSON error body.
func GoogleError(code int, reason, domain, message string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"code": code, "message": message,
		"errors": []map[string]string{{"message": message, "domain": domain, "reason": reason}},
	}})
	return string(b)
}

// Request is one request the server saw.
type Request struct {
	Time time.Time
	Key  string // the fault key of the request (see Server.Faults)
	URL  string // path and query
}

// Server is the fake. Set its fields before serving; they are not modified afterwards.
type Server struct {
	Users  []User
	Events []Event
	// Customer, when set, is the only customer value users.list and activities.list accept (besides my_customer).
	Customer string
	// UsersPageSize and EventsPageSize cap the page sizes (default 500 and 1000, the API maxima); the client's
	// maxResults is honoured when smaller.
	UsersPageSize  int
	EventsPageSize int
	// Latency is added to every request.
	Latency time.Duration
	// Script's fault keys: "users" or "users#N" (page N of users.list, from 1), "tokens/<userKey>",
	// "activities/<eventName>" or "activities/<eventName>#N"; a paged request also takes its page-less key's faults.
	faults.Script
	// Errorf reports unmatched requests (a test's t.Errorf); they are answered 404.
	Errorf func(format string, args ...any)
	// BearerToken, when set, is the access token every request must carry (`Authorization: Bearer …`), as the
	// real API requires; others are answered 401 and counted in Unauthorized.
	BearerToken string

	mu           sync.Mutex
	unauthorized int
	requests     []Request
}

// Requests returns every request seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Unauthorized counts the requests refused for a missing or wrong bearer token.
func (s *Server) Unauthorized() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unauthorized
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.BearerToken != "" && r.Header.Get("Authorization") != "Bearer "+s.BearerToken {
		s.mu.Lock()
		s.unauthorized++
		s.mu.Unlock()
		writeError(w, 401, "authError", "global", "Invalid Credentials")
		return
	}
	if s.Latency > 0 && ctxsleep.Sleep(r.Context(), s.Latency) != nil { // the client gave up while the fake was slow
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	q := r.URL.Query()
	var key string
	var serve func(w http.ResponseWriter)
	switch {
	case r.Method == http.MethodGet && path == "admin/directory/v1/users":
		page := pageNumber(q.Get("pageToken"))
		key = "users#" + strconv.Itoa(page)
		serve = func(w http.ResponseWriter) { s.listUsers(w, q) }
	case r.Method == http.MethodGet && strings.HasPrefix(path, "admin/directory/v1/users/") && strings.HasSuffix(path, "/tokens"):
		userKey := strings.TrimSuffix(strings.TrimPrefix(path, "admin/directory/v1/users/"), "/tokens")
		key = "tokens/" + userKey
		serve = func(w http.ResponseWriter) { s.listTokens(w, userKey, q) }
	case r.Method == http.MethodGet && strings.HasPrefix(path, "admin/reports/v1/activity/users/"):
		parts := strings.Split(strings.TrimPrefix(path, "admin/reports/v1/activity/users/"), "/")
		if len(parts) != 3 || parts[1] != "applications" {
			break
		}
		page := pageNumber(q.Get("pageToken"))
		key = "activities/" + q.Get("eventName") + "#" + strconv.Itoa(page)
		serve = func(w http.ResponseWriter) { s.listActivities(w, parts[0], parts[2], q) }
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Time: time.Now(), Key: key, URL: r.URL.RequestURI()})
	s.mu.Unlock()
	if serve == nil {
		if s.Errorf != nil {
			s.Errorf("googleadmin fake: unexpected request %s %s", r.Method, r.URL.RequestURI())
		}
		writeError(w, 404, "notFound", "global", "fake: no route for "+r.Method+" "+r.URL.Path)
		return
	}
	if f := s.fault(key); f != nil {
		writeFault(w, *f)
		return
	}
	serve(w)
}

// fault returns the next scripted fault for key, trying the page-less key (users, activities/<event>) too.
func (s *Server) fault(key string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if base, _, ok := strings.Cut(key, "#"); ok {
		return s.Next(key, base)
	}
	return s.Next(key)
}

func writeFault(w http.ResponseWriter, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	body := f.Body
	if body == "" && f.Status >= 400 {
		body = GoogleError(f.Status, "backendError", "global", http.StatusText(f.Status))
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(body))
}

func writeError(w http.ResponseWriter, code int, reason, domain, msg string) {
	writeFault(w, Fault{Status: code, Body: GoogleError(code, reason, domain, msg)})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

// pageNumber turns a page token "p<N>" into N (1 for the first page).
func pageNumber(tok string) int {
	if n, err := strconv.Atoi(strings.TrimPrefix(tok, "p")); err == nil && n > 0 {
		return n
	}
	return 1
}

func pageBounds(q map[string][]string, pageSize, max, total int) (from, to, page int) {
	size := max
	if pageSize > 0 && pageSize < size {
		size = pageSize
	}
	if v, err := strconv.Atoi(first(q["maxResults"])); err == nil && v > 0 && v < size {
		size = v
	}
	page = pageNumber(first(q["pageToken"]))
	from = min((page-1)*size, total)
	to = min(from+size, total)
	return from, to, page
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (s *Server) customerOK(c string) bool {
	return c == "my_customer" || s.Customer == "" || c == s.Customer
}

func (s *Server) listUsers(w http.ResponseWriter, q map[string][]string) {
	customer, domain := first(q["customer"]), first(q["domain"])
	switch {
	case customer == "" && domain == "":
		writeError(w, 400, "badRequest", "global", "Bad Request")
		return
	case customer != "" && !s.customerOK(customer):
		writeError(w, 400, "badRequest", "global", "Bad Request")
		return
	}
	var users []User
	for _, u := range s.Users {
		if domain == "" || strings.HasSuffix(strings.ToLower(u.Email), "@"+strings.ToLower(domain)) {
			users = append(users, u)
		}
	}
	if domain != "" && len(users) == 0 {
		writeError(w, 404, "notFound", "global", "Domain not found.")
		return
	}
	from, to, page := pageBounds(q, s.UsersPageSize, 500, len(users))
	out := map[string]any{"kind": "admin#directory#users", "etag": `"fake-users-etag"`}
	list := []map[string]any{}
	for _, u := range users[from:to] {
		given, family, _ := strings.Cut(u.Name, " ")
		m := map[string]any{
			"kind": "admin#directory#user", "id": u.ID, "primaryEmail": u.Email,
			"name":      map[string]string{"givenName": given, "familyName": family, "fullName": u.Name},
			"isAdmin":   false,
			"suspended": u.Suspended, "orgUnitPath": u.OrgUnit, "archived": false,
		}
		if u.Department != "" {
			m["organizations"] = []map[string]any{{"department": u.Department, "primary": true, "customType": ""}}
		}
		if u.Suspended {
			m["suspensionReason"] = "ADMIN"
		}
		list = append(list, m)
	}
	if len(list) > 0 {
		out["users"] = list
	}
	if to < len(users) {
		out["nextPageToken"] = fmt.Sprintf("p%d", page+1)
	}
	writeSelected(w, q, out)
}

func (s *Server) findUser(key string) (User, bool) {
	for _, u := range s.Users {
		if u.ID == key || strings.EqualFold(u.Email, key) {
			return u, true
		}
	}
	return User{}, false
}

func (s *Server) listTokens(w http.ResponseWriter, userKey string, q map[string][]string) {
	u, ok := s.findUser(userKey)
	if !ok || u.Deleted {
		writeError(w, 404, "notFound", "global", "Resource Not Found: userKey")
		return
	}
	out := map[string]any{"kind": "admin#directory#tokenList", "etag": `"fake-tokens-etag"`}
	var items []map[string]any
	for _, t := range u.Tokens {
		items = append(items, map[string]any{
			"kind": "admin#directory#token", "etag": `"fake-token-etag"`,
			"clientId": t.ClientID, "displayText": t.DisplayText, "anonymous": t.Anonymous, "nativeApp": t.NativeApp,
			"scopes": t.Scopes, "userKey": u.ID,
		})
	}
	if len(items) > 0 {
		out["items"] = items
	}
	writeSelected(w, q, out)
}

func (s *Server) listActivities(w http.ResponseWriter, userKey, app string, q map[string][]string) {
	if app != "token" {
		writeError(w, 400, "badRequest", "global", "Bad Request")
		return
	}
	if c := first(q["customerId"]); c != "" && !s.customerOK(c) {
		writeError(w, 400, "badRequest", "global", "Bad Request")
		return
	}
	var start, end time.Time
	if v := first(q["startTime"]); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, 400, "invalid", "global", "Invalid value for: startTime")
			return
		}
		start = t
	}
	if v := first(q["endTime"]); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, 400, "invalid", "global", "Invalid value for: endTime")
			return
		}
		end = t
	}
	name := first(q["eventName"])
	var evs []Event
	for _, e := range s.Events {
		if (name != "" && e.Name != name) || (!start.IsZero() && e.Time.Before(start)) || (!end.IsZero() && e.Time.After(end)) {
			continue
		}
		if userKey != "all" && userKey != e.ProfileID && !strings.EqualFold(userKey, e.ActorEmail) {
			continue
		}
		evs = append(evs, e)
	}
	// The Reports API returns the newest activity first.
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.After(evs[j].Time) })
	from, to, page := pageBounds(q, s.EventsPageSize, 1000, len(evs))
	out := map[string]any{"kind": "admin#reports#activities", "etag": `"fake-activities-etag"`}
	var items []map[string]any
	for i, e := range evs[from:to] {
		params := []map[string]any{
			{"name": "client_id", "value": e.ClientID},
			{"name": "app_name", "value": e.AppName},
		}
		if e.ClientType != "" {
			params = append(params, map[string]any{"name": "client_type", "value": e.ClientType})
		}
		if len(e.Scopes) > 0 {
			var data []map[string]any
			for _, sc := range e.Scopes {
				data = append(data, map[string]any{"parameter": []map[string]any{
					{"name": "scope_name", "value": sc}, {"name": "product_bucket", "multiValue": []string{"OTHER"}},
				}})
			}
			params = append(params, map[string]any{"name": "scope_data", "multiMessageValue": data},
				map[string]any{"name": "scope", "multiValue": e.Scopes})
		}
		items = append(items, map[string]any{
			"kind": "admin#reports#activity",
			"id": map[string]any{"time": e.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
				"uniqueQualifier": strconv.Itoa(1000000 + from + i), "applicationName": "token", "customerId": "C0fake01"},
			"etag":   `"fake-activity-etag"`,
			"actor":  map[string]any{"callerType": "USER", "email": e.ActorEmail, "profileId": e.ProfileID},
			"events": []map[string]any{{"type": "auth", "name": e.Name, "parameters": params}},
		})
	}
	if len(items) > 0 {
		out["items"] = items
	}
	if to < len(evs) {
		out["nextPageToken"] = fmt.Sprintf("p%d", page+1)
	}
	writeSelected(w, q, out)
}
