package scanner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Without a Grace, Run waits the default 10s for a provider that is slow to stop after cancellation, rather than
// abandoning it at once; the scan's clock is the one given.
func TestRunDefaults(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	emitted := make(chan struct{})
	opts := testOpts(t, fake("slow-to-stop", &fakeConfig{Records: 1, Hang: true, Release: release, Emitted: emitted}))
	opts.Grace = 0
	go func() {
		<-emitted
		cancel()
		time.Sleep(100 * time.Millisecond)
		close(release)
	}()
	rep, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if c := cov(t, rep, "slow-to-stop"); strings.Contains(fmt.Sprint(c.Errors), "abandoned") {
		t.Errorf("a provider that stopped 100ms after cancellation was abandoned: %+v", c)
	}
	if want := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC); !rep.Scan.StartedAt.Equal(want) {
		t.Errorf("started at %v, want the given clock's %v", rep.Scan.StartedAt, want)
	}
}

// Only a sharded scan carries shard state (for the merge); a whole scan's report has none.
func TestShardStateOnlyWhenSharded(t *testing.T) {
	opts := testOpts(t, fake("a", &fakeConfig{Records: 2}))
	rep, err := Run(context.Background(), opts)
	if err != nil || rep.Shard != nil {
		t.Errorf("whole scan: shard %+v, err %v; want none", rep.Shard, err)
	}
	opts.Shard = Shard{Index: 1, Count: 2}
	rep, err = Run(context.Background(), opts)
	if err != nil || rep.Shard == nil {
		t.Errorf("shard 1 of 2: shard state %+v, err %v; want some", rep.Shard, err)
	}
}
