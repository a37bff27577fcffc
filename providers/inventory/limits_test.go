package inventory

import (
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// A first NDJSON record over 64 KiB (the read buffer) is still read as NDJSON, not as a {"records"} document.
func TestLargeFirstNDJSONRecord(t *testing.T) {
	big := `{"kind":"app","id":"big","summary":"` + strings.Repeat("x", 200<<10) + `"}`
	p, d := newProvider(t, "skip", testfile.Write(t, t.TempDir(), "big.ndjson", big+"\n"+`{"kind":"app","id":"small"}`+"\n"))
	recs, err := scannertest.Collect(t, p)
	if err != nil || len(d.Errors()) > 0 {
		t.Fatalf("err %v diagnostics %v", err, d.Errors())
	}
	if len(recs) != 2 || recs[0].ID != "big" || recs[1].ID != "small" {
		t.Errorf("got %d records", len(recs))
	}
	// A one-line {"records": [...]} document longer than the buffer is still a document.
	doc := `{"records":[{"kind":"app","id":"a","summary":"` + strings.Repeat("y", 100<<10) + `"}]}`
	p, d = newProvider(t, "skip", testfile.Write(t, t.TempDir(), "doc.json", doc))
	recs, err = scannertest.Collect(t, p)
	if err != nil || len(d.Errors()) > 0 || len(recs) != 1 {
		t.Fatalf("one-line document: %d records, err %v, diagnostics %v", len(recs), err, d.Errors())
	}
}

// A line over MaxRecordBytes is one bad record: on_error: skip reports it with its line and goes on.
func TestOverlongLineIsOneBadRecord(t *testing.T) {
	long := `{"kind":"app","id":"long","summary":"` + strings.Repeat("z", MaxRecordBytes) + `"}`
	body := `{"kind":"app","id":"one"}` + "\n" + long + "\n" + `{"kind":"app","id":"three"}` + "\n" + long
	path := testfile.Write(t, t.TempDir(), "long.ndjson", body)
	p, d := newProvider(t, "skip", path)
	recs, err := scannertest.Collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].ID != "one" || recs[1].ID != "three" {
		t.Errorf("kept %d records, want one and three", len(recs))
	}
	errs := d.Errors()
	if len(errs) != 2 || !strings.HasSuffix(errs[0].Target, "long.ndjson:2") || !strings.HasSuffix(errs[1].Target, "long.ndjson:4") ||
		!strings.Contains(errs[0].Message, "limit") {
		t.Errorf("diagnostics %v", errs)
	}
	p, _ = newProvider(t, "fail", path)
	if _, err := scannertest.Collect(t, p); err == nil || !strings.Contains(err.Error(), "long.ndjson:2") {
		t.Errorf("on_error fail: %v", err)
	}
	// In a JSON list, too.
	p, d = newProvider(t, "skip", testfile.Write(t, t.TempDir(), "long.json", "[\n"+long+",\n"+`{"kind":"app","id":"ok"}`+"\n]"))
	recs, err = scannertest.Collect(t, p)
	if err != nil || len(recs) != 1 || len(d.Errors()) != 1 || !strings.HasSuffix(d.Errors()[0].Target, "long.json:2") {
		t.Errorf("JSON list: %d records, err %v, diagnostics %v", len(recs), err, d.Errors())
	}
}

func TestCRLFAndNoFinalNewline(t *testing.T) {
	p, d := newProvider(t, "skip", testfile.Write(t, t.TempDir(), "crlf.ndjson", "{\"kind\":\"app\",\"id\":\"a\"}\r\n\r\n{\"kind\":\"app\",\"id\":\"b\"}"))
	recs, err := scannertest.Collect(t, p)
	if err != nil || len(d.Errors()) > 0 || len(recs) != 2 {
		t.Errorf("%d records, err %v, diagnostics %v", len(recs), err, d.Errors())
	}
}
