package scanner

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// A provider's shape is checked when it registers: kinds are required, every attribute needs a name, a meaning
// and a known type, names only its own kinds and is declared once per kind; a replaying provider declares
// nothing.
func TestShapeValidate(t *testing.T) {
	a := func(name string, typ AttrType, kinds ...string) Attribute {
		return Attr(name, typ, "what "+name+" means", kinds...)
	}
	for _, tc := range []struct {
		name  string
		shape Shape
		err   string
	}{
		{"kinds and attributes", Shape{Kinds: []string{"k1", "k2"}, Attributes: []Attribute{a("x", TypeString), a("y", TypeBool, "k2")}}, ""},
		{"kinds only", Shape{Kinds: []string{"k1"}}, ""},
		{"replays", Shape{Replays: true}, ""},
		{"no kinds", Shape{}, "no record kinds declared"},
		{"attributes without kinds", Shape{Attributes: []Attribute{a("x", TypeString)}}, "no record kinds declared"},
		{"replays with kinds", Shape{Replays: true, Kinds: []string{"k1"}}, "a replaying provider declares no kinds or attributes"},
		{"replays with attributes", Shape{Replays: true, Attributes: []Attribute{a("x", TypeString)}}, "a replaying provider declares no kinds"},
		{"no name", Shape{Kinds: []string{"k1"}, Attributes: []Attribute{a("", TypeString)}}, `attribute "": want a name, a meaning and one of the types`},
		{"no meaning", Shape{Kinds: []string{"k1"}, Attributes: []Attribute{{Name: "x", Type: TypeString}}}, `attribute "x": want a name, a meaning`},
		{"unknown type", Shape{Kinds: []string{"k1"}, Attributes: []Attribute{a("x", "map")}}, `attribute "x": want a name`},
		{"foreign kind", Shape{Kinds: []string{"k1"}, Attributes: []Attribute{a("x", TypeInt, "k9")}}, `attribute "x": kind "k9" is not one of the provider's kinds [k1]`},
		{"twice", Shape{Kinds: []string{"k1", "k2"}, Attributes: []Attribute{a("x", TypeInt, "k2"), a("x", TypeDouble)}}, `attribute "x" declared twice for kind "k2"`},
		{"same name on other kinds", Shape{Kinds: []string{"k1", "k2"}, Attributes: []Attribute{a("x", TypeInt, "k1"), a("x", TypeDouble, "k2")}}, ""},
	} {
		err := tc.shape.validate()
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.err)
		}
	}
	for _, typ := range AttrTypes {
		if err := (Shape{Kinds: []string{"k"}, Attributes: []Attribute{a("x", typ)}}).validate(); err != nil {
			t.Errorf("type %s refused: %v", typ, err)
		}
	}
}

// TypeOf names the CEL type of every value a provider may store, and "" for what rules cannot read.
func TestTypeOf(t *testing.T) {
	for v, want := range map[any]AttrType{"s": TypeString, true: TypeBool, 1: TypeInt, int32(1): TypeInt, int64(1): TypeInt,
		float32(1): TypeDouble, 1.5: TypeDouble, uint(1): "", nil: ""} {
		if got := TypeOf(v); got != want {
			t.Errorf("TypeOf(%#v) = %q, want %q", v, got, want)
		}
	}
	if TypeOf([]string{"a"}) != TypeStrings || TypeOf([]int{1}) != "" || TypeOf(map[string]any{}) != "" {
		t.Error("lists: only []string is a list(string)")
	}
}

