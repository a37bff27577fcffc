// Package web is `shadowscan serve`: a small page and JSON API that answer marketing ops' "can we use this tool?"
// with the same verdict as `shadowscan check`, plus an inventory view of the last scan report. The page and its
// assets are embedded (no CDN, works offline); the API is read-only.
//
// Without a token the server gives vendor-level information only; people's names and emails need
// "Authorization: Bearer <token>".
package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/scanner"
)

//go:embed assets
var assets embed.FS

// Limits.
const (
	// MaxURLBytes is the longest request URI accepted (414 beyond).
	MaxURLBytes = 2*check.MaxQueryLen + 1024
	// MaxBodyBytes is the most request body read; the API takes none.
	MaxBodyBytes = 1 << 10
	// DefaultRequestTimeout bounds one request's handling.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultReloadInterval is how often, at most, the report file is checked for changes.
	DefaultReloadInterval = 2 * time.Second
	maxSearchResults      = 20
)

// ContentSecurityPolicy is sent with every response: no inline script or style, nothing from other origins, no
// framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// Options configure the server.
type Options struct {
	// NewChecker builds a Checker over a report (nil when none is loaded yet). It is called at start and whenever
	// the report file changes. Required.
	NewChecker func(rep *scanner.Report) *check.Checker
	// ReportPath is the last scan report (JSON); empty for none. It is reloaded when its modification time or
	// size changes; a malformed file is logged and the last good report kept.
	ReportPath string
	// HistoryDir holds past JSON reports for the trend; empty for none. Reports seen while running are added too.
	HistoryDir string
	// Trend, when set, supplies the trend instead of HistoryDir (serve reads it from the state database). It is
	// called per request; an error is logged and the page shows no trend.
	Trend func() ([]TrendPoint, error)
	// Token unlocks people's names and emails (constant-time compared); empty means never.
	Token string
	// AllowedHosts are host names (without port) the Host header may carry, besides IP literals and localhost:
	// a guard against DNS rebinding. Set it when the server is reached by a name.
	AllowedHosts []string
	// CategoryName turns the report's category IDs into display names ("advertising_promotion" → "Advertising &
	// promotion") for "What we use"; nil or "" keeps the ID.
	CategoryName func(id string) string
	// Logger is the server's logger (already tagged by the caller); the zero value logs nothing.
	Logger zerolog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// ReloadInterval is the least time between two checks of the report file; 0 means DefaultReloadInterval and
	// a negative value checks on every request.
	ReloadInterval time.Duration
	// RequestTimeout bounds one request; default DefaultRequestTimeout.
	RequestTimeout time.Duration
}

// Server is the http.Handler of `shadowscan serve`.
type Server struct {
	opts    Options
	store   *store
	page    *template.Template
	static  http.Handler
	handler http.Handler
	token   [32]byte
	hosts   map[string]bool
}

