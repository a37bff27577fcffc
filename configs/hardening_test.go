package configs

import (
	"io/fs"
	"strings"
	"testing"
	"time"
)

// Issue 13 defects 4, 5, 9 and 10 and the file_mode key: each case is an error naming where, with a suggestion.
func TestHostileConfigs(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		env        []string
		want       []string // substrings of the error
	}{
		{name: "bare number duration", body: "scan: {timeout: 30}\n",
			want: []string{":1:", "scan.timeout", "30 has no unit", "30s", "30m"}},
		{name: "bare float duration", body: "scan: {timeout: 1.5}\n", want: []string{"scan.timeout", "no unit"}},
		{name: "bare number provider duration", body: base + "    wait: 10\n",
			want: []string{"providers[0] (aws-org)", "wait", "10 has no unit", "10s"}},
		{name: "bare number provider timeout", body: base + "    timeout: 300\n",
			want: []string{"providers[0] (aws-org)", "timeout", "300 has no unit", "300s"}},
		{name: "bare number duration from env", body: base, env: []string{"SHADOWSCAN_SCAN_TIMEOUT=30"},
			want: []string{"SHADOWSCAN_SCAN_TIMEOUT", "30 has no unit", "30m"}},
		{name: "not a mapping", body: "just some text\n", want: []string{":1:", "not a shadowscan config"}},
		{name: "passwd line", body: "root:*:1:0:::\n", want: []string{":1:", "unknown key"}},
		{name: "unknown key without value", body: "scan:\n  timout:\n" + base,
			want: []string{":2:", `unknown key "timout"`, `did you mean "timeout"`}},
		{name: "unknown top-level key without value", body: "outptu:\n" + base, want: []string{":1:", `"outptu"`, `"output"`}},
		{name: "env misspelt key", body: base, env: []string{"SHADOWSCAN_SCAN_TIMOUT=5m"},
			want: []string{"SHADOWSCAN_SCAN_TIMOUT", "no such config key", "did you mean SHADOWSCAN_SCAN_TIMEOUT?"}},
		{name: "env provider index out of range", body: base, env: []string{"SHADOWSCAN_PROVIDERS_9_REGIONS=x"},
			want: []string{"SHADOWSCAN_PROVIDERS_9_REGIONS", "no providers[9]", "1 provider"}},
		{name: "env unknown provider key", body: base, env: []string{"SHADOWSCAN_PROVIDERS_0_REGION=x"},
			want: []string{"SHADOWSCAN_PROVIDERS_0_REGION", "did you mean SHADOWSCAN_PROVIDERS_0_REGIONS?"}},
		{name: "file mode decimal", body: "output: {file_mode: 640}\n", want: []string{"output.file_mode", "quote it in octal"}},
		{name: "file mode junk", body: "output: {file_mode: \"rw-r--r--\"}\n", want: []string{"output.file_mode", "not a file mode"}},
		{name: "file mode env junk", body: base, env: []string{"SHADOWSCAN_OUTPUT_FILE_MODE=999"}, want: []string{"SHADOWSCAN_OUTPUT_FILE_MODE", "not a file mode"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadWithEnv(write(t, tc.body), tc.env)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestEnvNonKeyVariablesAreLeftAlone(t *testing.T) {
	if _, err := LoadWithEnv(write(t, base), []string{"SHADOWSCAN_CONFIG=/etc/x.yaml", "OTHER_X=1"}); err != nil {
		t.Fatal(err)
	}
}

func TestNoProvidersIsAnError(t *testing.T) {
	cfg, err := LoadWithEnv(write(t, "organization: {name: X}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.RequireProviders(); err == nil || !strings.Contains(err.Error(), "providers: none configured") {
		t.Errorf("RequireProviders = %v", err)
	}
	cfg, err = LoadWithEnv(write(t, base), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.RequireProviders(); err != nil {
		t.Error(err)
	}
}

func TestFileModeAndDurations(t *testing.T) {
	for _, tc := range []struct {
		body string
		want fs.FileMode
	}{
		{"output: {file_mode: \"0640\"}\n", 0o640},
		{"output: {file_mode: 0640}\n", 0o640}, // YAML reads an unquoted leading zero as octal
		{"output: {file_mode: \"0o644\"}\n", 0o644},
		{"scan: {timeout: 5m}\n", 0o600},
	} {
		cfg, err := LoadWithEnv(write(t, tc.body), nil)
		if err != nil {
			t.Fatalf("%q: %v", tc.body, err)
		}
		if cfg.Output.FileMode != tc.want {
			t.Errorf("%q: file_mode %o, want %o", tc.body, cfg.Output.FileMode, tc.want)
		}
	}
	cfg, err := LoadWithEnv(write(t, "scan: {timeout: 90s}\n"), nil)
	if err != nil || cfg.Scan.Timeout != 90*time.Second {
		t.Fatalf("timeout %v, %v", cfg.Scan.Timeout, err)
	}
}
