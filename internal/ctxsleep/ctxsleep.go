// Package ctxsleep waits for a duration or until a context is done, whichever comes first: the one wait that the
// HTTP transport's backoff, the notification retries and the API fakes' simulated latency share.
package ctxsleep

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done and returns ctx.Err() in the second case. With nothing to wait (d <= 0) it
// returns at once: nil, or ctx.Err() when ctx is already done (never a timer racing the cancellation).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
