package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
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
		Long: `Print the least-privilege permissions of every provider type (or of --provider TYPE, or of the providers
--config configures), generated from the providers' own declarations: the AWS IAM policy JSON for the identity that
runs the scan and for the role in each member account, the Google OAuth scopes and where to enter the delegation
client ID, the Microsoft Graph application permissions.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			types := scanner.Types()
			if configPath != "" {
				cfg, err := configs.LoadWithEnv(configPath, a.environ)
				if err != nil {
					return usageErr(err)
				}
				types = types[:0:0]
				for _, p := range cfg.Providers {
					if !slices.Contains(types, p.Type) {
						types = append(types, p.Type)
					}
				}
			}
			if provider != "" {
				if _, ok := scanner.Lookup(provider); !ok {
					return usageErr(fmt.Errorf("--provider: unknown provider type %q (known: %s)", provider, strings.Join(scanner.Types(), ", ")))
				}
				types = []string{provider}
			}
			for i, t := range types {
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				f, _ := scanner.Lookup(t)
				if err := writePermissions(a.stdout, f); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&provider, "provider", "", "only this provider type")
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "only the provider types this config uses")
	return cmd
}

// writePermissions renders one provider type's declared permissions in the form the platform takes them.
func writePermissions(w io.Writer, f scanner.Factory) error {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("## %s: %s\n\n", f.Type, f.Description)
	if f.PermissionSetup != "" {
		p("%s\n\n", f.PermissionSetup)
	}
	switch f.PermissionKind {
	case scanner.PermissionIAM:
		caller, err := IAMPolicy(f.Permissions, false)
		if err != nil {
			return err
		}
		p("Policy for the identity that runs the scan:\n\n%s\n", caller)
		if member, err := IAMPolicy(f.Permissions, true); err != nil {
			return err
		} else if member != "" {
			p("\nPolicy of the role in each member account:\n\n%s\n", member)
		}
	case scanner.PermissionOAuthScope:
		p("Scopes, comma-separated as the delegation entry takes them:\n\n%s\n", OAuthScopeList(f.Permissions))
	case scanner.PermissionGraphApp:
		p("Microsoft Graph application permissions (API permissions › Add a permission › Microsoft Graph › " +
			"Application permissions; then Grant admin consent):\n\n")
		for _, perm := range f.Permissions {
			p("  %s\n", perm.Name)
		}
	default:
		if len(f.Permissions) == 0 {
			p("No API permissions or credentials (it reads local files).\n")
		} else {
			p("No API permissions or credentials:\n")
		}
	}
	if len(f.Permissions) > 0 {
		if f.PermissionKind != "" && f.PermissionKind != scanner.PermissionNone {
			p("\nWhy each one:\n")
		}
		for _, perm := range f.Permissions {
			p("  - %s: %s\n", perm.Name, perm.Why)
		}
	}
	return nil
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
