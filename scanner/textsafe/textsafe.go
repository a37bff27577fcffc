// Package textsafe neutralises untrusted text (from records, catalogue files, user input) before it reaches a
// terminal, a log line or an error message. It is the one sanitiser of the tree.
package textsafe

import "strings"

// Clean removes what could steer a terminal or hide text: ANSI escape sequences, C0/C1 control characters (tabs
// and newlines become spaces), DEL, and Unicode bidirectional overrides.
func Clean(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b: // ESC: skip the whole sequence
			i = skipEscape(rs, i)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		case IsBidiControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// IsBidiControl reports whether r is a Unicode bidirectional control.
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
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
