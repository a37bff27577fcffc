package report

import "strings"

// MarkdownCode returns s as a complete Markdown code span, delimiters included, for running text. Inside a code
// span nothing is escaped (a backslash or "&lt;" would show literally), so instead the delimiter is a run of
// backticks longer than any run inside s, padded with a space when s starts or ends with a backtick; a backtick in
// an ID can then never end the span early. Control characters are removed first (Clean). An empty s gives "".
func MarkdownCode(s string) string {
	s = Clean(s)
	if strings.TrimSpace(s) == "" {
		return ""
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return fence + s + fence
}

// MarkdownCodeCell is MarkdownCode for a table cell: a GFM table splits cells on "|" before it reads code spans,
// and there (only there) "\|" inside a code span stands for a plain "|".
func MarkdownCodeCell(s string) string {
	return strings.ReplaceAll(MarkdownCode(s), "|", `\|`)
}
