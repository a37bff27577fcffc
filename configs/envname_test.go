package configs

import (
	"testing"
	"time"
)

// The variable names are a contract (README, deployment manifests): literal names, not ones built by envName.
func TestEnvNamesLiteral(t *testing.T) {
	for path, want := range map[string]string{
		"scan.timeout":                    "SHADOWSCAN_SCAN_TIMEOUT",
		"scan.concurrency":                "SHADOWSCAN_SCAN_CONCURRENCY",
		"output.format":                   "SHADOWSCAN_OUTPUT_FORMAT",
		"output.fail_on":                  "SHADOWSCAN_OUTPUT_FAIL_ON",
		"organization.domains":            "SHADOWSCAN_ORGANIZATION_DOMAINS",
		"organization.marketing.aws_tags": "SHADOWSCAN_ORGANIZATION_MARKETING_AWS_TAGS",
		"policy.approved_file":            "SHADOWSCAN_POLICY_APPROVED_FILE",
	} {
		if got := envName(path); got != want {
			t.Errorf("envName(%q) = %q, want %q", path, got, want)
		}
	}
	cfg, err := LoadWithEnv(write(t, base), []string{"SHADOWSCAN_SCAN_TIMEOUT=45m", "SHADOWSCAN_ORGANIZATION_DOMAINS=a.example, b.example"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Scan.Timeout != 45*time.Minute {
		t.Errorf("SHADOWSCAN_SCAN_TIMEOUT=45m gave scan.timeout %v", cfg.Scan.Timeout)
	}
	if d := cfg.Organization.Domains; len(d) != 2 || d[0] != "a.example" || d[1] != "b.example" {
		t.Errorf("SHADOWSCAN_ORGANIZATION_DOMAINS gave %q", d)
	}
}
