// Package configs loads shadowscan's YAML configuration. It is the only package, with cmd/, that imports viper.
// Decoding is strict: an unknown or misspelled key anywhere, provider settings included, is an error that names its
// path. Every key can be overridden from the environment as SHADOWSCAN_<PATH> (providers by index:
// SHADOWSCAN_PROVIDERS_0_REGIONS). Each provider decodes and validates its own typed settings.
package configs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/outfile"
	"github.com/shadowscan/shadowscan/scanner/report"
	"github.com/shadowscan/shadowscan/scanner/textdist"
)

// EnvPrefix is the prefix of environment overrides.
const EnvPrefix = "SHADOWSCAN"

// Config is the decoded, validated configuration.
type Config struct {
	Organization scanner.Organization `mapstructure:"organization"`
	Policy       Policy               `mapstructure:"policy"`
	Catalog      Catalog              `mapstructure:"catalog"`
	Rules        Rules                `mapstructure:"rules"`
	Scan         Scan                 `mapstructure:"scan"`
	Output       Output               `mapstructure:"output"`
	State        State                `mapstructure:"state"`
	Notify       []Notify             `mapstructure:"notify"`
	Check        Check                `mapstructure:"check"`
	Providers    []Provider           `mapstructure:"-"`

	// File is the config file's path and Dir its folder; relative paths in the file are resolved against Dir.
	File string `mapstructure:"-"`
	Dir  string `mapstructure:"-"`
}

// Policy names the organisation's approvals-as-code files.
type Policy struct {
	ApprovedFile     string `mapstructure:"approved_file"`
	SuppressionsFile string `mapstructure:"suppressions_file"`
}

// Catalog extends the built-in vendor catalogue.
type Catalog struct {
	ExtraFiles []string `mapstructure:"extra_files"`
}

// Rules adjusts the rule engine.
type Rules struct {
	ExtraFiles []string          `mapstructure:"extra_files"`
	Disable    []string          `mapstructure:"disable"`
	Severity   map[string]string `mapstructure:"severity"`
	// Thresholds are numbers rules read as org.thresholds.<name>, e.g. many_users.
	Thresholds map[string]int `mapstructure:"thresholds"`
}

// Scan bounds the collection.
type Scan struct {
	Concurrency int           `mapstructure:"concurrency"`
	Timeout     time.Duration `mapstructure:"timeout"`
}

// Output says where and how the report goes.
type Output struct {
	Format    string `mapstructure:"format"`
	Path      string `mapstructure:"path"`
	FailOn    string `mapstructure:"fail_on"`
	FailOnNew bool   `mapstructure:"fail_on_new"`
	// Files are more reports written from the same scan, each in its own format.
	Files []OutputFile `mapstructure:"files"`
	// FileMode is the permission of new report and request files (octal, "0600" by default: they hold people's
	// emails). An existing file keeps its own mode.
	FileMode fs.FileMode `mapstructure:"file_mode"`
}

// OutputFile is one more report file: a format and a path.
type OutputFile struct {
	Format string `mapstructure:"format"`
	Path   string `mapstructure:"path"`
}

// State is the embedded database that remembers scans: history, the automatic baseline, first_seen across scans,
// and providers' checkpoints.
type State struct {
	Dir  string `mapstructure:"dir"`  // empty: no state
	Keep string `mapstructure:"keep"` // how long scans are kept, e.g. 90d; "0" keeps everything
	// KeepFor is Keep parsed; 0 keeps everything.
	KeepFor time.Duration `mapstructure:"-"`
}

// Notify is one alert channel.
type Notify struct {
	Type        string `mapstructure:"type"`         // webhook | slack | teams
	Name        string `mapstructure:"name"`         // default: the type
	URLFile     string `mapstructure:"url_file"`     // a file holding the URL (a secret: never logged)
	URLEnv      string `mapstructure:"url_env"`      // or an environment variable holding it
	MinSeverity string `mapstructure:"min_severity"` // default high
	OnlyNew     *bool  `mapstructure:"only_new"`     // default true: only findings new since the baseline
	// ReportURL is where the HTML report is published, linked from the message.
	ReportURL   string        `mapstructure:"report_url"`
	Timeout     time.Duration `mapstructure:"timeout"`      // per attempt; default 10s
	MaxAttempts int           `mapstructure:"max_attempts"` // default 4
}

