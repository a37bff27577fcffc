package policy

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"github.com/shadowscan/shadowscan/scanner"
)

var suppressionKeys = []string{"fingerprint", "rule", "vendor", "owner", "reason", "expires"}

var fingerprintRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// LoadSuppressions reads and validates a suppressions file: a YAML list of
//
//	{fingerprint: <32 hex>}  or  {rule: <rule id>, vendor: <vendor ID or name; optional, "*" = any>}
//	owner:   who accepted the risk (required)
//	reason:  why (required)
//	expires: 2006-01-02 (end of that day, UTC) or RFC 3339 (required: a suppression that never expires is a
//	         finding nobody reviews again; write a far date deliberately if you must)
//
// A suppression whose date has passed is kept: the scanner then reports the finding again, plus a finding saying
// the suppression expired.
//
// ruleIDs, when not nil, are the known rule IDs: a suppression naming another rule is an error.
func LoadSuppressions(file string, ruleIDs []string) ([]scanner.Suppression, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("suppressions file: %w", err)
	}
	return ParseSuppressions(file, data, ruleIDs)
}

// ParseSuppressions validates suppressions; ruleIDs, when not nil, are the known rule IDs.
func ParseSuppressions(file string, data []byte, ruleIDs []string) ([]scanner.Suppression, error) {
	out, _, err := ParseSuppressionsWith(file, data, ruleIDs, nil)
	return out, err
}

// LoadSuppressionsWith is LoadSuppressions that also resolves each suppression's vendor (see
// ParseSuppressionsWith).
func LoadSuppressionsWith(file string, ruleIDs []string, vendors VendorIndex) ([]scanner.Suppression, []string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("suppressions file: %w", err)
	}
	return ParseSuppressionsWith(file, data, ruleIDs, vendors)
}

// ParseSuppressionsWith is ParseSuppressions that, when vendors is not nil, resolves each suppression's vendor:
// a catalogue (or local) vendor's name or alias becomes its ID; a vendor neither knows is kept as written and
// matches findings whose vendor has that name, with a warning (file:line:column: message) saying so.
func ParseSuppressionsWith(file string, data []byte, ruleIDs []string, vendors VendorIndex) ([]scanner.Suppression, []string, error) {
	doc, err := yamlpos.Parse(file, data)
	if err != nil {
		return nil, nil, err
	}
	var warnings []string
	out := []scanner.Suppression{}
	items, lerr := doc.Items("the suppressions file must be a list of {fingerprint | rule + vendor, owner, reason, expires}")
	if lerr != nil {
		return nil, nil, lerr
	}
	var errs yamlpos.Errors
	seen := map[string]int{}
	for i, n := range items {
		what := fmt.Sprintf("suppression %d", i+1)
		f, _, es := doc.Fields(n, "", what, suppressionKeys...)
		errs = append(errs, es...)
		if f == nil {
			continue
		}
		var s scanner.Suppression
		var vals [6]string
		bad := false
		for j, k := range suppressionKeys {
			v, er := doc.Str(f[k], "", what+": "+k)
			if er != nil {
				errs = append(errs, er)
				bad = true
			}
			vals[j] = strings.TrimSpace(v)
		}
		if bad {
			continue
		}
		s.Fingerprint, s.RuleID, s.Vendor, s.Owner, s.Reason = strings.ToLower(vals[0]), vals[1], vals[2], vals[3], vals[4]
		switch {
		case s.Fingerprint != "" && (s.RuleID != "" || s.Vendor != ""):
			errs = append(errs, doc.ErrAt(n, "", "%s: give either fingerprint or rule (+ vendor), not both", what))
		case s.Fingerprint != "":
			if !fingerprintRE.MatchString(s.Fingerprint) {
				errs = append(errs, doc.ErrAt(f["fingerprint"], "", "%s: fingerprint %q is not 32 hex characters (copy it from the report)", what, vals[0]))
			}
		case s.RuleID == "":
			errs = append(errs, doc.ErrAt(n, "", "%s: fingerprint or rule is required", what))
		case ruleIDs != nil && s.RuleID != scanner.RuleSuppressionExpired:
			if !slices.Contains(ruleIDs, s.RuleID) {
				msg := fmt.Sprintf("%s: no rule with id %q", what, s.RuleID)
				if sug := yamlpos.Nearest(s.RuleID, ruleIDs); sug != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", sug)
				}
				errs = append(errs, doc.ErrAt(f["rule"], "", "%s", msg))
			}
		}
		if s.Owner == "" {
			errs = append(errs, doc.ErrAt(n, "", "%s: owner is required", what))
		}
		if s.Reason == "" {
			errs = append(errs, doc.ErrAt(n, "", "%s: reason is required", what))
		}
		if vals[5] == "" {
			errs = append(errs, doc.ErrAt(n, "", "%s: expires is required (2006-01-02 or RFC 3339)", what))
		} else if t, err := yamlpos.ParseDate(vals[5]); err != nil {
			errs = append(errs, doc.ErrAt(f["expires"], "", "%s: expires: %v", what, err))
		} else {
			s.Expires = t
		}
		if vendors != nil && s.Vendor != "" && s.Vendor != "*" {
			if v, ok := vendors.Lookup(s.Vendor); ok {
				s.Vendor = v.ID
			} else {
				msg := fmt.Sprintf("%s: vendor %q is not in the catalogue or the approved-tools file: it suppresses findings whose vendor is named %q", what, s.Vendor, s.Vendor)
				if sug := vendors.Suggest(s.Vendor); len(sug) > 0 {
					msg += " (did you mean " + quoteList(sug, 3) + "?)"
				}
				warnings = append(warnings, warning(doc, f["vendor"], msg))
			}
		}
		key := s.Fingerprint + "\x00" + s.RuleID + "\x00" + strings.ToLower(s.Vendor)
		if line, dup := seen[key]; dup {
			errs = append(errs, doc.ErrAt(n, "", "%s: duplicates the suppression at line %d", what, line))
			continue
		}
		seen[key] = n.Line
		out = append(out, s)
	}
	if len(errs) > 0 {
		yamlpos.SortErrors(errs)
		return nil, nil, errs.Err()
	}
	return out, warnings, nil
}
