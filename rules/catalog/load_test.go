package catalog

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestInvalidFixtures loads every testdata/invalid/*.yaml as an organisation file over the built-in catalogue.
// Each fixture lists the issues it must produce in "# want: " comments; a want may start with "LINE: " to pin
// the line. Adding a case needs no Go code.
func TestInvalidFixtures(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wants := fixtureWants(t, data)
			if len(wants) == 0 {
				t.Fatalf("%s: no '# want:' lines", path)
			}
			issues := ValidateFiles(path)
			if len(issues) == 0 {
				t.Fatalf("%s: no issues, want %q", path, wants)
			}
			var got []string
			for _, is := range issues {
				if is.File != path {
					t.Errorf("issue outside the fixture (the built-in catalogue must stay clean): %s", is)
				}
				got = append(got, strings.TrimPrefix(is.String(), path+":"))
			}
			for _, w := range wants {
				found := false
				for _, g := range got {
					if strings.Contains(g, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("missing issue %q\ngot:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
			// Loading fails with the same issues.
			_, err = Load(path)
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Issues) != len(issues) {
				t.Errorf("Load(%s) = %v, want a ValidationError with %d issues", path, err, len(issues))
			}
		})
	}
}

func fixtureWants(t *testing.T, data []byte) []string {
	t.Helper()
	var wants []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			wants = append(wants, w)
		}
	}
	return wants
}

func TestOverrideAndAdd(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"org.yaml": {Data: []byte(`vendors:
  # override: a new name and SPF list; everything else stays built-in
  - id: hubspot
    name: HubSpot (our portal)
    spf: [mail.hubspot-relay.example]
    merchants: []
  # new vendor; martech defaults to its category's flag
  - id: leadmagnet-pro
    name: LeadMagnet Pro
    category: commerce_sales
    subcategories: [sales_engagement]
    google_client_ids: [48213377201-leadmagnet.apps.googleusercontent.com]
    sources: [our own vendor review]
  - id: internal-wiki
    name: Internal Wiki
    category: productivity
`)},
		"later.yaml": {Data: []byte(`vendors:
  - id: leadmagnet-pro
    data_access: [email content, files]
  - id: hubspot
    martech: false
`)},
	}
	builtin, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := builtin.Vendor("hubspot")
	origTXT := slices.Clone(orig.Signals.TXT)

	c, err := LoadFS(fsys, "org.yaml", "later.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c == builtin {
		t.Fatal("LoadFS returned the shared built-in catalogue")
	}
	hs, ok := c.Vendor("hubspot")
	if !ok {
		t.Fatal("hubspot missing")
	}
	if hs.Name != "HubSpot (our portal)" {
		t.Errorf("name = %q, want the override", hs.Name)
	}
	if !slices.Equal(hs.Signals.SPF, []string{"mail.hubspot-relay.example"}) {
		t.Errorf("spf = %q, want the override list only (lists are replaced)", hs.Signals.SPF)
	}
	if len(hs.Signals.Merchants) != 0 {
		t.Errorf("merchants = %q, want cleared by []", hs.Signals.Merchants)
	}
	if !slices.Equal(hs.Signals.TXT, origTXT) || hs.Category != orig.Category {
		t.Errorf("txt/category changed: %q %q; keys not set must keep the built-in value", hs.Signals.TXT, hs.Category)
	}
	if hs.Martech {
		t.Error("martech: false from the later file did not apply")
	}
	if hs.File != "later.yaml" {
		t.Errorf("File = %q, want the last override's file", hs.File)
	}
	lm, ok := c.Vendor("leadmagnet-pro")
	if !ok {
		t.Fatal("new vendor missing")
	}
	if !lm.Martech {
		t.Error("new vendor in commerce_sales should default to martech: true")
	}
	if !slices.Equal(lm.DataAccess, []string{"email content", "files"}) || lm.Name != "LeadMagnet Pro" {
		t.Errorf("later file did not merge over the earlier one: %+v", lm)
	}
	if w, _ := c.Vendor("internal-wiki"); w == nil || w.Martech {
		t.Errorf("internal-wiki: %+v, want present with martech false (productivity)", w)
	}
	if len(c.Entries) != len(builtin.Entries)+2 {
		t.Errorf("entries = %d, want built-in + 2", len(c.Entries))
	}
	// The shared built-in catalogue is untouched.
	again, _ := builtin.Vendor("hubspot")
	if again.Name != "HubSpot" || !again.Martech || len(again.Signals.SPF) == 0 {
		t.Errorf("built-in hubspot was mutated: %+v", again)
	}
}

func TestLoadFromDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("vendors:\n  - id: acme-disk\n    name: Acme Disk\n    category: data\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Vendor("acme-disk"); !ok {
		t.Error("acme-disk not loaded")
	}
	if issues := ValidateFiles(good); len(issues) != 0 {
		t.Errorf("ValidateFiles(good) = %v", issues)
	}
	missing := filepath.Join(dir, "missing.yaml")
	_, err = Load(missing)
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load(missing) = %v, want an error naming the path", err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("Load(dir) = %v, want a directory error", err)
	}
	if _, err := LoadFS(fstest.MapFS{}, "nope.yaml"); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("LoadFS(missing) = %v", err)
	}
	empty := filepath.Join(dir, "empty-list.yaml")
	if err := os.WriteFile(empty, []byte("vendors:\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(empty); err != nil || c == nil {
		t.Errorf("Load(vendors: with nothing) = %v, want the built-in catalogue", err)
	}
}

func TestLoadNoFilesIsBuiltin(t *testing.T) {
	t.Parallel()
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Builtin()
	if a != b {
		t.Error("Load() without files should return the shared built-in catalogue")
	}
	if issues := ValidateFiles(); len(issues) != 0 {
		t.Errorf("ValidateFiles() = %v", issues)
	}
}

func TestParseMicrosoftApps(t *testing.T) {
	t.Parallel()
	data := "AppId,AppDisplayName\n" +
		"00000003-0000-0000-C000-000000000000,Microsoft Graph\n" +
		"not-a-guid,Broken\n" +
		"00000003-0000-0000-c000-000000000000,Duplicate\n" +
		"a,b,c\n"
	apps, issues := parseMicrosoftApps("apps.csv", []byte(data))
	if apps["00000003-0000-0000-c000-000000000000"] != "Microsoft Graph" {
		t.Errorf("apps = %v", apps)
	}
	var msgs []string
	for _, is := range issues {
		msgs = append(msgs, is.String())
	}
	joined := strings.Join(msgs, "\n")
	for _, w := range []string{"apps.csv:3: AppId \"not-a-guid\" is not a GUID", "apps.csv:4: AppId 00000003-0000-0000-c000-000000000000 is listed twice", "apps.csv:5: bad CSV row"} {
		if !strings.Contains(joined, w) {
			t.Errorf("missing %q in\n%s", w, joined)
		}
	}
	if _, iss := parseMicrosoftApps("h.csv", []byte("Id,Name\n")); len(iss) == 0 {
		t.Error("a wrong header should be an issue")
	}
}

func TestParseMicrosoftAppsBadRowsCapped(t *testing.T) {
	t.Parallel()
	// 30 bad rows: reading stops after the 21st (line 22), so a broken file does not flood the output.
	data := "AppId,AppDisplayName\n" + strings.Repeat("a,b,c\n", 30) +
		"00000003-0000-0000-c000-000000000000,Microsoft Graph\n"
	apps, issues := parseMicrosoftApps("apps.csv", []byte(data))
	if len(issues) != 21 || issues[20].Line != 22 {
		t.Fatalf("%d issues, last %v; want 21, the last on line 22", len(issues), issues[len(issues)-1])
	}
	if len(apps) != 0 {
		t.Errorf("apps = %v, want none: the rows after the cap are not read", apps)
	}
}

func TestParseTaxonomyIssues(t *testing.T) {
	t.Parallel()
	data := `categories:
  - id: Data
    name: Data
    martech: maybe
    colour: red
    subcategories:
      - {id: cdp}
      - {id: cdp, name: Again}
      - plain
  - id: other
    name: Other
    subcategories: {id: x}
  - just-a-name
  - id: third
    name: Third
    subcategories:
      - {id: ok_sub, name: OK, colour: blue}
extra: 1
`
	cats, issues := parseTaxonomy("tax.yaml", []byte(data))
	// What could be read is kept; an item that is not a mapping is not.
	var got []string
	for _, c := range cats {
		got = append(got, c.ID+"="+c.Name)
		for _, s := range c.Subcategories {
			got = append(got, "  "+s.ID+"="+s.Name)
		}
	}
	if want := "Data=Data,  cdp=,  cdp=Again,other=Other,third=Third,  ok_sub=OK"; strings.Join(got, ",") != want {
		t.Errorf("categories %q, want %q", strings.Join(got, ","), want)
	}
	var msgs []string
	for _, is := range issues {
		msgs = append(msgs, is.String())
	}
	joined := strings.Join(msgs, "\n")
	for _, w := range []string{
		`tax.yaml:2: category id "Data" must be snake_case`,
		"tax.yaml:4: martech: must be true or false",
		`tax.yaml:5: unknown category key "colour"`,
		`tax.yaml:7: subcategory "cdp": missing name`,
		`tax.yaml:8: duplicate taxonomy id "cdp" (first at line 7)`,
		"tax.yaml:9: subcategory must be a mapping",
		"tax.yaml:12: subcategories: must be a list",
		"tax.yaml:13: category must be a mapping {id, name, martech, subcategories}",
		`tax.yaml:17: unknown subcategory key "colour"`,
		`tax.yaml:18: unknown top-level key "extra"`,
	} {
		if !strings.Contains(joined, w) {
			t.Errorf("missing %q in\n%s", w, joined)
		}
	}
	for _, bad := range []string{"", "- a\n", "other: []\n", "categories: 3\n", "categories: []\n"} {
		if _, iss := parseTaxonomy("t.yaml", []byte(bad)); len(iss) == 0 {
			t.Errorf("parseTaxonomy(%q): no issue", bad)
		}
	}
}

func TestParseDocumentLimits(t *testing.T) {
	t.Parallel()
	if _, iss := parseDocument("big.yaml", make([]byte, maxFileSize+1)); len(iss) == 0 || !strings.Contains(iss[0].Msg, "bytes") {
		t.Errorf("oversized file: %v", iss)
	}
	if _, iss := parseDocument("two.yaml", []byte("vendors: []\n---\nvendors: []\n")); len(iss) == 0 || !strings.Contains(iss[0].Msg, "more than one YAML document") {
		t.Errorf("two documents: %v", iss)
	}
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	if _, iss := parseDocument("deep.yaml", []byte("vendors: "+deep+"\n")); len(iss) == 0 {
		t.Error("deep nesting accepted")
	}
}

// FuzzParseVendorFile feeds arbitrary bytes to the vendor-file parser and the validator: they must never panic,
// and every issue must name the file.
func FuzzParseVendorFile(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	if data, err := builtinFS.ReadFile("commerce_sales.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("vendors:\n  - id: a\n    name: A\n    category: data\n    dkim: [{selector: x, target: y.z}]\n"))
	f.Add([]byte("vendors: [{id: x, spf: ['{a}.b.c'], txt: ['re:^a+$']}]"))
	p := parseBuiltin()
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, issues := parseVendorFile("fuzz.yaml", data)
		for _, is := range issues {
			if is.File != "fuzz.yaml" {
				t.Fatalf("issue without the file name: %+v", is)
			}
			_ = is.String()
		}
		c, iss := assemble(p.cats, []layer{entries}, p.msApps, nil, validateAll)
		if c == nil {
			t.Fatal("assemble returned nil")
		}
		for _, is := range iss {
			_ = is.String()
		}
		// Over the trusted built-in layer (how Load reads an organisation's file) every issue is the file's.
		if c, iss = assemble(p.cats, []layer{p.base, entries}, p.msApps, nil, validateLater); c == nil {
			t.Fatal("assemble returned nil")
		}
		for _, is := range iss {
			if is.File != "fuzz.yaml" {
				t.Fatalf("an issue over the trusted layer not on the file: %v", is)
			}
		}
	})
}

// TestFileSizeCap: a catalogue file of exactly maxFileSize bytes is read whole, one byte more is refused, read
// through an fs.FS or from disk.
func TestFileSizeCap(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"exact.yaml": {Data: make([]byte, maxFileSize)},
		"over.yaml":  {Data: make([]byte, maxFileSize+1)},
	}
	if data, err := readFSFile(fsys, "exact.yaml"); err != nil || len(data) != maxFileSize {
		t.Errorf("readFSFile(exact) = %d bytes, %v; want %d bytes", len(data), err, maxFileSize)
	}
	if _, err := readFSFile(fsys, "over.yaml"); err == nil || !strings.Contains(err.Error(), "more than the 8388608 bytes") {
		t.Errorf("readFSFile(over) = %v, want the size error", err)
	}
	dir := t.TempDir()
	for name, size := range map[string]int64{"exact.yaml": maxFileSize, "over.yaml": maxFileSize + 1} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil { // sparse: nothing is written
			t.Fatal(err)
		}
		f.Close()
	}
	if data, err := readCatalogFile(filepath.Join(dir, "exact.yaml")); err != nil || len(data) != maxFileSize {
		t.Errorf("readCatalogFile(exact) = %d bytes, %v; want %d bytes", len(data), err, maxFileSize)
	}
	if _, err := readCatalogFile(filepath.Join(dir, "over.yaml")); err == nil || !strings.Contains(err.Error(), "8388609 bytes, more than") {
		t.Errorf("readCatalogFile(over) = %v, want the size error", err)
	}
}
