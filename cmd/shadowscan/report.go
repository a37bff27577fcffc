package main

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/rules/catalog"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/report"
)

// reportCmd is the parent of the commands that work on saved JSON reports. Each subcommand is one method
// returning its *cobra.Command; add new ones to the list below.
func (a *app) reportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with saved JSON reports (render them in another format)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(a.reportRenderCmd(), a.reportMergeCmd())
	return cmd
}

func (a *app) reportRenderCmd() *cobra.Command {
	var format, output, configPath string
	cmd := &cobra.Command{
		Use:   "render REPORT.json",
		Short: "Write a saved JSON report in another format, exactly as the scan would have",
		Long: `Write a saved JSON report in another format (` + strings.Join(report.Formats, ", ") + `). The output is byte
for byte what the scan would have written in that format, so one nightly JSON report can be turned into SARIF, HTML
or CSV later without scanning again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := scanner.ReadReport(args[0])
			if err != nil {
				return usageErr(err)
			}
			// Category names come from the catalogue, as in the scan: the built-in one plus the config's extra files.
			var extra []string
			var mode fs.FileMode
			if configPath != "" {
				cfg, err := configs.LoadWithEnv(configPath, a.environ)
				if err != nil {
					return usageErr(err)
				}
				extra, mode = cfg.Catalog.ExtraFiles, cfg.Output.FileMode
			}
			cat, err := catalog.Load(extra...)
			if err != nil {
				return usageErr(fmt.Errorf("catalog: %w", err))
			}
			w, err := report.New(format, a.writerOptions(output, cat.CategoryName))
			if err != nil {
				return usageErr(fmt.Errorf("--format: %w", err))
			}
			if output == "" || output == "-" {
				return w.Write(cmd.Context(), a.stdout, rep)
			}
			if err := report.CheckWritable(output); err != nil {
				return usageErr(err)
			}
			return report.WriteFile(context.WithoutCancel(cmd.Context()), output, mode, w, rep)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "output format: "+strings.Join(report.Formats, "|"))
	cmd.Flags().StringVarP(&output, "output", "o", "-", `output path, "-" for stdout`)
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "config of the scan (its catalog.extra_files name categories; output.file_mode)")
	_ = cmd.MarkFlagRequired("format")
	return cmd
}
