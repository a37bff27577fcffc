package catalog

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// Issue is one problem found in a catalogue file. It prints as `file:line: entry "id": message`.
type Issue struct {
	File  string // file the problem is in ("" when not known)
	Line  int    // 1-based line, 0 when not known
	Entry string // vendor ID, "" for file-level problems
	Msg   string
}

// String formats the issue as `file:line: entry "id": message`.
func (i Issue) String() string { return yamlpos.Where(i.File, i.Line, 0, "entry", i.Entry) + i.Msg }

// ValidationError is returned by the loaders when the catalogue has issues.
type ValidationError struct {
	Issues []Issue
}

// maxIssuesInError bounds how many issues Error() spells out.
const maxIssuesInError = 20

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "catalogue: %d issue(s)", len(e.Issues))
	for i, is := range e.Issues {
		if i == maxIssuesInError {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Issues)-maxIssuesInError)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(is.String())
	}
	return b.String()
}

// Validate checks a catalogue that is already built (for example one assembled in code) and returns its issues:
// the per-entry checks of the loader and the cross-entry checks (duplicate IDs, conflicting signals). Positions come
// from Entry.File and Entry.Line.
func Validate(c *Catalog) []Issue {
	if c == nil {
		return []Issue{{Msg: "catalogue is nil"}}
	}
	raws := make([]*rawEntry, 0, len(c.Entries))
	seen := map[string]*rawEntry{}
	var issues []Issue
	for i := range c.Entries {
		re := &rawEntry{Entry: c.Entries[i], set: map[string]bool{}, pos: map[string][]srcPos{}}
		if first, dup := seen[re.ID]; dup && re.ID != "" {
			issues = append(issues, Issue{File: re.File, Line: re.Line, Entry: re.ID,
				Msg: fmt.Sprintf("duplicate id (first defined at %s:%d)", first.File, first.Line)})
			continue
		}
		seen[re.ID] = re
		raws = append(raws, re)
	}
	issues = append(issues, validateEntries(c.Categories, raws, c.MicrosoftApps, false)...)
	sortIssues(issues)
	return issues
}

// ValidateFiles checks organisation catalogue files as `catalog validate` does: the built-in catalogue is loaded
// first and each file is merged over it in order (a file may override built-in entries). With no paths it
// validates the built-in catalogue alone. Every issue is returned; nothing stops at the first.
func ValidateFiles(paths ...string) []Issue {
	var srcs []source
	var issues []Issue
	for _, p := range paths {
		data, err := readCatalogFile(p)
		if err != nil {
			issues = append(issues, Issue{File: p, Msg: err.Error()})
			continue
		}
		srcs = append(srcs, source{name: p, data: data})
	}
	_, iss := buildWith(srcs)
	issues = append(issues, iss...)
	sortIssues(issues)
	return issues
}

// readCatalogFile reads an organisation file with a size cap.
func readCatalogFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read catalogue file: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("is a directory, not a catalogue file")
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("file is %d bytes, more than the %d allowed", st.Size(), maxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read catalogue file: %w", err)
	}
	return data, nil
}

