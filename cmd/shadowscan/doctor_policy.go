package main

import (
	"fmt"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/scanner/report"
)

// doctorPolicy checks the approved-tools and suppressions files as a scan loads them and prints what they say
// that is worth a look (vendors the catalogue lacks, suppressions naming unknown vendors). It returns 1 when they
// do not load.
func (a *app) doctorPolicy(cfg *configs.Config) int {
	if cfg.Policy.ApprovedFile == "" && cfg.Policy.SuppressionsFile == "" {
		return 0
	}
	fmt.Fprintln(a.stdout, "policy")
	p, err := a.buildPipeline(cfg)
	if err != nil {
		fmt.Fprintf(a.stdout, "  FAIL  %s\n", report.Clean(err.Error()))
		return 1
	}
	if cfg.Policy.ApprovedFile != "" {
		appr := p.policy.Approvals()
		fmt.Fprintf(a.stdout, "  PASS  approved-tools file: %d entries, %d local vendor(s) the catalogue lacks\n",
			len(appr.Entries()), len(appr.Locals()))
	}
	if cfg.Policy.SuppressionsFile != "" {
		fmt.Fprintf(a.stdout, "  PASS  suppressions file: %d suppression(s)\n", len(p.policy.Suppressions()))
	}
	for _, w := range p.warnings {
		fmt.Fprintf(a.stdout, "  WARN  %s\n", report.Clean(w))
	}
	return 0
}