// New builds the server. It panics if opts.NewChecker is nil (a programming error).
func New(opts Options) *Server {
	if opts.NewChecker == nil {
		panic("web.New: Options.NewChecker is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReloadInterval == 0 {
		opts.ReloadInterval = DefaultReloadInterval
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	s := &Server{opts: opts, hosts: map[string]bool{}}
	if opts.Token != "" {
		s.token = sha256.Sum256([]byte(opts.Token))
	}
	for _, h := range opts.AllowedHosts {
		s.hosts[strings.ToLower(strings.TrimSuffix(h, "."))] = true
	}
	s.page = template.Must(template.ParseFS(assets, "assets/index.html"))
	staticFS, err := fs.Sub(assets, "assets/static")
	if err != nil {
		panic(err)
	}
	s.static = http.StripPrefix("/static/", http.FileServer(http.FS(staticFS)))
	s.store = newStore(opts)

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", s.healthz)
	mux.HandleFunc("/api/check", s.apiCheck)
	mux.HandleFunc("/api/catalog/search", s.apiSearch)
	mux.HandleFunc("/api/report/summary", s.apiSummary)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint")
	})
	mux.HandleFunc("/static/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			writeError(w, http.StatusNotFound, "not found")
			return
		}
		s.static.ServeHTTP(w, r)
	})
	mux.HandleFunc("/", s.index)
	timeout := http.TimeoutHandler(mux, opts.RequestTimeout, `{"error":"the request took too long"}`)
	s.handler = s.guard(timeout)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// guard applies what every request gets: security headers, method, host, size limits, panic recovery, a log line.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.opts.Now()
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		// The timeout message is JSON; a handler that finishes sets its own type.
		h.Set("Content-Type", "application/json; charset=utf-8")
		rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.opts.Logger.Error().Interface("panic", v).Str("path", r.URL.Path).Msg("handler panicked")
				if !rw.wrote {
					writeError(rw, http.StatusInternalServerError, "internal error")
				}
			}
			s.opts.Logger.Debug().Str("method", r.Method).Str("path", r.URL.Path).Int("status", rw.status).
				Int64("took_ms", s.opts.Now().Sub(start).Milliseconds()).Msg("request")
		}()
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			h.Set("Allow", "GET, HEAD")
			writeError(rw, http.StatusMethodNotAllowed, "only GET and HEAD are allowed")
			return
		case !s.hostAllowed(r.Host):
			writeError(rw, http.StatusMisdirectedRequest, "unknown host name; start serve with it allowed")
			return
		case len(r.URL.RequestURI()) > MaxURLBytes:
			writeError(rw, http.StatusRequestURITooLong, "request URL is too long")
			return
		case r.ContentLength > MaxBodyBytes:
			writeError(rw, http.StatusRequestEntityTooLarge, "request body is too large")
			return
		}
		r.Body = http.MaxBytesReader(rw, r.Body, MaxBodyBytes)
		next.ServeHTTP(rw, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// hostAllowed accepts IP literals, localhost and the configured names; other names could be a DNS rebinding.
func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "" {
		return false
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || net.ParseIP(host) != nil {
		return true
	}
	return s.hosts[host]
}

// authorized reports whether the request carries the token. A wrong or malformed token is an error (401), so
// that a client notices; no header at all just means vendor-level answers.
func (s *Server) authorized(r *http.Request) (bool, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return false, nil
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return false, errors.New("Authorization must be: Bearer <token>")
	}
	if s.opts.Token == "" {
		return false, errors.New("this server has no token configured (--token-file)")
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	if subtle.ConstantTimeCompare(sum[:], s.token[:]) != 1 {
		return false, errors.New("invalid token")
	}
	return true, nil
}

func (s *Server) auth(w http.ResponseWriter, r *http.Request) (ok, cont bool) {
	ok, err := s.authorized(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="shadowscan"`)
		writeError(w, http.StatusUnauthorized, err.Error())
		return false, false
	}
	return ok, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	snap := s.store.get()
	state := "none"
	switch {
	case snap.rep != nil && snap.loadErr != "":
		state = "stale"
	case snap.rep != nil:
		state = "loaded"
	case snap.loadErr != "":
		state = "error"
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "report": state})
}

// query authenticates a query request (as auth) and returns its q parameter, enforcing the query length limit;
// cont is false when the response is already written.
func (s *Server) query(w http.ResponseWriter, r *http.Request) (q string, authed, cont bool) {
	if authed, cont = s.auth(w, r); !cont {
		return "", authed, false
	}
	q = r.URL.Query().Get("q")
	if len(q) > check.MaxQueryLen {
		writeError(w, http.StatusRequestURITooLong, "query is longer than "+strconv.Itoa(check.MaxQueryLen)+" bytes")
		return "", authed, false
	}
	return q, authed, true
}

func (s *Server) apiCheck(w http.ResponseWriter, r *http.Request) {
	q, authed, cont := s.query(w, r)
	if !cont {
		return
	}
	if strings.TrimSpace(q) == "" {
		writeError(w, http.StatusBadRequest, "missing q: give a tool name, a domain, a consent URL, a Google client ID or an AWS account ID")
		return
	}
	snap := s.store.get()
	res, err := snap.checker.Check(q, check.RedactIf(!authed))
	if err != nil {
		if check.IsQueryError(err) {
			s.respond(w, http.StatusBadRequest, map[string]string{"error": err.Error()}, authed, snap)
			return
		}
		s.opts.Logger.Error().Err(err).Msg("check failed")
		writeError(w, http.StatusInternalServerError, "check failed")
		return
	}
	s.respond(w, http.StatusOK, res, authed, snap)
}

// SearchResponse is the body of /api/catalog/search.
type SearchResponse struct {
	Query   string             `json:"query"`
	Results []check.Suggestion `json:"results"`
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	q, authed, cont := s.query(w, r)
	if !cont {
		return
	}
	limit := 8
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "limit must be a positive number")
			return
		}
		limit = min(n, maxSearchResults)
	}
	res := SearchResponse{Query: q, Results: []check.Suggestion{}}
	snap := s.store.get()
	// Suggestions are for names; a pasted URL or ID gets none (it is checked as a whole).
	if pq, err := check.ParseQuery(q); err == nil && pq.Kind == check.KindName && len(pq.Text) <= 100 {
		res.Results = snap.checker.Suggest(pq.Text, limit)
	}
	s.respond(w, http.StatusOK, res, authed, snap)
}

// Summary is the body of /api/report/summary: the inventory view of the last report.
type Summary struct {
	Available    bool              `json:"available"`
	Error        string            `json:"error,omitempty"` // why the report file could not be (re)loaded
	Redacted     bool              `json:"redacted"`
	Scan         *scanner.ScanInfo `json:"scan,omitempty"`
	Totals       *scanner.Summary  `json:"totals,omitempty"`
	ByApproval   map[string]int    `json:"by_approval"`
	Categories   []CategoryGroup   `json:"categories"`
	Unidentified []UnidentifiedApp `json:"unidentified"`
	Trend        []TrendPoint      `json:"trend"`
}

// CategoryGroup is the vendors of one category.
type CategoryGroup struct {
	Category string          `json:"category"`
	Vendors  []InventoryItem `json:"vendors"`
}

// InventoryItem is one vendor in the inventory view.
type InventoryItem struct {
	ID           string             `json:"id"`
	Name         string             `json:"name"`
	Martech      bool               `json:"martech"`
	Approval     string             `json:"approval"`
	UserCount    int                `json:"user_count"`
	Users        []string           `json:"users,omitempty"`
	Sources      []string           `json:"sources"`
	MonthlySpend map[string]float64 `json:"monthly_spend,omitempty"`
	LastSeen     time.Time          `json:"last_seen,omitzero"`
}

// UnidentifiedApp is an app the catalogue does not know.
type UnidentifiedApp struct {
	Name      string   `json:"name"`
	HintType  string   `json:"hint_type"`
	Value     string   `json:"value"`
	UserCount int      `json:"user_count"`
	Users     []string `json:"users,omitempty"`
	Scopes    []string `json:"scopes"`
}

func (s *Server) apiSummary(w http.ResponseWriter, r *http.Request) {
	authed, cont := s.auth(w, r)
	if !cont {
		return
	}
	snap := s.store.get()
	s.respond(w, http.StatusOK, buildSummary(snap, !authed, s.opts.CategoryName), authed, snap)
}

// respond writes an API answer. Without the token it goes through the redactor: the one place where what a
// reader without the token sees is decided.
func (s *Server) respond(w http.ResponseWriter, status int, v any, authed bool, snap snapshot) {
	if !authed {
		red, err := newRedactor(snap.rep).apply(v)
		if err != nil {
			s.opts.Logger.Error().Err(err).Msg("redacting a response")
			writeError(w, http.StatusInternalServerError, "internal error")
			return
		}
		v = red
	}
	writeJSON(w, status, v)
}

func buildSummary(snap snapshot, redact bool, categoryName func(string) string) Summary {
	out := Summary{Available: snap.rep != nil, Error: snap.loadErr, Redacted: redact, ByApproval: map[string]int{},
		Categories: []CategoryGroup{}, Unidentified: []UnidentifiedApp{}, Trend: snap.trend}
	if out.Trend == nil {
		out.Trend = []TrendPoint{}
	}
	rep := snap.rep
	if rep == nil {
		return out
	}
	scan, totals := rep.Scan, rep.Summary
	out.Scan, out.Totals = &scan, &totals
	groups := map[string][]InventoryItem{}
	for _, it := range rep.Inventory {
		out.ByApproval[it.Approval]++
		item := InventoryItem{ID: it.Vendor.ID, Name: it.Vendor.Name, Martech: it.Vendor.Martech, Approval: it.Approval,
			UserCount: it.UserCount, Sources: nonNil(it.Sources), MonthlySpend: it.MonthlySpend, LastSeen: it.LastSeen}
		if !redact {
			item.Users = it.Users
		}
		cat := it.Vendor.Category
		if categoryName != nil {
			if n := categoryName(cat); n != "" {
				cat = n
			}
		}
		if cat == "" {
			cat = "Uncategorised"
		}
		groups[cat] = append(groups[cat], item)
	}
	for _, c := range slices.Sorted(maps.Keys(groups)) {
		vs := groups[c]
		sort.SliceStable(vs, func(i, j int) bool {
			if ri, rj := approvalRank(vs[i].Approval), approvalRank(vs[j].Approval); ri != rj {
				return ri < rj
			}
			return strings.ToLower(vs[i].Name) < strings.ToLower(vs[j].Name)
		})
		out.Categories = append(out.Categories, CategoryGroup{Category: c, Vendors: vs})
	}
	for _, u := range rep.Unidentified {
		app := UnidentifiedApp{Name: u.Name, HintType: string(u.HintType), Value: u.Value, UserCount: u.UserCount,
			Scopes: nonNil(u.Scopes)}
		if !redact {
			app.Users = u.Users
		}
		out.Unidentified = append(out.Unidentified, app)
	}
	return out
}

// approvalRank orders the inventory: what needs attention first.
func approvalRank(a string) int {
	switch a {
	case scanner.ApprovalBanned:
		return 0
	case scanner.ApprovalUnapproved:
		return 1
	case scanner.ApprovalExpired:
		return 2
	case scanner.ApprovalReview:
		return 3
	case scanner.ApprovalTolerated:
		return 4
	case scanner.ApprovalApproved:
		return 5
	}
	return 6
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type pageData struct {
	Organization string
	Token        bool
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	data := pageData{Organization: "your organisation", Token: s.opts.Token != ""}
	if snap := s.store.get(); snap.rep != nil && snap.rep.Scan.Organization != "" {
		data.Organization = snap.rep.Scan.Organization
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.page.Execute(w, data); err != nil {
		s.opts.Logger.Error().Err(err).Msg("rendering the page")
	}
}
