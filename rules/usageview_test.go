package rules

import (
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// Inventory and unidentified stages: usage.unidentified tells a catalogue vendor from an unidentified group, and the vendor's
// confidence is 1 there (no record was resolved).
func TestInventoryStageFields(t *testing.T) {
	hubspot := scanner.Vendor{ID: "hubspot", Name: "HubSpot", Category: "management", Martech: true}
	vendorCase := &Case{Resolution: scanner.Resolution{Vendor: &hubspot}, Usage: &scanner.InventoryItem{Vendor: hubspot, UserCount: 3}}
	unidentified := &Case{Unidentified: &scanner.Unidentified{Key: "name:leadmagnet", Name: "LeadMagnet", UserCount: 2}}
	for _, tc := range []struct {
		name, stage string
		c           *Case
		expr        string
		want        bool
	}{
		{"vendor", "inventory", vendorCase, `!usage.unidentified && usage.user_count == 3 && vendor.confidence == 1.0`, true},
		{"unidentified", "unidentified", unidentified, `usage.unidentified && usage.user_count == 2 && vendor.name == "LeadMagnet"`, true},
	} {
		if got := evalStage(t, tc.stage, tc.expr, tc.c); got != tc.want {
			t.Errorf("%s: %s = %v, want %v", tc.name, tc.expr, got, tc.want)
		}
	}
}
