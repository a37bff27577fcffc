package main

import (
	"os"
	"strconv"

	"golang.org/x/term"

	"github.com/shadowscan/shadowscan/scanner/report"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// tableWidth is the width the table is laid out in: the terminal's when stdout is one, else $COLUMNS when set,
// else report.DefaultWidth. A file output always gets the default, whatever the terminal.
func (a *app) tableWidth(path string) int {
	if path == "" || path == "-" {
		if f, ok := a.stdout.(*os.File); ok && isTerminal(f) {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				return w
			}
		}
		if n, err := strconv.Atoi(a.getenv("COLUMNS")); err == nil && n > 0 {
			return n
		}
	}
	return report.DefaultWidth
}
