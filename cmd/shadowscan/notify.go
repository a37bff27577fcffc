package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/notify"
)

// alertChannels reads each notify entry's URL (from its file or environment variable) before any scanning, so
// a missing secret is a config error, not a lost alert after the scan. Errors never contain the URL.
func (a *app) alertChannels(cfg *configs.Config) ([]notify.Channel, error) {
	out := make([]notify.Channel, 0, len(cfg.Notify))
	for i, n := range cfg.Notify {
		where := fmt.Sprintf("notify[%d] (%s)", i, n.Name)
		var raw string
		if n.URLFile != "" {
			b, err := os.ReadFile(n.URLFile)
			if err != nil {
				return nil, fmt.Errorf("%s: url_file: %w", where, err)
			}
			raw = strings.TrimSpace(string(b))
		} else {
			raw = strings.TrimSpace(a.getenv(n.URLEnv))
			if raw == "" {
				return nil, fmt.Errorf("%s: environment variable %s (url_env) is not set", where, n.URLEnv)
			}
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%s: the webhook URL is not an http(s) URL (not shown: it is a secret)", where)
		}
		out = append(out, notify.Channel{Type: n.Type, Name: n.Name, URL: raw, MinSeverity: n.MinSeverity, OnlyNew: *n.OnlyNew,
			ReportURL: n.ReportURL, Timeout: n.Timeout, MaxAttempts: n.MaxAttempts})
	}
	return out, nil
}

// sendAlerts delivers one message per channel, or with dryRun prints it on stderr instead. It returns the
// failed deliveries for the exit summary; a failure never affects the report.
func (a *app) sendAlerts(ctx context.Context, chans []notify.Channel, rep *scanner.Report, dryRun bool) []notify.Result {
	var failed []notify.Result
	s := &notify.Sender{Client: &http.Client{}, Log: a.log}
	for _, ch := range chans {
		if dryRun {
			fs := notify.Select(rep, ch)
			if len(fs) == 0 {
				fmt.Fprintf(a.stderr, "dry run: %s (%s): no finding qualifies, nothing would be sent\n", ch.Name, ch.Type)
				continue
			}
			body, err := notify.Payload(ch, rep, fs)
			if err != nil {
				fmt.Fprintf(a.stderr, "dry run: %s (%s): %v\n", ch.Name, ch.Type, err)
				continue
			}
			fmt.Fprintf(a.stderr, "dry run: %s (%s) would receive %d findings:\n%s\n", ch.Name, ch.Type, len(fs), body)
			continue
		}
		if res := s.Send(ctx, ch, rep); res.Err != nil {
			failed = append(failed, res)
		}
	}
	return failed
}

// alertSummary is the exit summary line of failed deliveries.
func alertSummary(failed []notify.Result) string {
	parts := make([]string, 0, len(failed))
	for _, r := range failed {
		parts = append(parts, fmt.Sprintf("%s (%s) after %d attempts: %v", r.Channel, r.Type, r.Attempts, r.Err))
	}
	return "alerts not delivered (the report was written): " + strings.Join(parts, "; ")
}
