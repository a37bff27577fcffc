package googleworkspace

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"unicode"

	"github.com/shadowscan/shadowscan/scanner"
)

// maxExportSize bounds what is read from an export file.
const maxExportSize = 1 << 30

// exportToken is one token row of an export file.
type exportToken struct {
	line        int
	user        string // email
	userKey     string // unique user ID
	clientID    string
	displayText string
	anonymous   bool
	nativeApp   bool
	scopes      []string
}

// collectExport emits the grants of an export file instead of calling the API.
func (p *provider) collectExport(ctx context.Context, out *scanner.Emitter) error {
	var people peopleIndex
	if p.cfg.UsersExportFile != "" {
		users, err := readExport(p.cfg.UsersExportFile, parseUsersExport)
		if err != nil {
			return err
		}
		people = indexPeople(users)
		p.log.Debug().Str("file", p.cfg.UsersExportFile).Int("users", len(users)).Msg("users export read")
	}
	toks, err := readExport(p.cfg.ExportFile, parseTokensExport)
	if err != nil {
		return err
	}
	if p.cfg.readsAudit() {
		p.deps.Diagnostics.Skip("token audit log (activities.list): not read in export mode, so first/last authorisation times and grants revoked between scans are missing")
	}
	// One grant per (user, client): rows repeated for the same pair are merged.
	type key struct{ user, client string }
	merged := map[key]*exportToken{}
	var order []key
	for i := range toks {
		t := &toks[i]
		k := key{firstNonEmpty(t.userKey, strings.ToLower(t.user)), t.clientID}
		if m := merged[k]; m != nil {
			m.scopes = append(m.scopes, t.scopes...)
			m.user = firstNonEmpty(m.user, t.user)
			m.displayText = firstNonEmpty(m.displayText, t.displayText)
			continue
		}
		merged[k] = t
		order = append(order, k)
	}
	notInUsers := 0
	for _, k := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := merged[k]
		u, ok := people.find(t.userKey, t.user)
		if !ok {
			u = person{ID: t.userKey, Email: t.user}
			if people != nil {
				notInUsers++
			}
		}
		g := grant{user: u, clientID: t.clientID, displayText: t.displayText, anonymous: t.anonymous,
			nativeApp: t.nativeApp, scopes: t.scopes, source: sourceExport}
		if err := out.Send(p.record(g)); err != nil {
			return err
		}
	}
	if notInUsers > 0 {
		p.log.Warn().Int("grants", notInUsers).Str("file", p.cfg.UsersExportFile).
			Msg("grants whose user is not in the users export: no org unit or department for them")
	}
	p.log.Debug().Str("file", p.cfg.ExportFile).Int("rows", len(toks)).Int("grants", len(order)).Msg("tokens export read")
	return nil
}

func readExport[T any](path string, parse func(name string, data []byte) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxExportSize+1))
	if err != nil {
		return nil, fmt.Errorf("export: reading %s: %w", path, err)
	}
	if len(data) > maxExportSize {
		return nil, fmt.Errorf("export: %s is larger than %d bytes", path, maxExportSize)
	}
	return parse(path, data)
}

// trimStart drops a UTF-8 byte order mark and leading white space.
func trimStart(data []byte) []byte {
	return bytes.TrimLeftFunc(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), unicode.IsSpace)
}

func isJSON(data []byte) bool {
	d := trimStart(data)
	return len(d) > 0 && (d[0] == '{' || d[0] == '[')
}

// parseTokensExport reads GAM's `print tokens` CSV or a saved Admin SDK tokens JSON.
func parseTokensExport(name string, data []byte) ([]exportToken, error) {
	if isJSON(data) {
		return parseTokensJSON(name, data)
	}
	return parseTokensCSV(name, data)
}

// parseUsersExport reads GAM's `print users` CSV or a saved users.list JSON.
func parseUsersExport(name string, data []byte) ([]person, error) {
	if isJSON(data) {
		return parseUsersJSON(name, data)
	}
	return parseUsersCSV(name, data)
}

// csvTable reads a CSV with a header row; columns are found by case-insensitive name.
type csvTable struct {
	name string
	r    *csv.Reader
	cols map[string]int
	head []string
	rec  []string
	line int
}

