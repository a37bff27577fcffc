package catalog

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	want = bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n"))
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func orgCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load(filepath.Join("testdata", "valid", "org.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWriteShowGolden(t *testing.T) {
	t.Parallel()
	c := orgCatalog(t)
	var buf bytes.Buffer
	if err := WriteShow(&buf, c, "LeadMagnet"); err != nil {
		t.Fatal(err)
	}
	golden(t, "show_leadmagnet.txt", buf.Bytes())
}

func TestWriteShowBuiltin(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	var buf bytes.Buffer
	if err := WriteShow(&buf, c, "mailchimp"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{"id:                mailchimp", "spf:               servers.mcsv.net", "k2._domainkey -> dkim2.mcsv.net",
		"selector k1 (weak", "sources:\n  - ", "category:          content_experience (Content & experience)", "defined at:        rules/catalog/content_experience.yaml:"} {
		if !strings.Contains(out, w) {
			t.Errorf("WriteShow(mailchimp) lacks %q:\n%s", w, out)
		}
	}
	buf.Reset()
	if err := WriteShow(&buf, c, "microsoft"); err != nil || !strings.Contains(buf.String(), "Microsoft application IDs") {
		t.Errorf("WriteShow(microsoft) = %v\n%s", err, buf.String())
	}
	err := WriteShow(&buf, c, "hubspt")
	if err == nil || !strings.Contains(err.Error(), `unknown vendor "hubspt" (did you mean hubspot`) {
		t.Errorf("WriteShow(hubspt) = %v", err)
	}
}

func TestWriteList(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	var buf bytes.Buffer
	if err := WriteList(&buf, c, "session_replay", false, nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "ID") || !strings.Contains(out, "fullstory") || !strings.Contains(out, "hotjar") || strings.Contains(out, "slack") {
		t.Errorf("WriteList(session_replay):\n%s", out)
	}
	buf.Reset()
	if err := WriteList(&buf, c, "", true, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\nslack ") || !strings.Contains(buf.String(), "\nhubspot ") {
		t.Error("martechOnly list should hold hubspot and not slack")
	}
	if err := WriteList(&buf, c, "sesion_replay", false, nil); err == nil || !strings.Contains(err.Error(), `did you mean "session_replay"`) {
		t.Errorf("WriteList(unknown) = %v", err)
	}
	buf.Reset()
	org := orgCatalog(t)
	if err := WriteList(&buf, org, "sales_engagement", true, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "leadmagnet-pro") {
		t.Errorf("org list lacks leadmagnet-pro:\n%s", buf.String())
	}
}

func TestWriteSearch(t *testing.T) {
	t.Parallel()
	c := orgCatalog(t)
	var buf bytes.Buffer
	if err := WriteSearch(&buf, c, "leadmagnet"); err != nil {
		t.Fatal(err)
	}
	golden(t, "search_leadmagnet.txt", buf.Bytes())
	buf.Reset()
	if err := WriteSearch(&buf, c, "qqqzzz\x1b[2J"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") || !strings.HasPrefix(buf.String(), "no vendor matches") {
		t.Errorf("WriteSearch(nonsense) = %q", buf.String())
	}
}

// TestWritersSanitise feeds a catalogue built in code with hostile text to every writer.
func TestWritersSanitise(t *testing.T) {
	t.Parallel()
	b := builtinT(t)
	c := &Catalog{Categories: b.Categories, Entries: []Entry{{
		ID: "evil", Name: "Evil\x1b[31m\tCo\u202e", Category: "data", Subcategories: []string{"cdp"}, Martech: true,
		Aliases: []string{"ali\nas"}, Sources: []string{"src\x07"}, DataAccess: []string{"x\ry"},
		Signals: Signals{Merchants: []string{"EVIL\x00"}, DKIM: []DKIM{{Target: "t.\x1bevil.example"}}},
	}}}
	var buf bytes.Buffer
	if err := WriteShow(&buf, c, "evil"); err != nil {
		t.Fatal(err)
	}
	if err := WriteList(&buf, c, "", false, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteSearch(&buf, c, "evil"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"\x1b", "\x07", "\x00", "\r", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("output holds %q:\n%q", bad, out)
		}
	}
	for _, w := range []func() error{
		func() error { return WriteShow(&buf, nil, "x") },
		func() error { return WriteList(&buf, nil, "", false, nil) },
		func() error { return WriteSearch(&buf, nil, "x") },
	} {
		if w() == nil {
			t.Error("nil catalogue accepted")
		}
	}
}
