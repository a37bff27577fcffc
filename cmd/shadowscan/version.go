package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shadowscan/shadowscan/rules"
	"github.com/shadowscan/shadowscan/rules/catalog"
	"github.com/shadowscan/shadowscan/scanner"
)

// Set at build time: go build -ldflags "-X main.version=v1.2.3 -X main.commit=$(git rev-parse HEAD)
// -X main.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)". Without them the Go build info fills in what it knows.
var (
	commit    = ""
	buildDate = ""
)

// versionInfo is what `shadowscan version` and `--version` print.
type versionInfo struct {
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	BuildDate      string `json:"build_date"`
	GoVersion      string `json:"go_version"`
	Platform       string `json:"platform"`
	Catalog        string `json:"catalog"`
	CatalogVendors int    `json:"catalog_vendors"`
	RulePack       string `json:"rule_pack"`
	Rules          int    `json:"rules"`
	ReportSchema   int    `json:"report_schema"`
}

func getVersionInfo() versionInfo {
	v := buildInfo()
	v.Catalog = "unknown"
	if d, err := catalog.BuiltinDigest(); err == nil {
		v.Catalog = d
	}
	if c, err := catalog.Builtin(); err == nil {
		v.CatalogVendors = len(c.Entries)
	}
	v.RulePack, v.Rules = rulePackDigest()
	return v
}

// buildInfo is the cheap part of versionInfo: what the linker and the Go build info say.
func buildInfo() versionInfo {
	v := versionInfo{Version: version, Commit: commit, BuildDate: buildDate, GoVersion: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH, ReportSchema: scanner.SchemaVersion}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && v.Commit == "":
				v.Commit = s.Value
			case s.Key == "vcs.time" && v.BuildDate == "":
				v.BuildDate = s.Value
			}
		}
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	if v.BuildDate == "" {
		v.BuildDate = "unknown"
	}
	return v
}

// rulePackDigest hashes the embedded rule files (name and content, in name order) and counts the rules.
func rulePackDigest() (string, int) {
	files, err := rules.BuiltinFiles()
	if err != nil {
		return "unknown", 0
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(files[n])
		h.Write([]byte{0})
	}
	n := 0
	if rs, err := rules.Builtin(); err == nil {
		n = len(rs.Rules)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:12], n
}

func (v versionInfo) text() string {
	short := v.Commit
	if len(short) > 12 {
		short = short[:12]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "shadowscan %s\n", v.Version)
	fmt.Fprintf(&b, "  commit:         %s\n", short)
	fmt.Fprintf(&b, "  built:          %s\n", v.BuildDate)
	fmt.Fprintf(&b, "  go:             %s %s\n", v.GoVersion, v.Platform)
	fmt.Fprintf(&b, "  catalogue:      %s (%d vendors)\n", v.Catalog, v.CatalogVendors)
	fmt.Fprintf(&b, "  rule pack:      %s (%d rules)\n", v.RulePack, v.Rules)
	fmt.Fprintf(&b, "  report schema:  %d\n", v.ReportSchema)
	return b.String()
}

func (a *app) versionCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date, Go version, catalogue, rule pack and report schema",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeVersion(a.stdout, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func writeVersion(w io.Writer, format string) error {
	v := getVersionInfo()
	switch format {
	case "text":
		_, err := io.WriteString(w, v.text())
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return usageErr(fmt.Errorf("--format: %q is not text or json", format))
}

// buildVersion is the version as reports carry it: the version and, when known, the short commit.
func buildVersion() string {
	v := buildInfo()
	if v.Commit != "unknown" && len(v.Commit) >= 12 {
		return v.Version + " (" + v.Commit[:12] + ")"
	}
	return v.Version
}
