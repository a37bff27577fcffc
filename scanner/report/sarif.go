package report

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/scanner"
)

// SARIF writes SARIF 2.1.0 (OASIS), for GitHub code scanning and security dashboards. Each rule that has a
// finding becomes a reportingDescriptor with its description, help and tags; each finding a result with the
// fingerprint as partialFingerprint, the lifecycle as baselineState and the vendor as a logical location.
// Code-scanning services want a physical location, so results also point at the pseudo-path vendors/<id>.
// Resolved findings are left out: a service closes an alert when its result stops appearing.
type SARIF struct{}

const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// securitySeverity is GitHub's numeric severity (critical ≥ 9, high ≥ 7, medium ≥ 4).
var securitySeverity = map[string]string{"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}

func sarifLevel(sev string) string {
	switch sev {
	case scanner.SeverityCritical, scanner.SeverityHigh:
		return "error"
	case scanner.SeverityMedium:
		return "warning"
	}
	return "note"
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration map[string]any `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []any             `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	BaselineState       string            `json:"baselineState"`
	Suppressions        []map[string]any  `json:"suppressions,omitempty"`
	Properties          map[string]any    `json:"properties"`
}

// Write implements Writer.
func (SARIF) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	rules, index := sarifRules(rep)
	results := make([]sarifResult, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		results = append(results, sarifResultOf(f, index[f.RuleID]))
	}
	complete := true
	var notes []map[string]any
	for _, c := range rep.Coverage {
		if c.Status != scanner.CoverageComplete {
			complete = false
		}
		for _, e := range c.Errors {
			notes = append(notes, map[string]any{"level": "error",
				"message": sarifText{Text: Clean(c.Provider + " (" + c.Type + ", " + c.Status + "): " + coverageErrorText(e))}})
		}
	}
	invocation := map[string]any{"executionSuccessful": complete,
		"startTimeUtc": rep.Scan.StartedAt.UTC(), "endTimeUtc": rep.Scan.FinishedAt.UTC()}
	if len(notes) > 0 {
		invocation["toolExecutionNotifications"] = notes
	}
	doc := map[string]any{
		"$schema": sarifSchema,
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": Clean(rep.Tool.Name), "version": Clean(rep.Tool.Version),
				"informationUri": "https://github.com/shadowscan/shadowscan", "rules": rules}},
			"automationDetails": map[string]any{"id": "shadowscan/" + Clean(rep.Scan.ID)},
			"invocations":       []any{invocation},
			"results":           results,
			"properties":        map[string]any{"organization": Clean(rep.Scan.Organization), "summary": rep.Summary},
		}},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, bidiEscaper.Replace(string(b))+"\n")
	return err
}

// sarifRules lists the report's rules (findings' rules that the report does not describe get a minimal entry).
func sarifRules(rep *scanner.Report) ([]sarifRule, map[string]int) {
	infos := map[string]scanner.RuleInfo{}
	for _, r := range rep.Rules {
		infos[r.ID] = r
	}
	var ids []string
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			ids = append(ids, f.RuleID)
		}
	}
	slices.Sort(ids)
	rules := make([]sarifRule, 0, len(ids))
	index := map[string]int{}
	for i, id := range ids {
		info, ok := infos[id]
		if !ok {
			info = scanner.RuleInfo{ID: id, Title: id}
		}
		desc := Clean(info.Description)
		if desc == "" {
			desc = Clean(info.Title)
		}
		tags := []string{"security"}
		for _, t := range info.Tags {
			tags = append(tags, Clean(t))
		}
		help := "**" + MarkdownText(info.Title) + "**\n\n" + MarkdownText(info.Description)
		props := map[string]any{"tags": tags}
		if s, ok := securitySeverity[info.Severity]; ok {
			props["security-severity"] = s
		}
		rules = append(rules, sarifRule{ID: Clean(id), Name: ruleName(id), ShortDescription: sarifText{Text: Clean(info.Title)},
			FullDescription: sarifText{Text: desc}, Help: sarifText{Text: desc, Markdown: help},
			DefaultConfiguration: map[string]any{"level": sarifLevel(info.Severity)}, Properties: props})
		index[id] = i
	}
	return rules, index
}

func sarifResultOf(f scanner.Finding, ruleIndex int) sarifResult {
	vendorID, vendorName := "unidentified", "Unidentified app"
	if f.Vendor != nil {
		vendorID, vendorName = f.Vendor.ID, f.Vendor.Name
	}
	text := Clean(f.Message)
	if f.Remediation != "" {
		text += " Remediation: " + Clean(f.Remediation)
	}
	loc := map[string]any{
		"physicalLocation": map[string]any{"artifactLocation": map[string]any{"uri": "vendors/" + uriSegment(vendorID)}},
		"logicalLocations": []any{map[string]any{"name": Clean(vendorName), "fullyQualifiedName": "vendor/" + Clean(vendorID), "kind": "resource"}},
	}
	state := "new"
	switch f.Status {
	case scanner.StatusExisting:
		state = "unchanged"
	case scanner.StatusSuppressed:
		state = "unchanged"
	}
	props := map[string]any{"severity": f.Severity, "status": f.Status, "evidence_count": f.EvidenceCount,
		"security-severity": securitySeverity[f.Severity]}
	ev := make([]string, 0, len(f.Evidence))
	for _, e := range f.Evidence {
		ev = append(ev, Clean(e.Provider+" "+e.Kind+" "+e.ID+": "+e.Summary))
	}
	props["evidence"] = ev
	if !f.FirstSeen.IsZero() {
		props["first_seen"] = f.FirstSeen.UTC()
	}
	r := sarifResult{RuleID: Clean(f.RuleID), RuleIndex: ruleIndex, Level: sarifLevel(f.Severity), Message: sarifText{Text: text},
		Locations: []any{loc}, PartialFingerprints: map[string]string{"shadowscan/v1": Clean(f.Fingerprint)},
		BaselineState: state, Properties: props}
	if f.Status == scanner.StatusSuppressed && f.Suppression != nil {
		r.Suppressions = []map[string]any{{"kind": "external", "status": "accepted",
			"justification": Clean(f.Suppression.Reason + " (owner " + f.Suppression.Owner + ")")}}
	}
	return r
}

// ruleName turns a rule ID into the PascalCase name SARIF viewers show ("banned-vendor" → "BannedVendor").
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(Clean(id), func(r rune) bool { return r == '-' || r == '_' || r == ' ' }) {
		r, n := utf8.DecodeRuneInString(part)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(part[n:])
	}
	return b.String()
}

// uriSegment keeps a vendor ID safe as a relative URI segment.
func uriSegment(s string) string {
	var b strings.Builder
	for _, r := range Clean(s) {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}