// Check configures marketing ops' self-check (`shadowscan check`, `shadowscan serve`).
type Check struct {
	// RequestTo is where requests for IT go: an email address or the http(s) URL of a form or ticket queue.
	RequestTo string `mapstructure:"request_to"`
	// Report is the last scan's JSON report, read when --report is not given.
	Report string `mapstructure:"report"`
}

// NotifyTypes lists the alert channel types.
var NotifyTypes = []string{"webhook", "slack", "teams"}

// Provider is one configured provider instance with its own decoded settings.
type Provider struct {
	Type    string
	Name    string
	Timeout time.Duration
	Config  scanner.ProviderConfig
}

// Defaults returns the configuration used for keys the file leaves out.
func Defaults() Config {
	return Config{
		Scan:   Scan{Concurrency: 4, Timeout: 30 * time.Minute},
		Output: Output{Format: "table", Path: "-", FailOn: "high", FileMode: outfile.DefaultMode},
		Rules:  Rules{Thresholds: map[string]int{"many_users": 10}},
		State:  State{Keep: "90d"},
	}
}

// Formats lists the report formats scan can write.
var Formats = report.Formats

// FailOnLevels lists the accepted fail_on values.
var FailOnLevels = []string{"critical", "high", "medium", "low", "info", "none"}

// Error is a configuration error; cmd maps it to exit code 2.
type Error struct {
	File string
	Line int // 0 when unknown
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	if e.File != "" {
		return e.File + ": " + e.Msg
	}
	return e.Msg
}

// RequireProviders is the error of a config that configures no provider: a scan of nothing is not "clean".
func (c *Config) RequireProviders() error {
	if len(c.Providers) > 0 {
		return nil
	}
	return &Error{File: c.File, Msg: fmt.Sprintf("providers: none configured, so there is nothing to scan; "+
		"add at least one (types: %s; see configs/example.yaml, or run shadowscan init)", strings.Join(scanner.Types(), ", "))}
}

// Load reads, overrides from the environment, decodes and validates the config file at path.
func Load(path string) (*Config, error) {
	return LoadWithEnv(path, os.Environ())
}

// LoadWithEnv is Load with an explicit environment ("KEY=value" strings), for tests.
func LoadWithEnv(path string, environ []string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{File: path, Msg: "config file not found"}
		}
		return nil, &Error{File: path, Msg: err.Error()}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	l := &loader{file: path, env: envMap(environ), used: map[string]bool{}}
	doc, err := yamlpos.Parse(path, data)
	if err != nil {
		var ye *yamlpos.Error
		if errors.As(err, &ye) {
			return nil, &Error{File: path, Line: ye.Line, Msg: ye.Msg}
		}
		return nil, &Error{File: path, Msg: err.Error()}
	}
	l.doc = doc
	// Any text file parses as YAML; a config is a mapping of keys (or empty).
	if doc.Root != nil && doc.Root.Kind != yaml.MappingNode {
		return nil, &Error{File: path, Line: doc.Root.Line,
			Msg: "not a shadowscan config: expected a mapping of keys such as organization, scan and providers (see configs/example.yaml)"}
	}
	cfg := Defaults()
	cfg.File, cfg.Dir = path, filepath.Dir(abs)
	if err := l.decode(data, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

type loader struct {
	file string
	doc  *yamlpos.Doc
	env  map[string]string
	used map[string]bool // environment variables that overrode a key
}

// NonKeyEnv are SHADOWSCAN_ variables that are not config keys (read by the CLI itself), so that the check for
// misspelled overrides leaves them alone.
var NonKeyEnv = []string{"SHADOWSCAN_CONFIG"}

func envMap(environ []string) map[string]string {
	m := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvPrefix+"_") {
			m[k] = v
		}
	}
	return m
}

func (l *loader) errf(path string, format string, args ...any) error {
	return &Error{File: l.file, Line: l.doc.LineOf(path), Msg: fmt.Sprintf(format, args...)}
}

