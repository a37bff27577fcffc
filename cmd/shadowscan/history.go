package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/scanner/report"
	"github.com/shadowscan/shadowscan/scanner/state"
)

var historyFormats = []string{"table", "json", "csv"}

func (a *app) historyCmd() *cobra.Command {
	var stateDir, configPath, since, vendor, format string
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Show the trend of past scans from the state: unapproved vendors, new and resolved findings, spend, coverage",
		Long: `Show one line per stored scan: coverage, unapproved martech vendors, findings (new and resolved) and monthly
spend on unapproved tools. With --vendor, one vendor's timeline: approval, users (new ones), spend and findings per scan.
The state is read without locking it, so history works while a scan runs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(historyFormats, format) {
				return usageErr(fmt.Errorf("--format: %q is not one of %s", format, strings.Join(historyFormats, ", ")))
			}
			period, err := configs.ParseKeep(since)
			if err != nil {
				return usageErr(fmt.Errorf("--since: %v", err))
			}
			if stateDir == "" && configPath != "" {
				cfg, err := configs.LoadWithEnv(configPath, a.environ)
				if err != nil {
					return usageErr(err)
				}
				stateDir = cfg.State.Dir
			}
			if stateDir == "" {
				return usageErr(fmt.Errorf("no state: give --state-dir DIR or a --config with state.dir"))
			}
			from := time.Time{}
			if period > 0 {
				from = a.now().Add(-period)
			}
			return a.runHistory(cmd.Context(), stateDir, from, vendor, format)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&stateDir, "state-dir", "", "state folder (default: state.dir of --config)")
	fl.StringVarP(&configPath, "config", "c", "", "config file whose state.dir to read")
	fl.StringVar(&since, "since", "30d", `how far back: 30d, 720h; "0" for every stored scan`)
	fl.StringVar(&vendor, "vendor", "", "one vendor's timeline (catalogue ID)")
	fl.StringVarP(&format, "format", "f", "table", "output format: "+strings.Join(historyFormats, "|"))
	return cmd
}

func (a *app) runHistory(ctx context.Context, dir string, since time.Time, vendor, format string) error {
	st, err := state.OpenReadOnly(ctx, dir)
	if err != nil {
		return usageErr(err)
	}
	defer st.Close()
	if vendor != "" {
		tl, err := st.Vendor(ctx, vendor, since)
		if err != nil {
			return usageErr(err)
		}
		return writeVendorHistory(a.stdout, tl, format)
	}
	scans, err := st.History(ctx, since)
	if err != nil {
		return err
	}
	return writeHistory(a.stdout, scans, format)
}

func money(m map[string]float64) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%.2f %s", m[k], k))
	}
	return strings.Join(parts, " + ")
}

func writeHistory(w io.Writer, scans []state.Scan, format string) error {
	switch format {
	case "json":
		return writeJSON(w, scans)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"scan_id", "started_at", "coverage", "vendors", "martech_vendors", "unapproved_martech_vendors",
			"findings", "new_findings", "resolved_findings", "critical", "high", "unapproved_monthly_spend"})
		for _, s := range scans {
			_ = cw.Write(safeRow(s.ScanID, s.StartedAt.Format(time.RFC3339), s.Coverage, strconv.Itoa(s.Vendors),
				strconv.Itoa(s.MartechVendors), strconv.Itoa(s.UnapprovedMartechVendors), strconv.Itoa(s.Findings),
				strconv.Itoa(s.NewFindings), strconv.Itoa(s.ResolvedFindings), strconv.Itoa(s.BySeverity["critical"]),
				strconv.Itoa(s.BySeverity["high"]), money(s.UnapprovedMonthlySpend)))
		}
		cw.Flush()
		return cw.Error()
	}
	if len(scans) == 0 {
		_, err := fmt.Fprintln(w, "No scans stored in this period.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STARTED\tCOVERAGE\tUNAPPROVED MARTECH\tFINDINGS\tNEW\tRESOLVED\tUNAPPROVED SPEND/MONTH\tSCAN")
	for _, s := range scans {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", s.StartedAt.Format("2006-01-02 15:04"), s.Coverage,
			s.UnapprovedMartechVendors, s.Findings, s.NewFindings, s.ResolvedFindings, orDash(money(s.UnapprovedMonthlySpend)),
			report.Clean(s.ScanID))
	}
	return tw.Flush()
}

func writeVendorHistory(w io.Writer, tl *state.VendorTimeline, format string) error {
	switch format {
	case "json":
		return writeJSON(w, tl)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"vendor_id", "scan_id", "started_at", "seen", "approval", "user_count", "new_users", "records",
			"monthly_spend", "findings"})
		for _, p := range tl.Scans {
			_ = cw.Write(safeRow(tl.Vendor.ID, p.ScanID, p.StartedAt.Format(time.RFC3339), strconv.FormatBool(p.Seen),
				p.Approval, strconv.Itoa(p.UserCount), strconv.Itoa(p.NewUsers), strconv.Itoa(p.Records), money(p.MonthlySpend),
				strconv.Itoa(p.Findings)))
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(w, "%s (%s, %s): first seen %s, last seen %s, %d users ever\n", report.Clean(tl.Vendor.Name),
		report.Clean(tl.Vendor.ID), report.Clean(tl.Vendor.Category), tl.FirstSeen.Format("2006-01-02"),
		tl.LastSeen.Format("2006-01-02"), tl.Users)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STARTED\tAPPROVAL\tUSERS\tNEW USERS\tSPEND/MONTH\tFINDINGS")
	for _, p := range tl.Scans {
		if !p.Seen {
			fmt.Fprintf(tw, "%s\tnot seen\t\t\t\t\n", p.StartedAt.Format("2006-01-02 15:04"))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%d\n", p.StartedAt.Format("2006-01-02 15:04"), p.Approval, p.UserCount,
			p.NewUsers, orDash(money(p.MonthlySpend)), p.Findings)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func safeRow(cells ...string) []string {
	for i := range cells {
		cells[i] = report.SafeCell(cells[i])
	}
	return cells
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
