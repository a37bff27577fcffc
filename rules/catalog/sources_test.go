package catalog

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The catalogue's inputs hold no merge-conflict markers. `catalog validate` reads the generated YAML, which build.py
// can still write from a data file a rebase left half-merged (both sides' rows between the markers), so the
// markers are looked for in the inputs themselves: the generators' data and the hand-written vendor files.
func TestSourcesHaveNoConflictMarkers(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("scripts", "data", "*"))
	if err != nil {
		t.Fatal(err)
	}
	yamls, _ := filepath.Glob("*.yaml")
	files = append(files, yamls...)
	if len(files) < 10 {
		t.Fatalf("only %d catalogue inputs found: %v", len(files), files)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.IsDir() {
			continue
		}
		if bad := conflictMarker(t, f); bad != "" {
			t.Errorf("%s: a merge-conflict marker: resolve the rebase (keep both sides' rows) and re-run build.py", bad)
		}
	}
}

// conflictMarker returns "file:line" of the first conflict-marker line of f, or "".
func conflictMarker(t *testing.T, f string) string {
	t.Helper()
	fh, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if strings.HasPrefix(l, "<<<<<<< ") || strings.HasPrefix(l, ">>>>>>> ") || l == "=======" || l == "<<<<<<<" || l == ">>>>>>>" {
			return f + ":" + strconv.Itoa(n)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return ""
}