func (l *loader) decode(data []byte, cfg *Config) error {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return &Error{File: l.file, Msg: err.Error()}
	}
	// Environment overrides for every documented top-level key. Values are converted to the key's type here so
	// that decoding can stay strict about the types written in the file.
	// Maps replace the file's map wholesale and keep their keys' case, so they are set after decoding.
	mapOverrides := map[string]any{}
	for _, leaf := range leaves(reflect.TypeOf(Config{}), "") {
		if val, ok := l.env[envName(leaf.path)]; ok {
			l.used[envName(leaf.path)] = true
			conv, err := fromEnv(val, leaf.typ)
			if err != nil {
				return &Error{Msg: fmt.Sprintf("environment %s: %v", envName(leaf.path), err)}
			}
			if leaf.typ.Kind() == reflect.Map {
				mapOverrides[leaf.path] = conv
				continue
			}
			v.Set(leaf.path, conv)
		}
	}
	raw := v.AllSettings()
	rawProviders, _ := raw["providers"].([]any)
	if p, ok := raw["providers"]; ok && p != nil && rawProviders == nil {
		return l.errf("providers", "providers: must be a list of provider blocks")
	}
	delete(raw, "providers")

	if err := l.checkKeys(raw, reflect.TypeOf(Config{}), ""); err != nil {
		return err
	}
	// viper drops keys without a value ("timout:"); the file itself still has them.
	var fileRaw map[string]any
	if l.doc.Root != nil && l.doc.Root.Decode(&fileRaw) == nil {
		fileRaw = lowerKeys(fileRaw)
		delete(fileRaw, "providers")
		if err := l.checkKeys(fileRaw, reflect.TypeOf(Config{}), ""); err != nil {
			return err
		}
	}
	if err := l.strictDecode(raw, cfg, ""); err != nil {
		return err
	}
	// viper lower-cases map keys; AWS tag keys are case-sensitive, so take them from the file itself.
	if _, fromEnv := l.env[envName("organization.marketing.aws_tags")]; !fromEnv {
		if n := l.doc.Lookup("organization.marketing.aws_tags"); n != nil && n.Kind == yaml.MappingNode {
			tags := map[string]string{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				tags[n.Content[i].Value] = n.Content[i+1].Value
			}
			cfg.Organization.Marketing.AWSTags = tags
		}
	}
	for path, conv := range mapOverrides {
		field := fieldByPath(reflect.ValueOf(cfg).Elem(), strings.Split(path, "."))
		field.Set(reflect.Zero(field.Type()))
		if err := mapstructure.Decode(conv, field.Addr().Interface()); err != nil {
			return &Error{Msg: fmt.Sprintf("environment %s: %v", envName(path), err)}
		}
	}
	if err := l.validate(cfg); err != nil {
		return err
	}
	resolve := func(p string) string {
		if p == "" || p == "-" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(cfg.Dir, p)
	}
	cfg.Policy.ApprovedFile = resolve(cfg.Policy.ApprovedFile)
	cfg.Policy.SuppressionsFile = resolve(cfg.Policy.SuppressionsFile)
	cfg.State.Dir = resolve(cfg.State.Dir)
	cfg.Check.Report = resolve(cfg.Check.Report)
	for i := range cfg.Output.Files {
		cfg.Output.Files[i].Path = resolve(cfg.Output.Files[i].Path)
	}
	for i := range cfg.Notify {
		cfg.Notify[i].URLFile = resolve(cfg.Notify[i].URLFile)
	}
	for i := range cfg.Catalog.ExtraFiles {
		cfg.Catalog.ExtraFiles[i] = resolve(cfg.Catalog.ExtraFiles[i])
	}
	for i := range cfg.Rules.ExtraFiles {
		cfg.Rules.ExtraFiles[i] = resolve(cfg.Rules.ExtraFiles[i])
	}
	if err := l.decodeProviders(rawProviders, cfg, resolve); err != nil {
		return err
	}
	return l.checkEnv(cfg)
}

