package scanner

import (
	"errors"
	"sync"
	"testing"
)

func TestEmitterStopsAfterFirstError(t *testing.T) {
	stop := errors.New("stop")
	var mu sync.Mutex
	got, stops := 0, 0
	em := NewEmitter(func(Record) error {
		mu.Lock()
		defer mu.Unlock()
		got++
		if got == 3 {
			return stop
		}
		return nil
	}, func() { stops++ })
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if err := em.Send(Record{Kind: "k", ID: "x"}); err != nil {
					if !errors.Is(err, stop) {
						t.Errorf("Send: %v", err)
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	if got != 3 || em.Count() != 2 || stops != 1 || !errors.Is(em.Err(), stop) {
		t.Errorf("emit calls %d, count %d, onStop %d, err %v; want 3, 2, 1, stop", got, em.Count(), stops, em.Err())
	}
}
