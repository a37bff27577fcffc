package microsoft

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Export files. One JSON file holds what Graph PowerShell or saved Graph responses give:
//
//   - a bundle object whose keys name the collections (any case): servicePrincipals, oauth2PermissionGrants,
//     appRoleAssignments, users, directoryAudits, servicePrincipalSignInActivities, and optionally tenantId. Each
//     value is an array (Get-Mg… | ConvertTo-Json), one object (ConvertTo-Json of a single result), or a saved
//     Graph response ({"value": [...]}). This is what
//     @{servicePrincipals = Get-MgServicePrincipal -All; oauth2PermissionGrants = Get-MgOauth2PermissionGrant -All}
//     | ConvertTo-Json -Depth 10 writes;
//   - or one cmdlet's output or one saved response on its own, whose entries are recognised by their fields.
//
// Field names match in any case (Graph's appId, PowerShell's AppId). Windows PowerShell 5.1's UTF-16 and UTF-8
// byte-order marks and "/Date(ms)/" times are understood.

// maxExportBytes bounds the export file read into memory.
const maxExportBytes = 1 << 30

// exportError is a problem with the export file, naming where.
type exportError struct {
	File string
	Line int
	Col  int
	Path string // e.g. servicePrincipals[3]
	Msg  string
}

func (e *exportError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

func (p *provider) readExport() (*tenant, error) {
	f, err := os.Open(p.cfg.ExportFile)
	if err != nil {
		return nil, fmt.Errorf("export_file: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxExportBytes+1)); err != nil {
		return nil, fmt.Errorf("export_file: %w", err)
	}
	if buf.Len() > maxExportBytes {
		return nil, fmt.Errorf("export_file: %s is larger than %d bytes", p.cfg.ExportFile, maxExportBytes)
	}
	t, issues, err := parseExport(p.cfg.ExportFile, buf.Bytes(), p.cfg.TenantID)
	for _, is := range issues {
		p.deps.Diagnostics.Error("export", is.Path, is)
	}
	if err != nil {
		return nil, fmt.Errorf("export_file: %w", err)
	}
	if !t.signInsRead {
		p.deps.Diagnostics.Skip("export: no servicePrincipalSignInActivities in the file; last sign-in unknown, unused-consent rules have no data")
	}
	return t, nil
}

// Collections of the bundle, by lower-case key.
const (
	colSPs         = "serviceprincipals"
	colGrants      = "oauth2permissiongrants"
	colAssignments = "approleassignments"
	colUsers       = "users"
	colAudits      = "directoryaudits"
	colSignIns     = "serviceprincipalsigninactivities"
)

var collections = []string{colSPs, colGrants, colAssignments, colUsers, colAudits, colSignIns}

// parseExport reads an export. A file that is not JSON, or whose shape is not recognised, is an error naming
// file:line:col; a single entry that does not fit is an issue (reported, the rest kept).
func parseExport(name string, data []byte, tenantID string) (*tenant, []*exportError, error) {
	data, err := toUTF8(data)
	if err != nil {
		return nil, nil, &exportError{File: name, Msg: err.Error()}
	}
	var top any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		return nil, nil, jsonErr(name, data, err)
	}
	if dec.More() {
		off := dec.InputOffset()
		l, c := lineCol(data, int(off))
		return nil, nil, &exportError{File: name, Line: l, Col: c, Msg: "more than one JSON value in the file"}
	}
	t := newTenant(tenantID, "export")
	var issues []*exportError
	add := func(col string, path string, raw json.RawMessage) {
		if err := t.addEntry(col, raw); err != nil {
			issues = append(issues, &exportError{File: name, Path: path, Msg: err.Error()})
		}
	}
	switch v := top.(type) {
	case map[string]any:
		bundle := false
		for k := range v {
			if isCollection(strings.ToLower(k)) || strings.EqualFold(k, "tenantId") {
				bundle = true
			}
		}
		if bundle {
			var raw map[string]json.RawMessage
			_ = json.Unmarshal(data, &raw)
			for k, val := range raw {
				lk := strings.ToLower(k)
				if lk == "tenantid" {
					var id string
					if json.Unmarshal(val, &id) == nil && t.id == "" {
						t.id = strings.TrimSpace(id)
					}
					continue
				}
				if !isCollection(lk) {
					issues = append(issues, &exportError{File: name, Path: k, Msg: "unknown collection (want servicePrincipals, oauth2PermissionGrants, appRoleAssignments, users, directoryAudits or servicePrincipalSignInActivities)"})
					continue
				}
				entries, err := entriesOf(val)
				if err != nil {
					issues = append(issues, &exportError{File: name, Path: k, Msg: err.Error()})
					continue
				}
				if lk == colSignIns {
					t.signInsRead = true
				}
				if lk == colAudits {
					t.auditsRead = true
				}
				for i, e := range entries {
					add(lk, fmt.Sprintf("%s[%d]", k, i), e)
				}
			}
			break
		}
		entries, err := entriesOf(json.RawMessage(data))
		if err != nil {
			return nil, nil, &exportError{File: name, Msg: err.Error()}
		}
		if err := t.addGuessed(name, entries, &issues); err != nil {
			return nil, issues, err
		}
	case []any:
		entries, _ := entriesOf(json.RawMessage(data))
		if err := t.addGuessed(name, entries, &issues); err != nil {
			return nil, issues, err
		}
	default:
		return nil, nil, &exportError{File: name, Line: 1, Col: 1, Msg: "want a JSON object or array (Graph PowerShell ConvertTo-Json output or a saved Graph response)"}
	}
	sort.Slice(issues, func(i, j int) bool { return issues[i].Path < issues[j].Path })
	if len(t.users) > 0 {
		// The users are a snapshot of the directory: a grant's user missing from it no longer exists.
		for _, g := range t.grants {
			if id := strings.ToLower(g.PrincipalID); g.ConsentType == ConsentPrincipal && id != "" && t.users[id] == nil {
				t.deleted[id] = true
			}
		}
	}
	return t, issues, nil
}

func isCollection(k string) bool {
	for _, c := range collections {
		if c == k {
			return true
		}
	}
	return false
}

// entriesOf returns the entries of an array, a saved Graph response ({"value": [...]}) or a single object.
func entriesOf(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	switch raw[0] {
	case '[':
		var out []json.RawMessage
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, err
		}
		return out, nil
	case '{':
		var resp struct {
			Value    *[]json.RawMessage `json:"value"`
			NextLink string             `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(raw, &resp); err == nil && resp.Value != nil {
			return *resp.Value, nil
		}
		return []json.RawMessage{raw}, nil
	}
	return nil, errors.New("want an array of entries, a Graph response ({\"value\": [...]}) or one entry")
}

// addGuessed adds entries of one unnamed collection, recognising each by its fields.
func (t *tenant) addGuessed(name string, entries []json.RawMessage, issues *[]*exportError) error {
	recognised := 0
	for i, e := range entries {
		col := guessCollection(e)
		if col == "" {
			*issues = append(*issues, &exportError{File: name, Path: fmt.Sprintf("[%d]", i), Msg: "not a service principal, permission grant, app role assignment, user, audit event or sign-in activity"})
			continue
		}
		recognised++
		if col == colSignIns {
			t.signInsRead = true
		}
		if err := t.addEntry(col, e); err != nil {
			*issues = append(*issues, &exportError{File: name, Path: fmt.Sprintf("[%d]", i), Msg: err.Error()})
		}
	}
	if recognised == 0 && len(entries) > 0 {
		return &exportError{File: name, Msg: "no entry is a service principal, permission grant or app role assignment (want Get-MgServicePrincipal / Get-MgOauth2PermissionGrant ConvertTo-Json output or saved Graph responses)"}
	}
	return nil
}

// guessCollection names an entry's collection by its fields.
func guessCollection(raw json.RawMessage) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	has := map[string]bool{}
	for k := range m {
		has[strings.ToLower(k)] = true
	}
	switch {
	case has["consenttype"] || (has["clientid"] && has["resourceid"] && has["scope"]):
		return colGrants
	case has["approleid"]:
		return colAssignments
	case has["lastsigninactivity"]:
		return colSignIns
	case has["activitydisplayname"]:
		return colAudits
	case has["appid"]:
		return colSPs
	case has["userprincipalname"]:
		return colUsers
	}
	return ""
}

// addEntry decodes one entry of a collection.
func (t *tenant) addEntry(col string, raw json.RawMessage) error {
	switch col {
	case colSPs:
		var sp servicePrincipal
		if err := json.Unmarshal(raw, &sp); err != nil {
			return err
		}
		if sp.CreatedDateTime.IsZero() {
			if v, ok := sp.AdditionalProperties["createdDateTime"]; ok {
				_ = sp.CreatedDateTime.UnmarshalJSON(v)
			}
		}
		if sp.ID == "" || sp.AppID == "" {
			return errors.New("service principal without id or appId")
		}
		t.addSP(sp)
	case colGrants:
		var g grant
		if err := json.Unmarshal(raw, &g); err != nil {
			return err
		}
		if g.ClientID == "" || g.ResourceID == "" {
			return errors.New("permission grant without clientId or resourceId")
		}
		t.grants = append(t.grants, g)
	case colAssignments:
		var a appRoleAssignment
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		if a.PrincipalID == "" || a.ResourceID == "" {
			return errors.New("app role assignment without principalId or resourceId")
		}
		t.assignments = append(t.assignments, a)
	case colUsers:
		var u user
		if err := json.Unmarshal(raw, &u); err != nil {
			return err
		}
		if u.ID == "" {
			return errors.New("user without id")
		}
		t.users[strings.ToLower(u.ID)] = &u
	case colAudits:
		var a directoryAudit
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		t.audits = append(t.audits, a)
	case colSignIns:
		var s signInActivity
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		id := strings.ToLower(s.AppID)
		if at := s.LastSignInActivity.LastSignInDateTime.Time; id != "" && !at.IsZero() && at.After(t.signIns[id]) {
			t.signIns[id] = at
		}
	}
	return nil
}

// toUTF8 strips a UTF-8 byte-order mark and decodes UTF-16 (Windows PowerShell's `>` writes UTF-16 LE).
func toUTF8(b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		be := b[0] == 0xFE
		b = b[2:]
		if len(b)%2 != 0 {
			return nil, errors.New("UTF-16 file with an odd number of bytes (truncated?)")
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			if be {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			} else {
				u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
			}
		}
		var out bytes.Buffer
		for _, r := range utf16.Decode(u) {
			out.WriteRune(r)
		}
		return out.Bytes(), nil
	}
	if !utf8.Valid(b) {
		return nil, errors.New("not UTF-8 or UTF-16 text")
	}
	return b, nil
}

// jsonErr turns a decoding error into one naming file:line:col.
func jsonErr(name string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := -1
	switch {
	case errors.As(err, &se):
		off = int(se.Offset)
	case errors.As(err, &te):
		off = int(te.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		off = len(data)
		err = errors.New("the JSON ends early (truncated file?)")
	}
	if off < 0 {
		return &exportError{File: name, Msg: err.Error()}
	}
	l, c := lineCol(data, off)
	return &exportError{File: name, Line: l, Col: c, Msg: err.Error()}
}

// lineCol converts a byte offset into a 1-based line and column (in characters).
func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}