// checkEnv refuses SHADOWSCAN_ variables that override nothing: a misspelled key, a key the provider does not
// have, or a provider index the file does not have. The same mistakes in the file are errors too.
func (l *loader) checkEnv(cfg *Config) error {
	var unused []string
	named := map[string]bool{} // variables the config itself names (a notify channel's url_env)
	for _, n := range cfg.Notify {
		named[n.URLEnv] = true
	}
	for k := range l.env {
		if !l.used[k] && !slices.Contains(NonKeyEnv, k) && !named[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) == 0 {
		return nil
	}
	sort.Strings(unused)
	known := []string{}
	for _, leaf := range leaves(reflect.TypeOf(Config{}), "") {
		known = append(known, envName(leaf.path))
	}
	for i, p := range cfg.Providers {
		f, _ := scanner.Lookup(p.Type)
		for _, leaf := range append(leaves(reflect.TypeOf(f.NewConfig()).Elem(), ""), leafTimeout) {
			known = append(known, envName(fmt.Sprintf("providers.%d.%s", i, leaf.path)))
		}
	}
	name := unused[0]
	prefix := EnvPrefix + "_PROVIDERS_"
	if rest, ok := strings.CutPrefix(name, prefix); ok {
		idx, _, _ := strings.Cut(rest, "_")
		if n, err := strconv.Atoi(idx); err == nil && (n < 0 || n >= len(cfg.Providers)) {
			return &Error{Msg: fmt.Sprintf("environment %s: there is no providers[%d] (the config has %d provider(s); "+
				"providers are overridden by position, from 0)", name, n, len(cfg.Providers))}
		}
	}
	msg := fmt.Sprintf("environment %s: no such config key", name)
	if best := textdist.Nearest(name, known, 3); best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", best)
	}
	return &Error{Msg: msg}
}

// lowerKeys lower-cases mapping keys at every level, as viper does, so the file's own keys can be checked.
func lowerKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			v = lowerKeys(x)
		case []any:
			items := make([]any, len(x))
			for i, it := range x {
				if sub, ok := it.(map[string]any); ok {
					it = lowerKeys(sub)
				}
				items[i] = it
			}
			v = items
		}
		out[strings.ToLower(k)] = v
	}
	return out
}

func (l *loader) validate(cfg *Config) error {
	if !slices.Contains(Formats, cfg.Output.Format) {
		return l.errf("output.format", "output.format: %q is not one of %s", cfg.Output.Format, strings.Join(Formats, ", "))
	}
	if !slices.Contains(FailOnLevels, cfg.Output.FailOn) {
		return l.errf("output.fail_on", "output.fail_on: %q is not one of %s", cfg.Output.FailOn, strings.Join(FailOnLevels, ", "))
	}
	if cfg.Scan.Concurrency < 1 || cfg.Scan.Concurrency > 64 {
		return l.errf("scan.concurrency", "scan.concurrency: must be between 1 and 64, got %d", cfg.Scan.Concurrency)
	}
	if err := ValidateRequestTo(cfg.Check.RequestTo); err != nil {
		return l.errf("check.request_to", "check.request_to: %v", err)
	}
	if cfg.Scan.Timeout <= 0 {
		return l.errf("scan.timeout", "scan.timeout: must be positive, got %s", cfg.Scan.Timeout)
	}
	for i, of := range cfg.Output.Files {
		p := fmt.Sprintf("output.files[%d]", i)
		if !slices.Contains(Formats, of.Format) {
			return l.errf(p+".format", "%s.format: %q is not one of %s", p, of.Format, strings.Join(Formats, ", "))
		}
		if of.Path == "" || of.Path == "-" {
			return l.errf(p+".path", "%s.path: must be a file path (stdout is output.path)", p)
		}
	}
	keep, err := ParseKeep(cfg.State.Keep)
	if err != nil {
		return l.errf("state.keep", "state.keep: %v", err)
	}
	cfg.State.KeepFor = keep
	for i := range cfg.Notify {
		n := &cfg.Notify[i]
		p := fmt.Sprintf("notify[%d]", i)
		if !slices.Contains(NotifyTypes, n.Type) {
			return l.errf(p+".type", "%s.type: %q is not one of %s", p, n.Type, strings.Join(NotifyTypes, ", "))
		}
		if n.Name == "" {
			n.Name = n.Type
		}
		if (n.URLFile == "") == (n.URLEnv == "") {
			return l.errf(p, "%s: set exactly one of url_file and url_env (the URL is a secret, never written in the config)", p)
		}
		if n.MinSeverity == "" {
			n.MinSeverity = scanner.SeverityHigh
		}
		if scanner.SeverityRank(n.MinSeverity) == 0 {
			return l.errf(p+".min_severity", "%s.min_severity: %q is not one of %s", p, n.MinSeverity, strings.Join(scanner.Severities, ", "))
		}
		if n.OnlyNew == nil {
			t := true
			n.OnlyNew = &t
		}
		if n.Timeout < 0 || n.MaxAttempts < 0 {
			return l.errf(p, "%s: timeout and max_attempts must not be negative", p)
		}
		if n.Timeout == 0 {
			n.Timeout = 10 * time.Second
		}
		if n.MaxAttempts == 0 {
			n.MaxAttempts = 4
		}
	}
	for rule, sev := range cfg.Rules.Severity {
		if scanner.SeverityRank(sev) == 0 {
			return l.errf("rules.severity", "rules.severity.%s: %q is not one of %s", rule, sev, strings.Join(scanner.Severities, ", "))
		}
	}
	for _, d := range cfg.Organization.Domains {
		if d == "" || strings.ContainsAny(d, " /:@") {
			return l.errf("organization.domains", "organization.domains: %q is not a domain name", d)
		}
	}
	return nil
}

