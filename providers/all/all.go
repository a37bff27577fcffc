// Package all registers every built-in provider. It is the one list of provider imports.
package all

import (
	_ "github.com/shadowscan/shadowscan/providers/aws"             // IAM trust, vendor keys, Route 53, Marketplace, marketing-tagged resources across an organisation
	_ "github.com/shadowscan/shadowscan/providers/dns"             // SPF, TXT, DMARC, DKIM, CNAME from live DNS or zone files
	_ "github.com/shadowscan/shadowscan/providers/expenses"        // card and expense exports (CSV)
	_ "github.com/shadowscan/shadowscan/providers/googleworkspace" // Google Workspace OAuth grants and token audit log
	_ "github.com/shadowscan/shadowscan/providers/inventory"       // JSON/NDJSON record files
	_ "github.com/shadowscan/shadowscan/providers/microsoft"       // Microsoft Entra ID: third-party apps, delegated and app-only grants, consent history
)
