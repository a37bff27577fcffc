package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/scanner/outfile"
	"github.com/shadowscan/shadowscan/scanner/report"
)

// Formats lists the output formats of `shadowscan check`.
var Formats = []string{"text", "json", "markdown"}

// Write writes r in one of Formats; width is the terminal's (text only; 0 or less: report.DefaultWidth).
func Write(w io.Writer, format string, r *Result, width int) error {
	switch format {
	case "text", "":
		return WriteText(w, r, width)
	case "json":
		return WriteJSON(w, r)
	case "markdown", "md":
		return WriteMarkdown(w, r)
	}
	return fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(Formats, ", "))
}

// WriteJSON writes r as indented JSON. Unicode bidirectional controls are written as \u escapes.
func WriteJSON(w io.Writer, r *Result) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := io.WriteString(w, report.EscapeBidi(buf.String()))
	return err
}

// WriteText writes r for a terminal: every untrusted string cleaned of control characters, lines within width
// (0 or less: report.DefaultWidth; at least minWidth).
func WriteText(w io.Writer, r *Result, width int) error {
	if width <= 0 {
		width = report.DefaultWidth
	}
	width = max(width, minWidth)
	var b strings.Builder
	c := report.Clean
	line := func(s string) { b.WriteString(fitLine(s, width)); b.WriteByte('\n') }
	para := func(first, rest, s string) {
		for _, l := range wrap(s, width, first, rest) {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}

	if r.NoConfig {
		para("", "  ", "No shadowscan config found ("+c(r.Config)+"): this answer gives no approval verdict.")
		b.WriteByte('\n')
	}
	line(fmt.Sprintf("%s  ·  %s", strings.ToUpper(VerdictLabel(r.Verdict)), c(truncate(r.Query, 80))))
	if r.Config != "" && !r.NoConfig {
		para("Config: ", "  ", c(r.Config))
	}
	b.WriteByte('\n')
	if v := r.Vendor; v != nil {
		line(fmt.Sprintf("%s (%s)", c(v.Name), c(v.ID)))
		cat := c(v.CategoryName)
		if len(v.SubcategoryNames) > 0 {
			cat += " › " + c(strings.Join(v.SubcategoryNames, ", "))
		}
		if cat != "" {
			para("  Category:   ", "              ", cat)
		}
		if len(v.Domains) > 0 {
			para("  Domains:    ", "              ", c(strings.Join(v.Domains, ", ")))
		}
		if len(v.DataAccess) > 0 {
			para("  Touches:    ", "              ", c(strings.Join(v.DataAccess, ", ")))
		}
	} else if r.AppName != "" {
		line(fmt.Sprintf("%s (not in the catalogue)", c(r.AppName)))
	}
	if r.ClientID != "" {
		para("  Client ID:  ", "              ", c(r.ClientID))
	}
	if r.RedirectHost != "" {
		para("  Redirect:   ", "              ", c(r.RedirectHost))
	}
	if r.AdminConsent {
		line("  Consent:    tenant-wide admin consent")
	}
	para("  Matched:    ", "              ", c(r.Reason))
	if a := r.Approval; a != nil && (a.Owner != "" || a.Ticket != "" || !a.Expires.IsZero() || a.Notes != "") {
		bits := a.bits(c)
		if a.Notes != "" {
			bits = append(bits, c(a.Notes))
		}
		para("  Approval:   ", "              ", strings.Join(bits, "; "))
	}
	if a := r.Approval; a != nil && len(a.Scopes) > 0 && len(r.Scopes) > 0 {
		para("  Allowed:    ", "              ", c(strings.Join(a.Scopes, ", ")))
	}

	if len(r.Suggestions) > 0 {
		b.WriteString("\nDid you mean\n")
		for _, s := range r.Suggestions {
			line(fmt.Sprintf("  %-24s %-18s %s", c(s.Name), VerdictLabel(s.Verdict), c(s.CategoryName)))
		}
	}

	if len(r.Alternatives) > 0 {
		b.WriteString("\nYou already have\n")
		for _, a := range r.Alternatives {
			l := fmt.Sprintf("  %-20s %-10s for %s", c(a.Vendor.Name), a.Status, c(lowerFirst(a.Subcategory)))
			if a.Owner != "" {
				l += ", owner " + c(a.Owner)
			}
			line(l)
		}
	}

	if len(r.Scopes) > 0 {
		b.WriteString("\nAccess it asks for\n")
		for _, s := range r.Scopes {
			mark := ""
			if s.BeyondApproval {
				mark = " [beyond approval]"
			}
			head := fmt.Sprintf("  %-11s %s%s", s.Class, c(ShortScope(s.Scope)), mark)
			line(head)
			if s.Why != "" {
				para("              ", "              ", c(s.Why))
			}
		}
		if r.ScopesDropped > 0 {
			line(fmt.Sprintf("  … and %d more scopes", r.ScopesDropped))
		}
	}

	b.WriteString("\nUse here\n")
	switch u := r.Usage; {
	case u == nil:
		line("  No scan report (--report LAST.json, the state folder or check.report), so current use is unknown.")
	case !u.InReport:
		line(fmt.Sprintf("  Not seen in scan %s of %s.", c(truncate(u.ScanID, 40)), u.ScanFinished.Format("2006-01-02")))
	default:
		line(fmt.Sprintf("  %s in scan %s of %s", people(u.UserCount), c(truncate(u.ScanID, 40)),
			u.ScanFinished.Format("2006-01-02")))
		if len(u.Users) > 0 {
			para("  Who:        ", "              ", c(strings.Join(u.Users, ", ")))
		} else if r.Redacted && u.UserCount > 0 {
			line("  Who:        (names withheld)")
		}
		if len(u.Sources) > 0 {
			para("  Sources:    ", "              ", c(strings.Join(u.Sources, ", ")))
		}
		if len(u.Scopes) > 0 {
			para("  Scopes:     ", "              ", c(shortScopes(u.Scopes)))
		}
		if sp := Money(u.MonthlySpend); sp != "" {
			line("  Spend:      " + sp + " a month")
		}
		if !u.FirstSeen.IsZero() {
			line(fmt.Sprintf("  Seen:       %s to %s", u.FirstSeen.Format("2006-01-02"), u.LastSeen.Format("2006-01-02")))
		}
	}

	b.WriteString("\nNext step\n")
	para("  ", "  ", c(r.NextStep))
	if r.ExitCode != ExitOK || r.Verdict == VerdictApproved {
		b.WriteString("\nRequest for IT\n")
		switch t := r.RequestTo; {
		case t != nil:
			para("  ", "  ", c(t.How)+" Save it to a file with --request FILE.")
		default:
			para("  ", "  ", "Where requests go is not configured (check.request_to): send it to IT the usual way. "+
				"Save it to a file with --request FILE.")
		}
		b.WriteString("\n")
		for _, l := range strings.Split(strings.TrimRight(r.RequestMarkdown, "\n"), "\n") {
			if l = c(l); l == "" {
				b.WriteString("\n")
				continue
			}
			for _, wl := range wrap(l, width, "    ", "    ") {
				b.WriteString(wl)
				b.WriteByte('\n')
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes r as a Markdown document: the verdict, the facts, then the request for IT.
func WriteMarkdown(w io.Writer, r *Result) error {
	md := report.MarkdownText
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# %s: %s\n\n", md(toolName(r)), VerdictLabel(r.Verdict))
	p("%s\n\n", md(r.NextStep))
	p("- Query (%s): %s\n", r.QueryKind, md(truncate(r.Query, 300)))
	p("- Matched: %s\n", md(r.Reason))
	if len(r.Suggestions) > 0 {
		names := make([]string, 0, len(r.Suggestions))
		for _, s := range r.Suggestions {
			names = append(names, fmt.Sprintf("%s (%s)", md(s.Name), VerdictLabel(s.Verdict)))
		}
		p("- Did you mean: %s\n", strings.Join(names, ", "))
	}
	if r.Usage == nil {
		p("- Current use here: unknown (no scan report given)\n")
	} else if !r.Usage.InReport {
		p("- Current use here: not seen in the scan of %s\n", r.Usage.ScanFinished.Format("2006-01-02"))
	}
	p("\n")
	b.WriteString(r.RequestMarkdown)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteRequestFile writes the request text to path with outfile.Write (atomic for a regular file; a new file gets
// mode, 0 meaning 0600, since the text can name people; an existing one keeps its mode).
func WriteRequestFile(path string, mode fs.FileMode, r *Result) error {
	err := outfile.Write(path, mode, func(w io.Writer) error {
		_, err := io.WriteString(w, r.RequestMarkdown)
		return err
	})
	if err != nil {
		return fmt.Errorf("writing request %s: %w", path, err)
	}
	return nil
}

// fitLine cuts s to width runes, ending with "…" when cut.
// minWidth is the narrowest text layout: below it, wrapped lines would hold a word or two.
const minWidth = 40

func fitLine(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	rs := []rune(s)
	return string(rs[:width-1]) + "…"
}

// wrap breaks s into lines of at most width runes, the first starting with first, the others with rest. Words
// longer than a line are cut.
func wrap(s string, width int, first, rest string) []string {
	var lines []string
	if len([]rune(first)) >= width/2 || len([]rune(rest)) >= width/2 {
		first, rest = "", ""
	}
	prefix := first
	cur := []rune(prefix)
	empty := true
	flush := func() {
		lines = append(lines, strings.TrimRight(string(cur), " "))
		prefix = rest
		cur = []rune(prefix)
		empty = true
	}
	for _, word := range strings.Fields(s) {
		wr := []rune(word)
		need := len(wr)
		if !empty {
			need++
		}
		if len(cur)+need > width && !empty {
			flush()
		}
		if !empty {
			cur = append(cur, ' ')
		}
		for len(cur)+len(wr) > width {
			room := width - len(cur)
			if room <= 0 {
				flush()
				continue
			}
			cur = append(cur, wr[:room]...)
			wr = wr[room:]
			empty = false
			flush()
		}
		cur = append(cur, wr...)
		empty = false
	}
	if !empty || len(lines) == 0 {
		lines = append(lines, strings.TrimRight(string(cur), " "))
	}
	return lines
}

// bits describes the approval's owner, ticket and expiry for a writer, untrusted text through esc.
func (a *ApprovalInfo) bits(esc func(string) string) []string {
	var out []string
	if a.Owner != "" {
		out = append(out, "owner "+esc(a.Owner))
	}
	if a.Ticket != "" {
		out = append(out, "ticket "+esc(a.Ticket))
	}
	if !a.Expires.IsZero() {
		out = append(out, "expires "+a.Expires.Format("2006-01-02"))
	}
	return out
}