// commonProviderKeys are handled by the loader for every provider.
var commonProviderKeys = []string{"type", "name", "timeout"}

func (l *loader) decodeProviders(raw []any, cfg *Config, resolve func(string) string) error {
	names := map[string]int{}
	for i, item := range raw {
		path := fmt.Sprintf("providers[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			return l.errf(path, "%s: must be a mapping with at least a type, got %T", path, item)
		}
		typ, _ := m["type"].(string)
		if typ == "" {
			return l.errf(path, "%s: missing type (one of %s)", path, strings.Join(scanner.Types(), ", "))
		}
		f, ok := scanner.Lookup(typ)
		if !ok {
			return l.errf(path+".type", "%s: unknown provider type %q (known: %s)%s", path, typ,
				strings.Join(scanner.Types(), ", "), didYouMean(typ, scanner.Types()))
		}
		name, _ := m["name"].(string)
		if name == "" {
			name = typ
		}
		label := fmt.Sprintf("%s (%s)", path, name)
		if j, dup := names[name]; dup {
			return l.errf(path+".name", "%s: provider name %q is already used by providers[%d]; give each instance its own name", label, name, j)
		}
		names[name] = i

		pcfg := f.NewConfig()
		if rt := reflect.TypeOf(pcfg); rt == nil || rt.Kind() != reflect.Pointer || rt.Elem().Kind() != reflect.Struct {
			return fmt.Errorf("provider type %s: NewConfig must return a pointer to a struct, got %T (programming error)", typ, pcfg)
		}
		// Environment overrides by index: SHADOWSCAN_PROVIDERS_<i>_<KEY>.
		prefix := fmt.Sprintf("providers.%d.", i)
		for _, leaf := range append(leaves(reflect.TypeOf(pcfg).Elem(), ""), leafTimeout) {
			val, ok := l.env[envName(prefix+leaf.path)]
			if !ok {
				continue
			}
			l.used[envName(prefix+leaf.path)] = true
			conv, err := fromEnv(val, leaf.typ)
			if err != nil {
				return &Error{Msg: fmt.Sprintf("environment %s: %v", envName(prefix+leaf.path), err)}
			}
			setPath(m, strings.Split(leaf.path, "."), conv)
		}
		p := Provider{Type: typ, Name: name}
		if t, ok := m["timeout"]; ok {
			var d time.Duration
			if err := l.strictDecode(map[string]any{"timeout": t}, &struct {
				T *time.Duration `mapstructure:"timeout"`
			}{&d}, path+"."); err != nil {
				return relabelErr(err, path, label)
			}
			if d <= 0 {
				return l.errf(path+".timeout", "%s: timeout: %q is not a positive duration like 10m", label, fmt.Sprint(t))
			}
			p.Timeout = d
		}
		rest := map[string]any{}
		for k, v := range m {
			if !slices.Contains(commonProviderKeys, k) {
				rest[k] = v
			}
		}
		relabel := func(err error) error { return relabelErr(err, path, label) }
		if err := l.checkKeys(rest, reflect.TypeOf(pcfg).Elem(), path+"."); err != nil {
			return relabel(err)
		}
		if err := l.strictDecode(rest, pcfg, path+"."); err != nil {
			return relabel(err)
		}
		if pr, ok := pcfg.(scanner.PathResolver); ok {
			pr.ResolvePaths(resolve)
		}
		if err := pcfg.Validate(); err != nil {
			return l.errf(path, "%s: %v", label, err)
		}
		p.Config = pcfg
		cfg.Providers = append(cfg.Providers, p)
	}
	return nil
}