func newCSVTable(name string, data []byte) (*csvTable, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file: expected a CSV header row", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	t := &csvTable{name: name, r: r, cols: map[string]int{}, head: head}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := t.cols[h]; !dup && h != "" {
			t.cols[h] = i
		}
	}
	return t, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.StartLine != 0 && pe.StartLine != pe.Line {
			return fmt.Errorf("%s:%d: %v (at line %d, column %d)", name, pe.StartLine, pe.Err, pe.Line, pe.Column)
		}
		return fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %v", name, err)
}

// next reads a row; false at the end.
func (t *csvTable) next() (bool, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, csvError(t.name, err)
	}
	t.rec = rec
	t.line, _ = t.r.FieldPos(0)
	return true, nil
}

func (t *csvTable) has(col string) bool { _, ok := t.cols[col]; return ok }

func (t *csvTable) get(col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(t.rec) {
		return ""
	}
	return strings.TrimSpace(t.rec[i])
}

func (t *csvTable) bool(col string) (bool, error) {
	v := t.get(col)
	switch strings.ToLower(v) {
	case "", "false", "0", "no", "n":
		return false, nil
	case "true", "1", "yes", "y":
		return true, nil
	}
	return false, fmt.Errorf("%s:%d: column %s: %q is neither True nor False", t.name, t.line, t.head[t.cols[col]], v)
}

func (t *csvTable) columns() string { return strings.Join(t.head, ",") }

// readRows reads the table's rows with row, which reads the current one: keep false skips it, an error stops.
func readRows[T any](t *csvTable, row func() (v T, keep bool, err error)) ([]T, error) {
	var out []T
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		v, keep, err := row()
		if err != nil {
			return nil, err
		}
		if keep {
			out = append(out, v)
		}
	}
}

// splitScopes splits a scopes cell: GAM joins them with its csv_output_field_delimiter (a space by default).
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' || r == '|' })
}

// parseTokensCSV reads `gam all users print tokens`: user,clientId,displayText,anonymous,nativeApp,userKey,scopes.
func parseTokensCSV(name string, data []byte) ([]exportToken, error) {
	t, err := newCSVTable(name, data)
	if err != nil {
		return nil, err
	}
	switch {
	case !t.has("user") && t.has("users"):
		return nil, fmt.Errorf("%s:1: this is GAM's aggregated token list (aggregateusersby), which has no user per grant: export with `gam all users print tokens` instead", name)
	case t.has("tokencount"):
		return nil, fmt.Errorf("%s:1: this is GAM's token counts (usertokencounts), which has no grants: export with `gam all users print tokens` instead", name)
	case !t.has("user") || !t.has("clientid"):
		return nil, fmt.Errorf("%s:1: not a GAM `print tokens` CSV: the header needs user and clientId columns (it has: %s)", name, t.columns())
	}
	return readRows(t, func() (exportToken, bool, error) {
		tok := exportToken{line: t.line, user: t.get("user"), userKey: t.get("userkey"), clientID: t.get("clientid"),
			displayText: t.get("displaytext"), scopes: splitScopes(t.get("scopes"))}
		if tok.clientID == "" {
			if tok.displayText != "" || len(tok.scopes) > 0 {
				return tok, false, fmt.Errorf("%s:%d: a grant without a clientId", name, t.line)
			}
			return tok, false, nil // GAM's users-audit rows: a user without tokens
		}
		if tok.user == "" && tok.userKey == "" {
			return tok, false, fmt.Errorf("%s:%d: grant of %s has no user", name, t.line, tok.clientID)
		}
		var err error
		if tok.anonymous, err = t.bool("anonymous"); err != nil {
			return tok, false, err
		}
		if tok.nativeApp, err = t.bool("nativeapp"); err != nil {
			return tok, false, err
		}
		return tok, true, nil
	})
}

var orgColumn = regexp.MustCompile(`^organizations\.(\d+)\.(department|primary)$`)

