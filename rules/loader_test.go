package rules

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wants reads the "# want: <substring>" lines of a test file.
func wants(data []byte) (subs []string, builtin bool) {
	for _, l := range strings.Split(string(data), "\n") {
		if s, ok := strings.CutPrefix(l, "# want: "); ok {
			subs = append(subs, strings.TrimSpace(s))
		}
		if strings.TrimSpace(l) == "# builtin: true" {
			builtin = true
		}
	}
	return subs, builtin
}

// TestInvalidRuleFiles loads every file in testdata/invalid and checks each "# want:" substring appears in the
// error. Adding a case needs no Go code.
func TestInvalidRuleFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			subs, withBuiltin := wants(data)
			if len(subs) == 0 {
				t.Fatalf("%s has no '# want:' line", f)
			}
			var lerr error
			if withBuiltin {
				_, lerr = Load(Options{ExtraFiles: []string{f}})
			} else {
				_, lerr = LoadFiles(map[string][]byte{f: data})
			}
			if lerr == nil {
				t.Fatalf("%s loaded without error", f)
			}
			for _, s := range subs {
				if !strings.Contains(lerr.Error(), s) {
					t.Errorf("error does not contain %q:\n%v", s, lerr)
				}
			}
			t.Logf("\n%v", lerr)
		})
	}
}

// TestValidRuleFiles loads every file in testdata/valid together with the built-in pack and runs its examples.
func TestValidRuleFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	rs, err := Load(Options{ExtraFiles: files})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rs.Rules {
		if r.Builtin {
			continue
		}
		n++
		for _, res := range RunRuleExamples(context.Background(), r) {
			if !res.OK {
				t.Error(res)
			} else if res.Match != nil {
				t.Logf("%s: %s", res, res.Match.Message)
			}
		}
	}
	if n == 0 {
		t.Fatal("no user rules loaded")
	}
}

func TestOptions(t *testing.T) {
	rs, err := Load(Options{Disable: []string{"vendor-in-review"}, Severity: map[string]string{"redundant-tool": "LOW"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rs.Rule("vendor-in-review"); ok {
		t.Error("disabled rule still present")
	}
	r, _ := rs.Rule("redundant-tool")
	if r.Severity != "low" || r.DefaultSeverity != "info" {
		t.Errorf("severity override: got %s (default %s)", r.Severity, r.DefaultSeverity)
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Disable: []string{"banned-vendr"}}, `rules.disable: no rule with id "banned-vendr" (did you mean "banned-vendor"?)`},
		{Options{Severity: map[string]string{"banned-vendor": "severe"}}, `rules.severity.banned-vendor: "severe" is not one of`},
		{Options{Severity: map[string]string{"nope": "low"}}, `rules.severity: no rule with id "nope"`},
		{Options{ExtraFiles: []string{"testdata/does-not-exist.yaml"}}, "testdata/does-not-exist.yaml: reading rules:"},
	} {
		_, err := Load(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
	// Overriding the severity of a disabled rule is not an error.
	if _, err := Load(Options{Disable: []string{"banned-vendor"}, Severity: map[string]string{"banned-vendor": "low"}}); err != nil {
		t.Error(err)
	}
}

// TestKindsOf checks the kind pre-filter extracted from `when`.
func TestKindsOf(t *testing.T) {
	ev, err := stageEnvs()
	if err != nil {
		t.Fatal(err)
	}
	for expr, want := range map[string]string{
		`record.kind == "oauth_grant" && vendor.known`:                                "oauth_grant",
		`vendor.known && "expense" == record.kind`:                                    "expense",
		`record.kind in ["expense", "saas_subscription"] && vendor.known`:             "expense,saas_subscription",
		`record.kind in ["expense", "saas_subscription"] && record.kind == "expense"`: "expense",
		`record.kind == "oauth_grant" || vendor.known`:                                "",
		`vendor.known`:                             "",
		`!(record.kind == "oauth_grant")`:          "",
		`record.kind == "a" && record.kind == "b"`: "-",
	} {
		a, iss := ev.byStage[StageRecord].Compile(expr)
		if iss.Err() != nil {
			t.Fatal(iss.Err())
		}
		k := kindsOf(a)
		var got string
		switch {
		case k == nil:
			got = ""
		case len(k) == 0:
			got = "-"
		default:
			var ks []string
			for x := range k {
				ks = append(ks, x)
			}
			sortStrings(ks)
			got = strings.Join(ks, ",")
		}
		if got != want {
			t.Errorf("kindsOf(%s) = %q, want %q", expr, got, want)
		}
	}
}

func TestKnownOf(t *testing.T) {
	ev, err := stageEnvs()
	if err != nil {
		t.Fatal(err)
	}
	for expr, want := range map[string]int{
		`vendor.known`:                                 1,
		`record.kind == "x" && vendor.known`:           1,
		`record.kind == "x" && !vendor.known`:          -1,
		`!vendor.known && record.hasHint("name")`:      -1,
		`vendor.known || record.kind == "x"`:           0,
		`!(vendor.known && record.kind == "x")`:        0,
		`vendor.known == false`:                        0,
		`record.kind == "x" && (vendor.known || true)`: 0,
	} {
		a, iss := ev.byStage[StageRecord].Compile(expr)
		if iss.Err() != nil {
			t.Fatal(iss.Err())
		}
		if got := knownOf(a); got != want {
			t.Errorf("knownOf(%s) = %d, want %d", expr, got, want)
		}
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
