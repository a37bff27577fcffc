package policy

import (
	"slices"
	"sort"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
)

// Alternative is an approved (or tolerated) tool that does the same job as a vendor someone asks about.
type Alternative struct {
	Tool        scanner.ApprovedTool
	Subcategory string // the shared subcategory ID: the first of the asked-about vendor's that the tool is in
}

// Alternatives lists the tools the organisation already owns in the vendor's subcategories (the vendor itself
// left out): approved before tolerated, then by name. subcategories are the vendor's, primary first.
func Alternatives(p scanner.Policy, vendorID string, subcategories []string) []Alternative {
	if p == nil || len(subcategories) == 0 {
		return nil
	}
	var out []Alternative
	for _, t := range sortedTools(p.Tools(), false) {
		if t.VendorID == vendorID {
			continue
		}
		for _, sc := range subcategories {
			if slices.Contains(t.Subcategories, sc) {
				out = append(out, Alternative{Tool: t, Subcategory: sc})
				break
			}
		}
	}
	return out
}

// sortedTools keeps the usable tools (approved; and tolerated unless strict), approved first, then by name.
func sortedTools(tools []scanner.ApprovedTool, strict bool) []scanner.ApprovedTool {
	out := make([]scanner.ApprovedTool, 0, len(tools))
	for _, t := range tools {
		if t.Status == scanner.ApprovalApproved || (!strict && t.Status == scanner.ApprovalTolerated) {
			if t.Name == "" {
				t.Name = t.VendorID
			}
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Status == scanner.ApprovalApproved) != (out[j].Status == scanner.ApprovalApproved) {
			return out[i].Status == scanner.ApprovalApproved
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out
}
