package report

import (
	"context"
	"encoding/json"
	"io"

	"github.com/shadowscan/shadowscan/scanner"
)

// JSON writes the whole report, indented; field order is the struct order and every list is pre-sorted, so the
// output is stable. encoding/json escapes control characters and <, >, & so the text is inert anywhere.
type JSON struct{}

// Write implements Writer.
func (JSON) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, bidiEscaper.Replace(string(b))+"\n")
	return err
}

// NDJSON writes one finding per line, for log pipelines. Each line carries the scan ID and organisation so that
// lines stand alone.
type NDJSON struct{}

type ndjsonLine struct {
	SchemaVersion int    `json:"schema_version"`
	ScanID        string `json:"scan_id"`
	Organization  string `json:"organization"`
	scanner.Finding
}

// Write implements Writer.
func (NDJSON) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	for _, f := range rep.Findings {
		b, err := json.Marshal(ndjsonLine{SchemaVersion: rep.SchemaVersion, ScanID: rep.Scan.ID,
			Organization: rep.Scan.Organization, Finding: f})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, bidiEscaper.Replace(string(b))+"\n"); err != nil {
			return err
		}
	}
	return nil
}
