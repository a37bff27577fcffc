// Package textsafe neutralises untrusted text (from records, catalogue files, rule files, user input) before it
// reaches a terminal, a log line, an error message or a report. It is the one sanitiser of the tree: one set of
// rules for what is unsafe (see Unsafe), two shapes of output (Clean for one line, Lines for a block). Writers add
// their own context escaping on top (CSV formulas, HTML, Markdown).
package textsafe

import "strings"

// Clean makes s safe as one line: ANSI escape sequences removed whole, tabs and line breaks (\t \n \r, U+2028,
// U+2029) become spaces, and every other unsafe rune (see Unsafe) is dropped.
func Clean(s string) string { return clean(s, false) }

// Lines is Clean for a block of text: newlines are kept (U+2028 and U+2029 become newlines too), tabs and carriage
// returns become spaces.
func Lines(s string) string { return clean(s, true) }

// Unsafe reports whether r can steer a terminal or disguise text: C0 and C1 control characters (tabs and newlines
// included), DEL, the Unicode line and paragraph separators, and the bidirectional controls.
func Unsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || IsBidiControl(r)
}

// IsBidiControl reports whether r is a Unicode bidirectional control.
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

func clean(s string, keepNewlines bool) string {
	if isPlain(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s) // invalid UTF-8 becomes U+FFFD
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b: // ESC: skip the whole sequence
			i = skipEscape(rs, i)
		case r == '\n' || r == 0x2028 || r == 0x2029:
			if keepNewlines {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\t' || r == '\r':
			b.WriteByte(' ')
		case Unsafe(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain reports printable ASCII (and newlines when they are kept): nothing to do.
func isPlain(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && !(keepNewlines && c == '\n')) || c >= 0x7f {
			return false
		}
	}
	return true
}

// skipEscape returns the index of the last rune of the escape sequence starting at rs[i] (ESC).
func skipEscape(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return i
	}
	switch rs[i+1] {
	case '[': // CSI: parameters then a final byte in @..~
		j := i + 2
		for j < len(rs) && !(rs[j] >= 0x40 && rs[j] <= 0x7e) {
			j++
		}
		return min(j, len(rs)-1)
	case ']', 'P', '^', '_': // OSC, DCS, PM, APC: until BEL or ST (ESC \)
		j := i + 2
		for j < len(rs) {
			if rs[j] == 0x07 {
				return j
			}
			if rs[j] == 0x1b && j+1 < len(rs) && rs[j+1] == '\\' {
				return j + 1
			}
			j++
		}
		return len(rs) - 1
	}
	return i + 1 // two-character escape
}