// relabelErr names a provider by label ("providers[2] (aws-org)") instead of its bare path in a config error.
func relabelErr(err error, path, label string) error {
	var ce *Error
	if errors.As(err, &ce) {
		msg := strings.TrimPrefix(strings.TrimPrefix(ce.Msg, path+": "), path+".")
		ce.Msg = label + ": " + msg
	}
	return err
}

var leafTimeout = leaf{path: "timeout", typ: reflect.TypeOf(time.Duration(0))}

// strictDecode decodes raw into out; type errors name the key path.
func (l *loader) strictDecode(raw map[string]any, out any, prefix string) error {
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		Result:      out,
		ErrorUnused: true,
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			durationHook,
			fileModeHook,
			intToStringHook,
		),
	})
	if err != nil {
		return err
	}
	if err := dec.Decode(raw); err != nil {
		var de *mapstructure.DecodeError
		if errors.As(err, &de) {
			p := prefix + de.Name()
			return l.errf(p, "%s: wrong type: %v", p, de.Unwrap())
		}
		return &Error{File: l.file, Msg: strings.ReplaceAll(err.Error(), "\n", " ")}
	}
	return nil
}

var (
	durationType = reflect.TypeOf(time.Duration(0))
	fileModeType = reflect.TypeOf(fs.FileMode(0))
)

// durationHook parses "30m"-style strings. A bare number is refused: time.Duration would read 30 as 30ns.
func durationHook(from, to reflect.Type, data any) (any, error) {
	if to != durationType {
		return data, nil
	}
	switch from.Kind() {
	case reflect.String:
		d, err := time.ParseDuration(data.(string))
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration like 30s or 30m", data)
		}
		return d, nil
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Float32, reflect.Float64:
		return nil, bareNumberError(data)
	}
	return data, nil
}

func bareNumberError(n any) error {
	return fmt.Errorf("%v has no unit; write %vs for seconds or %vm for minutes", n, n, n)
}

// fileModeHook reads a permission: a quoted octal string ("0640") or the number YAML made of an unquoted 0640.
// An unquoted 640 is decimal to YAML, so it is refused rather than misread.
func fileModeHook(from, to reflect.Type, data any) (any, error) {
	if to != fileModeType {
		return data, nil
	}
	var n uint64
	switch from.Kind() {
	case reflect.String:
		m, err := parseFileMode(data.(string))
		if err != nil {
			return nil, err
		}
		return m, nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		v := reflect.ValueOf(data).Int()
		if v < 0 {
			return nil, fmt.Errorf("%d is not a file mode like \"0600\"", v)
		}
		n = uint64(v)
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		n = reflect.ValueOf(data).Uint()
	default:
		return data, nil
	}
	if n == 0 || n > 0o777 || n > math.MaxUint32 {
		return nil, fmt.Errorf("%d is not a file mode; quote it in octal, like \"0600\"", n)
	}
	return fs.FileMode(n), nil
}

func parseFileMode(s string) (fs.FileMode, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0o"), "0O")
	n, err := strconv.ParseUint(t, 8, 32)
	if err != nil || n == 0 || n > 0o777 {
		return 0, fmt.Errorf("%q is not a file mode like \"0600\" (octal, at most 0777)", s)
	}
	return fs.FileMode(n), nil
}

// intToStringHook lets unquoted numbers (AWS account IDs, customer IDs) fill string fields. Floats are refused:
// YAML has already lost their exact text (leading zeros), so the user must quote them.
func intToStringHook(from, to reflect.Type, data any) (any, error) {
	if to.Kind() != reflect.String {
		return data, nil
	}
	switch from.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64:
		return fmt.Sprint(data), nil
	case reflect.Float32, reflect.Float64:
		return nil, fmt.Errorf("number %v must be quoted to be read as text (IDs with leading zeros lose them otherwise)", data)
	}
	return data, nil
}

