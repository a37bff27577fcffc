package textdist

import "testing"

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"région", "region", 1}, {"same", "same", 0}} {
		if got := Levenshtein(c.a, c.b); got != c.d {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestNearest(t *testing.T) {
	known := []string{"regions", "profile", "organization"}
	for in, want := range map[string]string{"region": "regions", "Organisation": "organization", "xyz": "", "": ""} {
		if got := Nearest(in, known, 2); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Nearest("prof", known, 1); got != "" {
		t.Errorf("tolerance not applied: %q", got)
	}
}
