package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"
)

func TestLimiterSpacesRequests(t *testing.T) {
	t.Parallel()
	cases := []struct {
		qpm   float64
		burst int
		n     int
		want  string
	}{
		{60, 1, 4, "[1s 1s 1s]"},
		{60, 3, 5, "[1s 1s]"},
		{1200, 0, 22, "[50ms 50ms]"}, // default burst: one second's worth (20)
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%v/min burst %d", tc.qpm, tc.burst), func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			l := NewLimiter(tc.qpm, tc.burst, clock)
			for range tc.n {
				if err := l.Wait(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if got := fmt.Sprint(clock.Sleeps()); got != tc.want {
				t.Errorf("sleeps = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestLimiterAccessors(t *testing.T) {
	t.Parallel()
	var none *Limiter
	if none.QPM() != 0 || none.Burst() != 0 || none.Wait(context.Background()) != nil {
		t.Error("a nil limiter must not limit")
	}
	none.PauseUntil(time.Now()) // no panic
	if NewLimiter(0, 5, nil) != nil {
		t.Error("qpm 0 must mean no limiter")
	}
	l := NewLimiter(1800, 0, nil)
	if l.QPM() < 1799.9 || l.QPM() > 1800.1 || l.Burst() != 30 {
		t.Errorf("QPM = %v, Burst = %d; want 1800 and 30", l.QPM(), l.Burst())
	}
}

func TestLimiterHonoursCancellation(t *testing.T) {
	t.Parallel()
	l := NewLimiter(1, 1, nil) // one a minute
	ctx, cancel := context.WithCancel(context.Background())
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	if err := l.Wait(ctx); err != context.Canceled {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("Wait did not return promptly")
	}
	if err := l.Wait(ctx); err != context.Canceled {
		t.Errorf("Wait on a cancelled context = %v", err)
	}
}

// TestRateLimitSeenByServer stamps each request with the virtual time the server sees it at, through the real
// Transport on the package's fake clock (its Sleep advances the time at once): a burst of 5, then one request every
// 100 ms, so no one-second window holds more than burst + rate requests. A limiter that let requests through
// early, or in a larger burst, fails it; it costs no real time, so a loaded machine cannot make it flake.
func TestRateLimitSeenByServer(t *testing.T) {
	t.Parallel()
	const (
		qpm   = 600 // 10 a second
		burst = 5
		n     = 35
	)
	clock := newFakeClock()
	start := clock.Now()
	var mu sync.Mutex
	var seen []time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, clock.Now().Sub(start))
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	c := &http.Client{Transport: NewTransport(srv.Client().Transport, Options{QPM: qpm, Burst: burst, Clock: clock})}
	for range n { // one request at a time: the time the server reads is the time the limiter released it
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != n {
		t.Fatalf("the server saw %d requests, want %d", len(seen), n)
	}
	for i, at := range seen {
		if want := time.Duration(max(0, i-(burst-1))) * 100 * time.Millisecond; at != want {
			t.Errorf("request %d reached the server at +%s, want +%s", i+1, at, want)
		}
	}
	if most := mostInOneSecond(seen); most > burst+qpm/60 {
		t.Errorf("the server saw %d requests within one second, want at most %d", most, burst+qpm/60)
	}
}

// TestRateLimitConcurrentCallers: callers on five goroutines share one Transport's limiter. On a clock that stands
// still, every Wait takes the next slot, so whatever the interleaving the waits are exactly the schedule: five at
// once, then one every 100 ms, and no second holds more than burst + rate releases.
func TestRateLimitConcurrentCallers(t *testing.T) {
	t.Parallel()
	const (
		qpm   = 600
		burst = 5
		n     = 35
	)
	clock := &frozenClock{now: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	served := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served++
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	c := &http.Client{Transport: NewTransport(srv.Client().Transport, Options{QPM: qpm, Burst: burst, Clock: clock})}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			for range n / 5 {
				resp, err := c.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	released := clock.released(served)
	if served != n || len(released) != n {
		t.Fatalf("served %d, released %d; want %d", served, len(released), n)
	}
	sort.Slice(released, func(i, j int) bool { return released[i] < released[j] })
	for i, at := range released {
		if want := time.Duration(max(0, i-(burst-1))) * 100 * time.Millisecond; at != want {
			t.Errorf("release %d at +%s, want +%s", i+1, at, want)
		}
	}
	if most := mostInOneSecond(released); most > burst+qpm/60 {
		t.Errorf("%d releases within one second, want at most %d", most, burst+qpm/60)
	}
}

// mostInOneSecond is the most times (sorted) in any window [t, t+1s).
func mostInOneSecond(at []time.Duration) int {
	most := 0
	for i := range at {
		k := i
		for k < len(at) && at[k]-at[i] < time.Second {
			k++
		}
		most = max(most, k-i)
	}
	return most
}

// frozenClock is a Clock that never moves: Sleep returns at once and records the wait, so each wait is the time
// after now at which its caller was released.
type frozenClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *frozenClock) Now() time.Time { return c.now }

func (c *frozenClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	return ctx.Err()
}

// released is the release time after now of each of n requests: the waits, and 0 for each caller that did not
// wait (the limiter sleeps only when it must).
func (c *frozenClock) released(n int) []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]time.Duration(nil), c.sleeps...)
	for len(out) < n {
		out = append(out, 0)
	}
	return out
}
