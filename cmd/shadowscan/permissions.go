package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/scanner"
)

func (a *app) permissionsCmd() *cobra.Command {
	var provider, configPath string
	cmd := &cobra.Command{
		Use:   "permissions",
		Short: "Print exactly what each provider needs: IAM policies, OAuth scopes, Graph permissions",
		Long: `Print the least-privilege permissions of every provider type (or of --provider TYPE), generated from the
providers' own declarations: the AWS IAM policy JSON for the identity that runs the scan and for the role in each
member account, the Google OAuth scopes and where to enter the delegation client ID, the Microsoft Graph
application permissions. Permissions that only some settings use are listed by setting (e.g. Google's mode).

With --config, print for each configured provider only what it needs in its configured mode (e.g. Google
mode: audit needs no user-security scope; AWS without organization.enabled needs no Organizations action and no
member-account role; export files need nothing).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if provider != "" {
				if _, ok := scanner.Lookup(provider); !ok {
					return usageErr(fmt.Errorf("--provider: unknown provider type %q (known: %s)", provider, strings.Join(scanner.Types(), ", ")))
				}
			}
			if configPath != "" {
				cfg, err := configs.LoadWithEnv(configPath, a.environ)
				if err != nil {
					return usageErr(err)
				}
				n := 0
				for _, p := range cfg.Providers {
					if provider != "" && p.Type != provider {
						continue
					}
					f, ok := scanner.Lookup(p.Type)
					if !ok {
						continue
					}
					if n > 0 {
						fmt.Fprintln(a.stdout)
					}
					n++
					if err := writePermissions(a.stdout, f, p.Name, p.Config); err != nil {
						return err
					}
				}
				return nil
			}
			types := scanner.Types()
			if provider != "" {
				types = []string{provider}
			}
			for i, t := range types {
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				f, _ := scanner.Lookup(t)
				if err := writePermissions(a.stdout, f, "", nil); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&provider, "provider", "", "only this provider type")
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "only what the providers of this config need, in their configured modes")
	return cmd
}

// writePermissions renders a provider type's declared permissions in the form the platform takes them: all of
// them, with those only some settings use listed by setting (cfg nil), or only those the configured instance name
// uses (cfg set).
func writePermissions(w io.Writer, f scanner.Factory, name string, cfg scanner.ProviderConfig) error {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	perms := f.Permissions
	if cfg != nil {
		perms = scanner.NeededPermissions(cfg, f.Permissions)
		p("## %s (%s): %s\n\n", f.Type, name, f.Description)
	} else {
		p("## %s: %s\n\n", f.Type, f.Description)
	}
	api := f.PermissionKind != "" && f.PermissionKind != scanner.PermissionNone
	if api && len(perms) == 0 {
		p("Nothing to grant in this configuration: it makes no API call (export files are read locally).\n")
		return nil
	}
	if f.PermissionSetup != "" {
		p("%s\n\n", f.PermissionSetup)
	}
	switch f.PermissionKind {
	case scanner.PermissionIAM:
		caller, err := IAMPolicy(perms, false)
		if err != nil {
			return err
		}
		p("Policy for the identity that runs the scan:\n\n%s\n", caller)
		if ma, ok := cfg.(scanner.MemberAccounts); cfg == nil || ok && ma.ScansMemberAccounts() {
			if member, err := IAMPolicy(perms, true); err != nil {
				return err
			} else if member != "" {
				p("\nPolicy of the role in each member account:\n\n%s\n", member)
			}
		}
	case scanner.PermissionOAuthScope:
		p("Scopes, comma-separated as the delegation entry takes them:\n\n%s\n", OAuthScopeList(perms))
	case scanner.PermissionGraphApp:
		p("Microsoft Graph application permissions (API permissions › Add a permission › Microsoft Graph › " +
			"Application permissions; then Grant admin consent):\n\n")
		for _, perm := range perms {
			p("  %s\n", perm.Name)
		}
	default:
		if len(perms) == 0 {
			p("No API permissions or credentials (it reads local files).\n")
		} else {
			p("No API permissions or credentials:\n")
		}
	}
	if len(perms) > 0 {
		if api {
			p("\nWhy each one:\n")
		}
		for _, perm := range perms {
			p("  - %s: %s\n", perm.Name, perm.Why)
		}
	}
	if cfg == nil {
		writeBySetting(p, perms)
	}
	return nil
}

// writeBySetting lists the permissions that only some settings use, by setting (the rest are always needed).
func writeBySetting(p func(string, ...any), perms []scanner.Permission) {
	var whens []string
	by := map[string][]string{}
	for _, perm := range perms {
		if perm.When == "" {
			continue
		}
		if by[perm.When] == nil {
			whens = append(whens, perm.When)
		}
		by[perm.When] = append(by[perm.When], perm.Name)
	}
	if len(whens) == 0 {
		return
	}
	p("\nOnly needed with some settings (`shadowscan permissions --config FILE` prints what a config needs):\n")
	for _, w := range whens {
		p("  - %s: %s\n", w, strings.Join(by[w], ", "))
	}
}

type iamStatement struct {
	Sid      string `json:"Sid"`
	Effect   string `json:"Effect"`
	Action   any    `json:"Action"`
	Resource string `json:"Resource"`
}

// IAMPolicy renders IAM actions as a policy document: one statement per Group, in declaration order. With member,
// only the actions the member-account role needs, in one statement; "" when there are none.
func IAMPolicy(perms []scanner.Permission, member bool) (string, error) {
	var sts []*iamStatement
	bySid := map[string]*iamStatement{}
	for _, perm := range perms {
		if member && !perm.Member {
			continue
		}
		sid, res := perm.Group, perm.Resource
		if member {
			sid = "ShadowscanRead"
		}
		if res == "" || member {
			res = "*"
		}
		st := bySid[sid]
		if st == nil {
			st = &iamStatement{Sid: sid, Effect: "Allow", Resource: res}
			bySid[sid] = st
			sts = append(sts, st)
		}
		switch acts := st.Action.(type) {
		case nil:
			st.Action = perm.Name
		case string:
			st.Action = []string{acts, perm.Name}
		case []string:
			st.Action = append(acts, perm.Name)
		}
	}
	if len(sts) == 0 {
		return "", nil
	}
	b, err := json.MarshalIndent(struct {
		Version   string          `json:"Version"`
		Statement []*iamStatement `json:"Statement"`
	}{"2012-10-17", sts}, "", "  ")
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// OAuthScopeList is the scopes as one comma-separated line (Google's delegation form).
func OAuthScopeList(perms []scanner.Permission) string {
	names := make([]string, 0, len(perms))
	for _, p := range perms {
		names = append(names, p.Name)
	}
	return strings.Join(names, ",")
}
