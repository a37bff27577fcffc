package inventory

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

func newProvider(t testing.TB, onError string, files ...string) (*Provider, *scanner.Diagnostics) {
	d := &scanner.Diagnostics{}
	cfg := Config{Files: files, OnError: onError}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return &Provider{cfg: cfg, deps: scanner.Deps{Logger: zerolog.New(zerolog.NewTestWriter(t)), Diagnostics: d}}, d
}

func TestContract(t *testing.T) {
	scannertest.RunProviderContract(t, func(t *testing.T) scanner.Provider {
		p, _ := newProvider(t, "skip", "testdata/records.ndjson", "testdata/records.json")
		return p
	}, scannertest.Contract{
		Kinds: []string{scanner.KindOAuthGrant, scanner.KindSaaSSubscription, scanner.KindApp},
		Populated: map[string][]string{
			scanner.KindOAuthGrant:       {"Hints", "Principal.Email", "Scopes"},
			scanner.KindSaaSSubscription: {"Amount", "FirstSeen"},
		},
	})
}

func TestReadsBothShapes(t *testing.T) {
	p, d := newProvider(t, "skip", "testdata/records.ndjson", "testdata/records.json")
	recs, err := scannertest.Collect(t, p)
	if err != nil || len(d.Errors()) > 0 {
		t.Fatalf("err %v diagnostics %v", err, d.Errors())
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, ","); got != "g1,s1,x1,x2" {
		t.Errorf("ids %s", got)
	}
	if recs[1].Amount == nil || recs[1].Amount.Value != 12.5 {
		t.Errorf("amount not decoded: %+v", recs[1])
	}
}

func TestBadRecordsAreReportedWithLines(t *testing.T) {
	p, d := newProvider(t, "skip", "testdata/bad.ndjson")
	recs, err := scannertest.Collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Errorf("kept %d records, want ok1 and ok4", len(recs))
	}
	want := []string{"bad.ndjson:2 record has no id", "bad.ndjson:3 not a record", "bad.ndjson:4 not a record",
		"bad.ndjson:5 hints[0]: type and value are required", "bad.ndjson:7 record has no kind"}
	errs := d.Errors()
	if len(errs) != len(want) {
		t.Fatalf("diagnostics %v", errs)
	}
	for i, w := range want {
		got := filepath.Base(errs[i].Target) + " " + errs[i].Message
		if !strings.HasPrefix(got, w) {
			t.Errorf("diagnostic %d = %q, want prefix %q", i, got, w)
		}
	}
	p, _ = newProvider(t, "fail", "testdata/bad.ndjson")
	_, err = scannertest.Collect(t, p)
	if err == nil || !strings.Contains(err.Error(), "bad.ndjson:2: record has no id") {
		t.Errorf("on_error fail: %v", err)
	}
}

func TestBadJSONArray(t *testing.T) {
	p, d := newProvider(t, "skip", "testdata/bad.json")
	recs, err := scannertest.Collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(d.Errors()) != 1 || !strings.HasSuffix(d.Errors()[0].Target, "bad.json:3") {
		t.Errorf("recs %d diagnostics %v", len(recs), d.Errors())
	}
	dir := t.TempDir()
	trunc := filepath.Join(dir, "trunc.json")
	_ = os.WriteFile(trunc, []byte("[\n{\"kind\":\"app\",\"id\":\"a\"},\n{\"kind\":"), 0o644)
	p, _ = newProvider(t, "skip", trunc)
	if _, err := scannertest.Collect(t, p); err == nil || !strings.Contains(err.Error(), "trunc.json:3") {
		t.Errorf("a truncated file must fail with its line: %v", err)
	}
	p, _ = newProvider(t, "skip", filepath.Join(dir, "missing.json"))
	if _, err := scannertest.Collect(t, p); err == nil {
		t.Error("a missing file must fail")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{{OnError: "skip"}, {Files: []string{"x"}, OnError: "ignore"}} {
		if c.Validate() == nil {
			t.Errorf("%+v should be invalid", c)
		}
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range []string{`{"kind":"app","id":"1"}`, `[{"kind":"app","id":"1"}]`, `{"records":[]}`, "\xef\xbb\xbf[", `{"records":[{"kind":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, d := newProvider(t, "skip", path)
		var invalid []scanner.Record
		err := p.Collect(context.Background(), func(r scanner.Record) error {
			if r.Kind == "" || r.ID == "" {
				invalid = append(invalid, r)
			}
			return nil
		})
		// Only valid records are emitted; whatever is refused is said, with the file's name.
		if len(invalid) > 0 {
			t.Fatalf("emitted invalid records %+v", invalid)
		}
		if err != nil && !strings.Contains(err.Error(), "f.json") {
			t.Fatalf("error %q does not name the file", err)
		}
		for _, e := range d.Errors() {
			if !strings.Contains(e.Target, "f.json:") {
				t.Fatalf("diagnostic %+v does not name file:line", e)
			}
		}
	})
}
