// Package notify sends one alert per scan to a webhook, Slack (incoming webhook, Block Kit) or Microsoft Teams
// (workflow webhook, Adaptive Card), summarising the findings that qualify: at or above a minimum severity and,
// by default, new since the baseline. Webhook URLs are secrets: they are never logged and never appear in errors.
// Deliveries are retried with backoff (Retry-After honoured); a failed delivery is reported, never fatal.
package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/internal/ctxsleep"
	"github.com/shadowscan/shadowscan/scanner"
)

// Channel is one configured alert destination.
type Channel struct {
	Type        string // webhook | slack | teams
	Name        string
	URL         string // secret
	MinSeverity string
	OnlyNew     bool
	ReportURL   string // where the HTML report is published; "" for none
	Timeout     time.Duration
	MaxAttempts int
}

// maxListed bounds the findings listed in one message; the rest are counted.
const maxListed = 10

// Select returns the findings a channel alerts on: not suppressed, at or above its minimum severity and, with
// OnlyNew, new since the baseline. Order is the report's (severity first).
func Select(rep *scanner.Report, ch Channel) []scanner.Finding {
	floor := scanner.SeverityRank(ch.MinSeverity)
	var out []scanner.Finding
	for _, f := range rep.Findings {
		if f.Status == scanner.StatusSuppressed || scanner.SeverityRank(f.Severity) < floor {
			continue
		}
		if ch.OnlyNew && f.Status != scanner.StatusNew {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Result is the outcome of one channel's delivery.
type Result struct {
	Channel  string
	Type     string
	Findings int  // findings in the message
	Sent     bool // false with Err nil: nothing qualified, nothing sent
	Attempts int
	Err      error
}

// Sender delivers messages.
type Sender struct {
	Client *http.Client
	Log    zerolog.Logger
	// Backoff is the wait before the second attempt, doubled for each further one (capped at a minute); default 1s.
	Backoff time.Duration
	// Sleep waits d or until ctx is done; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (s *Sender) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return ctxsleep.Sleep(ctx, d)
}

// Send builds the channel's message and delivers it, unless no finding qualifies.
func (s *Sender) Send(ctx context.Context, ch Channel, rep *scanner.Report) Result {
	res := Result{Channel: ch.Name, Type: ch.Type}
	findings := Select(rep, ch)
	res.Findings = len(findings)
	log := s.Log.With().Str("component", "notify").Str("channel", ch.Name).Str("type", ch.Type).Logger()
	if len(findings) == 0 {
		log.Debug().Msg("no finding qualifies; nothing sent")
		return res
	}
	body, err := Payload(ch, rep, findings)
	if err != nil {
		res.Err = err
		return res
	}
	res.Attempts, res.Err = s.deliver(ctx, ch, body, log)
	res.Sent = res.Err == nil
	if res.Err != nil {
		log.Error().Err(res.Err).Int("attempts", res.Attempts).Int("findings", len(findings)).Msg("alert not delivered")
	} else {
		log.Info().Int("attempts", res.Attempts).Int("findings", len(findings)).Msg("alert sent")
	}
	return res
}

// errPermanent marks a response retrying cannot fix (4xx other than 408 and 429).
var errPermanent = errors.New("permanent")

func (s *Sender) deliver(ctx context.Context, ch Channel, body []byte, log zerolog.Logger) (int, error) {
	attempts := max(ch.MaxAttempts, 1)
	backoff := s.Backoff
	if backoff <= 0 {
		backoff = time.Second
	}
	var last error
	for i := 1; i <= attempts; i++ {
		wait, err := s.attempt(ctx, ch, body)
		if err == nil {
			return i, nil
		}
		last = err
		if errors.Is(err, errPermanent) || ctx.Err() != nil || i == attempts {
			return i, last
		}
		if wait <= 0 {
			wait = backoff << (i - 1)
		}
		wait = min(wait, time.Minute)
		log.Warn().Err(err).Int("attempt", i).Int64("retry_in_ms", wait.Milliseconds()).Msg("alert delivery failed; retrying")
		if err := s.sleep(ctx, wait); err != nil {
			return i, last
		}
	}
	return attempts, last
}

// attempt posts once. It returns how long the receiver asked to wait (Retry-After), if it did.
func (s *Sender) attempt(ctx context.Context, ch Channel, body []byte) (time.Duration, error) {
	timeout := ch.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, ch.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: the configured URL is not valid", errPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "shadowscan")
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, redact(err, actx, timeout)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("receiver answered HTTP %d", resp.StatusCode)
	}
	return 0, fmt.Errorf("%w: receiver answered HTTP %d", errPermanent, resp.StatusCode)
}

// redact drops the request URL (a secret) from a transport error, keeping only what went wrong.
func redact(err error, ctx context.Context, timeout time.Duration) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("no answer within %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("sending: %v", ue.Err)
	}
	return errors.New("sending failed")
}

func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}
