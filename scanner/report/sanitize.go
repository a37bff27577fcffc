package report

import (
	"strings"

	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// Clean is textsafe.Clean: ANSI escape sequences, control characters and bidirectional overrides removed.
func Clean(s string) string { return textsafe.Clean(s) }

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

// EscapeBidi rewrites the bidirectional controls in JSON text as \u escapes (see bidiEscaper).
func EscapeBidi(json string) string { return bidiEscaper.Replace(json) }
