package scanner

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/testfile"
)

func TestReadReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string { return testfile.Write(t, dir, name, content) }
	good, err := json.Marshal(Report{SchemaVersion: SchemaVersion, Scan: ScanInfo{ID: "scan-1", StartedAt: time.Unix(0, 0).UTC()},
		Summary: Summary{Findings: 2}, Inventory: []InventoryItem{{Vendor: Vendor{ID: "hubspot"}}}})
	if err != nil {
		t.Fatal(err)
	}
	p := write("good.json", string(good)+"\n")
	rep, err := ReadReport(p)
	if err != nil || rep.Scan.ID != "scan-1" || len(rep.Inventory) != 1 {
		t.Fatalf("ReadReport(good) = %+v, %v", rep, err)
	}
	h, err := ReadReportHeader(p)
	if err != nil || h.Scan.ID != "scan-1" || h.Summary.Findings != 2 {
		t.Fatalf("ReadReportHeader(good) = %+v, %v", h, err)
	}
	for _, tc := range []struct{ name, content, want string }{
		{"bad.json", "{", "report bad.json: not a shadowscan JSON report: unexpected EOF"},
		{"array.json", "[1,2]", "report array.json: not a shadowscan JSON report: json: cannot unmarshal array"},
		{"v2.json", `{"schema_version": 2}`, "report v2.json: schema_version 2, this shadowscan reads 1"},
		{"none.json", `{}`, "report none.json: schema_version 0, this shadowscan reads 1"},
		{"two.json", string(good) + string(good), "report two.json: not a shadowscan JSON report: data after the report"},
	} {
		p := write(tc.name, tc.content)
		for _, read := range []func(string) error{
			func(p string) error { _, err := ReadReport(p); return err },
			func(p string) error { _, err := ReadReportHeader(p); return err },
		} {
			if err := read(p); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
			}
		}
	}
	_, err = ReadReport(filepath.Join(dir, "missing.json"))
	if err == nil || !errors.Is(err, os.ErrNotExist) || err.Error() != "report missing.json: no such file or directory" {
		t.Errorf("missing: %v", err)
	}
	// Over the limit (here 64 bytes): refused with ErrReportTooLarge, also when the JSON itself would decode.
	for _, content := range []string{string(good), `{"schema_version": 1}` + strings.Repeat(" ", 100)} {
		var r Report
		err := readReport(write("big.json", content), 64, &r, &r.SchemaVersion)
		if !errors.Is(err, ErrReportTooLarge) || err.Error() != "report big.json: larger than 256 MiB, the most a report may be" {
			t.Errorf("too large: %v", err)
		}
	}
}
