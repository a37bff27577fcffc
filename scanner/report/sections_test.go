package report

import (
	"strings"
	"testing"
)

// Sections about unidentified apps and resolved findings appear only when there is something to list.
func TestOptionalSections(t *testing.T) {
	rep := fixture()
	rep.Unidentified, rep.Resolved = nil, nil
	for format, heads := range map[string][]string{
		"markdown": {"## Unidentified", "## Resolved since the baseline"},
		"table":    {"UNIDENTIFIED", "RESOLVED SINCE BASELINE"},
		"html":     {"<h3>Unidentified apps</h3>", "<h3>Resolved since the baseline</h3>"},
	} {
		w, err := New(format, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := w.Write(t.Context(), &b, rep); err != nil {
			t.Fatal(err)
		}
		for _, h := range heads {
			if strings.Contains(b.String(), h) {
				t.Errorf("%s: %q without anything to list", format, h)
			}
		}
		full := string(render(t, format, Options{}))
		for _, h := range heads {
			if !strings.Contains(full, h) {
				t.Errorf("%s: no %q in the fixture's report", format, h)
			}
		}
	}
}
