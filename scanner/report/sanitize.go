package report

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
		case isBidiControl(r):
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

func isBidiControl(r rune) bool {
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

// SafeCell neutralises a spreadsheet cell: after Clean, a value that a spreadsheet would run as a formula
// (starting with = + - @ or a tab/CR) is prefixed with an apostrophe (OWASP CSV injection guidance).
func SafeCell(s string) string {
	s = Clean(s)
	if t := strings.TrimLeft(s, " "); t != "" && strings.ContainsRune("=+-@", rune(t[0])) {
		return "'" + s
	}
	return s
}

// markdownEscaper escapes characters with meaning in Markdown tables and inline text, and HTML angle brackets.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "|", `\|`, "<", "&lt;", ">", "&gt;", "#", `\#`, "!", `\!`,
)

// MarkdownText makes an untrusted string inert in Markdown.
func MarkdownText(s string) string { return markdownEscaper.Replace(Clean(s)) }

// bidiEscaper rewrites Unicode bidirectional controls as JSON \u escapes: the same data to a JSON reader, but
// inert when the report is printed on a terminal. These characters only ever occur inside JSON strings.
var bidiEscaper = strings.NewReplacer(
	"\u202a", `\u202a`, "\u202b", `\u202b`, "\u202c", `\u202c`, "\u202d", `\u202d`, "\u202e", `\u202e`,
	"\u2066", `\u2066`, "\u2067", `\u2067`, "\u2068", `\u2068`, "\u2069", `\u2069`,
	"\u200e", `\u200e`, "\u200f", `\u200f`, "\u061c", `\u061c`,
)