// CheckRecord names what a record carries that its provider did not declare; a replaying provider accepts all.
func TestShapeCheckRecord(t *testing.T) {
	s := Shape{Kinds: []string{KindOAuthGrant, KindExpense}, Attributes: []Attribute{
		Attr("revoked", TypeBool, "the grant was revoked", KindOAuthGrant), Attr("source", TypeString, "where it was read")}}
	for _, tc := range []struct {
		rec Record
		err string
	}{
		{Record{ID: "r1", Kind: KindOAuthGrant, Attributes: map[string]any{"revoked": true, "source": "tokens"}}, ""},
		{Record{ID: "r2", Kind: KindExpense, Attributes: map[string]any{"source": "csv"}}, ""},
		{Record{ID: "r3", Kind: KindExpense}, ""},
		{Record{ID: "r4", Kind: KindDNSRecord}, `record r4: kind "dns_record" is not declared (declared: [oauth_grant expense])`},
		{Record{ID: "r5", Kind: KindExpense, Attributes: map[string]any{"revoked": true}}, `record r5 (expense): attribute "revoked" is not declared`},
		{Record{ID: "r6", Kind: KindOAuthGrant, Attributes: map[string]any{"revoked": "yes"}}, `record r6 (oauth_grant): attribute "revoked" is string, declared bool`},
	} {
		err := s.CheckRecord(&tc.rec)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || err.Error() != tc.err) {
			t.Errorf("%s: %v; want %q", tc.rec.ID, err, tc.err)
		}
	}
	if err := (Shape{Replays: true}).CheckRecord(&Record{ID: "x", Kind: "anything", Attributes: map[string]any{"a": 1}}); err != nil {
		t.Errorf("a replaying shape refused a record: %v", err)
	}
	if a, ok := s.Attribute(KindExpense, "source"); !ok || a.Type != TypeString {
		t.Errorf("source on expense (declared for every kind): %+v %v", a, ok)
	}
	if _, ok := s.Attribute(KindExpense, "revoked"); ok {
		t.Error("revoked is declared on grants only")
	}
}

type shapedConfig struct{}

func (shapedConfig) Validate() error { return nil }

func (shapedConfig) UsesPermission(p Permission) bool { return !strings.HasPrefix(p.Name, "unused") }

type shapedProvider struct{}

func (shapedProvider) Collect(context.Context, func(Record) error) error { return nil }

func init() {
	Register(Registration[shapedConfig]{Type: "zz_shaped_b", NewConfig: func() shapedConfig { return shapedConfig{} },
		New: func(shapedConfig, Deps) (Provider, error) { return shapedProvider{}, nil },
		Shape: Shape{Kinds: []string{"zz_kind", KindOAuthGrant}, Attributes: []Attribute{
			Attr("zz_attr", TypeString, "a test attribute"), Attr("zz_grant", TypeBool, "grants only", KindOAuthGrant)}}})
	Register(Registration[shapedConfig]{Type: "zz_shaped_a", NewConfig: func() shapedConfig { return shapedConfig{} },
		New:   func(shapedConfig, Deps) (Provider, error) { return shapedProvider{}, nil },
		Shape: Shape{Kinds: []string{"zz_kind"}, Attributes: []Attribute{Attr("zz_attr", TypeInt, "another meaning")}}})
}

// What registered providers declare is readable as a whole: every kind once, sorted; every attribute by name
// with the providers that declare it, sorted by provider type, and the kinds filled in.
func TestDeclared(t *testing.T) {
	kinds := DeclaredKinds()
	if !slices.IsSorted(kinds) || !slices.Contains(kinds, "zz_kind") || !slices.Contains(kinds, KindOAuthGrant) {
		t.Errorf("declared kinds %v", kinds)
	}
	if n := len(slices.Compact(slices.Clone(kinds))); n != len(kinds) {
		t.Errorf("declared kinds repeat: %v", kinds)
	}
	d := Declared()
	want := []DeclaredAttribute{
		{Provider: "zz_shaped_a", Attribute: Attribute{Name: "zz_attr", Type: TypeInt, Meaning: "another meaning", Kinds: []string{"zz_kind"}}},
		{Provider: "zz_shaped_b", Attribute: Attribute{Name: "zz_attr", Type: TypeString, Meaning: "a test attribute", Kinds: []string{"zz_kind", KindOAuthGrant}}},
	}
	if got := d["zz_attr"]; !reflect.DeepEqual(got, want) {
		t.Errorf("zz_attr declared by\n%+v\nwant\n%+v", got, want)
	}
	if got := d["zz_grant"]; len(got) != 1 || !reflect.DeepEqual(got[0].Kinds, []string{KindOAuthGrant}) {
		t.Errorf("zz_grant %+v", got)
	}
}

