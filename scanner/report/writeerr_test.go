package report

import (
	"errors"
	"testing"
)

var errDiskFull = errors.New("disk full")

// cutWriter accepts limit bytes, then fails every write: a disk that fills up part way through a report.
type cutWriter struct{ limit, n int }

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.n+len(p) > c.limit {
		ok := max(c.limit-c.n, 0)
		c.n += ok
		return ok, errDiskFull
	}
	c.n += len(p)
	return len(p), nil
}

// Every writer passes on the destination's error, wherever in the report it happens: at the start, half way, or in
// the last byte (for OCSF, the resolved findings' events, written last).
func TestWritersReportWriteErrors(t *testing.T) {
	for _, format := range Formats {
		size := len(render(t, format, Options{}))
		for _, limit := range []int{0, size / 2, size - 1} {
			w, err := New(format, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(t.Context(), &cutWriter{limit: limit}, fixture()); !errors.Is(err, errDiskFull) {
				t.Errorf("%s cut after %d of %d bytes: error %v, want %v", format, limit, size, err, errDiskFull)
			}
		}
	}
}
