package scanner

import (
	"context"
	"os"
)

// PermissionCheck is one line of `shadowscan doctor`: whether one declared permission (or the credentials
// themselves) works, proven by the cheapest call that needs it.
type PermissionCheck struct {
	Permission string // a declared Permission.Name, or "credentials"
	OK         bool
	// Skipped is true when the permission cannot be proven without scanning (the call needs a target that a
	// cheap probe does not have); OK is then false and the line says so.
	Skipped bool
	// Detail is what was called and, on failure, why and the exact fix. Never a secret.
	Detail string
}

// PermissionChecker is implemented by providers that can check their credentials and permissions (doctor).
type PermissionChecker interface {
	CheckPermissions(ctx context.Context) []PermissionCheck
}

// CheckFilesReadable is the check of a provider that reads files instead of an API (export mode): each file can be
// opened.
func CheckFilesReadable(files ...string) []PermissionCheck {
	var out []PermissionCheck
	for _, f := range files {
		if f == "" {
			continue
		}
		c := PermissionCheck{Permission: "read " + f, OK: true, Detail: "export mode: no API call"}
		if fh, err := os.Open(f); err != nil {
			c.OK, c.Detail = false, err.Error()
		} else {
			fh.Close()
		}
		out = append(out, c)
	}
	return out
}
