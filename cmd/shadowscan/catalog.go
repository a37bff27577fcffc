package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/cmd/shadowscan/internal/termprint"
	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/rules/catalog"
)

// loadCatalog returns the built-in catalogue merged with the config's catalog.extra_files and the local vendors of
// its approved-tools file (if a config is given).
func (a *app) loadCatalog(configPath string) (*catalog.Catalog, error) {
	if configPath == "" {
		return catalog.Builtin()
	}
	cfg, err := configs.LoadWithEnv(configPath, a.environ)
	if err != nil {
		return nil, err
	}
	if cfg.Policy.ApprovedFile != "" { // its local vendors belong to the organisation's catalogue
		p, err := a.loadPolicy(cfg)
		if err != nil {
			return nil, err
		}
		return p.catalog, nil
	}
	return catalog.Load(cfg.Catalog.ExtraFiles...)
}

// catalogWithApprovals is the catalogue of the config (if given) and, when the config names an approved-tools
// file, each vendor's approval status there.
func (a *app) catalogWithApprovals(configPath string) (*catalog.Catalog, func(string) string, error) {
	if configPath == "" {
		c, err := catalog.Builtin()
		return c, nil, err
	}
	cfg, err := configs.LoadWithEnv(configPath, a.environ)
	if err != nil {
		return nil, nil, usageErr(err)
	}
	p, err := a.loadPolicy(cfg)
	if err != nil {
		return nil, nil, usageErr(err)
	}
	if cfg.Policy.ApprovedFile == "" {
		return p.catalog, nil, nil
	}
	return p.catalog, func(id string) string { return p.policy.Approval(id).Status }, nil
}

func (a *app) catalogCmd() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "List, show, search and validate the martech vendor catalogue",
	}
	cmd.PersistentFlags().StringVarP(&configPath, "config", "c", "", "config file whose catalog.extra_files are merged over the built-in catalogue")
	load := func() (*catalog.Catalog, error) {
		c, err := a.loadCatalog(configPath)
		if err != nil {
			return nil, usageErr(err)
		}
		return c, nil
	}

	var category, format string
	var martech bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List vendors, optionally of one category or subcategory; with --config, their approval status",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := checkListFormat(format); err != nil {
				return err
			}
			c, approval, err := a.catalogWithApprovals(configPath)
			if err != nil {
				return err
			}
			entries, err := catalog.List(c, category, martech)
			if err != nil {
				return usageErr(fmt.Errorf("--category: %w", err))
			}
			if format == "json" {
				return writeCatalogJSON(a.stdout, c, entries, approval)
			}
			return termprint.VendorList(a.stdout, c, category, martech, approval)
		},
	}
	list.Flags().StringVar(&category, "category", "", "category or subcategory ID (e.g. data, email_marketing)")
	list.Flags().BoolVar(&martech, "martech", false, "only martech vendors")
	list.Flags().StringVarP(&format, "format", "f", "table", "output: table|json")

	show := &cobra.Command{
		Use:               "show ID",
		Short:             "Show every fact the catalogue holds about a vendor, with its sources",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.vendorCompletion,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := load()
			if err != nil {
				return err
			}
			if err := termprint.VendorShow(a.stdout, c, args[0]); err != nil {
				return &exitError{code: exitFindings, err: err}
			}
			return nil
		},
	}
	search := &cobra.Command{
		Use:   "search TEXT",
		Short: "Fuzzy search by name, alias, ID or domain",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := load()
			if err != nil {
				return err
			}
			return termprint.VendorSearch(a.stdout, c, strings.Join(args, " "))
		},
	}
	validate := &cobra.Command{
		Use:   "validate [FILES]",
		Short: "Check catalogue files (the built-in catalogue when none are given); exit 1 on problems",
		Long: `Check catalogue files for duplicate IDs, signals claimed by two vendors, malformed patterns and unknown
categories. Files are checked together with the built-in catalogue, as catalog.extra_files would be.`,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 && configPath != "" {
				cfg, err := configs.LoadWithEnv(configPath, a.environ)
				if err != nil {
					return usageErr(err)
				}
				args = cfg.Catalog.ExtraFiles
			}
			issues := catalog.ValidateFiles(args...)
			for _, is := range issues {
				fmt.Fprintln(a.stdout, is.String())
			}
			if len(issues) > 0 {
				return &exitError{code: exitFindings, err: fmt.Errorf("%d catalogue problems", len(issues))}
			}
			c, err := catalog.Builtin()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "ok: %d built-in vendors", len(c.Entries))
			if len(args) > 0 {
				fmt.Fprintf(a.stdout, " and %s", strings.Join(args, ", "))
			}
			fmt.Fprintln(a.stdout, " validate cleanly")
			return nil
		},
	}
	cmd.AddCommand(list, show, search, validate)
	return cmd
}
