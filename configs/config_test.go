package configs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/testfile"
	"github.com/shadowscan/shadowscan/scanner"
)

// fakeConfig is a provider config with the shapes real providers use.
type fakeConfig struct {
	Regions      []string      `mapstructure:"regions"`
	Profile      string        `mapstructure:"profile"`
	Wait         time.Duration `mapstructure:"wait"`
	Enabled      bool          `mapstructure:"enabled"`
	ExportFile   string        `mapstructure:"export_file"`
	Organization struct {
		RoleName     string   `mapstructure:"role_name"`
		SkipAccounts []string `mapstructure:"skip_accounts"`
	} `mapstructure:"organization"`
}

func (c *fakeConfig) Validate() error {
	if c.Profile == "invalid" {
		return errors.New("profile: must not be \"invalid\"")
	}
	return nil
}

func (c *fakeConfig) ResolvePaths(resolve func(string) string) { c.ExportFile = resolve(c.ExportFile) }

func init() {
	scanner.Register(scanner.Registration[scanner.ProviderConfig]{
		Type:      "configtest",
		NewConfig: func() scanner.ProviderConfig { return &fakeConfig{Regions: []string{"us-east-1"}} },
		New:       func(scanner.ProviderConfig, scanner.Deps) (scanner.Provider, error) { return nil, nil },
	})
}

// write writes a config file in a new folder.
func write(t *testing.T, body string) string {
	t.Helper()
	return testfile.Write(t, t.TempDir(), "shadowscan.yaml", body)
}

const base = `organization:
  name: Example
  domains: [example.com]
  marketing:
    aws_tags: {CostCenter: Marketing}
policy: {approved_file: approved.yaml}
providers:
  - type: configtest
    name: aws-org
    regions: [eu-west-1]
    export_file: exports/iam.json
`

