package scanner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Provider collects records from one source.
type Provider interface {
	// Collect pushes records until done. It must return promptly when ctx is cancelled and must not call emit
	// after returning. A non-nil error from emit means stop and return it.
	// A returned error means the provider could not finish: records already emitted are kept and coverage is
	// partial (or failed if nothing was read). Problems the provider worked around go to Deps.Diagnostics.
	Collect(ctx context.Context, emit func(Record) error) error
}

// ProviderConfig is a provider's own typed settings. The config loader decodes the provider's YAML block into the
// value NewConfig returns (strictly: unknown keys are errors) and then calls Validate.
type ProviderConfig interface {
	Validate() error
}

// PathResolver is implemented by provider configs that hold file paths; the loader calls it so that relative paths
// are resolved against the config file's folder.
type PathResolver interface {
	ResolvePaths(resolve func(string) string)
}

// Permission is one read-only permission a provider needs, for `shadowscan permissions`, `shadowscan doctor` and
// the provider's README (a test keeps the README and the generated text in agreement).
type Permission struct {
	Name string // e.g. "iam:ListRoles" or "https://www.googleapis.com/auth/admin.directory.user.readonly"
	Why  string
	// Group gathers permissions generated together, e.g. one statement (its Sid) of an AWS IAM policy.
	Group string
	// Resource is what a generated policy grants the permission on; "" means "*".
	Resource string
	// Member marks what the role assumed in each member account of an organisation needs too.
	Member bool
	// Degrades says what is lost without the permission (the rules or coverage that suffer), for doctor.
	Degrades string
	// When names the settings under which the provider uses the permission ("mode: audit or both",
	// "cost_explorer: true"); "" means always. The config's UsesPermission decides it for one configuration.
	When string
}

// PermissionUser is implemented by provider configs whose permissions depend on their settings (a mode, an
// optional part, export files instead of the API): UsesPermission reports whether this configuration calls what p
// allows. Configs without it use every declared permission.
type PermissionUser interface {
	UsesPermission(p Permission) bool
}

// MemberAccounts is implemented by provider configs that may assume a role in other accounts (an AWS
// organisation): ScansMemberAccounts reports whether this configuration does, so that the member role's
// permissions (Permission.Member) are needed.
type MemberAccounts interface {
	ScansMemberAccounts() bool
}

// NeededPermissions are the declared permissions cfg uses, in declaration order.
func NeededPermissions(cfg ProviderConfig, perms []Permission) []Permission {
	pu, ok := cfg.(PermissionUser)
	if !ok {
		return perms
	}
	var out []Permission
	for _, p := range perms {
		if pu.UsesPermission(p) {
			out = append(out, p)
		}
	}
	return out
}

// Kinds of permission a provider declares (Factory.PermissionKind), which decide how they are rendered.
const (
	PermissionIAM        = "aws_iam"        // AWS IAM actions: rendered as policy JSON
	PermissionOAuthScope = "oauth_scope"    // Google OAuth scopes for domain-wide delegation
	PermissionGraphApp   = "graph_app_role" // Microsoft Graph application permissions
	PermissionNone       = "none"           // no credentials: files or public data
)

// Factory is one registered provider type, as the config loader and Run see it.
type Factory struct {
	Type        string
	Description string
	// NewConfig returns a pointer to the provider's config struct with defaults filled in.
	NewConfig func() ProviderConfig
	// New builds a provider from its validated config.
	New func(cfg ProviderConfig, d Deps) (Provider, error)
	// Permissions lists what the provider needs, least privilege.
	Permissions []Permission
	// Shape declares the record kinds and attributes the provider emits.
	Shape Shape
	// Shards says the provider partitions its own work by Deps.Shard in a sharded scan (users, accounts, domains,
	// files by a stable hash), emitting each record in exactly one shard. A provider without it is read whole by
	// one shard.
	Shards bool
	// PermissionKind says what Permissions are (one of the Permission* kinds); "" is PermissionNone.
	PermissionKind string
	// PermissionSetup is where and how the permissions are granted, printed by `shadowscan permissions`.
	PermissionSetup string
}

// Registration describes a provider type whose config is C (a pointer to the provider's config struct).
type Registration[C ProviderConfig] struct {
	Type        string
	Description string
	// NewConfig returns the provider's config with defaults filled in.
	NewConfig func() C
	// New builds a provider from its validated config.
	New func(cfg C, d Deps) (Provider, error)
	// Permissions lists what the provider needs, least privilege.
	Permissions []Permission
	// Shape declares the record kinds and attributes the provider emits; rules are checked against it.
	Shape Shape
	// Shards says the provider partitions its own work by Deps.Shard in a sharded scan (users, accounts, domains,
	// files by a stable hash), emitting each record in exactly one shard. A provider without it is read whole by
	// one shard.
	Shards bool
	// PermissionKind says what Permissions are (one of the Permission* kinds); "" is PermissionNone.
	PermissionKind string
	// PermissionSetup is where and how the permissions are granted (a sentence or two, e.g. where to enter the
	// delegation client ID), printed by `shadowscan permissions`.
	PermissionSetup string
}

