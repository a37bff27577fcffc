package googleworkspace

import (
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// The README's permissions-by-setting table is what UsesPermission decides.
func TestPermissionsBySettingAgreeWithReadme(t *testing.T) {
	f, ok := scanner.Lookup("google_workspace")
	if !ok {
		t.Fatal("not registered")
	}
	scannertest.CheckPermissionsByMode(t, "README.md", f.NewConfig, f.Permissions)
}
