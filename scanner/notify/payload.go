package notify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// Payload is the body sent to a channel.
func Payload(ch Channel, rep *scanner.Report, findings []scanner.Finding) ([]byte, error) {
	switch ch.Type {
	case "slack":
		return json.Marshal(slack(ch, rep, findings))
	case "teams":
		return json.Marshal(teams(ch, rep, findings))
	case "webhook":
		return json.Marshal(webhook(ch, rep, findings))
	}
	return nil, fmt.Errorf("notify %s: unknown type %q", ch.Name, ch.Type)
}

func clean(s string) string { return textsafe.Clean(s) }

func headline(ch Channel, rep *scanner.Report, n int) string {
	what := "finding"
	if n != 1 {
		what += "s"
	}
	kind := ""
	if ch.OnlyNew {
		kind = "new "
	}
	return fmt.Sprintf("shadowscan: %d %s%s at or above %s in %s", n, kind, what, ch.MinSeverity, clean(rep.Scan.Organization))
}

func vendorName(f scanner.Finding) string {
	if f.Vendor == nil {
		return "unidentified app"
	}
	return clean(f.Vendor.Name)
}

type webhookFinding struct {
	Fingerprint string `json:"fingerprint"`
	RuleID      string `json:"rule_id"`
	Title       string `json:"title"`
	Severity    string `json:"severity"`
	Status      string `json:"status"`
	VendorID    string `json:"vendor_id,omitempty"`
	Vendor      string `json:"vendor"`
	Message     string `json:"message"`
	Remediation string `json:"remediation"`
}

// webhook is a plain JSON document: the scan, its summary and every qualifying finding.
func webhook(ch Channel, rep *scanner.Report, findings []scanner.Finding) map[string]any {
	list := make([]webhookFinding, 0, len(findings))
	for _, f := range findings {
		wf := webhookFinding{Fingerprint: clean(f.Fingerprint), RuleID: clean(f.RuleID), Title: clean(f.Title), Severity: f.Severity,
			Status: f.Status, Vendor: vendorName(f), Message: clean(f.Message), Remediation: clean(f.Remediation)}
		if f.Vendor != nil {
			wf.VendorID = clean(f.Vendor.ID)
		}
		list = append(list, wf)
	}
	return map[string]any{
		"text":         headline(ch, rep, len(findings)),
		"tool":         rep.Tool,
		"scan":         map[string]any{"id": clean(rep.Scan.ID), "organization": clean(rep.Scan.Organization), "finished_at": rep.Scan.FinishedAt},
		"summary":      rep.Summary,
		"min_severity": ch.MinSeverity,
		"only_new":     ch.OnlyNew,
		"report_url":   ch.ReportURL,
		"findings":     list,
	}
}

// slackEscaper escapes the three characters Slack's mrkdwn treats as control characters.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func slackText(s string) string { return slackEscaper.Replace(clean(s)) }

// slack is a Block Kit message: a header, one section per finding (up to maxListed) and a link to the report.
func slack(ch Channel, rep *scanner.Report, findings []scanner.Finding) map[string]any {
	head := headline(ch, rep, len(findings))
	blocks := []any{
		map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": truncate(head, 150)}},
	}
	for i, f := range findings {
		if i == maxListed {
			blocks = append(blocks, map[string]any{"type": "context", "elements": []any{
				map[string]any{"type": "mrkdwn", "text": fmt.Sprintf("… and %d more", len(findings)-maxListed)}}})
			break
		}
		text := fmt.Sprintf("*[%s] %s — %s*\n%s", strings.ToUpper(f.Severity), slackText(f.Title), slackText(vendorName(f)),
			slackText(f.Message))
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": truncate(text, 2900)}})
	}
	if ch.ReportURL != "" {
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn",
			"text": "<" + slackEscaper.Replace(ch.ReportURL) + "|Open the full report>"}})
	}
	blocks = append(blocks, map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn",
		"text": "scan " + slackText(rep.Scan.ID)}}})
	return map[string]any{"text": slackText(head), "blocks": blocks}
}

// teams is a message with one Adaptive Card, the shape Teams workflow webhooks ("Post to a channel when a
// webhook request is received") accept.
func teams(ch Channel, rep *scanner.Report, findings []scanner.Finding) map[string]any {
	body := []any{map[string]any{"type": "TextBlock", "text": headline(ch, rep, len(findings)), "weight": "Bolder", "size": "Medium", "wrap": true}}
	for i, f := range findings {
		if i == maxListed {
			body = append(body, map[string]any{"type": "TextBlock", "text": fmt.Sprintf("… and %d more", len(findings)-maxListed), "wrap": true})
			break
		}
		body = append(body,
			map[string]any{"type": "TextBlock", "text": fmt.Sprintf("[%s] %s — %s", strings.ToUpper(f.Severity), clean(f.Title), vendorName(f)),
				"weight": "Bolder", "wrap": true, "spacing": "Medium"},
			map[string]any{"type": "TextBlock", "text": clean(f.Message), "wrap": true, "isSubtle": true})
	}
	card := map[string]any{"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
		"version": "1.4", "body": body}
	if ch.ReportURL != "" {
		card["actions"] = []any{map[string]any{"type": "Action.OpenUrl", "title": "Open the full report", "url": ch.ReportURL}}
	}
	return map[string]any{"type": "message", "attachments": []any{map[string]any{
		"contentType": "application/vnd.microsoft.card.adaptive", "content": card}}}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
