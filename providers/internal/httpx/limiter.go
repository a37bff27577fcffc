package httpx

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/shadowscan/shadowscan/internal/ctxsleep"
)

// Clock is the time source of a Transport and a Limiter. Tests inject one whose Sleep returns at once.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first, and returns ctx.Err() in the second case.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error { return ctxsleep.Sleep(ctx, d) }

// Limiter is a token bucket: on average at most QPM requests a minute, with bursts of up to Burst requests. It is
// implemented as a generic cell rate algorithm (a virtual scheduling clock), so waiting callers are released one
// interval apart rather than all at once. A Limiter is safe for concurrent use and may be shared by several
// Transports (for example every API client acting as the same Google admin).
type Limiter struct {
	mu       sync.Mutex
	clock    Clock
	interval time.Duration // time between two requests at the sustained rate
	tau      time.Duration // burst tolerance: (burst-1) intervals
	tat      time.Time     // theoretical arrival time of the next request
}

// NewLimiter returns a limiter allowing qpm requests a minute with bursts of burst requests. qpm <= 0 means no
// limit (a nil *Limiter also means no limit). burst <= 0 picks one second's worth of requests, at least 1.
func NewLimiter(qpm float64, burst int, clock Clock) *Limiter {
	if qpm <= 0 || math.IsNaN(qpm) || math.IsInf(qpm, 0) {
		return nil
	}
	if clock == nil {
		clock = SystemClock
	}
	if burst <= 0 {
		burst = int(math.Ceil(qpm / 60))
		if burst < 1 {
			burst = 1
		}
	}
	interval := time.Duration(float64(time.Minute) / qpm)
	if interval <= 0 {
		interval = 1
	}
	return &Limiter{clock: clock, interval: interval, tau: time.Duration(burst-1) * interval}
}

// QPM is the sustained rate in requests per minute (0 for a nil limiter).
func (l *Limiter) QPM() float64 {
	if l == nil {
		return 0
	}
	return float64(time.Minute) / float64(l.interval)
}

// Burst is the largest number of requests let through at once.
func (l *Limiter) Burst() int {
	if l == nil {
		return 0
	}
	return int(l.tau/l.interval) + 1
}

// Wait blocks until the caller may send one request, or until ctx is done.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	now := l.clock.Now()
	t := l.tat
	if t.Before(now) {
		t = now
	}
	wait := t.Add(-l.tau).Sub(now)
	l.tat = t.Add(l.interval)
	l.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	if err := l.clock.Sleep(ctx, wait); err != nil {
		// Give the slot back so that a cancelled caller does not slow the others down.
		l.mu.Lock()
		l.tat = l.tat.Add(-l.interval)
		l.mu.Unlock()
		return err
	}
	return nil
}

// PauseUntil holds every request back until t (the server asked all callers to slow down, e.g. a 429 with
// Retry-After), after which requests resume at the sustained rate without a burst.
func (l *Limiter) PauseUntil(t time.Time) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if next := t.Add(l.tau); next.After(l.tat) {
		l.tat = next
	}
}