// The registry: types listed sorted; a factory found by type, or by a provider value from the same package as
// its config; incomplete registrations are refused; a config of the wrong type is an error from New, not a panic.
func TestRegistry(t *testing.T) {
	types := Types()
	if !slices.IsSorted(types) || !slices.Contains(types, "zz_shaped_a") || !slices.Contains(types, "fake") {
		t.Errorf("types %v", types)
	}
	if f, ok := LookupProvider(shapedProvider{}); !ok || pkgOf(f.NewConfig()) != pkgOf(shapedProvider{}) {
		t.Errorf("LookupProvider found %q %v", f.Type, ok)
	}
	if _, ok := LookupProvider(unnamedProvider(nil)); ok {
		t.Error("a provider of no package was found")
	}
	for _, tc := range []struct {
		v    any
		want string
	}{{(*Record)(nil), "github.com/shadowscan/shadowscan/scanner"}, {new(*zerolog.Logger), "github.com/rs/zerolog"},
		{zerolog.Logger{}, "github.com/rs/zerolog"}, {nil, ""}, {1, ""}} {
		if got := pkgOf(tc.v); got != tc.want {
			t.Errorf("pkgOf(%T) = %q, want %q", tc.v, got, tc.want)
		}
	}
	f, _ := Lookup("zz_shaped_a")
	if _, err := f.New(&fakeConfig{}, Deps{}); err == nil || !strings.Contains(err.Error(), "zz_shaped_a: config is *scanner.fakeConfig, want scanner.shapedConfig") {
		t.Errorf("New with another type's config: %v", err)
	}
	for name, r := range map[string]Registration[shapedConfig]{
		"no NewConfig": {Type: "zz_bad", New: func(shapedConfig, Deps) (Provider, error) { return nil, nil }},
		"no New":       {Type: "zz_bad", NewConfig: func() shapedConfig { return shapedConfig{} }},
		"no type":      {NewConfig: func() shapedConfig { return shapedConfig{} }, New: func(shapedConfig, Deps) (Provider, error) { return nil, nil }},
		"bad shape": {Type: "zz_bad", NewConfig: func() shapedConfig { return shapedConfig{} }, New: func(shapedConfig, Deps) (Provider, error) { return nil, nil },
			Shape: Shape{Kinds: []string{"k"}, Attributes: []Attribute{{Name: "x"}}}},
		"duplicate": {Type: "zz_shaped_a", NewConfig: func() shapedConfig { return shapedConfig{} }, New: func(shapedConfig, Deps) (Provider, error) { return nil, nil }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: registered without a panic", name)
				}
			}()
			Register(r)
		}()
	}
	if _, ok := Lookup("zz_bad"); ok {
		t.Error("a refused registration is in the registry")
	}
}

// unnamedProvider is a provider whose dynamic type is a pointer to an unnamed type (no package).
func unnamedProvider(p *struct{ Provider }) Provider { return p }

// NeededPermissions: all declared permissions, unless the config says which it uses (in declaration order).
func TestNeededPermissions(t *testing.T) {
	perms := []Permission{{Name: "a"}, {Name: "unused-b"}, {Name: "c"}}
	if got := NeededPermissions(&fakeConfig{}, perms); !reflect.DeepEqual(got, perms) {
		t.Errorf("a config that does not choose: %v", got)
	}
	if got := NeededPermissions(shapedConfig{}, perms); !reflect.DeepEqual(got, []Permission{{Name: "a"}, {Name: "c"}}) {
		t.Errorf("a config that chooses: %v", got)
	}
}

