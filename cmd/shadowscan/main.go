// Command shadowscan finds the marketing tools an organisation uses without IT's approval.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/configs"
	_ "github.com/shadowscan/shadowscan/providers/all"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

// Exit codes of scan (README.md, Exit codes). Precedence: usage > coverage > findings > clean.
const (
	exitClean    = 0
	exitFindings = 1
	exitUsage    = 2
	exitCoverage = 3
)

// exitError carries an exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }

// app holds what every subcommand shares: streams, the logger and the seams tests replace.
type app struct {
	stdout, stderr io.Writer
	stderrTTY      bool
	logLevel       string
	logFormat      string
	log            zerolog.Logger
	now            func() time.Time
	newID          func() string
	environ        []string
	// configSearch lists where check and serve look for a config after --config and SHADOWSCAN_CONFIG; tests
	// replace it so that they never read the real /etc or the user's config folder.
	configSearch func() []string
}

func newApp(stdout, stderr io.Writer) *app {
	a := &app{stdout: stdout, stderr: stderr, now: time.Now, environ: os.Environ()}
	a.configSearch = func() []string {
		dir, _ := os.UserConfigDir() // "" when HOME is unset: that place is left out
		return configs.SearchPaths(dir)
	}
	if f, ok := stderr.(*os.File); ok {
		a.stderrTTY = isTerminal(f)
	}
	a.newID = func() string {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		return a.now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
	}
	return a
}

func (a *app) getenv(k string) string {
	for _, kv := range a.environ {
		if key, v, ok := strings.Cut(kv, "="); ok && key == k {
			return v
		}
	}
	return ""
}

// buildLogger makes the one logger of the process: JSON on stderr, or console when stderr is a terminal.
func (a *app) buildLogger() error {
	lvl, err := zerolog.ParseLevel(strings.ToLower(a.logLevel))
	if err != nil || a.logLevel == "" {
		return usageErr(fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", a.logLevel))
	}
	format := a.logFormat
	if format == "" {
		format = "json"
		if a.stderrTTY {
			format = "console"
		}
	}
	var w io.Writer
	switch format {
	case "json":
		w = a.stderr
	case "console":
		w = zerolog.ConsoleWriter{Out: a.stderr, TimeFormat: "15:04:05", NoColor: !a.stderrTTY || a.getenv("NO_COLOR") != ""}
	default:
		return usageErr(fmt.Errorf("--log-format: %q is not json or console", format))
	}
	// Providers log from many goroutines; SyncWriter keeps lines whole on any writer, not just os.Stderr.
	a.log = zerolog.New(zerolog.SyncWriter(w)).With().Timestamp().Str("app", "shadowscan").Logger().Level(lvl)
	return nil
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "shadowscan",
		Short:         "Find the marketing tools your organisation uses without IT's approval",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.buildLogger()
		},
	}
	// --version prints what `shadowscan version` prints; the catalogue and rules are read only when it is asked.
	root.Version = version
	root.SetVersionTemplate("{{.Version}}")
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().StringVar(&a.logFormat, "log-format", "", "log format: json or console (default: console on a terminal, else json)")
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(a.scanCmd(), a.permissionsCmd(), a.doctorCmd(), a.initCmd(), a.checkCmd(), a.serveCmd(), a.catalogCmd(), a.rulesCmd(), a.historyCmd(), a.reportCmd(), a.versionCmd(), a.manCmd())
	return root
}

// execute runs the CLI and returns the process exit code.
func (a *app) execute(ctx context.Context, args []string) int {
	root := a.rootCmd()
	root.SetArgs(args)
	if slices.Contains(args, "--version") && !slices.Contains(args, "--") {
		root.Version = getVersionInfo().text()
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitClean
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(a.stderr, "shadowscan:", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors (unknown command, bad arguments) are usage errors.
	fmt.Fprintln(a.stderr, "shadowscan:", err)
	return exitUsage
}

func main() {
	os.Exit(newApp(os.Stdout, os.Stderr).execute(context.Background(), os.Args[1:]))
}
