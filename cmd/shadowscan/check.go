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
	cfg := configs.Defaults()
	if configPath != "" {
		c, err := configs.LoadWithEnv(configPath, a.environ)
		if err != nil {
			return nil, usageErr(err)
		}
		cfg = *c
	}
	p, err := a.loadPolicy(&cfg)
	if err != nil {
		return nil, usageErr(err)
	}
	p.fileMode = cfg.Output.FileMode
	return p, nil
}

func (a *app) checkCmd() *cobra.Command {
	var configPath, reportPath, format, requestPath string
	cmd := &cobra.Command{
		Use:   "check QUERY",
		Short: "Is this tool approved? What do we already own, who uses it, what access does it ask for?",
		Long: `QUERY is a vendor name, a domain or URL, a Google or Microsoft OAuth consent URL, a Google client ID, an
Entra application ID or an AWS account ID. Nothing is fetched: URLs are only parsed.
Exit codes: 0 approved or tolerated; 1 needs IT approval (not approved, under review, approval expired, unknown
vendor, or scopes beyond the approved ceiling); 2 usage error; 4 banned.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(check.Formats, format) {
				return usageErr(fmt.Errorf("--format: %q is not one of %s", format, strings.Join(check.Formats, ", ")))
			}
			p, err := a.loadCheckPipeline(configPath)
			if err != nil {
				return err
			}
			var rep *scanner.Report
			if reportPath != "" {
				if rep, err = check.ReadReport(reportPath); err != nil {
					return usageErr(err)
				}
			}
			res, err := p.newChecker(rep).Check(strings.Join(args, " "))
			if err != nil {
				return usageErr(err)
			}
			if requestPath != "" {
				if err := check.WriteRequestFile(requestPath, p.fileMode, res); err != nil {
					return usageErr(err)
				}
			}
			if err := check.Write(a.stdout, format, res); err != nil {
				return err
			}
			if res.ExitCode != 0 {
				return &exitError{code: res.ExitCode}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&configPath, "config", "c", "", "config file: its approved-tools file and catalogue extra files")
	fl.StringVar(&reportPath, "report", "", "last scan report (JSON): who here already uses the tool, and the spend")
	fl.StringVarP(&format, "format", "f", "text", "output: "+strings.Join(check.Formats, "|"))
	fl.StringVar(&requestPath, "request", "", "write the request for IT (Markdown) to this file")
	return cmd
}

func (a *app) serveCmd() *cobra.Command {
	var configPath, reportPath, addr, tokenFile, historyDir string
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
			p, err := a.loadCheckPipeline(configPath)
			if err != nil {
				return err
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
			h := web.New(web.Options{NewChecker: p.newChecker, ReportPath: reportPath, HistoryDir: historyDir,
				Token: token, AllowedHosts: allowedHosts, Logger: log})
			return web.Serve(ctx, addr, h, log)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&configPath, "config", "c", "", "config file: its approved-tools file and catalogue extra files")
	fl.StringVar(&reportPath, "report", "", "last scan report (JSON), reloaded when it changes")
	fl.StringVar(&addr, "addr", web.DefaultAddr, "listen address")
	fl.StringVar(&tokenFile, "token-file", "", "file whose first line is the bearer token that unlocks people's names")
	fl.StringVar(&historyDir, "history", "", "folder of past JSON reports, for the trend")
	fl.StringSliceVar(&allowedHosts, "allowed-host", nil, "host names the page may be reached by (besides localhost and IPs)")
	fl.BoolVar(&allowPublic, "allow-public-without-token", false, "listen on a non-loopback --addr without --token-file (the exposure is intended)")
	return cmd
}
