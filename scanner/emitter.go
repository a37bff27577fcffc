package scanner

import "sync"

// Emitter wraps Collect's emit for providers that emit from several goroutines: it counts records, remembers the
// first emit error and refuses every record after it, so workers stop as soon as the scan does.
type Emitter struct {
	mu     sync.Mutex
	emit   func(Record) error
	onStop func() // called once, on the first emit error (e.g. to cancel the workers' context); may be nil
	err    error
	n      int
}

// NewEmitter wraps emit; onStop, if not nil, runs once when emit first fails.
func NewEmitter(emit func(Record) error, onStop func()) *Emitter {
	return &Emitter{emit: emit, onStop: onStop}
}

// Send emits r unless an earlier emit failed; it returns that failure.
func (e *Emitter) Send(r Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return e.err
	}
	if err := e.emit(r); err != nil {
		e.err = err
		if e.onStop != nil {
			e.onStop()
		}
		return err
	}
	e.n++
	return nil
}

// Err is the first emit error, or nil.
func (e *Emitter) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// Count is how many records were emitted.
func (e *Emitter) Count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n
}