func sortIssues(issues []Issue) {
	sort.SliceStable(issues, func(i, j int) bool {
		a, b := issues[i], issues[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

var (
	vendorIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	awsAccountRe    = regexp.MustCompile(`^[0-9]{12}$`)
	guidRe          = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// Older clients have no "-<id>" part: rclone's Google Drive client is 202264815644.apps.googleusercontent.com.
	googleClientRe = regexp.MustCompile(`^[0-9]{5,30}((-[a-z0-9]{1,64})?\.apps\.googleusercontent\.com)?$`)
	placeholderRe  = regexp.MustCompile(`\{[a-z][a-z0-9_]*\}`)
)

const maxVendorIDLen = 64

// validateEntries runs the per-entry checks and the cross-entry checks over merged entries. With trustBase, the
// entries of layer 0 (the built-in catalogue, validated where it changes: its tests and `catalog validate`) are
// not checked again, alone or against each other; only the later layers' entries are, and their values against
// every earlier claim. That is what makes loading an organisation's files cheap: a check costs what they hold.
func validateEntries(cats []Category, entries []*rawEntry, msApps map[string]string, trustBase bool) []Issue {
	var issues []Issue
	catByID := map[string]*Category{}
	subCat := map[string]string{}
	for i := range cats {
		catByID[cats[i].ID] = &cats[i]
		for _, s := range cats[i].Subcategories {
			subCat[s.ID] = cats[i].ID
		}
	}
	catIDs := make([]string, 0, len(cats))
	for _, c := range cats {
		catIDs = append(catIDs, c.ID)
	}
	subIDs := make([]string, 0, len(subCat))
	for s := range subCat {
		subIDs = append(subIDs, s)
	}
	sort.Strings(subIDs)

	cl := newClaims()
	for _, e := range entries {
		if trustBase && e.layer == 0 {
			continue
		}
		add := func(p srcPos, format string, args ...any) {
			issues = append(issues, Issue{File: p.File, Line: p.Line, Entry: e.ID, Msg: fmt.Sprintf(format, args...)})
		}
		// addAt looks the position up only for an issue: a built-in entry's positions are decoded on demand.
		addAt := func(key string, i int, format string, args ...any) { add(e.at(key, i), format, args...) }
		self := srcPos{File: e.File, Line: e.Line}
		switch {
		case e.ID == "":
			add(self, "missing id")
		case len(e.ID) > maxVendorIDLen:
			add(e.at("id", 0), "id is longer than %d characters", maxVendorIDLen)
		case !vendorIDPattern.MatchString(e.ID):
			add(e.at("id", 0), "id %q must be lower-case letters, digits and single hyphens (like \"google-ads\")", e.ID)
		}
		if strings.TrimSpace(e.Name) == "" {
			add(self, "missing name")
		} else if msg := checkText(e.Name, 200); msg != "" {
			add(e.at("name", 0), "name: %s", msg)
		}
		if e.Category == "" {
			add(self, "missing category")
		} else if _, ok := catByID[e.Category]; !ok {
			if owner, isSub := subCat[e.Category]; isSub {
				add(e.at("category", 0), "unknown category %q: that is a subcategory of %q (write category: %s and list %s under subcategories)",
					e.Category, owner, owner, e.Category)
			} else {
				add(e.at("category", 0), "unknown category %q%s", e.Category, didYouMean(e.Category, catIDs))
			}
		}
		seenSub := map[string]bool{}
		for i, s := range e.Subcategories {
			owner, ok := subCat[s]
			switch {
			case !ok:
				addAt("subcategories", i, "unknown subcategory %q%s", s, didYouMean(s, subIDs))
			case seenSub[s]:
				addAt("subcategories", i, "subcategory %q is listed twice", s)
			case i == 0 && e.Category != "" && catByID[e.Category] != nil && owner != e.Category:
				addAt("subcategories", i, "primary subcategory %q belongs to category %q, not %q (list a subcategory of %q first)",
					s, owner, e.Category, e.Category)
			}
			seenSub[s] = true
		}
		checkList := func(key string, vals []string, check func(string) string) {
			for i, v := range vals {
				if msg := check(v); msg != "" {
					addAt(key, i, "%s[%d] %q: %s", key, i, clip(v), msg)
				}
			}
		}
		textCheck := func(max int) func(string) string { return func(s string) string { return checkText(s, max) } }
		checkList("aliases", e.Aliases, textCheck(200))
		checkList("domains", e.Domains, checkDomain)
		checkList("spf", e.Signals.SPF, checkHostPattern)
		checkList("txt", e.Signals.TXT, checkTXT)
		checkList("cname", e.Signals.CNAME, checkHostPattern)
		checkList("txt_owner", e.Signals.TXTOwner, checkOwnerPattern)
		checkList("mx", e.Signals.MX, checkHostPattern)
		checkList("ns", e.Signals.NS, checkHostPattern)
		checkList("google_client_ids", e.Signals.GoogleClientIDs, checkGoogleClientID)
		checkList("entra_app_ids", e.Signals.EntraAppIDs, checkEntraAppID)
		checkList("aws_accounts", e.Signals.AWSAccounts, checkAWSAccount)
		checkList("merchants", e.Signals.Merchants, checkMerchant)
		checkList("oauth_names", e.Signals.OAuthNames, textCheck(200))
		checkList("data_access", e.DataAccess, textCheck(200))
		checkList("sources", e.Sources, textCheck(500))
		for i, d := range e.Signals.DKIM {
			if d.Selector == "" && d.Target == "" {
				addAt("dkim", i, "dkim[%d]: needs a selector, a target or both", i)
				continue
			}
			if d.OnlyWithTarget && (d.Selector == "" || d.Target == "") {
				addAt("dkim", i, "dkim[%d]: only_with_target needs both a selector and a target", i)
			}
			if d.Selector != "" {
				if msg := checkSelector(d.Selector); msg != "" {
					addAt("dkim", i, "dkim[%d].selector %q: %s", i, clip(d.Selector), msg)
				}
			}
			if d.Target != "" {
				if msg := checkHostPattern(d.Target); msg != "" {
					addAt("dkim", i, "dkim[%d].target %q: %s", i, clip(d.Target), msg)
				}
			}
		}
		if e.ID != "microsoft" {
			for i, id := range e.Signals.EntraAppIDs {
				if name, ok := msApps[strings.ToLower(id)]; ok {
					addAt("entra_app_ids", i, "entra_app_ids[%d] %s is a Microsoft first-party app (%s); it resolves to \"microsoft\"",
						i, id, displayOr(name, "microsoft_apps.csv"))
				}
			}
		}
	}
	// Signals are claimed layer by layer, so that a conflict is reported on the later entry: the organisation's
	// file, not the built-in vendor it collides with.
	byLayer := append([]*rawEntry(nil), entries...)
	sort.SliceStable(byLayer, func(i, j int) bool { return byLayer[i].layer < byLayer[j].layer })
	if trustBase {
		// The trusted entries claim only what a later entry claims too: a small map, not one of every value.
		later, fields := map[string]bool{}, map[string]bool{}
		base := 0
		for i, e := range byLayer {
			if e.layer == 0 {
				base = i + 1
				continue
			}
			eachClaim(e, nil, func(it claimItem) {
				later[it.kind+"\x00"+it.key] = true
				fields[claimField(it.at.key)] = true
			})
			for _, v := range e.Signals.GoogleClientIDs {
				if p := googleProjectOf(googleIDClean(v)); p != "" {
					later[projectClaim+p] = true
				}
			}
		}
		if len(later) == 0 {
			return issues
		}
		want := func(field string) bool { return fields[field] }
		for _, e := range byLayer[:base] {
			cl.claimAll(e, want, later)
		}
		byLayer = byLayer[base:]
	}
	for _, e := range byLayer {
		issues = append(issues, cl.claimAll(e, nil, nil)...)
	}
	return issues
}

// claimField is the eachClaim field a claim's place belongs to: the names share one.
func claimField(key string) string {
	switch key {
	case "id", "name", "aliases":
		return "names"
	}
	return key
}

func displayOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// claims records which vendor claimed each signal value, to report values claimed by two vendors.
type claims struct {
	by map[string]place // the first claim of each value
}

// place is item i of an entry's key; its position is looked up only for a message (see lazyPositions).
type place struct {
	e   *rawEntry
	key string
	i   int
}

func (p place) pos() srcPos { return p.e.at(p.key, p.i) }

func newClaims() *claims { return &claims{by: map[string]place{}} }

// claimItem is one value an entry claims: two vendors must not share kind and key; exact tells a value listed twice
// in one entry apart from two spellings of one pattern.
type claimItem struct {
	kind, key, exact, shown string
	at                      place
}

// eachClaim calls fn for every value e claims in the fields want accepts (nil: every field). An alias that repeats
// the name claims nothing (claimAll reports it).
func eachClaim(e *rawEntry, want func(field string) bool, fn func(claimItem)) {
	if want == nil {
		want = func(string) bool { return true }
	}
	lower := strings.ToLower
	each := func(field, kind string, vals []string, key func(string) string, exact func(string) string) {
		if !want(field) {
			return
		}
		for i, v := range vals {
			fn(claimItem{kind: kind, key: key(v), exact: exact(v), shown: v, at: place{e, field, i}})
		}
	}
	same := func(v string) string { return v }
	each("aws_accounts", "aws account", e.Signals.AWSAccounts, same, same)
	each("entra_app_ids", "entra app id", e.Signals.EntraAppIDs, lower, lower)
	each("google_client_ids", "google client id", e.Signals.GoogleClientIDs, lower, lower)
	each("spf", "spf host", e.Signals.SPF, patternKey, lower)
	each("cname", "cname target", e.Signals.CNAME, patternKey, lower)
	each("txt_owner", "txt owner name", e.Signals.TXTOwner, patternKey, lower)
	each("mx", "mx host", e.Signals.MX, patternKey, lower)
	each("ns", "ns host", e.Signals.NS, patternKey, lower)
	each("txt", "txt prefix", e.Signals.TXT, lower, same)
	if want("dkim") {
		for i, d := range e.Signals.DKIM {
			shown := d.Selector
			if d.Target != "" {
				shown = d.Selector + " -> " + d.Target
			}
			fn(claimItem{kind: "dkim", key: patternKey(d.Selector) + "\x00" + patternKey(d.Target),
				exact: lower(d.Selector) + "\x00" + lower(d.Target), shown: shown, at: place{e, "dkim", i}})
		}
	}
	each("domains", "domain", e.Domains, lower, lower)
	merchant := func(v string) string { return strings.Join(strings.Fields(strings.ToUpper(v)), " ") }
	each("merchants", "merchant", e.Signals.Merchants, merchant, merchant)
	// Names: the ID, the name and the aliases must not name another vendor, or name lookups become ambiguous.
	if want("names") {
		if k := nameKey(e.ID); k != "" {
			fn(claimItem{kind: "name", key: k, exact: "id\x00" + e.ID, shown: e.ID, at: place{e, "id", 0}})
		}
		nk := nameKey(e.Name)
		if nk != "" && nk != nameKey(e.ID) {
			fn(claimItem{kind: "name", key: nk, exact: "name\x00" + nk, shown: e.Name, at: place{e, "name", 0}})
		}
		for i, a := range e.Aliases {
			if k := nameKey(a); k != "" && k != nk {
				fn(claimItem{kind: "name", key: k, exact: "name\x00" + k, shown: a, at: place{e, "aliases", i}})
			}
		}
	}
	trimLower := func(v string) string { return lower(strings.TrimSpace(v)) }
	each("oauth_names", "oauth name", e.Signals.OAuthNames, trimLower, trimLower)
}

// claimAll registers every signal of e and returns conflicts with earlier vendors and repeats within e. With a
// non-nil only, it registers just the values whose kind and key only holds (and reports no repeats): the values of
// a trusted entry that later entries might collide with.
func (c *claims) claimAll(e *rawEntry, want func(field string) bool, only map[string]bool) []Issue {
	var issues []Issue
	own := map[string]bool{}
	eachClaim(e, want, func(it claimItem) {
		if it.key == "" {
			return
		}
		k := it.kind + "\x00" + it.key
		if only != nil {
			if only[k] {
				if _, ok := c.by[k]; !ok {
					c.by[k] = it.at
				}
			}
			return
		}
		if own[it.kind+"\x00"+it.exact] {
			p := it.at.pos()
			issues = append(issues, Issue{File: p.File, Line: p.Line, Entry: e.ID, Msg: fmt.Sprintf("%s %q is listed twice", it.kind, clip(it.shown))})
			return
		}
		own[it.kind+"\x00"+it.exact] = true
		if prev, ok := c.by[k]; ok {
			if prev.e.ID != e.ID {
				p, pp := it.at.pos(), prev.pos()
				issues = append(issues, Issue{File: p.File, Line: p.Line, Entry: e.ID,
					Msg: fmt.Sprintf("%s %q is also claimed by vendor %q (%s:%d); a signal must identify one vendor",
						it.kind, clip(it.shown), prev.e.ID, pp.File, pp.Line)})
			}
			return
		}
		c.by[k] = it.at
	})
	if want == nil || want("google_client_ids") {
		issues = append(issues, c.claimProjects(e, only)...)
	}
	if only == nil {
		nk := nameKey(e.Name)
		for i, a := range e.Aliases {
			if k := nameKey(a); k != "" && k == nk {
				p := e.at("aliases", i)
				issues = append(issues, Issue{File: p.File, Line: p.Line, Entry: e.ID, Msg: fmt.Sprintf("alias %q repeats the name", a)})
			}
		}
	}
	return issues
}

// claimProjects registers the Google Cloud project number of each of e's client IDs. The resolver attributes an
// uncatalogued client ID of a catalogued project to that project's vendor, so two vendors must not share a project
// number (the resolver then leaves such IDs unresolved). Several IDs of one vendor may share it. With a non-nil
// only, it registers just the projects only holds and reports nothing.
func (c *claims) claimProjects(e *rawEntry, only map[string]bool) []Issue {
	var issues []Issue
	for i, v := range e.Signals.GoogleClientIDs {
		p := googleProjectOf(googleIDClean(v))
		if p == "" {
			continue
		}
		k := projectClaim + p
		if only != nil && !only[k] {
			continue
		}
		prev, ok := c.by[k]
		if !ok {
			c.by[k] = place{e, "google_client_ids", i}
			continue
		}
		if only == nil && prev.e.ID != e.ID {
			pos, pp := e.at("google_client_ids", i), prev.pos()
			issues = append(issues, Issue{File: pos.File, Line: pos.Line, Entry: e.ID,
				Msg: fmt.Sprintf("google client id %q is of Google Cloud project %s, which vendor %q (%s:%d) also lists; "+
					"other client IDs of that project would resolve to neither", clip(v), p, prev.e.ID, pp.File, pp.Line)})
		}
	}
	return issues
}

const projectClaim = "google project\x00"

// patternKey normalises a host pattern or selector for comparison: lower case, placeholders renamed to {}.
func patternKey(p string) string {
	return placeholderRe.ReplaceAllString(strings.ToLower(strings.TrimSuffix(p, ".")), "{}")
}

// nameKey normalises a vendor name for comparison: lower-case letters and digits only ("Apollo.io" -> "apolloio").
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clip shortens a value for a message. Every caller quotes it with %q, which escapes control characters and
// bidirectional overrides visibly (`"Acme\x1b[31mRed"`), so the author sees what to remove.
func clip(s string) string {
	if utf8.RuneCountInString(s) > 80 {
		r := []rune(s)
		return string(r[:77]) + "..."
	}
	return s
}

// checkText accepts human text: not blank, no control characters, at most max runes.
func checkText(s string, max int) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "must not be empty"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case utf8.RuneCountInString(s) > max:
		return fmt.Sprintf("is longer than %d characters", max)
	case hasUnsafeRune(s):
		return "contains control characters"
	case s != strings.TrimSpace(s):
		return "has leading or trailing spaces"
	}
	return ""
}

// hasUnsafeRune reports what textsafe calls unsafe (control characters, bidirectional overrides), which can
// disguise text in a terminal, and invalid UTF-8.
func hasUnsafeRune(s string) bool {
	for _, r := range s {
		if textsafe.Unsafe(r) || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// checkHostPattern checks an SPF, CNAME or DKIM-target host pattern (see Signals). After its own checks, which
// give the clearer messages, it asks the resolver's pattern compiler, so that whatever loads also compiles.
func checkHostPattern(p string) string {
	if msg := checkLabels(p, true); msg != "" {
		return msg
	}
	labels := strings.Split(strings.TrimSuffix(p, "."), ".")
	if len(labels) < 2 {
		return "needs at least two labels (like \"mcsv.net\")"
	}
	tld := labels[len(labels)-1]
	if placeholderRe.MatchString(tld) || !isTLD(tld) {
		return fmt.Sprintf("the last label %q must be a literal top-level domain", tld)
	}
	if placeholderRe.ReplaceAllString(labels[len(labels)-2], "") == "" {
		return "the label before the top-level domain needs literal text; a bare {placeholder} there would match every domain"
	}
	if err := ValidateHostPattern(p); err != nil {
		return err.Error()
	}
	return ""
}

// checkOwnerPattern checks a TXT owner-name pattern: the leftmost label(s) of the record's name, placeholders
// allowed, with enough literal text to name one vendor.
func checkOwnerPattern(p string) string {
	if msg := checkLabels(p, true); msg != "" {
		return msg
	}
	if err := ValidateOwnerPattern(p); err != nil {
		return err.Error()
	}
	return ""
}

// checkSelector checks a DKIM selector, which may hold placeholders ("hs1-{portal}").
func checkSelector(s string) string {
	if strings.Contains(strings.ToLower(s), "_domainkey") {
		return "write the selector alone, without ._domainkey and the domain"
	}
	if strings.Contains(s, ".") {
		return "a selector is one label, without dots"
	}
	if msg := checkLabels(s, true); msg != "" {
		return msg
	}
	if err := ValidateSelectorPattern(s); err != nil {
		return err.Error()
	}
	return ""
}

// checkLabels checks dot-separated labels of letters, digits, hyphens and underscores, each with at most one
// {placeholder} when placeholders are allowed.
func checkLabels(p string, placeholders bool) string {
	if p == "" {
		return "must not be empty"
	}
	if len(p) > 253 {
		return "is longer than 253 characters"
	}
	if strings.Contains(p, "*") {
		return "wildcards are not supported: give the suffix (\"sendgrid.net\") or a {placeholder} label"
	}
	if strings.Contains(p, "://") || strings.ContainsAny(p, "/@: ") {
		return "must be a bare host name, without scheme, path, port or spaces"
	}
	if strings.HasPrefix(p, ".") {
		return "must not start with a dot"
	}
	for _, l := range strings.Split(strings.TrimSuffix(p, "."), ".") {
		if l == "" {
			return "has an empty label (two dots in a row)"
		}
		if len(l) > 63 {
			return fmt.Sprintf("label %q is longer than 63 characters", clip(l))
		}
		n := len(placeholderRe.FindAllStringIndex(l, -1))
		if n > 0 && !placeholders {
			return "placeholders are not allowed here"
		}
		if n > 1 {
			return fmt.Sprintf("label %q has more than one placeholder", l)
		}
		rest := placeholderRe.ReplaceAllString(l, "")
		if strings.ContainsAny(rest, "{}") {
			return fmt.Sprintf("label %q has a malformed placeholder (write {name} with a-z, 0-9 and _)", clip(l))
		}
		for _, r := range rest {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Sprintf("label %q has the character %q (allowed: letters, digits, - and _)", clip(l), r)
			}
		}
	}
	return ""
}

func isTLD(s string) bool {
	if len(s) < 2 {
		return false
	}
	letter := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z':
			letter = true
		case r >= '0' && r <= '9' || r == '-':
		default:
			return false
		}
	}
	return letter
}

// checkDomain checks a domain name: no placeholders, no wildcards, labels of letters, digits and inner hyphens.
func checkDomain(d string) string {
	if msg := checkLabels(d, false); msg != "" {
		return msg
	}
	labels := strings.Split(d, ".")
	if strings.HasSuffix(d, ".") {
		return "must not end with a dot"
	}
	if len(labels) < 2 {
		return "needs at least two labels (like \"example.com\")"
	}
	for _, l := range labels {
		if strings.Contains(l, "_") {
			return "underscores are not allowed in a domain name"
		}
		if strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return fmt.Sprintf("label %q starts or ends with a hyphen", l)
		}
	}
	if !isTLD(labels[len(labels)-1]) {
		return "the last label must be a top-level domain"
	}
	return ""
}