// checkKeys reports the first key in raw that t does not declare, with its full path and a suggestion.
func (l *loader) checkKeys(raw map[string]any, t reflect.Type, prefix string) error {
	fields := structFields(t)
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	for _, k := range keys {
		ft, ok := fields[k]
		if !ok {
			where := strings.TrimSuffix(prefix, ".")
			msg := fmt.Sprintf("unknown key %q%s", k, didYouMean(k, known))
			if where != "" {
				msg = where + ": " + msg
			}
			return l.errf(prefix+k, "%s", msg)
		}
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.Struct:
			if ft == reflect.TypeOf(time.Time{}) {
				continue
			}
			sub, ok := raw[k].(map[string]any)
			if !ok {
				if raw[k] == nil {
					continue
				}
				return l.errf(prefix+k, "%s%s: must be a mapping, got %s", prefix, k, describe(raw[k]))
			}
			if err := l.checkKeys(sub, ft, prefix+k+"."); err != nil {
				return err
			}
		case reflect.Slice:
			et := ft.Elem()
			if et.Kind() != reflect.Struct {
				continue
			}
			items, _ := raw[k].([]any)
			for i, it := range items {
				sub, ok := it.(map[string]any)
				if !ok {
					return l.errf(fmt.Sprintf("%s%s[%d]", prefix, k, i), "%s%s[%d]: must be a mapping, got %s", prefix, k, i, describe(it))
				}
				if err := l.checkKeys(sub, et, fmt.Sprintf("%s%s[%d].", prefix, k, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	case bool:
		return "a boolean"
	case int, int64, float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// structFields maps the mapstructure keys of struct t to their types.
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("mapstructure")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "squash") {
			for k, v := range structFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

type leaf struct {
	path string
	typ  reflect.Type
}

// leaves lists every settable key path of struct t (nested structs flattened with dots).
func leaves(t reflect.Type, prefix string) []leaf {
	var out []leaf
	fields := structFields(t)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		ft := fields[k]
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
			continue // lists of blocks (output.files, notify) are set in the file, like providers
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}) {
			out = append(out, leaves(ft, prefix+k+".")...)
			continue
		}
		out = append(out, leaf{path: prefix + k, typ: ft})
	}
	return out
}

// envName is the environment variable that overrides a key path: scan.timeout → SHADOWSCAN_SCAN_TIMEOUT.
func envName(path string) string {
	r := strings.NewReplacer(".", "_", "-", "_")
	return EnvPrefix + "_" + strings.ToUpper(r.Replace(path))
}

// fromEnv converts an environment string to the type of the key it overrides.
func fromEnv(val string, t reflect.Type) (any, error) {
	if t == durationType {
		if _, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			return nil, bareNumberError(strings.TrimSpace(val))
		}
		d, err := time.ParseDuration(val)
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration like 30s or 30m", val)
		}
		return d.String(), nil
	}
	if t == fileModeType {
		m, err := parseFileMode(val)
		if err != nil {
			return nil, err
		}
		return fmt.Sprintf("%#o", uint32(m)), nil
	}
	switch t.Kind() {
	case reflect.String:
		return val, nil
	case reflect.Bool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", val)
		}
		return b, nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", val)
		}
		return n, nil
	case reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", val)
		}
		return f, nil
	case reflect.Slice:
		out := []any{}
		for _, part := range strings.Split(val, ",") {
			if part = strings.TrimSpace(part); part != "" {
				conv, err := fromEnv(part, t.Elem())
				if err != nil {
					return nil, err
				}
				out = append(out, conv)
			}
		}
		return out, nil
	case reflect.Map:
		out := map[string]any{}
		for _, part := range strings.Split(val, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			k, v, ok := strings.Cut(part, "=")
			if !ok {
				return nil, fmt.Errorf("%q: expected key=value pairs separated by commas", val)
			}
			conv, err := fromEnv(strings.TrimSpace(v), t.Elem())
			if err != nil {
				return nil, err
			}
			out[strings.TrimSpace(k)] = conv
		}
		return out, nil
	}
	return nil, fmt.Errorf("keys of type %s cannot be set from the environment", t)
}

// ParseKeep reads a retention period: a Go duration (2160h) or a number of days (90d); "0" or "" keeps everything.
func ParseKeep(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days like 90d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a period like 90d or 2160h", s)
	}
	return d, nil
}

// fieldByPath finds the struct field at a mapstructure key path.
func fieldByPath(v reflect.Value, path []string) reflect.Value {
	for _, p := range path {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("mapstructure"), ","); name == p {
				v = v.Field(i)
				break
			}
		}
	}
	return v
}

func setPath(m map[string]any, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
	m[path[len(path)-1]] = v
}

// didYouMean suggests the closest known word, if it is close.
func didYouMean(s string, known []string) string {
	if best := textdist.Nearest(s, known, 2); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}
