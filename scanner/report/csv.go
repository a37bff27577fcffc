package report

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
)

// CSV writes one row per finding, every cell neutralised against spreadsheet formula injection.
type CSV struct{}

var csvHeader = []string{"fingerprint", "severity", "status", "rule_id", "title", "vendor_id", "vendor_name",
	"category", "message", "remediation", "evidence_count", "evidence"}

// Write implements Writer.
func (CSV) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range rep.Findings {
		var vid, vname, cat string
		if f.Vendor != nil {
			vid, vname, cat = f.Vendor.ID, f.Vendor.Name, f.Vendor.Category
		}
		ev := make([]string, 0, len(f.Evidence))
		for _, e := range f.Evidence {
			ev = append(ev, e.Provider+" "+e.Kind+" "+e.ID)
		}
		row := []string{f.Fingerprint, f.Severity, f.Status, f.RuleID, f.Title, vid, vname, cat, f.Message,
			f.Remediation, strconv.Itoa(f.EvidenceCount), strings.Join(ev, "; ")}
		if err := writeSafeRow(cw, row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeSafeRow writes one CSV row with every cell neutralised (SafeCell).
func writeSafeRow(cw *csv.Writer, row []string) error {
	for i := range row {
		row[i] = SafeCell(row[i])
	}
	return cw.Write(row)
}
