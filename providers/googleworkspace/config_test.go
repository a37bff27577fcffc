package googleworkspace

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	reports "google.golang.org/api/admin/reports/v1"
)

func TestConfigDefaults(t *testing.T) {
	c := NewConfig()
	if c.Customer != "my_customer" || c.Auth != "default" || c.Mode != "both" || c.Lookback != 180*24*time.Hour ||
		c.MaxQPM != 1800 || c.Concurrency != 8 || c.MaxAttempts != 5 {
		t.Errorf("defaults = %+v", c)
	}
	c.ExportFile = "tokens.csv"
	if err := c.Validate(); err != nil {
		t.Errorf("export-only config: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string // "" = valid
	}{
		{"key file", func(c *Config) { c.AdminEmail, c.CredentialsFile = "admin@x.example", "sa.json" }, ""},
		{"keyless", func(c *Config) {
			c.AdminEmail, c.ImpersonateServiceAccount = "admin@x.example", "sa@p.iam.gserviceaccount.com"
		}, ""},
		{"ADC", func(c *Config) { c.AdminEmail = "admin@x.example" }, ""},
		{"emulator", func(c *Config) { c.Auth, c.Endpoint = "none", "http://127.0.0.1:8080" }, ""},
		{"export", func(c *Config) { c.ExportFile, c.UsersExportFile = "t.csv", "u.csv" }, ""},
		{"mode case", func(c *Config) { c.AdminEmail, c.Mode = "admin@x.example", " Tokens " }, ""},
		{"no admin", func(c *Config) {}, "admin_email: must be set"},
		{"admin not an email", func(c *Config) { c.AdminEmail = "admin" }, `admin_email: "admin" is not an email address`},
		{"none without endpoint", func(c *Config) { c.Auth = "none" }, "endpoint: must be set when auth is none"},
		{"bad auth", func(c *Config) { c.Auth, c.AdminEmail = "oauth", "a@x.example" }, `auth: must be default or none (got "oauth")`},
		{"bad mode", func(c *Config) { c.Mode, c.AdminEmail = "all", "a@x.example" }, `mode: must be tokens, audit or both (got "all")`},
		{"both credentials", func(c *Config) {
			c.AdminEmail, c.CredentialsFile, c.ImpersonateServiceAccount = "a@x.example", "sa.json", "sa@p.iam.gserviceaccount.com"
		}, "credentials_file, impersonate_service_account: set one or the other"},
		{"bad service account", func(c *Config) { c.AdminEmail, c.ImpersonateServiceAccount = "a@x.example", "shadowscan" }, "impersonate_service_account: \"shadowscan\" is not a service account email"},
		{"audit from an export", func(c *Config) { c.ExportFile, c.Mode = "t.csv", "audit" }, "mode: audit reads the token audit log through the Reports API, but export_file holds only tokens"},
		{"users export alone", func(c *Config) { c.AdminEmail, c.UsersExportFile = "a@x.example", "u.csv" }, "users_export_file: only used with export_file"},
		{"no customer", func(c *Config) { c.AdminEmail, c.Customer = "a@x.example", "" }, "customer: must be set"},
		{"domain instead of customer", func(c *Config) { c.AdminEmail, c.Customer, c.Domain = "a@x.example", "", "x.example" }, ""},
		{"bad endpoint", func(c *Config) { c.AdminEmail, c.Endpoint = "a@x.example", "admin.googleapis.com" }, `endpoint: "admin.googleapis.com" is not an http(s) URL`},
		{"lookback", func(c *Config) { c.AdminEmail, c.Lookback = "a@x.example", 0 }, "lookback: must be positive"},
		{"lookback unused in tokens mode", func(c *Config) { c.AdminEmail, c.Lookback, c.Mode = "a@x.example", 0, "tokens" }, ""},
		{"qpm", func(c *Config) { c.AdminEmail, c.MaxQPM = "a@x.example", 0 }, "max_qpm: must be positive"},
		{"concurrency", func(c *Config) { c.AdminEmail, c.Concurrency = "a@x.example", 0 }, "concurrency: must be between 1 and 100, got 0"},
		{"attempts", func(c *Config) { c.AdminEmail, c.MaxAttempts = "a@x.example", 50 }, "max_attempts: must be between 1 and 20, got 50"},
		{"several at once", func(c *Config) { c.AdminEmail, c.MaxQPM, c.Concurrency = "a@x.example", -1, 1000 }, "max_qpm: must be positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := NewConfig()
			tc.mutate(c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want valid", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestResolvePaths(t *testing.T) {
	c := NewConfig()
	c.CredentialsFile, c.ExportFile = "sa.json", "exports/tokens.csv"
	c.ResolvePaths(func(p string) string { return "/etc/shadowscan/" + p })
	if c.CredentialsFile != "/etc/shadowscan/sa.json" || c.ExportFile != "/etc/shadowscan/exports/tokens.csv" || c.UsersExportFile != "" {
		t.Errorf("paths = %q %q %q", c.CredentialsFile, c.ExportFile, c.UsersExportFile)
	}
}

func TestAuditLogFolding(t *testing.T) {
	t.Parallel()
	l := newAuditLog()
	for _, s := range []string{
		`{"id":{"time":"2026-11-01T10:00:00.000Z"},"actor":{"email":"a@x.example","profileId":"1"},"events":[{"name":"authorize","parameters":[{"name":"client_id","value":"c1"},{"name":"app_name","value":"Old name"},{"name":"scope_data","multiMessageValue":[{"parameter":[{"name":"scope_name","value":"email"}]}]}]}]}`,
		`{"id":{"time":"2026-11-02T10:00:00Z"},"actor":{"email":"A@X.example"},"events":[{"name":"authorize","parameters":[{"name":"client_id","value":"c1"},{"name":"app_name","value":"New name"},{"name":"scope","multiValue":["openid"]},{"name":"client_type","value":"NATIVE_IOS"}]}]}`,
		`{"id":{"time":"2026-11-02T10:00:00Z"},"actor":{"email":"a@x.example","profileId":"1"},"events":[{"name":"revoke","parameters":[{"name":"client_id","value":"c1"}]}]}`,
		`{"id":{"time":"not a time"},"actor":{"email":"a@x.example"},"events":[{"name":"authorize","parameters":[{"name":"client_id","value":"c2"}]}]}`,
		`{"id":{"time":"2026-11-03T10:00:00Z"},"actor":{"email":"a@x.example"},"events":[{"name":"authorize","parameters":[]},{"name":"activity","parameters":[{"name":"client_id","value":"c3"}]}]}`,
		`{"actor":{"email":"a@x.example"}}`,
		`{"id":{"time":"2026-11-03T10:00:00Z"},"events":[null]}`,
	} {
		var a reports.Activity
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			t.Fatal(err)
		}
		l.add(&a)
	}
	l.finish()
	if len(l.grants) != 1 || l.skipped != 4 || l.events != 3 {
		t.Fatalf("grants %d, skipped %d, events %d", len(l.grants), l.skipped, l.events)
	}
	g := l.grants[auditKey{"1", "c1"}]
	if g == nil {
		t.Fatalf("grants = %v: the email-only event was not merged into user 1", l.grants)
	}
	if g.authorizations != 2 || g.lastEvent != eventRevoke || g.appName != "New name" || g.clientType != "NATIVE_IOS" ||
		strings.Join(g.scopes, " ") != "email openid" || g.firstAuthorized.Day() != 1 || g.lastAuthorized.Day() != 2 || g.revokedAt.Day() != 2 {
		t.Errorf("grant = %+v (at the same instant, the revoke wins)", g)
	}
	if c := l.claim(person{ID: "1"}, "c1"); c != g || len(l.unclaimed()) != 0 {
		t.Error("claim by ID failed")
	}
	var nilLog *auditLog
	if nilLog.claim(person{ID: "1"}, "c1") != nil || nilLog.unclaimed() != nil || nilLog.size() != 0 {
		t.Error("a nil audit log must be empty")
	}
}

func FuzzAuditActivity(f *testing.F) {
	f.Add(`{"id":{"time":"2026-11-01T10:00:00.000Z"},"actor":{"email":"a@x.example","profileId":"1"},"events":[{"name":"authorize","parameters":[{"name":"client_id","value":"c1"},{"name":"scope","multiValue":["email"]}]}]}`)
	f.Add(`{"id":{"time":"2026-11-01T10:00:00Z"},"actor":{"email":"a"},"events":[{"name":"revoke","parameters":[null,{"name":"scope_data","multiMessageValue":[null,{"parameter":[null]}]}]}]}`)
	f.Add(`{"events":[{"name":"authorize"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var a reports.Activity
		if json.Unmarshal([]byte(s), &a) != nil {
			return
		}
		l := newAuditLog()
		l.add(&a)
		l.add(&a)
		l.finish()
		for k, g := range l.grants {
			if k.client == "" || g.lastEvent == "" {
				t.Errorf("grant %v: %+v", k, g)
			}
		}
	})
}
