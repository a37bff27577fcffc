package check

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/report"
)

// Query kinds: what ParseQuery recognised.
const (
	KindName             = "name"              // a vendor or product name, matched exactly then fuzzily
	KindDomain           = "domain"            // a bare host name ("hotjar.com")
	KindURL              = "url"               // a web address that is not a consent screen; its host is used
	KindGoogleConsent    = "google_consent"    // a Google OAuth consent URL (client_id, scope, redirect_uri)
	KindMicrosoftConsent = "microsoft_consent" // a Microsoft identity platform authorize or adminconsent URL
	KindGoogleClientID   = "google_client_id"  // <digits>-<id>.apps.googleusercontent.com
	KindEntraAppID       = "entra_app_id"      // an application (client) GUID
	KindAWSAccount       = "aws_account"       // a 12-digit AWS account ID (or an ARN holding one)
)

// MaxQueryLen is the longest query accepted, in bytes. Real consent URLs stay well below it.
const MaxQueryLen = 4096

// MaxScopes is the most scopes read from one consent URL; the rest are ignored (and counted in Query.ScopesDropped).
const MaxScopes = 64

// Query is a parsed QUERY. Parsing never touches the network: a URL is only taken apart.
type Query struct {
	Raw  string // the query as given, cleaned of control characters and trimmed
	Kind string // one of the Kind constants
	// Text is the normalised form used for matching: the name, host, client ID, app ID or account ID.
	Text string
	// Host is the host of a domain or URL query, lower case, without port or trailing dot.
	Host string
	// ClientID is the OAuth client ID of a consent URL, a Google client ID or an Entra app ID query.
	ClientID string
	// Tenant is the Microsoft tenant path segment of a Microsoft consent URL ("common", "organizations", a GUID…).
	Tenant string
	// AdminConsent is true for a Microsoft /adminconsent URL (a tenant-wide grant).
	AdminConsent bool
	// Scopes are the scopes a consent URL asks for, in order, without duplicates.
	Scopes        []string
	ScopesDropped int
	// RedirectHost is the host of a consent URL's redirect_uri: the vendor's own domain, usually.
	RedirectHost string
	// AWSAccount is the 12-digit account ID of an aws_account query.
	AWSAccount string
}

// QueryError is a query that cannot be checked: empty, too long or malformed. Callers treat it as a usage error
// (exit status 2, HTTP 400).
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

// IsQueryError reports whether err is (or wraps) a *QueryError.
func IsQueryError(err error) bool {
	var qe *QueryError
	return errors.As(err, &qe)
}

func queryErr(format string, a ...any) error { return &QueryError{Msg: fmt.Sprintf(format, a...)} }

var (
	googleClientIDRe = regexp.MustCompile(`^[0-9]{3,32}-[a-z0-9_]{1,64}\.apps\.googleusercontent\.com$`)
	guidRe           = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	awsAccountRe     = regexp.MustCompile(`^[0-9]{12}$`)
	awsDashedRe      = regexp.MustCompile(`^[0-9]{4}-[0-9]{4}-[0-9]{4}$`)
	awsARNRe         = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:([0-9]{12}):`)
	hostLabelRe      = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$`)
	tldRe            = regexp.MustCompile(`^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$`)
)

// Google and Microsoft sign-in hosts.
var (
	googleConsentHosts    = map[string]bool{"accounts.google.com": true}
	microsoftConsentHosts = map[string]bool{"login.microsoftonline.com": true, "login.microsoft.com": true,
		"login.windows.net": true, "login.microsoftonline.us": true, "login.partner.microsoftonline.cn": true}
)

// ParseQuery recognises what a QUERY is. It only parses: it never resolves a name or fetches a URL.
func ParseQuery(s string) (Query, error) {
	if len(s) > MaxQueryLen {
		return Query{}, queryErr("query is %d bytes long; the limit is %d", len(s), MaxQueryLen)
	}
	if !utf8.ValidString(s) {
		return Query{}, queryErr("query is not valid UTF-8")
	}
	raw := strings.TrimSpace(report.Clean(s))
	if raw == "" {
		return Query{}, queryErr("query is empty: give a tool name, a domain, a consent URL, a Google client ID or an AWS account ID")
	}
	q := Query{Raw: raw}
	lower := strings.ToLower(raw)

	switch {
	case googleClientIDRe.MatchString(lower):
		q.Kind, q.Text, q.ClientID = KindGoogleClientID, lower, lower
		return q, nil
	case guidRe.MatchString(strings.Trim(lower, "{}")):
		id := strings.Trim(lower, "{}")
		q.Kind, q.Text, q.ClientID = KindEntraAppID, id, id
		return q, nil
	case awsAccountRe.MatchString(lower):
		q.Kind, q.Text, q.AWSAccount = KindAWSAccount, lower, lower
		return q, nil
	case awsDashedRe.MatchString(lower):
		id := strings.ReplaceAll(lower, "-", "")
		q.Kind, q.Text, q.AWSAccount = KindAWSAccount, id, id
		return q, nil
	}
	if m := awsARNRe.FindStringSubmatch(lower); m != nil {
		q.Kind, q.Text, q.AWSAccount = KindAWSAccount, m[1], m[1]
		return q, nil
	}
	if looksLikeURL(lower) {
		return parseURL(q)
	}
	if h, ok := hostName(lower); ok {
		q.Kind, q.Text, q.Host = KindDomain, h, h
		return q, nil
	}
	q.Kind, q.Text = KindName, strings.Join(strings.Fields(raw), " ")
	return q, nil
}

