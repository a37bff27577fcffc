package main

import (
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/shadowscan/shadowscan/rules"
	"github.com/shadowscan/shadowscan/rules/catalog"
	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/scanner"
)

// listFormats are the formats of `catalog list` and `rules list` (README.md: --format table|json).
var listFormats = []string{"table", "json"}

func checkListFormat(format string) error {
	if !slices.Contains(listFormats, format) {
		return usageErr(fmt.Errorf("--format: %q is not one of table, json", format))
	}
	return nil
}

// catalogListItem is one vendor of `catalog list --format json`: the catalogue's facts in the form `check --format
// json` gives them, and the organisation's view of the vendor.
type catalogListItem struct {
	*check.VendorInfo
	// Approval is the organisation's status (approved, tolerated, review, banned, expired, unapproved); present
	// only when a config with an approved-tools file is given.
	Approval string `json:"approval,omitempty"`
	// Local marks a vendor the catalogue lacks, defined by the approved-tools file.
	Local bool `json:"local,omitempty"`
}

func writeCatalogJSON(w io.Writer, c *catalog.Catalog, entries []*catalog.Entry, approval func(string) string) error {
	out := make([]catalogListItem, 0, len(entries))
	for _, e := range entries {
		it := catalogListItem{VendorInfo: checkCatalog{cat: c}.facts(e).Info(), Local: e.Local}
		if approval != nil {
			it.Approval = approval(e.ID)
		}
		out = append(out, it)
	}
	return writeJSON(w, out)
}

// ruleListItem is one rule of `rules list --format json`.
type ruleListItem struct {
	ID              string   `json:"id"`
	Title           string   `json:"title"`
	Severity        string   `json:"severity"`
	DefaultSeverity string   `json:"default_severity"`
	Stage           string   `json:"stage"`
	Tags            []string `json:"tags"`
	Builtin         bool     `json:"builtin"`
	File            string   `json:"file"`
	Line            int      `json:"line"`
}

// writeRulesJSON lists rules in the table's order: by severity, highest first, then ID.
func writeRulesJSON(w io.Writer, rs *rules.RuleSet) error {
	list := append([]*rules.Rule(nil), rs.Rules...)
	sort.SliceStable(list, func(i, j int) bool {
		if a, b := scanner.SeverityRank(list[i].Severity), scanner.SeverityRank(list[j].Severity); a != b {
			return a > b
		}
		return list[i].ID < list[j].ID
	})
	out := make([]ruleListItem, 0, len(list))
	for _, r := range list {
		out = append(out, ruleListItem{ID: r.ID, Title: r.Title, Severity: r.Severity, DefaultSeverity: r.DefaultSeverity,
			Stage: r.Stage, Tags: nonNilStrings(r.Tags), Builtin: r.Builtin, File: r.File, Line: r.Line})
	}
	return writeJSON(w, out)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