// parseUsersCSV reads `gam print users fields primaryemail,id,name,ou,organizations,suspended`.
func parseUsersCSV(name string, data []byte) ([]person, error) {
	t, err := newCSVTable(name, data)
	if err != nil {
		return nil, err
	}
	if !t.has("primaryemail") {
		return nil, fmt.Errorf("%s:1: not a GAM `print users` CSV: the header needs a primaryEmail column (it has: %s)", name, t.columns())
	}
	var orgs []string // the organizations.N indexes present, in header order
	seen := map[string]bool{}
	for _, h := range t.head {
		if m := orgColumn.FindStringSubmatch(strings.ToLower(strings.TrimSpace(h))); m != nil && !seen[m[1]] {
			seen[m[1]] = true
			orgs = append(orgs, m[1])
		}
	}
	return readRows(t, func() (person, bool, error) {
		u := person{ID: t.get("id"), Email: t.get("primaryemail"), OrgUnit: t.get("orgunitpath"), Name: t.get("name.fullname")}
		if u.Email == "" {
			return u, false, fmt.Errorf("%s:%d: a user without a primaryEmail", name, t.line)
		}
		if u.Name == "" {
			u.Name = strings.TrimSpace(t.get("name.givenname") + " " + t.get("name.familyname"))
		}
		var err error
		if u.Suspended, err = t.bool("suspended"); err != nil {
			return u, false, err
		}
		var first string
		for _, n := range orgs {
			d := t.get("organizations." + n + ".department")
			if d == "" {
				continue
			}
			primary, err := t.bool("organizations." + n + ".primary")
			if err != nil {
				return u, false, err
			}
			if primary {
				u.Department = d
				break
			}
			if first == "" {
				first = d
			}
		}
		if u.Department == "" {
			u.Department = first
		}
		return u, true, nil
	})
}

// jsonValues calls fn for every top-level JSON value of data (one document, a concatenation, or JSON Lines) and,
// for a top-level array, for each element; line is where the value starts.
func jsonValues(name string, data []byte, fn func(raw json.RawMessage, line int) error) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(data))
	lineAt := func(off int64) int {
		off = min(max(off, 0), int64(len(data)))
		for off < int64(len(data)) && (data[off] == ' ' || data[off] == '\t' || data[off] == '\r' || data[off] == '\n' || data[off] == ',') {
			off++
		}
		return bytes.Count(data[:off], []byte("\n")) + 1
	}
	syntax := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("%s:%d: invalid JSON: %v", name, lineAt(se.Offset-1), err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%s:%d: invalid JSON: unexpected end of file", name, lineAt(int64(len(data))))
		}
		return fmt.Errorf("%s: invalid JSON: %v", name, err)
	}
	for {
		off := dec.InputOffset()
		rest := bytes.TrimLeftFunc(data[off:], unicode.IsSpace)
		if len(rest) == 0 {
			return nil
		}
		if rest[0] != '[' {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return syntax(err)
			}
			if err := fn(raw, lineAt(off)); err != nil {
				return err
			}
			continue
		}
		if _, err := dec.Token(); err != nil { // [
			return syntax(err)
		}
		for dec.More() {
			off := dec.InputOffset()
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return syntax(err)
			}
			if err := fn(raw, lineAt(off)); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ]
			return syntax(err)
		}
	}
}

// scopeList accepts scopes as a JSON array or as one space-separated string.
type scopeList []string

func (s *scopeList) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*s = list
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return errors.New("scopes: want a list of strings or one space-separated string")
	}
	*s = splitScopes(one)
	return nil
}

type jsonToken struct {
	ClientID     string    `json:"clientId"`
	DisplayText  string    `json:"displayText"`
	Anonymous    bool      `json:"anonymous"`
	NativeApp    bool      `json:"nativeApp"`
	Scopes       scopeList `json:"scopes"`
	UserKey      string    `json:"userKey"`
	User         string    `json:"user"`
	PrimaryEmail string    `json:"primaryEmail"`
	Email        string    `json:"email"`
}