func TestLoadGood(t *testing.T) {
	p := write(t, base)
	cfg, err := LoadWithEnv(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p)
	if cfg.Policy.ApprovedFile != filepath.Join(dir, "approved.yaml") {
		t.Errorf("approved_file not resolved against the config folder: %q", cfg.Policy.ApprovedFile)
	}
	if got := cfg.Organization.Marketing.AWSTags; !reflect.DeepEqual(got, map[string]string{"CostCenter": "Marketing"}) {
		t.Errorf("aws_tags must keep their case: %v", got)
	}
	if len(cfg.Providers) != 1 {
		t.Fatalf("providers: %d", len(cfg.Providers))
	}
	pc := cfg.Providers[0].Config.(*fakeConfig)
	if pc.ExportFile != filepath.Join(dir, "exports/iam.json") {
		t.Errorf("provider path not resolved: %q", pc.ExportFile)
	}
	if !reflect.DeepEqual(pc.Regions, []string{"eu-west-1"}) {
		t.Errorf("regions %v", pc.Regions)
	}
	if cfg.Scan.Concurrency != 4 || cfg.Scan.Timeout != 30*time.Minute || cfg.Output.FailOn != "high" {
		t.Errorf("defaults not applied: %+v %+v", cfg.Scan, cfg.Output)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		body string
		want string
	}{
		{"yaml syntax", "organization:\n  name: [unclosed\n", "shadowscan.yaml:1: invalid YAML: did not find expected"},
		{"two documents", "scan: {}\n---\nscan: {}\n", "more than one YAML document; put everything in one"},
		{"unknown top key", "organisation: {name: x}\n", `unknown key "organisation" (did you mean "organization"?)`},
		{"unknown nested key", "scan: {concurency: 3}\n", `scan: unknown key "concurency" (did you mean "concurrency"?)`},
		{"unknown provider key", "providers:\n  - {type: configtest, name: aws-org, region: x}\n",
			`providers[0] (aws-org): unknown key "region" (did you mean "regions"?)`},
		{"unknown nested provider key", "providers:\n  - {type: configtest, organization: {rolename: x}}\n",
			`providers[0] (configtest): organization: unknown key "rolename" (did you mean "role_name"?)`},
		{"wrong type", "scan: {concurrency: lots}\n", "scan.concurrency: wrong type"},
		{"wrong provider type", "providers:\n  - {type: configtest, name: p, enabled: maybe}\n", "providers[0] (p): enabled: wrong type"},
		{"bad duration", "scan: {timeout: soon}\n", "scan.timeout"},
		{"unknown provider type", "providers:\n  - {type: gogle_workspace}\n", `unknown provider type "gogle_workspace"`},
		{"missing provider type", "providers:\n  - {name: x}\n", "providers[0]: missing type"},
		{"duplicate names", "providers:\n  - {type: configtest, name: a}\n  - {type: configtest, name: a}\n", `provider name "a" is already used by providers[0]`},
		{"provider validate", "providers:\n  - {type: configtest, name: p, profile: invalid}\n", `providers[0] (p): profile: must not be "invalid"`},
		{"bad format", "output: {format: pdf}\n", `output.format: "pdf" is not one of`},
		{"bad fail_on", "output: {fail_on: severe}\n", `output.fail_on: "severe"`},
		{"bad severity override", "rules: {severity: {x: urgent}}\n", `rules.severity.x: "urgent"`},
		{"float id", "providers:\n  - {type: configtest, name: p, organization: {skip_accounts: [1.5]}}\n", "must be quoted"},
		{"providers not a list", "providers: {type: x}\n", "providers: must be a list"},
		{"section not a mapping", "scan: 5\n", "scan: must be a mapping"},
		{"bad keep", "state: {keep: forever}\n", `state.keep: "forever" is not a period`},
		{"output file format", "output: {files: [{format: pdf, path: x.pdf}]}\n", `output.files[0].format: "pdf"`},
		{"output file to stdout", "output: {files: [{format: json, path: \"-\"}]}\n", `output.files[0].path: must be a file path`},
		{"notify type", "notify: [{type: pager, url_env: X}]\n", `notify[0].type: "pager"`},
		{"notify url literal", "notify: [{type: slack}]\n", "notify[0]: set exactly one of url_file and url_env"},
		{"notify severity", "notify: [{type: slack, url_env: X, min_severity: urgent}]\n", `notify[0].min_severity: "urgent"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadWithEnv(write(t, tc.body), nil)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("error is %T, want *configs.Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestErrorLineNumbers(t *testing.T) {
	_, err := LoadWithEnv(write(t, base+"    regoins: [x]\n"), nil)
	if err == nil || !strings.Contains(err.Error(), ".yaml:12: providers[0] (aws-org): unknown key \"regoins\"") {
		t.Fatalf("want the line of the bad key, got %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := LoadWithEnv(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if err == nil || !strings.Contains(err.Error(), "config file not found") {
		t.Fatalf("got %v", err)
	}
}

// TestEnvOverridesEveryKey sets SHADOWSCAN_<PATH> for every documented top-level key and checks that the value
// reaches the decoded struct.
func TestEnvOverridesEveryKey(t *testing.T) {
	for _, l := range leaves(reflect.TypeOf(Config{}), "") {
		t.Run(l.path, func(t *testing.T) {
			val, want := sampleFor(t, l.path, l.typ)
			env := []string{envName(l.path) + "=" + val}
			cfg, err := LoadWithEnv(write(t, base), env)
			if err != nil {
				t.Fatalf("%s=%s: %v", envName(l.path), val, err)
			}
			got := fieldByPath(reflect.ValueOf(cfg).Elem(), strings.Split(l.path, "."))
			if strings.HasSuffix(l.path, "_file") || strings.HasSuffix(l.path, "extra_files") || l.path == "state.dir" || l.path == "check.report" {
				// Paths are resolved against the config folder.
				want = resolved(cfg.Dir, want)
			}
			if !reflect.DeepEqual(got.Interface(), want) {
				t.Errorf("%s: got %#v, want %#v", envName(l.path), got.Interface(), want)
			}
		})
	}
}

func TestEnvOverridesProviderKeys(t *testing.T) {
	env := []string{
		"SHADOWSCAN_PROVIDERS_0_REGIONS=us-west-2, eu-central-1",
		"SHADOWSCAN_PROVIDERS_0_PROFILE=prod",
		"SHADOWSCAN_PROVIDERS_0_ENABLED=true",
		"SHADOWSCAN_PROVIDERS_0_WAIT=90s",
		"SHADOWSCAN_PROVIDERS_0_ORGANIZATION_ROLE_NAME=Reader",
		"SHADOWSCAN_PROVIDERS_0_TIMEOUT=5m",
	}
	cfg, err := LoadWithEnv(write(t, base), env)
	if err != nil {
		t.Fatal(err)
	}
	pc := cfg.Providers[0].Config.(*fakeConfig)
	if !reflect.DeepEqual(pc.Regions, []string{"us-west-2", "eu-central-1"}) || pc.Profile != "prod" || !pc.Enabled ||
		pc.Wait != 90*time.Second || pc.Organization.RoleName != "Reader" || cfg.Providers[0].Timeout != 5*time.Minute {
		t.Errorf("provider overrides not applied: %+v timeout %s", pc, cfg.Providers[0].Timeout)
	}
	_, err = LoadWithEnv(write(t, base), []string{"SHADOWSCAN_SCAN_CONCURRENCY=many"})
	if err == nil || !strings.Contains(err.Error(), "SHADOWSCAN_SCAN_CONCURRENCY") {
		t.Errorf("a bad env value must name the variable, got %v", err)
	}
}

func resolved(dir string, v any) any {
	switch x := v.(type) {
	case string:
		return filepath.Join(dir, x)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = filepath.Join(dir, s)
		}
		return out
	}
	return v
}

// sampleFor returns an env string and the value it must decode to, valid for the key.
func sampleFor(t *testing.T, path string, typ reflect.Type) (string, any) {
	switch path {
	case "output.format":
		return "json", "json"
	case "output.fail_on":
		return "critical", "critical"
	case "scan.concurrency":
		return "7", 7
	case "state.keep":
		return "30d", "30d"
	case "output.file_mode":
		return "0640", fs.FileMode(0o640)
	case "check.request_to":
		return "it@example.com", "it@example.com"
	case "rules.severity":
		return "unapproved-martech=low", map[string]string{"unapproved-martech": "low"}
	}
	if typ == reflect.TypeOf(time.Duration(0)) {
		return "45m", 45 * time.Minute
	}
	switch typ.Kind() {
	case reflect.String:
		return "from-env", "from-env"
	case reflect.Bool:
		return "true", true
	case reflect.Int:
		return "9", 9
	case reflect.Slice:
		if path == "organization.domains" {
			return "a.example, b.example", []string{"a.example", "b.example"}
		}
		return "x1,x2", []string{"x1", "x2"}
	case reflect.Map:
		if typ.Elem().Kind() == reflect.Int {
			return "many_users=25", map[string]int{"many_users": 25}
		}
		return "Team=Growth,cost-center=mkt", map[string]string{"Team": "Growth", "cost-center": "mkt"}
	}
	t.Fatalf("no sample for %s (%s)", path, typ)
	return "", nil
}

func TestShippedConfigsLoad(t *testing.T) {
	for _, f := range []string{"example.yaml", "demo.yaml"} {
		if _, err := os.Stat(f); err != nil {
			t.Logf("%s not present yet", f)
			continue
		}
		if _, err := LoadWithEnv(f, nil); err != nil {
			// Providers of the example may not all be registered in this test binary.
			if !strings.Contains(err.Error(), "unknown provider type") {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}

func TestStateNotifyAndOutputFiles(t *testing.T) {
	body := base + `
output: {files: [{format: json, path: out/last.json}]}
state: {dir: state, keep: 30d}
notify:
  - {type: slack, url_env: SLACK_URL}
  - {type: webhook, name: siem, url_file: hook.url, min_severity: critical, only_new: false, timeout: 3s, max_attempts: 2}
`
	cfg, err := LoadWithEnv(write(t, body), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.State.Dir != filepath.Join(cfg.Dir, "state") || cfg.State.KeepFor != 30*24*time.Hour {
		t.Errorf("state = %+v", cfg.State)
	}
	if len(cfg.Output.Files) != 1 || cfg.Output.Files[0].Path != filepath.Join(cfg.Dir, "out/last.json") {
		t.Errorf("output.files = %+v", cfg.Output.Files)
	}
	s, w := cfg.Notify[0], cfg.Notify[1]
	if s.Name != "slack" || s.MinSeverity != "high" || !*s.OnlyNew || s.Timeout != 10*time.Second || s.MaxAttempts != 4 {
		t.Errorf("notify defaults not applied: %+v", s)
	}
	if w.Name != "siem" || w.MinSeverity != "critical" || *w.OnlyNew || w.Timeout != 3*time.Second || w.MaxAttempts != 2 ||
		w.URLFile != filepath.Join(cfg.Dir, "hook.url") {
		t.Errorf("notify settings not applied: %+v", w)
	}
	d, _ := LoadWithEnv(write(t, base), nil)
	if d.State.KeepFor != 90*24*time.Hour {
		t.Errorf("default keep = %s, want 90d", d.State.KeepFor)
	}
}

// TestExtractDemo: the embedded demo is the checked-out one, file for file, and its config loads from the copy.
func TestExtractDemo(t *testing.T) {
	dir := t.TempDir()
	path, err := ExtractDemo(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir("demo", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: not embedded as checked out (%v)", p, err)
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("walking demo/: %v (%d files)", err, n)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, mustRead(t, DemoConfig)) {
		t.Errorf("%s is not the embedded demo config", path)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
