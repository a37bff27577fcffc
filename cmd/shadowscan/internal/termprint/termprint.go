// Package termprint holds the terminal printers of `shadowscan rules` and `shadowscan catalog`: tables and
// detail views. Every untrusted value (rule files, catalogue files, user input) is passed through
// textsafe, so a hostile file cannot move the cursor or hide text in a terminal.
package termprint

import (
	"strings"

	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// cell cleans a table cell or a one-line value.
func cell(s string) string { return textsafe.Clean(s) }

// block cleans multi-line text, trims it and indents every line with prefix.
func block(s, prefix string) string {
	lines := strings.Split(textsafe.Lines(strings.TrimSpace(s)), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
