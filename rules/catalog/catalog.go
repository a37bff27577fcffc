package catalog

import (
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// The built-in catalogue: taxonomy.yaml, one vendor file per category, and the Microsoft first-party app list.
//
//go:embed *.yaml microsoft_apps.csv
var builtinFS embed.FS

// The attribution of the derived data, shipped with any binary that embeds it.
//
//go:embed LICENSES.md licenses/*.txt
var noticeFS embed.FS

// Notices returns LICENSES.md (sources, licences and attribution of the catalogue data) followed by the full text
// of each licence, for a --licenses style output of the CLI.
func Notices() string {
	var b strings.Builder
	if data, err := noticeFS.ReadFile("LICENSES.md"); err == nil {
		b.Write(data)
	}
	names, _ := fs.Glob(noticeFS, "licenses/*.txt")
	sort.Strings(names)
	for _, n := range names {
		data, err := noticeFS.ReadFile(n)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "\n---- %s ----\n\n", path.Base(n))
		b.Write(data)
	}
	return b.String()
}

// builtinPrefix is put before the embedded file names in issues, so they point at the file in the repository.
const builtinPrefix = "rules/catalog/"

// msAppsFile is the embedded list of Microsoft first-party application IDs (AppId,AppDisplayName).
const msAppsFile = "microsoft_apps.csv"

// MicrosoftVendorID is the vendor that Microsoft first-party application IDs resolve to.
const MicrosoftVendorID = "microsoft"

var (
	builtinOnce sync.Once
	builtinCat  *Catalog
	builtinErr  error

	// builtinParsed holds the parsed embedded files; Load merges organisation files over a copy of it.
	parsedOnce sync.Once
	parsed     *parsedBuiltin
)

type parsedBuiltin struct {
	cats     []Category
	base     layer // decoded from the prepared form: without positions until asked (lazyPositions)
	msApps   map[string]string
	issues   []Issue
	prepared bool // decoded from the prepared form, not parsed from the YAML
}

// source is one catalogue file to merge over the built-in catalogue.
type source struct {
	name string
	data []byte
}

// Builtin returns the embedded catalogue. It is parsed and validated once; every call returns the same value,
// which callers must treat as read-only. An error means the embedded data is broken (a test guards against it).
//
// The embedded files are parsed (an unreadable file is still an error) but not validated entry by entry again:
// that costs about as much as the parse, and the built-in catalogue is validated where it changes — by its tests
// (TestBuiltinValidates) and `shadowscan catalog validate`. Organisation files merged by Load are always validated:
// their entries, and each value they claim against the built-in claims.
func Builtin() (*Catalog, error) {
	builtinOnce.Do(func() {
		p := parseBuiltin()
		c, issues := assemble(p.cats, []layer{p.base}, p.msApps, append([]Issue(nil), p.issues...), skipValidation)
		if len(issues) > 0 {
			sortIssues(issues)
			builtinErr = &ValidationError{Issues: issues}
			return
		}
		builtinCat = c
	})
	return builtinCat, builtinErr
}

// Load returns the built-in catalogue with the organisation's files (config key catalog.extra_files) merged
// over it, in order. Each file holds a top-level `vendors:` list in the same format as the built-in files.
//
// Merge rule: an entry whose id is new adds a vendor (it needs name and category; martech defaults to its
// category's flag). An entry whose id already exists overrides that vendor key by key: every key the entry sets
// replaces the earlier value entirely (lists are replaced, not appended, so repeat the built-in items you want to
// keep; `[]` clears a list), and keys it leaves out keep the earlier value. A later file overrides an earlier
// one. Within one file an id may appear only once.
//
// Loading fails with a *ValidationError if any file has an issue. With no files Load returns Builtin().
func Load(extraFiles ...string) (*Catalog, error) {
	if len(extraFiles) == 0 {
		return Builtin()
	}
	srcs, err := readSources(extraFiles)
	if err != nil {
		return nil, err
	}
	return buildChecked(srcs)
}

// readSources reads organisation catalogue files; every file that cannot be read is an issue.
func readSources(files []string) ([]source, error) {
	srcs := make([]source, 0, len(files))
	var issues []Issue
	for _, p := range files {
		data, err := readCatalogFile(p)
		if err != nil {
			issues = append(issues, Issue{File: p, Msg: err.Error()})
			continue
		}
		srcs = append(srcs, source{name: p, data: data})
	}
	if len(issues) > 0 {
		return nil, &ValidationError{Issues: issues}
	}
	return srcs, nil
}

