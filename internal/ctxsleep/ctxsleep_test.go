package ctxsleep

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleepWaits(t *testing.T) {
	t.Parallel()
	const d = 20 * time.Millisecond
	start := time.Now()
	if err := Sleep(context.Background(), d); err != nil {
		t.Fatalf("Sleep(%v) = %v, want nil", d, err)
	}
	if waited := time.Since(start); waited < d {
		t.Errorf("Sleep(%v) returned after %v", d, waited)
	}
}

// A context that ends during the wait ends the wait with its error; the hour is never waited out.
func TestSleepEndsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Sleep(ctx, time.Hour) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep(cancelled during the wait) = %v, want context.Canceled", err)
	}
	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(10*time.Millisecond))
	defer dcancel()
	if err := Sleep(dctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Sleep(deadline before the end) = %v, want context.DeadlineExceeded", err)
	}
}

// With nothing to wait Sleep returns at once: nil, or the context's error when it is already done.
func TestSleepWithoutWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 200 { // a timer that fires at once would race the cancellation; it must not be consulted
		for _, d := range []time.Duration{0, -time.Second} {
			if err := Sleep(ctx, d); !errors.Is(err, context.Canceled) {
				t.Fatalf("Sleep(cancelled, %v) = %v, want context.Canceled", d, err)
			}
			if err := Sleep(context.Background(), d); err != nil {
				t.Fatalf("Sleep(%v) = %v, want nil", d, err)
			}
		}
	}
}
