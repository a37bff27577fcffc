package scanner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MaxReportBytes is the largest JSON report any command reads (check, serve, report render and merge, --baseline).
const MaxReportBytes = 256 << 20

// ErrReportTooLarge is the error (wrapped) for a report file over MaxReportBytes.
var ErrReportTooLarge = fmt.Errorf("larger than %d MiB, the most a report may be", MaxReportBytes>>20)

// ReportHeader is the head of a JSON report: enough for a trend point.
type ReportHeader struct {
	SchemaVersion int      `json:"schema_version"`
	Scan          ScanInfo `json:"scan"`
	Summary       Summary  `json:"summary"`
}

// ReadReport reads a JSON report (`shadowscan scan --format json`). It is the one report reader: it refuses a file
// over MaxReportBytes, one that is not JSON of a report, one of another schema_version and one whose enumerations
// are not what this shadowscan writes (ValidateReport). Errors start with
// "report NAME:" (the file's base name: serve shows them to its users) and wrap os.ErrNotExist for a missing file.
func ReadReport(path string) (*Report, error) {
	var rep Report
	if err := readReport(path, MaxReportBytes, &rep, &rep.SchemaVersion); err != nil {
		return nil, err
	}
	if err := ValidateReport(&rep); err != nil {
		return nil, fmt.Errorf("report %s: %w", filepath.Base(path), err)
	}
	return &rep, nil
}

// ReadReportHeader is ReadReport for the header only; the file is still decoded whole (and held to the limit).
func ReadReportHeader(path string) (*ReportHeader, error) {
	var h ReportHeader
	if err := readReport(path, MaxReportBytes, &h, &h.SchemaVersion); err != nil {
		return nil, err
	}
	return &h, nil
}

func readReport(path string, limit int64, v any, version *int) error {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("report %s: %w", name, err)
	}
	defer f.Close()
	lr := &io.LimitedReader{R: f, N: limit + 1}
	dec := json.NewDecoder(lr)
	err = dec.Decode(v)
	if err == nil {
		// Nothing but white space may follow the report.
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("data after the report")
		}
	}
	if lr.N <= 0 {
		return fmt.Errorf("report %s: %w", name, ErrReportTooLarge)
	}
	if err != nil {
		return fmt.Errorf("report %s: not a shadowscan JSON report: %v", name, err)
	}
	if *version != SchemaVersion {
		return fmt.Errorf("report %s: schema_version %d, this shadowscan reads %d", name, *version, SchemaVersion)
	}
	return nil
}