// parseTokensJSON reads tokens.list responses ({"kind":"admin#directory#tokenList","items":[...]}, optionally with a
// "user" field naming whose tokens they are), arrays or JSON Lines of them, or of bare token objects.
func parseTokensJSON(name string, data []byte) ([]exportToken, error) {
	var out []exportToken
	addToken := func(raw json.RawMessage, line int, owner string) error {
		var jt jsonToken
		if err := json.Unmarshal(raw, &jt); err != nil {
			return fmt.Errorf("%s:%d: token: %v", name, line, err)
		}
		t := exportToken{line: line, user: firstNonEmpty(jt.User, jt.PrimaryEmail, jt.Email, owner), userKey: jt.UserKey,
			clientID: strings.TrimSpace(jt.ClientID), displayText: strings.TrimSpace(jt.DisplayText),
			anonymous: jt.Anonymous, nativeApp: jt.NativeApp, scopes: jt.Scopes}
		if t.clientID == "" {
			return fmt.Errorf("%s:%d: token without a clientId", name, line)
		}
		if t.user == "" && t.userKey == "" {
			return fmt.Errorf("%s:%d: token of %s names no user (user or userKey)", name, line, t.clientID)
		}
		out = append(out, t)
		return nil
	}
	err := jsonValues(name, data, func(raw json.RawMessage, line int) error {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return fmt.Errorf("%s:%d: expected a token or a token list object, found %s", name, line, jsonKind(raw))
		}
		items, isList := obj["items"]
		if !isList {
			items, isList = obj["tokens"]
		}
		if isList {
			var owner struct{ User, PrimaryEmail, Email string }
			_ = json.Unmarshal(raw, &owner)
			var list []json.RawMessage
			if err := json.Unmarshal(items, &list); err != nil && string(items) != "null" {
				return fmt.Errorf("%s:%d: items: want a list of tokens", name, line)
			}
			for _, it := range list {
				if err := addToken(it, line, firstNonEmpty(owner.User, owner.PrimaryEmail, owner.Email)); err != nil {
					return err
				}
			}
			return nil
		}
		if _, ok := obj["clientId"]; ok {
			return addToken(raw, line, "")
		}
		if kind, _ := obj["kind"]; strings.Contains(string(kind), "tokenList") {
			return nil // a user without tokens
		}
		return fmt.Errorf("%s:%d: neither a token (no clientId) nor a token list (no items)", name, line)
	})
	return out, err
}

func jsonKind(raw json.RawMessage) string {
	d := trimStart(raw)
	switch {
	case len(d) == 0:
		return "nothing"
	case d[0] == '[':
		return "a list"
	case d[0] == '"':
		return "a string"
	case d[0] == 'n':
		return "null"
	case d[0] == 't' || d[0] == 'f':
		return "a boolean"
	}
	return "a number"
}

type jsonUser struct {
	ID           string `json:"id"`
	PrimaryEmail string `json:"primaryEmail"`
	Name         *struct {
		FullName   string `json:"fullName"`
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	OrgUnitPath   string `json:"orgUnitPath"`
	Suspended     bool   `json:"suspended"`
	Organizations []struct {
		Department string `json:"department"`
		Primary    bool   `json:"primary"`
	} `json:"organizations"`
}

// parseUsersJSON reads users.list responses ({"users":[...]}), arrays or JSON Lines of them, or of user objects.
func parseUsersJSON(name string, data []byte) ([]person, error) {
	var out []person
	addUser := func(raw json.RawMessage, line int) error {
		var ju jsonUser
		if err := json.Unmarshal(raw, &ju); err != nil {
			return fmt.Errorf("%s:%d: user: %v", name, line, err)
		}
		if ju.PrimaryEmail == "" {
			return fmt.Errorf("%s:%d: a user without a primaryEmail", name, line)
		}
		u := person{ID: ju.ID, Email: ju.PrimaryEmail, OrgUnit: ju.OrgUnitPath, Suspended: ju.Suspended}
		if ju.Name != nil {
			u.Name = firstNonEmpty(ju.Name.FullName, strings.TrimSpace(ju.Name.GivenName+" "+ju.Name.FamilyName))
		}
		orgs := make([]any, 0, len(ju.Organizations))
		for _, o := range ju.Organizations {
			orgs = append(orgs, map[string]any{"department": o.Department, "primary": o.Primary})
		}
		u.Department = department(orgs)
		out = append(out, u)
		return nil
	}
	err := jsonValues(name, data, func(raw json.RawMessage, line int) error {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return fmt.Errorf("%s:%d: expected a user or a users list object, found %s", name, line, jsonKind(raw))
		}
		if users, ok := obj["users"]; ok {
			var list []json.RawMessage
			if err := json.Unmarshal(users, &list); err != nil && string(users) != "null" {
				return fmt.Errorf("%s:%d: users: want a list of users", name, line)
			}
			for _, it := range list {
				if err := addUser(it, line); err != nil {
					return err
				}
			}
			return nil
		}
		if _, ok := obj["primaryEmail"]; ok {
			return addUser(raw, line)
		}
		if kind, _ := obj["kind"]; strings.Contains(string(kind), "#users") {
			return nil // an empty page
		}
		return fmt.Errorf("%s:%d: neither a user (no primaryEmail) nor a users list (no users)", name, line)
	})
	return out, err
}
