package catalog

import (
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
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.IsDir() {
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
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	for n, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "<<<<<<< ") || strings.HasPrefix(l, ">>>>>>> ") || l == "=======" || l == "<<<<<<<" || l == ">>>>>>>" {
			return f + ":" + strconv.Itoa(n+1)
		}
	}
	return ""
}
