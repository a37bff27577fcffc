package main

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// readme returns a provider's README (providers/<folder>/README.md).
func readme(t *testing.T, folder string) string {
	t.Helper()
	b, err := os.ReadFile("../../providers/" + folder + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The AWS README's caller policy is exactly the generated one, and its member-account role grants exactly the
// generated member policy's actions.
func TestPermissionsAgreeWithAWSReadme(t *testing.T) {
	f, ok := scanner.Lookup("aws")
	if !ok {
		t.Fatal("aws not registered")
	}
	doc := readme(t, "aws")
	var readmePolicy any
	for _, bl := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		if strings.Contains(bl[1], `"Statement"`) {
			if err := json.Unmarshal([]byte(bl[1]), &readmePolicy); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	caller, err := IAMPolicy(f.Permissions, false)
	if err != nil {
		t.Fatal(err)
	}
	var generated any
	if err := json.Unmarshal([]byte(caller), &generated); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(readmePolicy, generated) {
		t.Errorf("README policy and `shadowscan permissions` differ:\nREADME:\n%v\ngenerated:\n%s", readmePolicy, caller)
	}

	member, err := IAMPolicy(f.Permissions, true)
	if err != nil {
		t.Fatal(err)
	}
	var mp struct{ Statement []struct{ Action []string } }
	if err := json.Unmarshal([]byte(member), &mp); err != nil || len(mp.Statement) != 1 {
		t.Fatalf("member policy %s: %v", member, err)
	}
	var cfn []string
	for _, bl := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		if strings.Contains(bl[1], "AWS::IAM::Role") {
			for _, m := range regexp.MustCompile(`(?m)^\s+- ([a-z0-9-]+:[A-Za-z]+)\s*$`).FindAllStringSubmatch(bl[1], -1) {
				cfn = append(cfn, m[1])
			}
		}
	}
	want := mp.Statement[0].Action
	slices.Sort(cfn)
	slices.Sort(want)
	if !slices.Equal(cfn, want) {
		t.Errorf("README member role grants\n  %v\ngenerated member policy\n  %v", cfn, want)
	}
}

// The Google README lists the same scopes, and its delegation step shows the generated comma-separated line.
func TestPermissionsAgreeWithGoogleReadme(t *testing.T) {
	f, ok := scanner.Lookup("google_workspace")
	if !ok {
		t.Fatal("google_workspace not registered")
	}
	doc := readme(t, "googleworkspace")
	if line := OAuthScopeList(f.Permissions); !strings.Contains(doc, "\n   "+line+"\n") {
		t.Errorf("README delegation step lacks the generated scope line %q", line)
	}
	var readmeScopes []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(https://www.googleapis.com/auth/[^`]+)` \\|").FindAllStringSubmatch(doc, -1) {
		readmeScopes = append(readmeScopes, m[1])
	}
	declared := permissionNames(f.Permissions)
	if !slices.Equal(readmeScopes, declared) {
		t.Errorf("README scope table %v, declared %v", readmeScopes, declared)
	}
	if !strings.Contains(doc, "Manage Domain Wide Delegation") || !strings.Contains(f.PermissionSetup, "Manage Domain Wide Delegation") {
		t.Error("where to enter the delegation client ID is missing")
	}
}

func TestPermissionsCommand(t *testing.T) {
	r := run(t, nil, "permissions")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, typ := range scanner.Types() {
		if typ == "configtest" {
			continue
		}
		if !strings.Contains(r.stdout, "## "+typ+": ") {
			t.Errorf("no section for %s", typ)
		}
	}
	r = run(t, nil, "permissions", "--provider", "google_workspace")
	if r.code != 0 || strings.Contains(r.stdout, "## aws") || !strings.Contains(r.stdout, "admin.directory.user.security") {
		t.Errorf("--provider google_workspace: %d %s", r.code, r.stdout)
	}
	r = run(t, nil, "permissions", "--config", "../../configs/demo.yaml")
	if r.code != 0 || !strings.Contains(r.stdout, "## aws") || strings.Contains(r.stdout, "## inventory: x") {
		t.Errorf("--config demo: %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "permissions", "--provider", "awz"); r.code != exitUsage {
		t.Errorf("unknown provider: exit %d", r.code)
	}
	for _, typ := range scanner.Types() {
		f, _ := scanner.Lookup(typ)
		for _, p := range f.Permissions {
			if f.PermissionKind == scanner.PermissionIAM && !regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z]+$`).MatchString(p.Name) {
				t.Errorf("%s: %q is not an IAM action", typ, p.Name)
			}
			if (f.PermissionKind == scanner.PermissionIAM || f.PermissionKind == scanner.PermissionOAuthScope) && p.Degrades == "" {
				t.Errorf("%s: %s does not say what degrades without it (doctor prints it)", typ, p.Name)
			}
		}
	}
}

// The Microsoft README's permission table names exactly the declared Graph application permissions.
func TestPermissionsAgreeWithMicrosoftReadme(t *testing.T) {
	f, ok := scanner.Lookup("microsoft")
	if !ok {
		t.Skip("microsoft provider not registered")
	}
	var readmePerms []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Za-z]+\\.[A-Za-z]+\\.All)`").FindAllStringSubmatch(readme(t, "microsoft"), -1) {
		readmePerms = append(readmePerms, m[1])
	}
	declared := permissionNames(f.Permissions)
	if !slices.Equal(readmePerms, declared) {
		t.Errorf("README permission table %v, declared %v", readmePerms, declared)
	}
	r := run(t, nil, "permissions", "--provider", "microsoft")
	for _, p := range declared {
		if !strings.Contains(r.stdout, "  "+p+"\n") {
			t.Errorf("permissions --provider microsoft lacks %s:\n%s", p, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "Grant admin consent") {
		t.Error("where to grant the permissions is missing")
	}
}

// With --config, each configured provider gets only what its configured mode uses.
func TestPermissionsNarrowedToConfig(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"sa.json": "{}", "secret": "s3cr3t-never-printed"} {
		if err := os.WriteFile(dir+"/"+name, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := `organization: {name: Northwind, domains: [northwind.example]}
providers:
  - {type: google_workspace, name: gw, admin_email: admin@northwind.example, credentials_file: sa.json, mode: audit}
  - {type: aws, name: aws, regions: [us-east-1]}
  - {type: microsoft, name: entra, tenant_id: 11111111-1111-4111-8111-111111111111,
     client_id: 22222222-2222-4222-8222-222222222222, client_secret_file: secret, audit_logs: false, sign_in_activity: false}
`
	if err := os.WriteFile(dir+"/c.yaml", []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "permissions", "--config", dir+"/c.yaml")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"## google_workspace (gw)", "admin.reports.audit.readonly", "## aws (aws)", `"Sid": "ReadThisAccount"`,
		"## microsoft (entra)", "  Application.Read.All\n", "  Directory.Read.All\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, not := range []string{"admin.directory.user.security", "admin.directory.user.readonly", "organizations:", "sts:AssumeRole",
		"member account:", "ce:GetCostAndUsage", "AuditLog.Read.All", "s3cr3t", "Only needed with some settings"} {
		if strings.Contains(r.stdout, not) {
			t.Errorf("output names %q, which this config does not use:\n%s", not, r.stdout)
		}
	}
	// Without a config, everything, with what only some settings use listed by setting.
	r = run(t, nil, "permissions", "--provider", "google_workspace")
	if !strings.Contains(r.stdout, "Only needed with some settings") || !strings.Contains(r.stdout, "mode: audit or both") {
		t.Errorf("no by-setting list:\n%s", r.stdout)
	}
}

func permissionNames(perms []scanner.Permission) []string {
	var out []string
	for _, p := range perms {
		out = append(out, p.Name)
	}
	return out
}
