package termprint

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/rules/catalog"
)

// orgCatalog loads the catalogue package's test organisation file.
func orgCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load(filepath.Join("..", "..", "..", "..", "rules", "catalog", "testdata", "valid", "org.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVendorShowGolden(t *testing.T) {
	t.Parallel()
	c := orgCatalog(t)
	var buf bytes.Buffer
	if err := VendorShow(&buf, c, "LeadMagnet"); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "show_leadmagnet.txt"), buf.Bytes())
}

func TestVendorShowBuiltin(t *testing.T) {
	t.Parallel()
	c := builtin(t)
	var buf bytes.Buffer
	if err := VendorShow(&buf, c, "mailchimp"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{"id:                mailchimp", "spf:               servers.mcsv.net", "k2._domainkey -> dkim2.mcsv.net",
		"selector k1 (weak", "sources:\n  - ", "category:          content_experience (Content & experience)", "defined at:        rules/catalog/content_experience.yaml:"} {
		if !strings.Contains(out, w) {
			t.Errorf("VendorShow(mailchimp) lacks %q:\n%s", w, out)
		}
	}
	buf.Reset()
	if err := VendorShow(&buf, c, "smtp2go"); err != nil || !strings.Contains(buf.String(),
		"s{id}._domainkey -> dkim.smtp2go.net (the relay's naming of its customers' keys: counts on its own host only)") {
		t.Errorf("VendorShow(smtp2go) = %v\n%s", err, buf.String())
	}
	buf.Reset()
	if err := VendorShow(&buf, c, "microsoft"); err != nil || !strings.Contains(buf.String(), "Microsoft application IDs") {
		t.Errorf("VendorShow(microsoft) = %v\n%s", err, buf.String())
	}
	err := VendorShow(&buf, c, "hubspt")
	if err == nil || !strings.Contains(err.Error(), `unknown vendor "hubspt" (did you mean hubspot`) {
		t.Errorf("VendorShow(hubspt) = %v", err)
	}
}

func TestVendorList(t *testing.T) {
	t.Parallel()
	c := builtin(t)
	var buf bytes.Buffer
	if err := VendorList(&buf, c, "session_replay", false, nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "ID") || !strings.Contains(out, "fullstory") || !strings.Contains(out, "hotjar") || strings.Contains(out, "slack") {
		t.Errorf("VendorList(session_replay):\n%s", out)
	}
	buf.Reset()
	if err := VendorList(&buf, c, "", true, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\nslack ") || !strings.Contains(buf.String(), "\nhubspot ") {
		t.Error("martechOnly list should hold hubspot and not slack")
	}
	if err := VendorList(&buf, c, "sesion_replay", false, nil); err == nil || !strings.Contains(err.Error(), `did you mean "session_replay"`) {
		t.Errorf("VendorList(unknown) = %v", err)
	}
	buf.Reset()
	org := orgCatalog(t)
	if err := VendorList(&buf, org, "sales_engagement", true, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "leadmagnet-pro") {
		t.Errorf("org list lacks leadmagnet-pro:\n%s", buf.String())
	}
}

func TestVendorSearch(t *testing.T) {
	t.Parallel()
	c := orgCatalog(t)
	var buf bytes.Buffer
	if err := VendorSearch(&buf, c, "leadmagnet"); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "search_leadmagnet.txt"), buf.Bytes())
	buf.Reset()
	if err := VendorSearch(&buf, c, "qqqzzz\x1b[2J"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") || !strings.HasPrefix(buf.String(), "no vendor matches") {
		t.Errorf("VendorSearch(nonsense) = %q", buf.String())
	}
}

// TestWritersSanitise feeds a catalogue built in code with hostile text to every writer.
func TestVendorrsSanitise(t *testing.T) {
	t.Parallel()
	b := builtin(t)
	c := &catalog.Catalog{Categories: b.Categories, Entries: []catalog.Entry{{
		ID: "evil", Name: "Evil\x1b[31m\tCo\u202e", Category: "data", Subcategories: []string{"cdp"}, Martech: true,
		Aliases: []string{"ali\nas"}, Sources: []string{"src\x07"}, DataAccess: []string{"x\ry"},
		Signals: catalog.Signals{Merchants: []string{"EVIL\x00"}, DKIM: []catalog.DKIM{{Target: "t.\x1bevil.example"}}},
	}}}
	var buf bytes.Buffer
	if err := VendorShow(&buf, c, "evil"); err != nil {
		t.Fatal(err)
	}
	if err := VendorList(&buf, c, "", false, nil); err != nil {
		t.Fatal(err)
	}
	if err := VendorSearch(&buf, c, "evil"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"\x1b", "\x07", "\x00", "\r", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("output holds %q:\n%q", bad, out)
		}
	}
	for _, w := range []func() error{
		func() error { return VendorShow(&buf, nil, "x") },
		func() error { return VendorList(&buf, nil, "", false, nil) },
		func() error { return VendorSearch(&buf, nil, "x") },
	} {
		if w() == nil {
			t.Error("nil catalogue accepted")
		}
	}
}

func builtin(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
