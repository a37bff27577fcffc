// Package report writes a scanner.Report in the formats shadowscan offers. Every writer takes an io.Writer and
// neutralises untrusted strings for its medium (terminal escapes, spreadsheet formulas, Markdown and HTML).
package report

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/outfile"
)

// Writer writes one report.
type Writer interface {
	Write(ctx context.Context, w io.Writer, rep *scanner.Report) error
}

// Options adjust human-facing writers.
type Options struct {
	Color bool // ANSI colour in the table (only on a terminal, never with NO_COLOR)
	Width int  // table width: the terminal's; default 100
	// CategoryName turns a catalogue category ID into its display name ("advertising_promotion" → "Advertising &
	// promotion"); nil or "" keeps the ID.
	CategoryName func(id string) string
}

// DefaultWidth is the table width when the output is not a terminal.
const DefaultWidth = 100

// Formats lists the formats New accepts.
var Formats = []string{"table", "json", "ndjson", "csv", "markdown", "sarif", "ocsf", "html", "inventory-csv"}

// New returns the writer of a format.
func New(format string, opts Options) (Writer, error) {
	if opts.Width <= 0 {
		opts.Width = DefaultWidth
	}
	switch format {
	case "table":
		return &Table{opts: opts}, nil
	case "json":
		return JSON{}, nil
	case "ndjson":
		return NDJSON{}, nil
	case "csv":
		return CSV{}, nil
	case "markdown":
		return Markdown{}, nil
	case "sarif":
		return SARIF{}, nil
	case "ocsf":
		return OCSF{}, nil
	case "html":
		return HTML{opts: opts}, nil
	case "inventory-csv":
		return InventoryCSV{opts: opts}, nil
	}
	return nil, fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(Formats, ", "))
}

// WriteFile writes the report to path through outfile.Write: atomically for a regular file (a crash mid-write never
// leaves half a report), written through for a device or FIFO, the target for a symlink. A new file gets mode (0
// means outfile.DefaultMode, 0600: reports hold people's emails); an existing file keeps its own.
func WriteFile(ctx context.Context, path string, mode fs.FileMode, w Writer, rep *scanner.Report) error {
	if err := outfile.Write(path, mode, func(out io.Writer) error { return w.Write(ctx, out, rep) }); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}

// CheckWritable fails early when path cannot be written, before any scanning starts.
func CheckWritable(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	return outfile.CheckWritable(path)
}
