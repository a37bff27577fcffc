package all

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

var snake = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TestProviderContract holds every registered provider to the registration contract, so a new provider gets it
// by adding its line to all.go: a description, a config with defaults, least-privilege permissions, a declared
// shape (record kinds and typed, explained attributes) and a README, whose permissions-by-setting table is true
// when permissions depend on settings. What its records look like at run time is
// checked by scannertest.Collect in the provider's own tests (declared kinds, attributes and types; hint types
// the resolver knows).
func TestProviderContract(t *testing.T) {
	types := scanner.Types()
	if len(types) < 6 {
		t.Fatalf("only %d providers registered: %v", len(types), types)
	}
	for _, typ := range types {
		t.Run(typ, func(t *testing.T) {
			f, ok := scanner.Lookup(typ)
			if !ok || f.Type != typ || !snake.MatchString(typ) {
				t.Fatalf("registration %q: lookup %v, type %q", typ, ok, f.Type)
			}
			if strings.TrimSpace(f.Description) == "" {
				t.Error("no Description")
			}
			cfg := f.NewConfig()
			if cfg == nil || reflect.ValueOf(cfg).Kind() != reflect.Pointer || reflect.ValueOf(cfg).IsNil() {
				t.Fatalf("NewConfig returned %T, want a non-nil pointer with defaults", cfg)
			}
			if f.NewConfig() == cfg {
				t.Error("NewConfig returns a shared value; want a fresh config per call")
			}
			if len(f.Permissions) == 0 {
				t.Error("no Permissions (a provider that needs none says so in one entry, as dns does)")
			}
			for _, p := range f.Permissions {
				if p.Name == "" || p.Why == "" {
					t.Errorf("permission %+v: want a name and why", p)
				}
			}
			s := f.Shape
			if !s.Replays && len(s.Kinds) == 0 {
				t.Error("no Shape: declare the record kinds and attributes the provider emits")
			}
			for _, k := range s.Kinds {
				if !snake.MatchString(k) {
					t.Errorf("kind %q is not lower_snake_case", k)
				}
			}
			for _, a := range s.Attributes {
				if !snake.MatchString(a.Name) {
					t.Errorf("attribute %q is not lower_snake_case", a.Name)
				}
			}
			dir := filepath.Base(reflect.TypeOf(cfg).Elem().PkgPath())
			readme := filepath.Join("..", dir, "README.md")
			if _, err := os.Stat(readme); err != nil {
				t.Errorf("providers/%s/README.md: %v (what it collects, permissions, config keys)", dir, err)
			}
			if slices.ContainsFunc(f.Permissions, func(p scanner.Permission) bool { return p.When != "" }) {
				// Permissions that depend on settings: the README's table says which settings need which.
				scannertest.CheckPermissionsByMode(t, readme, f.NewConfig, f.Permissions)
			}
		})
	}
}
