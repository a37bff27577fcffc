package httpx

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A rate too high to space requests by even a nanosecond is limited at one request a nanosecond, not divided by
// zero.
func TestLimiterRateBeyondNanosecond(t *testing.T) {
	t.Parallel()
	l := NewLimiter(1e12, 1, newFakeClock())
	if got, want := l.QPM(), float64(time.Minute/time.Nanosecond); got != want {
		t.Errorf("QPM = %v, want %v (one a nanosecond)", got, want)
	}
	if l.Burst() != 1 {
		t.Errorf("Burst = %d, want 1", l.Burst())
	}
}

// sleepFails is a fake clock whose Sleep fails (as if the caller's context ended while it waited) while fail is set.
type sleepFails struct {
	*fakeClock
	fail bool
}

func (c *sleepFails) Sleep(ctx context.Context, d time.Duration) error {
	if c.fail {
		return context.Canceled
	}
	return c.fakeClock.Sleep(ctx, d)
}

// A caller whose wait is cancelled gives its slot back: the next caller waits one interval, not two.
func TestLimiterCancelledWaitGivesSlotBack(t *testing.T) {
	t.Parallel()
	clock := &sleepFails{fakeClock: newFakeClock()}
	l := NewLimiter(60, 1, clock)
	if err := l.Wait(context.Background()); err != nil { // the burst of one: no wait
		t.Fatal(err)
	}
	clock.fail = true
	if err := l.Wait(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
	clock.fail = false
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := clock.Sleeps(); len(got) != 1 || got[0] != time.Second {
		t.Errorf("sleeps after a cancelled wait = %v, want [1s]", got)
	}
}
