package check_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/rules/check/checktest"
	"github.com/shadowscan/shadowscan/scanner/report"
)

// FuzzCheck runs whole checks and every writer on arbitrary queries: nothing panics, text lines fit, and the
// Markdown request never carries raw HTML.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"hotjar", "hotjr", hotjarURL, leadMagnetURL, msAdminURL, "107630771604", "<b>x</b>|*", "a.b"} {
		f.Add(s)
	}
	c := demoChecker(checktest.Report())
	f.Fuzz(func(t *testing.T, s string) {
		r, err := c.Check(s)
		if err != nil {
			return
		}
		for _, format := range check.Formats {
			var buf bytes.Buffer
			if err := check.Write(&buf, format, r, 0); err != nil {
				t.Fatal(err)
			}
			if format == "text" {
				for _, l := range strings.Split(buf.String(), "\n") {
					if len([]rune(l)) > report.DefaultWidth {
						t.Fatalf("line too long: %q", l)
					}
				}
			}
		}
		if strings.ContainsAny(r.RequestMarkdown, "<>") {
			t.Fatalf("raw angle bracket in request:\n%s", r.RequestMarkdown)
		}
	})
}
