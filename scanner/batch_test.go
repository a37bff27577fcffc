package scanner

import (
	"context"
	"strconv"
	"sync"
	"testing"
)

func rec(i int) Record { return Record{Kind: "k", ID: strconv.Itoa(i)} }

func drain(t *testing.T, b *batches) []string {
	t.Helper()
	var ids []string
	for {
		select {
		case s := <-b.ch:
			for _, r := range s {
				ids = append(ids, r.ID)
			}
		default:
			return ids
		}
	}
}

// While the accumulator keeps up, each record goes at once; once the channel is full, records gather into a batch
// of batchSize that waits for room; close hands over the rest. Order is kept throughout.
func TestBatcherStreamsThenBatches(t *testing.T) {
	b := newBatches()
	tb := &batcher{b: b}
	next := 0
	add := func(n int) {
		t.Helper()
		for ; n > 0; n-- {
			if open, err := tb.add(context.Background(), rec(next)); !open || err != nil {
				t.Fatalf("add %d: open %v, err %v", next, open, err)
			}
			next++
		}
	}
	add(cap(b.ch))
	add(batchSize - 1)
	if len(b.ch) != cap(b.ch) || len(tb.buf) != batchSize-1 {
		t.Fatalf("%d batches queued and %d records buffered, want %d single records queued and %d buffered",
			len(b.ch), len(tb.buf), cap(b.ch), batchSize-1)
	}
	ids := drain(t, b)
	if len(ids) != cap(b.ch) {
		t.Fatalf("queued %d records, want %d sent one by one", len(ids), cap(b.ch))
	}
	add(1) // fills the batch, which goes whole
	if len(b.ch) != 1 || len(tb.buf) != 0 {
		t.Fatalf("%d batches queued, %d buffered; want the full batch sent", len(b.ch), len(tb.buf))
	}
	add(5) // three go one by one until the channel is full again, two stay buffered
	ids = append(ids, drain(t, b)...)
	if len(tb.buf) != 2 {
		t.Fatalf("%d buffered, want 2", len(tb.buf))
	}
	tb.close()
	ids = append(ids, drain(t, b)...)
	if len(ids) != next {
		t.Fatalf("%d records handed over, want %d", len(ids), next)
	}
	for i, id := range ids {
		if id != strconv.Itoa(i) {
			t.Fatalf("record %d is %s: order lost", i, id)
		}
	}
	if open, _ := tb.add(context.Background(), rec(next)); open {
		t.Error("a record after close was taken")
	}
	if len(b.ch) != 0 {
		t.Error("close sent again or a late record was sent")
	}
}

// When the scan ends while a full batch waits for room, the record that filled it is refused (emit returns the
// context's error, the provider did not hand it over) and those accepted before it are kept for close.
func TestBatcherCancelledWhileFull(t *testing.T) {
	b := newBatches()
	for i := 0; i < cap(b.ch); i++ {
		b.ch <- []Record{rec(-1)}
	}
	tb := &batcher{b: b}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := 0; i < batchSize-1; i++ {
		if open, err := tb.add(ctx, rec(i)); !open || err != nil {
			t.Fatalf("add %d: open %v, err %v", i, open, err)
		}
	}
	if open, err := tb.add(ctx, rec(batchSize-1)); !open || err != context.Canceled {
		t.Fatalf("the record that filled the batch: open %v, err %v; want the context's error", open, err)
	}
	drain(t, b)
	tb.close()
	ids := drain(t, b)
	if len(ids) != batchSize-1 || ids[len(ids)-1] != strconv.Itoa(batchSize-2) {
		t.Fatalf("close handed over %d records ending %v, want the %d accepted", len(ids), ids[max(0, len(ids)-1):], batchSize-1)
	}
}

// A consumed batch comes back empty and cleared (it must keep no record alive), and is used again.
func TestBatchesRecycle(t *testing.T) {
	b := newBatches()
	s := b.get()
	s = append(s, Record{Kind: "k", ID: "x", Scopes: []string{"a"}})
	b.recycle(s)
	if s[0].ID != "" || s[0].Scopes != nil {
		t.Errorf("recycled batch still holds %+v", s[0])
	}
	again := b.get()
	if len(again) != 0 || cap(again) != cap(s) || &again[:1][0] != &s[0] {
		t.Errorf("got a new batch (len %d cap %d), want the recycled one", len(again), cap(again))
	}
}

// Several goroutines emitting at once (providers that fan out) lose no record and send none twice.
func TestRunConcurrentEmitters(t *testing.T) {
	const workers, each = 8, 1000
	b := newBatches()
	tb := &batcher{b: b}
	got := map[string]int{}
	done := make(chan struct{})
	go func() {
		for s := range b.ch {
			for _, r := range s {
				got[r.ID]++
			}
			b.recycle(s)
		}
		close(done)
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := tb.add(context.Background(), rec(w*each+i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	tb.close()
	close(b.ch)
	<-done
	if len(got) != workers*each {
		t.Fatalf("%d distinct records, want %d", len(got), workers*each)
	}
	for id, n := range got {
		if n != 1 {
			t.Fatalf("record %s handed over %d times", id, n)
		}
	}
}
