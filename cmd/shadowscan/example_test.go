package main

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/scanner"
)

// TestExampleDocumentsEveryKey checks that configs/example.yaml loads and shows every key of the config and of
// every registered provider (each provider type appears once in it), so the example cannot drift from the code.
func TestExampleDocumentsEveryKey(t *testing.T) {
	const path = "../../configs/example.yaml"
	cfg, err := configs.LoadWithEnv(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	missing := missingKeys(raw, reflect.TypeOf(configs.Config{}), "")
	seen := map[string]bool{}
	for i, p := range cfg.Providers {
		seen[p.Type] = true
		block := raw["providers"].([]any)[i].(map[string]any)
		missing = append(missing, missingKeys(block, reflect.TypeOf(p.Config).Elem(), "providers["+p.Type+"].")...)
	}
	for _, typ := range scanner.Types() {
		if !seen[typ] && !strings.HasPrefix(typ, "test_") {
			missing = append(missing, "provider type "+typ)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("configs/example.yaml does not document:\n  %s", strings.Join(missing, "\n  "))
	}
}

func missingKeys(raw map[string]any, t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if name == "" || name == "-" {
			continue
		}
		v, ok := raw[name]
		if !ok {
			out = append(out, prefix+name)
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Struct && ft.String() != "time.Time" {
			sub, _ := v.(map[string]any)
			out = append(out, missingKeys(sub, ft, prefix+name+".")...)
		}
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
			if items, _ := v.([]any); len(items) > 0 {
				sub, _ := items[0].(map[string]any)
				out = append(out, missingKeys(sub, ft.Elem(), prefix+name+"[0].")...)
			}
		}
	}
	return out
}