// A provider that reads files checks each can be opened, naming the file and the error; empty names are none.
func TestCheckFilesReadable(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.csv")
	if err := os.WriteFile(ok, []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.csv")
	got := CheckFilesReadable(ok, "", missing)
	if len(got) != 2 || got[0] != (PermissionCheck{Permission: "read " + ok, OK: true, Detail: "export mode: no API call"}) ||
		got[1].Permission != "read "+missing || got[1].OK || !strings.Contains(got[1].Detail, "no such file") {
		t.Errorf("checks %+v", got)
	}
	if CheckFilesReadable() != nil {
		t.Error("no files: no checks")
	}
}

// Run's log: each provider's end at info when complete, warn when partial, error when failed, with its status.
func TestProviderFinishedLogLevel(t *testing.T) {
	var buf bytes.Buffer
	opts := testOpts(t, fake("ok", &fakeConfig{Records: 2}), fake("half", &fakeConfig{Records: 5, FailAfter: 2}),
		Instance{Name: "e", Type: "err", Config: errConfig{}})
	opts.Logger = zerolog.New(zerolog.SyncWriter(&buf)) // providers log from their own goroutines
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var e struct{ Level, Message, Provider, Status string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if e.Message == "provider finished" {
			levels[e.Provider] = e.Level + " " + e.Status
		}
	}
	want := map[string]string{"ok": "info complete", "half": "warn partial", "e": "error failed"}
	if !reflect.DeepEqual(levels, want) {
		t.Errorf("provider finished at %v, want %v", levels, want)
	}
}

// Progress counts each provider's records live and records its status when it ends, in configuration order.
func TestProgress(t *testing.T) {
	var p Progress
	if got, d := p.Snapshot(); len(got) != 0 || d != 0 {
		t.Errorf("before the scan: %v %v", got, d)
	}
	opts := testOpts(t, fake("b", &fakeConfig{Records: 3}), Instance{Name: "a", Type: "err", Config: errConfig{}}, fake("c", &fakeConfig{}))
	opts.Progress = &p
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	got, d := p.Snapshot()
	want := []ProviderProgress{{"b", 3, CoverageComplete}, {"a", 0, CoverageFailed}, {"c", 0, CoverageComplete}}
	if !reflect.DeepEqual(got, want) || d <= 0 || d > time.Hour {
		t.Errorf("progress %+v after %v; want %+v", got, d, want)
	}
}

// IsPerson: users are people, services, accounts, tenants and roles are not; a principal of no stated type is a
// person when it has an email or a name.
func TestIsPerson(t *testing.T) {
	for p, want := range map[Principal]bool{
		{Type: "user"}: true, {Type: "service", Email: "svc@x"}: false, {Type: "account"}: false, {Type: "tenant"}: false,
		{Type: "role"}: false, {Email: "a@x"}: true, {Name: "Ann"}: true, {ID: "42"}: false, {}: false, {Type: "group", Name: "g"}: true,
	} {
		if p.IsPerson() != want {
			t.Errorf("%+v: IsPerson %v", p, !want)
		}
	}
}

// One unknown app spelt two ways (in case only) is one group whose value is the smallest spelling, whichever
// record arrived first; so is its name.
func TestUnidentifiedValueIndependentOfArrivalOrder(t *testing.T) {
	rec := func(id, v string) Record {
		return Record{Provider: "p", Kind: KindOAuthGrant, ID: id, Hints: []Hint{{Type: HintName, Value: v}}}
	}
	for _, order := range [][]string{{"mystery tool", "Mystery Tool", "MYSTERY TOOL"}, {"MYSTERY TOOL", "mystery tool", "Mystery Tool"}} {
		a := newAccumulator(Options{MaxEvidence: 4})
		for i, v := range order {
			r := rec(string(rune('a'+i)), v)
			a.add(context.Background(), &r)
		}
		rep := a.finish(context.Background())
		if len(rep.Unidentified) != 1 || rep.Unidentified[0].Value != "MYSTERY TOOL" || rep.Unidentified[0].Name != "MYSTERY TOOL" {
			t.Errorf("arrival %v: %+v", order, rep.Unidentified)
		}
	}
}
