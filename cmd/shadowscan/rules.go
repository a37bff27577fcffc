package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/cmd/shadowscan/internal/termprint"
	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/rules"
)

func (a *app) rulesCmd() *cobra.Command {
	var configPath, listFormat string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, show and test the rules (built-in pack plus rules.extra_files)",
	}
	cmd.PersistentFlags().StringVarP(&configPath, "config", "c", "", "config file whose rules settings (extra_files, disable, severity) apply")
	load := func() (*rules.RuleSet, error) {
		opts := rules.Options{}
		if configPath != "" {
			cfg, err := configs.LoadWithEnv(configPath, a.environ)
			if err != nil {
				return nil, usageErr(err)
			}
			opts = rules.Options{ExtraFiles: cfg.Rules.ExtraFiles, Disable: cfg.Rules.Disable, Severity: cfg.Rules.Severity}
		}
		rs, err := rules.Load(opts)
		if err != nil {
			return nil, usageErr(err)
		}
		return rs, nil
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List every rule with its severity and stage",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkListFormat(listFormat); err != nil {
				return err
			}
			rs, err := load()
			if err != nil {
				return err
			}
			if listFormat == "json" {
				return writeRulesJSON(a.stdout, rs)
			}
			return termprint.RuleList(a.stdout, rs)
		},
	}
	list.Flags().StringVarP(&listFormat, "format", "f", "table", "output: table|json")
	show := &cobra.Command{
		Use:   "show [ID]",
		Short: "Show a rule (its expression, grouping, messages and examples), or without an ID the record attributes providers declare",
		Args:  cobra.MaximumNArgs(1),
		ValidArgsFunction: a.ruleCompletion(func() ([]string, error) {
			rs, err := load()
			if err != nil {
				return nil, err
			}
			return rs.IDs(), nil
		}),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return writeAttributes(a.stdout)
			}
			rs, err := load()
			if err != nil {
				return err
			}
			if err := termprint.RuleShow(a.stdout, rs, args[0]); err != nil {
				return &exitError{code: exitFindings, err: err}
			}
			return nil
		},
	}
	test := &cobra.Command{
		Use:   "test FILE",
		Short: "Run a rules file's examples, or a cases file against the rules; exit 1 if any case fails",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			rs, err := load()
			if err != nil {
				return err
			}
			run, err := rules.TestFile(rs, args[0])
			if err != nil {
				return usageErr(err)
			}
			if err := termprint.TestRun(a.stdout, run); err != nil {
				return err
			}
			if !run.OK() {
				return &exitError{code: exitFindings, err: fmt.Errorf("%s: some cases failed", args[0])}
			}
			return nil
		},
	}
	cmd.AddCommand(list, show, test)
	return cmd
}