// checkTXT checks a TXT verification prefix or a "re:" regular expression.
func checkTXT(t string) string {
	if strings.HasPrefix(t, "re:") {
		expr := strings.TrimPrefix(t, "re:")
		if expr == "" {
			return "empty regular expression"
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return "bad regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		}
		if re.MatchString("") {
			return "regular expression matches the empty string, so it would match every TXT record"
		}
		if err := ValidateTXTPattern(t); err != nil {
			return err.Error()
		}
		return ""
	}
	if msg := checkText(t, 200); msg != "" {
		return msg
	}
	if len(t) < 3 {
		return "prefix is shorter than 3 characters and would match unrelated records"
	}
	if strings.HasPrefix(strings.ToLower(t), "v=spf1") || strings.HasPrefix(strings.ToLower(t), "v=dmarc1") {
		return "SPF and DMARC records are not verification tokens; put SPF includes under spf:"
	}
	return ""
}

func checkAWSAccount(a string) string {
	if !awsAccountRe.MatchString(a) {
		return "an AWS account ID is exactly 12 digits (quote it to keep leading zeros)"
	}
	return ""
}

func checkEntraAppID(id string) string {
	if !guidRe.MatchString(id) {
		return "an Entra application ID is a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
	}
	return ""
}

func checkGoogleClientID(id string) string {
	if !googleClientRe.MatchString(id) {
		return "a Google OAuth client ID is digits, optionally followed by [-<id>].apps.googleusercontent.com"
	}
	return ""
}

func checkMerchant(m string) string {
	if msg := checkText(m, 64); msg != "" {
		return msg
	}
	if len(strings.TrimSpace(m)) < 3 {
		return "is shorter than 3 characters and would match unrelated descriptors"
	}
	return ""
}

// didYouMean formats a suggestion from candidates, or "".
func didYouMean(s string, candidates []string) string {
	if n := nearestWord(s, candidates); n != "" {
		return fmt.Sprintf(" (did you mean %q?)", n)
	}
	return ""
}

// nearestWord returns the candidate closest to s by edit distance, if it is close enough to be a typo.
func nearestWord(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c), 3)
		if d < 0 {
			continue
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > 1+len(s)/4 {
		return ""
	}
	return best
}