// Deps is what Run hands a provider.
type Deps struct {
	Name        string         // the instance name from the config
	Logger      zerolog.Logger // already tagged with provider and provider_kind
	Diagnostics *Diagnostics   // where partial failures are reported
	Org         Organization   // what the scan knows about the organisation
	Now         func() time.Time
	// HTTPClient, when set, is the base client providers should wrap (tests inject one); nil means the default.
	HTTPClient *http.Client
	// StateDir is the state folder (state.dir) when one is configured, "" otherwise. A provider that keeps
	// checkpoints between scans (e.g. where an incremental sweep stopped) keeps them in its own subfolder,
	// filepath.Join(StateDir, "checkpoints", Name), written atomically; with "" it runs without checkpoints.
	StateDir string
	// Shard is this process's part of a sharded scan (see Factory.Shards); the zero value is the whole scan.
	Shard Shard
	// FullSweep: re-read everything now, whatever the checkpoints say (scan --full).
	FullSweep bool
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register adds a provider type. It is called from the provider package's init and panics on an incomplete or
// duplicate registration or a malformed shape, which are programming errors. The config the loader decoded is
// handed back to New as C, so providers need no type assertion.
func Register[C ProviderConfig](r Registration[C]) {
	if r.NewConfig == nil || r.New == nil {
		panic("scanner.Register: incomplete registration " + r.Type)
	}
	newConfig, build := r.NewConfig, r.New
	register(Factory{Type: r.Type, Description: r.Description, Permissions: r.Permissions, Shape: r.Shape, Shards: r.Shards,
		PermissionKind: r.PermissionKind, PermissionSetup: r.PermissionSetup,
		NewConfig: func() ProviderConfig { return newConfig() },
		New: func(cfg ProviderConfig, d Deps) (Provider, error) {
			c, ok := cfg.(C)
			if !ok {
				return nil, fmt.Errorf("%s: config is %T, want %T", r.Type, cfg, *new(C))
			}
			return build(c, d)
		}})
}

func register(f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if f.Type == "" {
		panic("scanner.Register: a provider type needs a name")
	}
	if err := f.Shape.validate(); err != nil && (f.Shape.Kinds != nil || f.Shape.Attributes != nil) {
		panic("scanner.Register: " + f.Type + ": " + err.Error())
	}
	if _, dup := registry[f.Type]; dup {
		panic("scanner.Register: duplicate provider type " + f.Type)
	}
	registry[f.Type] = f
}

// LookupProvider returns the factory whose config type lives in the same package as p's type: how a test helper
// finds the declarations a provider under test made.
func LookupProvider(p Provider) (Factory, bool) {
	pkg := pkgOf(p)
	registryMu.RLock()
	defer registryMu.RUnlock()
	for _, f := range registry {
		if pkg != "" && pkgOf(f.NewConfig()) == pkg {
			return f, true
		}
	}
	return Factory{}, false
}

func pkgOf(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	return t.PkgPath()
}

// Lookup returns the factory of a provider type.
func Lookup(typ string) (Factory, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	f, ok := registry[typ]
	return f, ok
}

// Types lists the registered provider types, sorted.
func Types() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Diagnostics collects what a provider could not read. It is safe for concurrent use.
type Diagnostics struct {
	mu      sync.Mutex
	errs    []CoverageError
	skipped []string
	dropped int
}

// maxDiagnostics caps the errors kept per provider; the rest are counted.
const maxDiagnostics = 200

// Error records that api could not be read for target. The provider goes on; coverage becomes partial.
func (d *Diagnostics) Error(api, target string, err error) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.errs) >= maxDiagnostics {
		d.dropped++
		return
	}
	msg := "unknown error"
	if err != nil {
		msg = err.Error()
	}
	d.errs = append(d.errs, CoverageError{API: api, Target: target, Message: msg})
}

// Skip records something deliberately not read (it does not make coverage partial).
func (d *Diagnostics) Skip(what string) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.skipped = append(d.skipped, what)
}

// Errors returns the recorded errors, with a closing line if some were dropped.
func (d *Diagnostics) Errors() []CoverageError {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := append([]CoverageError(nil), d.errs...)
	if d.dropped > 0 {
		out = append(out, CoverageError{Message: fmt.Sprintf("%d more errors not listed", d.dropped)})
	}
	return out
}

// Skipped returns what was deliberately not read.
func (d *Diagnostics) Skipped() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.skipped...)
}

// ErrStop is returned by emit when the scan no longer accepts records (cancelled, or the provider already returned).
var ErrStop = errors.New("scan stopped accepting records")