// LoadFS is Load reading the organisation files from fsys (paths as fs.FS names). Tests use it with
// fstest.MapFS; the web server may use it with an embedded or in-memory FS.
func LoadFS(fsys fs.FS, names ...string) (*Catalog, error) {
	srcs := make([]source, 0, len(names))
	for _, n := range names {
		data, err := readFSFile(fsys, n)
		if err != nil {
			return nil, &ValidationError{Issues: []Issue{{File: n, Msg: err.Error()}}}
		}
		srcs = append(srcs, source{name: n, data: data})
	}
	return buildChecked(srcs)
}

func readFSFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read catalogue file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read catalogue file: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("file is more than the %d bytes allowed", maxFileSize)
	}
	return data, nil
}

func buildChecked(srcs []source) (*Catalog, error) {
	c, issues := buildWithLocal(srcs, nil, validateLater)
	if len(issues) > 0 {
		sortIssues(issues)
		return nil, &ValidationError{Issues: issues}
	}
	return c, nil
}

// parseBuiltin parses the embedded files once: from the prepared form when it matches the embedded YAML, else
// from the YAML.
func parseBuiltin() *parsedBuiltin {
	parsedOnce.Do(func() {
		if digest, err := yamlDigest(builtinFS); err == nil {
			if cats, base, ok := decodePrepared(preparedData, digest); ok {
				p := &parsedBuiltin{cats: cats, base: base, prepared: true}
				p.msApps, p.issues = parseBuiltinMicrosoftApps()
				parsed = p
				return
			}
		}
		parsed = parseBuiltinYAML()
	})
	return parsed
}

// parseBuiltinYAML parses the embedded YAML files.
func parseBuiltinYAML() *parsedBuiltin {
	p := &parsedBuiltin{}
	names, err := fs.Glob(builtinFS, "*.yaml")
	if err != nil {
		p.issues = append(p.issues, Issue{File: builtinPrefix, Msg: err.Error()})
	}
	sort.Strings(names)
	// The files are parsed side by side (YAML parsing is most of a cold start) and merged in name order.
	type parsedFile struct {
		entries []*rawEntry
		cats    []Category
		issues  []Issue
	}
	out := make([]parsedFile, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, n := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			data, err := builtinFS.ReadFile(n)
			switch {
			case err != nil:
				out[i].issues = []Issue{{File: builtinPrefix + n, Msg: err.Error()}}
			case n == taxonomyFile:
				out[i].cats, out[i].issues = parseTaxonomy(builtinPrefix+n, data)
			default:
				out[i].entries, out[i].issues = parseVendorFile(builtinPrefix+n, data)
			}
		}()
	}
	wg.Wait()
	for i, n := range names {
		if n == taxonomyFile {
			p.cats = out[i].cats
		}
		p.base = append(p.base, out[i].entries...)
		p.issues = append(p.issues, out[i].issues...)
	}
	apps, iss := parseBuiltinMicrosoftApps()
	p.msApps = apps
	p.issues = append(p.issues, iss...)
	return p
}

// parseBuiltinMicrosoftApps reads the embedded list of Microsoft first-party app IDs.
func parseBuiltinMicrosoftApps() (map[string]string, []Issue) {
	data, err := builtinFS.ReadFile(msAppsFile)
	if err != nil {
		return nil, []Issue{{File: builtinPrefix + msAppsFile, Msg: err.Error()}}
	}
	return parseMicrosoftApps(builtinPrefix+msAppsFile, data)
}

// buildWith merges srcs over the built-in catalogue and returns the catalogue and every issue found, the built-in
// catalogue's own included.
func buildWith(srcs []source) (*Catalog, []Issue) {
	return buildWithLocal(srcs, nil, validateAll)
}

// validation says which entries assemble checks.
type validation uint8

const (
	skipValidation validation = iota // the built-in catalogue alone: its tests and `catalog validate` check it
	validateAll                      // every entry, the built-in ones too (`catalog validate`)
	validateLater                    // the entries of the layers over the built-in one (loading an organisation's files)
)

