package httpx

import "github.com/rs/zerolog"

// LogRetries is an Options.OnRetry that logs each retried attempt: at debug level for the first, warn from the
// second on (a call that keeps failing is worth seeing). what names the calls ("graph call").
func LogRetries(log zerolog.Logger, what string) func(RetryEvent) {
	msg := what + " throttled or failed; retrying"
	return func(e RetryEvent) {
		ev := log.Debug()
		if e.Attempt >= 2 {
			ev = log.Warn()
		}
		ev.Str("url", e.URL).Int("attempt", e.Attempt).Int("status", e.StatusCode).Str("reason", e.Reason).
			AnErr("error", e.Err).Int64("retry_after_ms", e.RetryAfter.Milliseconds()).Int64("delay_ms", e.Delay.Milliseconds()).Msg(msg)
	}
}