// looksLikeURL is true for "http(s)://…" and for "host/path" or "host?query" without a scheme.
func looksLikeURL(s string) bool {
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "//") {
		return true
	}
	if strings.ContainsAny(s, " \t") {
		return false
	}
	i := strings.IndexAny(s, "/?#")
	if i <= 0 {
		return false
	}
	_, ok := hostName(s[:i])
	return ok
}

func parseURL(q Query) (Query, error) {
	s := q.Raw
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "//"):
		s = "https:" + s
	case !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://"):
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return Query{}, queryErr("query looks like a URL but cannot be parsed: %s", urlErrText(err))
	}
	host, ok := hostName(strings.ToLower(u.Hostname()))
	if !ok {
		return Query{}, queryErr("URL has no usable host name")
	}
	q.Host = host
	params := u.Query()
	switch {
	case googleConsentHosts[host] && isGoogleConsentPath(u.Path):
		q.Kind = KindGoogleConsent
		readConsent(&q, params)
		if q.ClientID == "" {
			// The consent screen sometimes carries the original authorize URL in "continue".
			if c := params.Get("continue"); c != "" {
				if cu, err := url.Parse(c); err == nil && googleConsentHosts[strings.ToLower(cu.Hostname())] {
					readConsent(&q, cu.Query())
				}
			}
		}
		if q.ClientID == "" {
			return Query{}, queryErr("Google consent URL has no client_id parameter")
		}
		q.Text = q.ClientID
	case microsoftConsentHosts[host]:
		tenant, admin, ok := microsoftConsentPath(u.Path)
		if !ok {
			q.Kind, q.Text = KindURL, host
			return q, nil
		}
		q.Kind, q.Tenant, q.AdminConsent = KindMicrosoftConsent, tenant, admin
		readConsent(&q, params)
		if q.ClientID == "" {
			return Query{}, queryErr("Microsoft consent URL has no client_id parameter")
		}
		if !guidRe.MatchString(q.ClientID) {
			return Query{}, queryErr("Microsoft consent URL: client_id is not an application GUID")
		}
		q.Text = q.ClientID
	default:
		q.Kind, q.Text = KindURL, host
	}
	return q, nil
}

// urlErrText keeps the parse error short and free of the (possibly huge) input.
func urlErrText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return "malformed URL"
}

func isGoogleConsentPath(p string) bool {
	p = strings.ToLower(p)
	return strings.HasPrefix(p, "/o/oauth2/auth") || strings.HasPrefix(p, "/o/oauth2/v2/auth") ||
		strings.HasPrefix(p, "/signin/oauth") || strings.HasPrefix(p, "/o/oauth2/approval")
}

// microsoftConsentPath accepts /<tenant>/oauth2/v2.0/authorize, /<tenant>/oauth2/authorize, /<tenant>/adminconsent
// and /<tenant>/v2.0/adminconsent.
func microsoftConsentPath(p string) (tenant string, admin, ok bool) {
	parts := strings.Split(strings.Trim(strings.ToLower(p), "/"), "/")
	if len(parts) < 2 || parts[0] == "" {
		return "", false, false
	}
	tenant, rest := parts[0], strings.Join(parts[1:], "/")
	switch rest {
	case "oauth2/v2.0/authorize", "oauth2/authorize":
		return tenant, false, true
	case "adminconsent", "v2.0/adminconsent":
		return tenant, true, true
	}
	return "", false, false
}

func readConsent(q *Query, params url.Values) {
	if q.ClientID == "" {
		q.ClientID = strings.ToLower(strings.TrimSpace(params.Get("client_id")))
		if len(q.ClientID) > 256 {
			q.ClientID = q.ClientID[:256]
		}
	}
	if q.RedirectHost == "" {
		if r := params.Get("redirect_uri"); r != "" {
			if ru, err := url.Parse(r); err == nil {
				if h, ok := hostName(strings.ToLower(ru.Hostname())); ok {
					q.RedirectHost = h
				}
			}
		}
	}
	if len(q.Scopes) > 0 {
		return
	}
	seen := map[string]bool{}
	for _, v := range params["scope"] {
		// url.Values already turned "+" into a space; a raw "+" in an already-decoded value means the same.
		for _, sc := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '+' || r == ',' }) {
			sc = strings.TrimSpace(sc)
			if sc == "" || seen[sc] || len(sc) > 256 {
				continue
			}
			seen[sc] = true
			if len(q.Scopes) >= MaxScopes {
				q.ScopesDropped++
				continue
			}
			q.Scopes = append(q.Scopes, sc)
		}
	}
}

// hostName returns s as a lower-case DNS host name (at least two labels, alphabetic TLD) or false.
func hostName(s string) (string, bool) {
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if len(s) < 3 || len(s) > 253 || !strings.Contains(s, ".") {
		return "", false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if !hostLabelRe.MatchString(l) {
			return "", false
		}
	}
	if !tldRe.MatchString(labels[len(labels)-1]) {
		return "", false
	}
	return s, true
}

// Hints returns the catalogue hints to try for q, strongest first.
func (q Query) Hints() []scanner.Hint {
	var hs []scanner.Hint
	add := func(t scanner.HintType, v string) {
		if v != "" {
			hs = append(hs, scanner.Hint{Type: t, Value: v})
		}
	}
	switch q.Kind {
	case KindGoogleClientID, KindGoogleConsent:
		add(scanner.HintGoogleClientID, q.ClientID)
	case KindEntraAppID, KindMicrosoftConsent:
		add(scanner.HintEntraAppID, q.ClientID)
	case KindAWSAccount:
		add(scanner.HintAWSAccount, q.AWSAccount)
	case KindDomain, KindURL:
		add(scanner.HintDomain, q.Host)
	case KindName:
		add(scanner.HintName, q.Text)
	}
	add(scanner.HintDomain, q.RedirectHost)
	return hs
}
