package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	for _, tc := range []struct{ name, in, line, lines string }{
		{"plain", "plain text", "plain text", "plain text"},
		{"csi colour", "a\x1b[31mred\x1b[0m", "ared", "ared"},
		{"csi clear screen", "x\x1b[2Jy", "xy", "xy"},
		{"osc title ended by BEL", "a\x1b]0;title\x07b", "ab", "ab"},
		{"osc hyperlink ended by ST", "a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\b", "alinkb", "alinkb"},
		{"two-character escape", "a\x1bcb", "ab", "ab"},
		{"lone ESC at the end", "a\x1b", "a", "a"},
		{"unterminated CSI", "a\x1b[31", "a", "a"},
		{"tab", "tab\there", "tab here", "tab here"},
		{"newline", "one\ntwo", "one two", "one\ntwo"},
		{"carriage return", "over\rwrite", "over write", "over write"},
		{"line separators", "a\u2028b\u2029c", "a b c", "a\nb\nc"},
		{"C0", "nul\x00bel\x07bs\x08", "nulbelbs", "nulbelbs"},
		{"DEL", "a\x7fb", "ab", "ab"},
		{"C1", "c1\u0085control\u009b", "c1control", "c1control"},
		{"bidi override", "bidi\u202eevil\u202c", "bidievil", "bidievil"},
		{"bidi isolates and marks", "\u2066a\u2069\u200e\u200f\u061cb", "ab", "ab"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb", "a\uFFFDb"},
		{"non-ASCII kept", "Müller — 東京 ✓", "Müller — 東京 ✓", "Müller — 東京 ✓"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Clean(tc.in); got != tc.line {
				t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.line)
			}
			if got := Lines(tc.in); got != tc.lines {
				t.Errorf("Lines(%q) = %q, want %q", tc.in, got, tc.lines)
			}
		})
	}
}

func TestUnsafe(t *testing.T) {
	for r, want := range map[rune]bool{
		'a': false, ' ': false, 'é': false, 0xa0: false, '\uFFFD': false,
		0: true, '\t': true, '\n': true, 0x1b: true, 0x7f: true, 0x85: true, 0x9f: true,
		0x2028: true, 0x2029: true, 0x202e: true, 0x2066: true, 0x200f: true, 0x061c: true,
	} {
		if got := Unsafe(r); got != want {
			t.Errorf("Unsafe(%U) = %v, want %v", r, got, want)
		}
	}
}

// FuzzClean: the output of Clean holds no unsafe rune and is valid UTF-8; Lines keeps only newlines.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x1b[31mred", "\x1b]0;t\x07", "a\u202eb", "x\xff", "l\nr\r\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, out := range map[string]string{"Clean": Clean(s), "Lines": Lines(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", name, s, out)
			}
			for _, r := range out {
				if Unsafe(r) && !(name == "Lines" && r == '\n') {
					t.Fatalf("%s(%q) = %q holds %U", name, s, out, r)
				}
			}
		}
		if Clean(s) != strings.ReplaceAll(Lines(s), "\n", " ") {
			t.Fatalf("Clean and Lines disagree beyond newlines on %q", s)
		}
	})
}
