package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// doctor against a minimal Admin SDK (the full fake, providers/internal/fakes/googleadmin, drives the provider's
// own doctor tests): every scope passes; a refused audit log fails alone and says what degrades.
func TestDoctorAgainstGoogleFake(t *testing.T) {
	var denyAudit atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/admin/directory/v1/users":
			_, _ = io.WriteString(w, `{"kind":"admin#directory#users","users":[{"primaryEmail":"admin@example.com"}]}`)
		case strings.HasSuffix(r.URL.Path, "/tokens"):
			_, _ = io.WriteString(w, `{"kind":"admin#directory#tokenList","items":[]}`)
		case strings.HasPrefix(r.URL.Path, "/admin/reports/v1/activity/users/all/applications/token"):
			if denyAudit.Load() {
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, `{"error":{"code":403,"message":"Not Authorized to access this resource/api","errors":[{"reason":"forbidden","domain":"global"}]}}`)
				return
			}
			_, _ = io.WriteString(w, `{"kind":"admin#reports#activities","items":[]}`)
		default:
			t.Errorf("unexpected %s", r.URL)
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeFile(t, dir, "c.yaml", `organization: {name: Example, domains: [example.com]}
providers:
  - {type: google_workspace, name: workspace, admin_email: admin@example.com, auth: none, endpoint: "`+srv.URL+`", max_attempts: 1}
  - {type: inventory, name: imports, files: [r.ndjson]}
`)
	writeFile(t, dir, "r.ndjson", goodRecord)
	r := run(t, nil, "doctor", "--config", cfg)
	if r.code != 0 || strings.Count(r.stdout, "PASS") != 4 || !strings.Contains(r.stdout, "Every check passed") {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	denyAudit.Store(true)
	r = run(t, nil, "doctor", "--config", cfg)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", r.code, r.stdout)
	}
	for _, want := range []string{"FAIL  https://www.googleapis.com/auth/admin.reports.audit.readonly", "activities.list",
		"without it: first/last authorisation times", "PASS  https://www.googleapis.com/auth/admin.directory.user.security",
		"1 check(s) failed"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := run(t, nil, "doctor", "--config", writeFile(t, dir, "empty.yaml", "organization: {name: X}\n")); r.code != exitUsage {
		t.Errorf("no providers: exit %d", r.code)
	}
}
