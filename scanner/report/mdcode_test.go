package report

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

func TestMarkdownCode(t *testing.T) {
	for _, tc := range []struct{ in, want, cell string }{
		{"abc", "`abc`", "`abc`"},
		{"a|b", "`a|b`", "`a\\|b`"},
		{"<img src=x>", "`<img src=x>`", "`<img src=x>`"}, // nothing is HTML inside a code span
		{`C:\path`, "`C:\\path`", "`C:\\path`"},
		{"a`b", "``a`b``", "``a`b``"},
		{"a``b`", "``` a``b` ```", "``` a``b` ```"},
		{"`x", "`` `x ``", "`` `x ``"},
		{"line\nbreak\x1b[31m", "`line break`", "`line break`"},
		{"", "", ""},
		{"  ", "", ""},
	} {
		if got := MarkdownCode(tc.in); got != tc.want {
			t.Errorf("MarkdownCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := MarkdownCodeCell(tc.in); got != tc.cell {
			t.Errorf("MarkdownCodeCell(%q) = %q, want %q", tc.in, got, tc.cell)
		}
	}
}

// An ID with a backtick, a pipe and angle brackets lands in the Markdown report as one intact code span, with no
// backslash or entity showing literally inside it.
func TestMarkdownEvidenceIDInCodeSpan(t *testing.T) {
	rep := fixture()
	rep.Findings[0].Evidence = []scanner.Evidence{{Provider: "aws", Kind: "cloud_trust", ID: "arn:a`b|<c>", Summary: "x"}}
	var b bytes.Buffer
	if err := (Markdown{}).Write(context.Background(), &b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "``arn:a`b|<c>``") {
		t.Errorf("evidence ID not one code span:\n%s", b.String())
	}
	for _, bad := range []string{"a\\`b", "\\|<c", "&lt;c"} {
		if strings.Contains(b.String(), bad) {
			t.Errorf("escape %q shows literally inside a code span", bad)
		}
	}
}
