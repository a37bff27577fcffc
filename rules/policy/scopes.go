package policy

import (
	"sort"
	"strings"

	"github.com/shadowscan/shadowscan/scanner/glob"
)

// Scope classes returned by ScopeClass (and the CEL function scopeClass).
const (
	// ClassRestricted is Google's "restricted" class (full Gmail, Drive, Fit) and, on Microsoft Graph, full read or
	// write access to mail (Mail.Read*, Mail.ReadWrite*) and files (Files.*, Sites.*, AllSites.*).
	ClassRestricted = "restricted"
	// ClassHigh is a high-privilege permission that is not restricted: Graph permissions Microsoft's consent-grant
	// tooling marks High (Contacts, MailboxSettings, People, Notes, Mail.Send, directory writes…) and Google
	// admin.* scopes.
	ClassHigh = "high"
	// ClassSensitive is Google's "sensitive" class (calendar, contacts, gmail.send…) and Graph permissions of
	// similar reach (Mail.ReadBasic, Calendars.*).
	ClassSensitive = "sensitive"
	// ClassLow is a non-sensitive scope (openid, email, profile, User.Read, offline_access…).
	ClassLow = "low"
	// ClassUnknown is any scope not in the table.
	ClassUnknown = "unknown"
)

// ScopeClasses lists the classes, most dangerous first.
var ScopeClasses = []string{ClassRestricted, ClassHigh, ClassSensitive, ClassLow, ClassUnknown}

// scopeEntry is one row of the scope table. Names are normalised (see NormalizeScope) and lower-case; a name
// ending in "." or "*" is a prefix.
type scopeEntry struct {
	name   string
	class  string
	source string // source keys, listed in rules/README.md (Scope classes)
}

// scopeTable is built from the sources listed in rules/README.md (Scope classes): Google S10a, S10b, S10c, S10d,
// S11; Microsoft Graph S12 (AzureAD/MSIdentityTools aadconsentgrantpermissiontable.csv), S13, S15. Exact names are tried before
// prefixes, and longer prefixes before shorter ones.
var scopeTable = []scopeEntry{
	// Google: restricted [S10a, S10b].
	{"mail.google.com", ClassRestricted, "S10a"},
	{"gmail.readonly", ClassRestricted, "S10a S10b"},
	{"gmail.metadata", ClassRestricted, "S10a S10b"},
	{"gmail.modify", ClassRestricted, "S10a S10b"},
	{"gmail.insert", ClassRestricted, "S10a S10b"},
	{"gmail.compose", ClassRestricted, "S10a S10b"},
	{"gmail.settings.basic", ClassRestricted, "S10a S10b"},
	{"gmail.settings.sharing", ClassRestricted, "S10a S10b"},
	{"drive", ClassRestricted, "S10a"},
	{"drive.readonly", ClassRestricted, "S10a"},
	{"drive.metadata", ClassRestricted, "S10a"},
	{"drive.metadata.readonly", ClassRestricted, "S10a"},
	{"drive.activity", ClassRestricted, "S10a"},
	{"drive.activity.readonly", ClassRestricted, "S10a"},
	{"drive.scripts", ClassRestricted, "S10a"},
	{"drive.meet.readonly", ClassRestricted, "S10a"},
	{"fitness.", ClassRestricted, "S10a"},
	// Google: sensitive [S10b, S11].
	{"gmail.send", ClassSensitive, "S10b"},
	{"gmail.addons.current.message.metadata", ClassSensitive, "S10b"},
	{"gmail.addons.current.message.readonly", ClassSensitive, "S10b"},
	{"calendar", ClassSensitive, "S11"},
	{"calendar.", ClassSensitive, "S11"},
	{"contacts", ClassSensitive, "S11"},
	{"contacts.readonly", ClassSensitive, "S11"},
	{"contacts.other.readonly", ClassSensitive, "S11"},
	{"directory.readonly", ClassSensitive, "S11"},
	// Google: admin scopes are treated as high risk (shadowscan's own call; see rules/README.md).
	{"admin.", ClassHigh, "shadowscan"},
	// Google: non-sensitive [S10b, S10c, S10d].
	{"gmail.labels", ClassLow, "S10b"},
	{"gmail.addons.current.action.compose", ClassLow, "S10b"},
	{"gmail.addons.current.message.action", ClassLow, "S10b"},
	{"drive.file", ClassLow, "S10c"},
	{"userinfo.email", ClassLow, "S10d"},
	{"userinfo.profile", ClassLow, "S10d"},

	// Microsoft Graph [S12, S15]: Mail.* is High/Phishing; full mailbox reads and writes are treated as
	// restricted, Mail.Send as high (send as the user), Mail.ReadBasic (Medium, no bodies) as sensitive.
	{"mail.readbasic", ClassSensitive, "S12"},
	{"mail.readbasic.", ClassSensitive, "S12"},
	{"mail.send", ClassHigh, "S12 S15"},
	{"mail.send.", ClassHigh, "S12 S15"},
	{"mail.", ClassRestricted, "S12 S15"},
	{"files.", ClassRestricted, "S12 S15"},
	{"sites.", ClassRestricted, "S12"},
	{"allsites.", ClassRestricted, "S12"},
	{"contacts.", ClassHigh, "S12 S15"},
	{"mailboxsettings.", ClassHigh, "S12 S15"},
	{"people.", ClassHigh, "S12 S15"},
	{"notes.", ClassHigh, "S12 S15"},
	{"policy.", ClassHigh, "S12"},
	{"privilegedaccess.", ClassHigh, "S12"},
	{"privilegedassignmentschedule.", ClassHigh, "S12"},
	{"privilegedeligibilityschedule.", ClassHigh, "S12"},
	{"approleassignment.readwrite.all", ClassHigh, "S12"},
	{"directory.accessasuser.all", ClassHigh, "S12 S15"},
	{"user_impersonation", ClassHigh, "S12 S15"},
	{"application.readwrite.all", ClassHigh, "S12"},
	{"directory.readwrite.all", ClassHigh, "S12"},
	{"domain.readwrite.all", ClassHigh, "S12"},
	{"eduroster.readwrite.all", ClassHigh, "S12"},
	{"group.readwrite.all", ClassHigh, "S12"},
	{"member.read.hidden", ClassHigh, "S12"},
	{"rolemanagement.readwrite.directory", ClassHigh, "S12"},
	{"roleassignmentschedule.readwrite.directory", ClassHigh, "S12"},
	{"roleeligibilityschedule.readwrite.directory", ClassHigh, "S12"},
	{"user.readwrite.all", ClassHigh, "S12"},
	{"user.managecreds.all", ClassHigh, "S12"},
	{"user.export.all", ClassHigh, "S12"},
	{"userauthenticationmethod.readwrite.all", ClassHigh, "S12"},
	{"callrecords.read.all", ClassHigh, "S12"},
	{"calendars.", ClassSensitive, "S13 (tiers 1-2)"},
	{"user.read", ClassLow, "S12"},
	{"user.readbasic.all", ClassLow, "S12"},
	{"offline_access", ClassLow, "S12"},
	// Both: OpenID Connect scopes [S12, S10d].
	{"openid", ClassLow, "S12 S10d"},
	{"email", ClassLow, "S12 S10d"},
	{"profile", ClassLow, "S12 S10d"},
}

