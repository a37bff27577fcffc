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

// TestRateLimitSeenByServer counts, at the server, the requests in every one-second window of real time.
func TestRateLimitSeenByServer(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 3s of real time")
	}
	t.Parallel()
	const (
		qpm   = 600 // 10 a second
		burst = 5
		n     = 35
	)
	var mu sync.Mutex
	var seen []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, time.Now())
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	c := &http.Client{Transport: NewTransport(srv.Client().Transport, Options{QPM: qpm, Burst: burst})}
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
	sort.Slice(seen, func(i, j int) bool { return seen[i].Before(seen[j]) })
	most := 0
	for i := range seen {
		k := i
		for k < len(seen) && seen[k].Sub(seen[i]) < time.Second {
			k++
		}
		most = max(most, k-i)
	}
	// A token bucket lets through at most burst + rate×window requests in any window; +1 for scheduling noise.
	if limit := burst + qpm/60 + 1; most > limit {
		t.Errorf("the server saw %d requests within one second, want at most %d", most, limit)
	}
	t.Logf("%d requests, at most %d in any second, over %s", len(seen), most, seen[len(seen)-1].Sub(seen[0]))
}