// assemble merges layers, applies defaults, validates as v says and builds the Catalog. The catalogue shares the
// lists of the entries it does not override with their layers: catalogues are read-only.
func assemble(cats []Category, layers []layer, msApps map[string]string, issues []Issue, v validation) (*Catalog, []Issue) {
	for _, l := range layers {
		for _, e := range l {
			if e.ID == "" {
				issues = append(issues, Issue{File: e.File, Line: e.Line, Msg: "missing id"})
			}
		}
	}
	merged, iss := mergeLayers(layers)
	issues = append(issues, iss...)
	catMartech := map[string]bool{}
	for _, c := range cats {
		catMartech[c.ID] = c.Martech
	}
	for _, e := range merged {
		if !e.set["martech"] {
			e.Martech = catMartech[e.Category]
		}
	}
	if v != skipValidation {
		issues = append(issues, validateEntries(cats, merged, msApps, v == validateLater)...)
	}
	c := &Catalog{
		Categories:    cloneCategories(cats),
		Entries:       make([]Entry, 0, len(merged)),
		MicrosoftApps: make(map[string]string, len(msApps)),
	}
	for _, e := range merged {
		c.Entries = append(c.Entries, e.Entry)
	}
	sort.Slice(c.Entries, func(i, j int) bool { return c.Entries[i].ID < c.Entries[j].ID })
	for k, v := range msApps {
		c.MicrosoftApps[k] = v
	}
	return c, issues
}

func cloneCategories(cats []Category) []Category {
	out := make([]Category, len(cats))
	for i, c := range cats {
		out[i] = c
		out[i].Subcategories = append([]Subcategory(nil), c.Subcategories...)
	}
	return out
}

// parseMicrosoftApps reads the AppId,AppDisplayName CSV (after '#' comment lines) into a map keyed by lower-case
// GUID.
func parseMicrosoftApps(name string, data []byte) (map[string]string, []Issue) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 2
	r.Comment = '#' // the attribution header
	apps := map[string]string{}
	var issues []Issue
	for row := 0; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			issues = append(issues, Issue{File: name, Line: line, Msg: "bad CSV row: " + err.Error()})
			if len(issues) > 20 {
				break
			}
			continue
		}
		if row == 0 {
			if rec[0] != "AppId" || rec[1] != "AppDisplayName" {
				issues = append(issues, Issue{File: name, Line: line, Msg: "header must be AppId,AppDisplayName"})
			}
			continue
		}
		id := strings.ToLower(strings.TrimSpace(rec[0]))
		if !guidRe.MatchString(id) {
			issues = append(issues, Issue{File: name, Line: line, Msg: fmt.Sprintf("AppId %q is not a GUID", clip(rec[0]))})
			continue
		}
		if _, dup := apps[id]; dup {
			issues = append(issues, Issue{File: name, Line: line, Msg: fmt.Sprintf("AppId %s is listed twice", id)})
			continue
		}
		apps[id] = strings.TrimSpace(rec[1])
	}
	return apps, issues
}

// Vendor returns the entry with the given ID.
func (c *Catalog) Vendor(id string) (*Entry, bool) {
	i := sort.Search(len(c.Entries), func(i int) bool { return c.Entries[i].ID >= id })
	if i < len(c.Entries) && c.Entries[i].ID == id {
		return &c.Entries[i], true
	}
	return nil, false
}

// Lookup finds a vendor by ID, name or alias (case-insensitive, ignoring punctuation: "Apollo.io", "apollo",
// "HubSpot"). It is exact; use Search for fuzzy matching.
func (c *Catalog) Lookup(nameOrID string) (*Entry, bool) {
	if e, ok := c.Vendor(nameOrID); ok {
		return e, true
	}
	k := nameKey(nameOrID)
	if k == "" {
		return nil, false
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		if nameKey(e.ID) == k || nameKey(e.Name) == k {
			return e, true
		}
	}
	for i := range c.Entries {
		for _, a := range c.Entries[i].Aliases {
			if nameKey(a) == k {
				return &c.Entries[i], true
			}
		}
	}
	return nil, false
}

// ByCategory returns the entries in a category, or listing a subcategory, sorted by ID. The argument is a
// category ID ("data") or a subcategory ID ("session_replay"); an empty string returns every entry.
func (c *Catalog) ByCategory(id string) []*Entry {
	var out []*Entry
	for i := range c.Entries {
		e := &c.Entries[i]
		if id == "" || e.Category == id || contains(e.Subcategories, id) {
			out = append(out, e)
		}
	}
	return out
}

// MicrosoftApp reports whether appID is a Microsoft first-party application, with its display name.
func (c *Catalog) MicrosoftApp(appID string) (string, bool) {
	name, ok := c.MicrosoftApps[strings.ToLower(strings.TrimSpace(appID))]
	return name, ok
}

// PrimarySubcategory returns the entry's first subcategory ("" if none).
func (e *Entry) PrimarySubcategory() string {
	if len(e.Subcategories) == 0 {
		return ""
	}
	return e.Subcategories[0]
}

// BuiltinFiles lists the embedded catalogue files (for `catalog validate` and documentation).
func BuiltinFiles() []string {
	names, _ := fs.Glob(builtinFS, "*")
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, path.Join(builtinPrefix, n))
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
