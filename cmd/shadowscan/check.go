package main

import (
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/web"
)

// loadCheckPipeline builds the catalogue, resolver and approvals for check and serve. Without a config there is
// no approved-tools file, so every vendor reads as not approved.
func (a *app) loadCheckPipeline(configPath string) (*pipeline, error) {
	p, _, _, err := a.discoverCheckPipeline(configPath)
	return p, err
}

// discoverCheckPipeline finds the config as check and serve do (--config, SHADOWSCAN_CONFIG, ./shadowscan.yaml,
// the user's config folder, /etc/shadowscan) and builds the pipeline from it; found says which one, if any.
func (a *app) discoverCheckPipeline(configPath string) (*pipeline, *configs.Config, configs.Found, error) {
	found, err := configs.Discover(configPath, a.environ, a.configSearch())
	if err != nil {
		return nil, nil, found, usageErr(err)
	}
	cfg := configs.Defaults()
	if found.Path != "" {
		c, err := configs.LoadWithEnv(found.Path, a.environ)
		if err != nil {
			return nil, nil, found, usageErr(err)
		}
		cfg = *c
	}
	p, err := a.loadPolicy(&cfg)
	if err != nil {
		return nil, nil, found, usageErr(err)
	}
	p.fileMode = cfg.Output.FileMode
	return p, &cfg, found, nil
}

// checkerFor builds check's and serve's checker for a report, with what the config says about where requests go.
func (a *app) checkerFor(p *pipeline, cfg *configs.Config, found configs.Found) func(*scanner.Report) *check.Checker {
	return func(rep *scanner.Report) *check.Checker {
		c := p.newChecker(rep)
		c.Config, c.NoConfig, c.RequestTo = found.Describe(), found.Path == "", cfg.Check.RequestTo
		return c
	}
}

func (a *app) checkCmd() *cobra.Command {
	var configPath, reportPath, stateDir, format, requestPath string
	cmd := &cobra.Command{
		Use:               "check QUERY",
		ValidArgsFunction: a.vendorCompletion,
		Short:             "Is this tool approved? What do we already own, who uses it, what access does it ask for?",
		Long: `QUERY is a vendor name, a domain or URL, a Google or Microsoft OAuth consent URL, a Google client ID, an
Entra application ID or an AWS account ID. Nothing is fetched: URLs are only parsed.
Without --config, the config is $SHADOWSCAN_CONFIG, else ./shadowscan.yaml, else shadowscan/shadowscan.yaml in the
user's config folder, else /etc/shadowscan/shadowscan.yaml; the answer names the one used.
Exit codes: 0 approved or tolerated; 1 needs IT approval (not approved, under review, approval expired, unknown
vendor, scopes beyond the approved ceiling, or no config found); 2 usage error; 4 banned.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(check.Formats, format) {
				return usageErr(fmt.Errorf("--format: %q is not one of %s", format, strings.Join(check.Formats, ", ")))
			}
			p, cfg, found, err := a.discoverCheckPipeline(configPath)
			if err != nil {
				return err
			}
			rep, err := a.lastReport(cmd.Context(), reportPath, stateDir, cfg)
			if err != nil {
				return usageErr(err)
			}
			res, err := a.checkerFor(p, cfg, found)(rep).Check(strings.Join(args, " "))
			if err != nil {
				return usageErr(err)
			}
			if requestPath != "" {
				if err := check.WriteRequestFile(requestPath, p.fileMode, res); err != nil {
					return usageErr(err)
				}
			}
			if err := check.Write(a.stdout, format, res, a.tableWidth("-")); err != nil {
				return err
			}
			if res.ExitCode != 0 {
				return &exitError{code: res.ExitCode}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&configPath, "config", "c", "", "config file (default: $SHADOWSCAN_CONFIG, ./shadowscan.yaml, the user config folder, /etc/shadowscan)")
	fl.StringVar(&reportPath, "report", "", "last scan report (JSON): who here already uses the tool, and the spend (default: the state's last scan, else check.report)")
	fl.StringVar(&stateDir, "state-dir", "", "state folder whose last scan answers who uses the tool (default: state.dir of the config)")
	fl.StringVarP(&format, "format", "f", "text", "output: "+strings.Join(check.Formats, "|"))
	fl.StringVar(&requestPath, "request", "", "write the request for IT (Markdown) to this file")
	return cmd
}

func (a *app) serveCmd() *cobra.Command {
	var configPath, reportPath, addr, tokenFile, historyDir, stateDir string
	var allowedHosts []string
	var allowPublic bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the self-check page and its JSON API (127.0.0.1:8080 by default)",
		Long: `Serve the self-check page: a search box with the same verdict as "shadowscan check", a request for IT
to copy, and the inventory of the last report. API: /api/check?q=, /api/catalog/search?q=, /api/report/summary,
/healthz. People's names and emails need "Authorization: Bearer <token>" with the token from --token-file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, cfg, found, err := a.discoverCheckPipeline(configPath)
			if err != nil {
				return err
			}
			if reportPath == "" {
				reportPath = cfg.Check.Report
			}
			token := ""
			if tokenFile != "" {
				if token, err = web.ReadTokenFile(tokenFile); err != nil {
					return usageErr(err)
				}
			}
			log := a.log.With().Str("component", "serve").Logger()
			warning, err := web.CheckExposure(addr, token != "", allowPublic)
			if err != nil {
				return usageErr(fmt.Errorf("serve: %w", err))
			}
			if warning != "" {
				log.Warn().Str("addr", addr).Bool("token", token != "").Msg(warning)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if found.Path == "" {
				log.Warn().Str("config", found.Describe()).Msg("no config: the page gives no approval verdicts")
			} else {
				log.Info().Str("config", found.Path).Str("from", found.How).Msg("config")
			}
			if stateDir == "" && historyDir == "" {
				stateDir = cfg.State.Dir
			}
			var trend func() ([]web.TrendPoint, error)
			if stateDir != "" {
				trend = func() ([]web.TrendPoint, error) { return stateTrend(ctx, stateDir) }
			}
			h := web.New(web.Options{NewChecker: a.checkerFor(p, cfg, found), CategoryName: p.catalog.CategoryName,
				ReportPath: reportPath, HistoryDir: historyDir,
				Trend: trend, Token: token, AllowedHosts: allowedHosts, Logger: log})
			return web.Serve(ctx, addr, h, log)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&configPath, "config", "c", "", "config file (default: $SHADOWSCAN_CONFIG, ./shadowscan.yaml, the user config folder, /etc/shadowscan)")
	fl.StringVar(&reportPath, "report", "", "last scan report (JSON), reloaded when it changes (default: check.report)")
	fl.StringVar(&addr, "addr", web.DefaultAddr, "listen address")
	fl.StringVar(&tokenFile, "token-file", "", "file whose first line is the bearer token that unlocks people's names")
	fl.StringVar(&historyDir, "history", "", "folder of past JSON reports, for the trend (without a state)")
	fl.StringVar(&stateDir, "state-dir", "", "state folder whose scans give the trend (default: state.dir of the config)")
	fl.StringSliceVar(&allowedHosts, "allowed-host", nil, "host names the page may be reached by (besides localhost and IPs)")
	fl.BoolVar(&allowPublic, "allow-public-without-token", false, "listen on a non-loopback --addr without --token-file (the exposure is intended)")
	return cmd
}
