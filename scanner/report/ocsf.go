package report

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// OCSFVersion is the OCSF schema version the ocsf format writes.
const OCSFVersion = "1.2.0"

// OCSF writes one OCSF Detection Finding (class_uid 2004, category Findings) per line (NDJSON), for SIEMs and
// security data lakes. The mapping (README "Output formats"):
//
//	activity_id  1 Create for a new finding, 2 Update for an existing or suppressed one, 3 Close for a resolved one
//	status_id    1 New, 2 In Progress (existing), 3 Suppressed, 4 Resolved
//	severity_id  info 1, low 2, medium 3, high 4, critical 5
//	time         the scan's finish time (ms); finding_info.first_seen_time / last_seen_time from the state
//	finding_info uid = fingerprint, title, desc = message, types = [rule_id], analytic = the rule (type_id 1 Rule)
//	resources    the vendor (uid, name, type "saas_vendor", group = category)
//	remediation  desc = the finding's remediation
//	unmapped     shadowscan's own fields: scan_id, organization, evidence, evidence_count, suppression
type OCSF struct{}

var ocsfSeverity = map[string]int{"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
var ocsfSeverityName = map[int]string{0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}

const (
	ocsfClassUID    = 2004
	ocsfCategoryUID = 2
)

// Write implements Writer.
func (OCSF) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	rules := map[string]scanner.RuleInfo{}
	for _, r := range rep.Rules {
		rules[r.ID] = r
	}
	emit := func(f scanner.Finding, resolved bool) error {
		b, err := json.Marshal(ocsfEvent(rep, f, resolved, rules[f.RuleID]))
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, bidiEscaper.Replace(string(b))+"\n")
		return err
	}
	for _, f := range rep.Findings {
		if err := emit(f, false); err != nil {
			return err
		}
	}
	for _, f := range rep.Resolved {
		if err := emit(f, true); err != nil {
			return err
		}
	}
	return nil
}

func ocsfEvent(rep *scanner.Report, f scanner.Finding, resolved bool, rule scanner.RuleInfo) map[string]any {
	activity, activityName := 1, "Create"
	status, statusName := 1, "New"
	switch {
	case resolved:
		activity, activityName, status, statusName = 3, "Close", 4, "Resolved"
	case f.Status == scanner.StatusSuppressed:
		activity, activityName, status, statusName = 2, "Update", 3, "Suppressed"
	case f.Status == scanner.StatusExisting:
		activity, activityName, status, statusName = 2, "Update", 2, "In Progress"
	}
	sev := ocsfSeverity[f.Severity]
	info := map[string]any{
		"uid": Clean(f.Fingerprint), "title": Clean(f.Title), "desc": Clean(f.Message), "types": []string{Clean(f.RuleID)},
		"analytic": map[string]any{"uid": Clean(f.RuleID), "name": Clean(f.Title), "type_id": 1, "type": "Rule",
			"desc": Clean(rule.Description)},
	}
	if !f.FirstSeen.IsZero() {
		info["first_seen_time"] = ocsfTime(f.FirstSeen)
	}
	if !f.LastSeen.IsZero() {
		info["last_seen_time"] = ocsfTime(f.LastSeen)
	}
	ev := make([]map[string]string, 0, len(f.Evidence))
	for _, e := range f.Evidence {
		ev = append(ev, map[string]string{"provider": Clean(e.Provider), "kind": Clean(e.Kind), "id": Clean(e.ID), "summary": Clean(e.Summary)})
	}
	unmapped := map[string]any{"scan_id": Clean(rep.Scan.ID), "organization": Clean(rep.Scan.Organization),
		"evidence": ev, "evidence_count": f.EvidenceCount, "shadowscan_status": Clean(f.Status)}
	if f.Suppression != nil {
		unmapped["suppression"] = map[string]any{"owner": Clean(f.Suppression.Owner), "reason": Clean(f.Suppression.Reason),
			"expires": f.Suppression.Expires, "expired": f.Suppression.Expired}
	}
	event := map[string]any{
		"class_uid": ocsfClassUID, "class_name": "Detection Finding",
		"category_uid": ocsfCategoryUID, "category_name": "Findings",
		"activity_id": activity, "activity_name": activityName,
		"type_uid": ocsfClassUID*100 + activity, "type_name": "Detection Finding: " + activityName,
		"severity_id": sev, "severity": ocsfSeverityName[sev],
		"status_id": status, "status": statusName,
		"time":    ocsfTime(rep.Scan.FinishedAt),
		"message": Clean(f.Message),
		"metadata": map[string]any{"version": OCSFVersion, "uid": Clean(f.Fingerprint + "/" + rep.Scan.ID),
			"product": map[string]any{"name": Clean(rep.Tool.Name), "vendor_name": "shadowscan", "version": Clean(rep.Tool.Version)}},
		"finding_info": info,
		"unmapped":     unmapped,
	}
	if f.Remediation != "" {
		event["remediation"] = map[string]any{"desc": Clean(f.Remediation)}
	}
	if f.Vendor != nil {
		event["resources"] = []map[string]any{{"uid": Clean(f.Vendor.ID), "name": Clean(f.Vendor.Name), "type": "saas_vendor",
			"group": map[string]any{"name": Clean(f.Vendor.Category)}}}
	}
	return event
}

func ocsfTime(t time.Time) int64 { return t.UnixMilli() }
