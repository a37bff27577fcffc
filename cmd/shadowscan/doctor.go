package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/report"
)

// doctorTimeout bounds the checks of one provider when its config sets no timeout.
const doctorTimeout = 2 * time.Minute

func (a *app) doctorCmd() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check every configured provider's credentials and permissions, one cheap call each",
		Long: `For each configured provider: find the credentials, then make the cheapest call that proves each
permission it needs (PASS/FAIL per scope or action). A failure says which rules and coverage degrade and the exact
fix. Nothing is collected and no secret is printed. Exit codes: 0 every check passed; 1 a check failed;
2 usage or config error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := configs.LoadWithEnv(configPath, a.environ)
			if err != nil {
				return usageErr(err)
			}
			if err := cfg.RequireProviders(); err != nil {
				return usageErr(err)
			}
			failed := a.doctorPolicy(cfg)
			for _, pc := range cfg.Providers {
				failed += a.doctorProvider(cmd.Context(), cfg, pc)
			}
			if failed > 0 {
				fmt.Fprintf(a.stdout, "\n%d check(s) failed.\n", failed)
				return &exitError{code: exitFindings}
			}
			fmt.Fprintln(a.stdout, "\nEvery check passed.")
			return nil
		},
	}
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "config file (YAML)")
	_ = cmd.MarkFlagRequired("config")
	return cmd
}

// doctorProvider prints the checks of one provider instance and returns how many failed.
func (a *app) doctorProvider(ctx context.Context, cfg *configs.Config, pc configs.Provider) int {
	f, _ := scanner.Lookup(pc.Type)
	fmt.Fprintf(a.stdout, "%s (%s)\n", report.Clean(pc.Name), pc.Type)
	log := a.log.With().Str("component", "doctor").Str("provider", pc.Name).Logger()
	prov, err := f.New(pc.Config, scanner.Deps{Name: pc.Name, Logger: log, Diagnostics: &scanner.Diagnostics{},
		Org: cfg.Organization, Now: a.now})
	if err != nil {
		fmt.Fprintf(a.stdout, "  FAIL  setup: %s\n", report.Clean(err.Error()))
		return 1
	}
	checker, ok := prov.(scanner.PermissionChecker)
	if !ok {
		fmt.Fprintf(a.stdout, "  PASS  nothing to grant: %s\n", report.Clean(permissionSummary(f)))
		return 0
	}
	timeout := pc.Timeout
	if timeout <= 0 {
		timeout = doctorTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	failed := 0
	for _, c := range checker.CheckPermissions(cctx) {
		mark := "PASS"
		switch {
		case c.Skipped:
			mark = "SKIP"
		case !c.OK:
			mark = "FAIL"
			failed++
		}
		fmt.Fprintf(a.stdout, "  %s  %s: %s\n", mark, report.Clean(c.Permission), report.Clean(c.Detail))
		if mark == "FAIL" {
			if d := degrades(f, c.Permission); d != "" {
				fmt.Fprintf(a.stdout, "        without it: %s\n", report.Clean(d))
			}
		}
	}
	return failed
}

// degrades is what the provider declares is lost without a permission ("member 2222…: iam:X" is iam:X).
func degrades(f scanner.Factory, name string) string {
	if i := strings.LastIndex(name, ": "); i >= 0 {
		name = name[i+2:]
	}
	for _, p := range f.Permissions {
		if p.Name == name {
			return p.Degrades
		}
	}
	if name == "credentials" {
		return "the provider collects nothing: its coverage is failed"
	}
	return ""
}

func permissionSummary(f scanner.Factory) string {
	if len(f.Permissions) == 0 {
		return "it reads local files"
	}
	return f.Permissions[0].Name
}
