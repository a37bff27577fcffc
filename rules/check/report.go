package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/shadowscan/shadowscan/scanner"
)

// MaxReportBytes is the largest report file ReadReport reads.
const MaxReportBytes = 256 << 20

// ReadReport reads a JSON scan report (`shadowscan scan --format json`) for its usage data. It refuses files over
// MaxReportBytes and reports of another schema_version; errors name the file.
func ReadReport(path string) (*scanner.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("report %s: %v", filepath.Base(path), pe.Err)
		}
		return nil, fmt.Errorf("report %s: %v", filepath.Base(path), err)
	}
	defer f.Close()
	lr := &io.LimitedReader{R: f, N: MaxReportBytes + 1}
	var rep scanner.Report
	if err := json.NewDecoder(lr).Decode(&rep); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("report %s: larger than %d MiB", filepath.Base(path), MaxReportBytes>>20)
		}
		return nil, fmt.Errorf("report %s: not a JSON report: %v", filepath.Base(path), err)
	}
	if rep.SchemaVersion != scanner.SchemaVersion {
		return nil, fmt.Errorf("report %s: schema_version %d, want %d", filepath.Base(path), rep.SchemaVersion,
			scanner.SchemaVersion)
	}
	return &rep, nil
}
