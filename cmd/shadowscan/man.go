package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manCmd writes one man page per command into a folder: `shadowscan man --dir docs/man` (hidden; used by
// `go generate ./cmd/shadowscan` and packagers).
func (a *app) manCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:    "man",
		Short:  "Write man pages for every command into --dir",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return usageErr(fmt.Errorf("--dir: %w", err))
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true // no date in the pages: the same source gives the same pages
			now := a.now()
			header := &doc.GenManHeader{Title: "SHADOWSCAN", Section: "1", Source: "shadowscan " + version,
				Manual: "shadowscan manual", Date: &now}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("writing man pages: %w", err)
			}
			fmt.Fprintf(a.stderr, "man pages written to %s\n", dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "folder to write the pages into (created if missing)")
	_ = cmd.MarkFlagRequired("dir")
	return cmd
}

// vendorCompletion completes vendor IDs and names from the built-in catalogue (and the config's extra files when
// --config is already on the command line) for check and catalog show.
func (a *app) vendorCompletion(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 && cmd.Name() != "check" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	configPath, _ := cmd.Flags().GetString("config")
	c, err := a.loadCatalog(configPath)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
	}
	p := strings.ToLower(prefix)
	var out []string
	for _, e := range c.Entries {
		switch {
		case strings.HasPrefix(e.ID, p):
			out = append(out, e.ID+"\t"+e.Name)
		case strings.HasPrefix(strings.ToLower(e.Name), p) && !strings.Contains(e.Name, " "):
			out = append(out, e.Name+"\t"+e.ID)
		}
	}
	slices.Sort(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

// ruleCompletion completes rule IDs for rules show.
func (a *app) ruleCompletion(rulesLoad func() ([]string, error)) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ids, err := rulesLoad()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		var out []string
		for _, id := range ids {
			if strings.HasPrefix(id, prefix) {
				out = append(out, id)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

//go:generate go run . man --dir ../../docs/man