var (
	scopeExact    map[string]string
	scopePrefixes []scopeEntry
)

func init() {
	scopeExact = map[string]string{}
	for _, e := range scopeTable {
		if strings.HasSuffix(e.name, ".") {
			scopePrefixes = append(scopePrefixes, e)
			continue
		}
		scopeExact[e.name] = e.class
	}
	sort.SliceStable(scopePrefixes, func(i, j int) bool { return len(scopePrefixes[i].name) > len(scopePrefixes[j].name) })
}

// Scope URL prefixes removed by NormalizeScope.
var scopeURLPrefixes = []string{
	"https://www.googleapis.com/auth/",
	"http://www.googleapis.com/auth/",
	"https://graph.microsoft.com/",
	"00000003-0000-0000-c000-000000000000/",
}

// NormalizeScope returns the short, lower-case name of an OAuth scope: Google's
// "https://www.googleapis.com/auth/gmail.readonly" becomes "gmail.readonly", "https://mail.google.com/" becomes
// "mail.google.com", and Microsoft Graph's "https://graph.microsoft.com/Mail.Read" becomes "mail.read".
func NormalizeScope(s string) string {
	s = strings.TrimSpace(s)
	ls := strings.ToLower(s)
	for _, p := range scopeURLPrefixes {
		if strings.HasPrefix(ls, p) {
			return ls[len(p):]
		}
	}
	if ls == "https://mail.google.com/" || ls == "https://mail.google.com" {
		return "mail.google.com"
	}
	return ls
}

// ScopeClass classifies an OAuth scope or Graph permission (rules/README.md, Scope classes): restricted, high, sensitive,
// low or unknown.
func ScopeClass(scope string) string {
	n := NormalizeScope(scope)
	if c, ok := scopeExact[n]; ok {
		return c
	}
	for _, e := range scopePrefixes {
		if strings.HasPrefix(n, e.name) {
			return e.class
		}
	}
	return ClassUnknown
}

// scopeAliases are names that mean the same scope.
var scopeAliases = map[string]string{
	"email":            "userinfo.email",
	"userinfo.email":   "email",
	"profile":          "userinfo.profile",
	"userinfo.profile": "profile",
}

// ScopeMatches reports whether scope matches a ceiling glob (path.Match syntax, compared on normalised names, so
// "gmail.*" matches "https://www.googleapis.com/auth/gmail.readonly"). "email" and "userinfo.email" (and
// "profile" and "userinfo.profile") are the same scope. A malformed pattern matches nothing.
func ScopeMatches(pattern, scope string) bool {
	p := NormalizeScope(pattern)
	s := NormalizeScope(scope)
	if glob.Match(p, s) {
		return true
	}
	a, ok := scopeAliases[s]
	return ok && glob.Match(p, a)
}

// BeyondCeiling returns the scopes (normalised, sorted, distinct) that no ceiling pattern allows. An empty
// ceiling allows everything.
func BeyondCeiling(scopes, ceiling []string) []string {
	if len(ceiling) == 0 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range scopes {
		if withinAny(s, ceiling) {
			continue
		}
		n := NormalizeScope(s)
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// WithinCeiling reports whether every scope is allowed by the ceiling; an empty ceiling allows everything.
func WithinCeiling(scopes, ceiling []string) bool {
	if len(ceiling) == 0 {
		return true
	}
	for _, s := range scopes {
		if !withinAny(s, ceiling) {
			return false
		}
	}
	return true
}

func withinAny(scope string, ceiling []string) bool {
	for _, p := range ceiling {
		if ScopeMatches(p, scope) {
			return true
		}
	}
	return false
}

// ScopesOfClass returns the scopes (normalised, sorted, distinct) of the given class.
func ScopesOfClass(scopes []string, class string) []string {
	var out []string
	for _, s := range scopes {
		if ScopeClass(s) == class {
			n := NormalizeScope(s)
			if !containsStr(out, n) {
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// HasScopeOfClass reports whether some scope in the list is of the class.
func HasScopeOfClass(scopes []string, class string) bool {
	for _, s := range scopes {
		if ScopeClass(s) == class {
			return true
		}
	}
	return false
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
