package scanner

import (
	"context"
	"sync"
)

// batchSize is how many records at most travel from a provider to the accumulator at once. One channel operation
// per record (and often a goroutine wake-up) cost about a fifth of a scan's CPU; per 64 records it is noise.
const batchSize = 64

// batches carries records from the providers to the single goroutine that accumulates them, and recycles the
// slices it has consumed, so a scan of millions of records allocates a few dozen batches.
type batches struct {
	ch   chan []Record
	free chan []Record
}

func newBatches() *batches {
	// Four batches in flight, as many records as the unbatched channel buffered.
	return &batches{ch: make(chan []Record, 4), free: make(chan []Record, 16)}
}

func (b *batches) get() []Record {
	select {
	case s := <-b.free:
		return s
	default:
		return make([]Record, 0, batchSize)
	}
}

// recycle returns a consumed batch; its records are cleared so that it keeps nothing alive.
func (b *batches) recycle(s []Record) {
	clear(s)
	select {
	case b.free <- s[:0]:
	default:
	}
}

// batcher is one provider instance's side of batches: emit may be called from several goroutines.
type batcher struct {
	mu     sync.Mutex
	b      *batches
	buf    []Record
	closed bool
}

// add buffers r and hands a full batch over. open is false when the batcher is closed (Collect returned or was
// abandoned): r is dropped. err is the context's error when ctx ended while a full batch waited: r is then not
// taken, and the records buffered before it stay buffered until close hands them over.
func (t *batcher) add(ctx context.Context, r Record) (open bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false, nil
	}
	if t.buf == nil {
		t.buf = t.b.get()
	}
	t.buf = append(t.buf, r)
	if len(t.buf) < batchSize {
		// Records stream: a batch goes as soon as the channel has room, so a slow provider's records are
		// accumulated as they come; only a provider faster than the accumulator fills whole batches.
		select {
		case t.b.ch <- t.buf:
			t.buf = nil
		default:
		}
		return true, nil
	}
	select {
	case t.b.ch <- t.buf:
		t.buf = nil
		return true, nil
	case <-ctx.Done():
		t.buf[len(t.buf)-1] = Record{}
		t.buf = t.buf[:len(t.buf)-1]
		return true, ctx.Err()
	}
}

// close hands over what is buffered and refuses every later record. The accumulator always drains the channel,
// so the hand-over does not block for long.
func (t *batcher) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	if len(t.buf) > 0 {
		t.b.ch <- t.buf
	}
	t.buf = nil
}
