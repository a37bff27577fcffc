package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/outfile"
)

// starterBlocks are the commented provider blocks `shadowscan init` writes; DOMAIN is replaced.
var starterBlocks = map[string]string{
	"google_workspace": `  - type: google_workspace        # every third-party OAuth grant, who granted it, and when
    name: workspace
    customer: my_customer         # the admin's own Workspace account
    admin_email: admin@DOMAIN     # the admin the service account acts as (domain-wide delegation subject)
    credentials_file: ""          # a service-account key with domain-wide delegation ...
    impersonate_service_account: ""  # ... or, keyless (recommended), the service account to impersonate
    mode: both                    # tokens | audit | both
`,
	"aws": `  - type: aws                     # IAM trust, vendor keys, Route 53, Marketplace, marketing-tagged resources
    name: aws
    profile: ""                   # shared-config profile; empty: the SDK's default credential chain
    regions: [us-east-1]
    organization:
      enabled: false              # true: every account of the AWS Organization, through role_name
      role_name: ShadowscanReadOnly
`,
	"microsoft": `  - type: microsoft               # Entra ID consents and service principals (Microsoft Graph)
    name: entra
    tenant_id: DOMAIN             # the directory (tenant) ID, or its domain
    client_id: 00000000-0000-0000-0000-000000000000  # REPLACE: the app registration's application (client) ID
    client_secret_file: entra-client-secret.txt  # a file holding the client secret (or certificate_file / federated_token_file)
`,
	"dns": `  - type: dns                     # SPF senders, TXT verification tokens, DMARC, DKIM, marketing CNAMEs; no credentials
    name: dns
    domains: [DOMAIN]
    zone_files: []                # RFC 1035 zone files to read offline instead of querying DNS
`,
	"expenses": `  - type: expenses                # card and expense exports: recurring software charges, payers, monthly cost
    name: cards
    path: exports/cards.csv       # the export finance downloads (see providers/expenses/README.md for formats)
    format: generic               # generic | ramp | cardlay | expend | cardboard
    columns: {date: Date, merchant: Description, amount: Amount, currency: Currency, person: Cardholder, email: Email}
`,
	"inventory": `  - type: inventory               # records from JSON or NDJSON files in shadowscan's record shape
    name: imports
    files: [exports/apps.ndjson]
    on_error: skip
`,
}

const starterHeader = `# shadowscan configuration, written by "shadowscan init". Every key: configs/example.yaml.
# Paths are relative to this file's folder. Environment overrides: SHADOWSCAN_<PATH>, e.g. SHADOWSCAN_SCAN_TIMEOUT=45m.

organization:
  name: ORG
  domains: [DOMAIN]               # the organisation's own domains
  marketing:
    org_units: ["/Marketing"]     # Google Workspace org unit paths of the marketing team
    departments: [Marketing]      # directory department names

policy:
  approved_file: approved.yaml    # which vendors IT approved, tolerates, reviews or bans

scan:
  concurrency: 4
  timeout: 30m                    # per provider; durations need a unit (30s, 30m, 2h)

output:
  format: table                   # table | json | ndjson | csv | markdown
  path: "-"                       # "-" is stdout; files are written atomically, new ones private (0600)
  fail_on: high                   # exit 1 on findings at or above this severity

providers:
`

const starterApproved = `# Approved tools, written by "shadowscan init". Vendors not listed here count as unapproved.
# Each entry: vendor (a catalogue ID or name: shadowscan catalog search NAME), status (approved | tolerated | review |
# banned), owner (a published contact: shown on the serve page), ticket, expires (YYYY-MM-DD), scopes (the OAuth
# scopes allowed, globs), aws_accounts, notes. Schema: rules/README.md.

- vendor: google
  status: approved
  owner: it@DOMAIN
  notes: the organisation's own Google Workspace

# - vendor: hubspot
#   status: approved
#   owner: marketing-ops@DOMAIN
#   ticket: IT-1001
#   scopes: [openid, email, profile, "calendar.*"]
`

func (a *app) initCmd() *cobra.Command {
	var providers []string
	var domain, org, dir string
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented starter config and approved-tools file",
		Long: `Write shadowscan.yaml (a commented starter config for the providers asked for) and approved.yaml (a starter
approved-tools file) into --dir, then print the next three commands: permissions, doctor, scan. Existing files are
kept unless --force.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			known := make([]string, 0, len(starterBlocks))
			for t := range starterBlocks {
				if _, ok := scanner.Lookup(t); ok {
					known = append(known, t)
				}
			}
			slices.Sort(known)
			if len(providers) == 0 {
				return usageErr(fmt.Errorf("--providers: name at least one of %s", strings.Join(known, ", ")))
			}
			for _, p := range providers {
				if !slices.Contains(known, p) {
					return usageErr(fmt.Errorf("--providers: unknown provider type %q (one of %s)", p, strings.Join(known, ", ")))
				}
			}
			domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
			if domain == "" || strings.ContainsAny(domain, " /:@") || !strings.Contains(domain, ".") {
				return usageErr(fmt.Errorf("--domain: %q is not a domain name like example.com", domain))
			}
			if org == "" {
				org = domain
			}
			repl := strings.NewReplacer("DOMAIN", domain, "ORG", strings.ReplaceAll(org, "\n", " "))
			var cfg strings.Builder
			cfg.WriteString(repl.Replace(starterHeader))
			for i, p := range providers {
				if i > 0 {
					cfg.WriteString("\n")
				}
				cfg.WriteString(repl.Replace(starterBlocks[p]))
			}
			cfgPath, approvedPath := filepath.Join(dir, "shadowscan.yaml"), filepath.Join(dir, "approved.yaml")
			for _, f := range []struct{ path, body string }{{cfgPath, cfg.String()}, {approvedPath, repl.Replace(starterApproved)}} {
				if err := writeStarter(f.path, f.body, force); err != nil {
					return usageErr(err)
				}
				fmt.Fprintf(a.stdout, "wrote %s\n", f.path)
			}
			fmt.Fprintf(a.stdout, "\nNext:\n  shadowscan permissions --config %[1]s   # what to grant, generated from the providers\n"+
				"  shadowscan doctor --config %[1]s        # check the credentials and every permission\n"+
				"  shadowscan scan --config %[1]s          # the first scan\n", cfgPath)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&providers, "providers", nil, "provider types, comma-separated (e.g. google_workspace,dns)")
	fl.StringVar(&domain, "domain", "", "the organisation's main domain, e.g. example.com")
	fl.StringVar(&org, "org", "", "the organisation's name (default: the domain)")
	fl.StringVar(&dir, "dir", ".", "folder to write the files into")
	fl.BoolVar(&force, "force", false, "overwrite existing files")
	return cmd
}

func writeStarter(path, body string, force bool) error {
	if _, err := os.Lstat(path); err == nil && !force {
		return fmt.Errorf("%s exists; keep it, or pass --force to overwrite it", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return outfile.Write(path, 0o600, func(w io.Writer) error {
		_, err := io.WriteString(w, body)
		return err
	})
}
