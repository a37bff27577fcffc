// Package scannertest holds the checks every provider must pass, for use from provider tests.
package scannertest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// Contract describes what a provider promises about its records over a fixture set.
type Contract struct {
	// Populated maps a record kind to the fields that must be non-empty in at least one record of that kind
	// across the fixture set, e.g. {"oauth_grant": {"Principal.Email", "Scopes", "Hints"}}. Field paths use Go
	// field names of scanner.Record; "Attributes.key" names an attribute.
	Populated map[string][]string
	// Kinds lists record kinds that must appear at least once.
	Kinds []string
}

// Collect runs p to completion and returns its records and error.
func Collect(t testing.TB, p scanner.Provider) ([]scanner.Record, error) {
	t.Helper()
	var (
		mu   sync.Mutex
		recs []scanner.Record
	)
	err := p.Collect(context.Background(), func(r scanner.Record) error {
		mu.Lock()
		defer mu.Unlock()
		recs = append(recs, r)
		return nil
	})
	CheckShape(t, p, recs)
	return recs, err
}

// CheckShape fails the test when a record has a kind or an attribute (or an attribute type) that the provider's
// registration does not declare. Collect calls it, so every provider test that collects checks its declarations.
func CheckShape(t testing.TB, p scanner.Provider, recs []scanner.Record) {
	t.Helper()
	f, ok := scanner.LookupProvider(p)
	if !ok {
		return // a provider not registered from its own package (a test double)
	}
	bad := 0
	for i := range recs {
		err := f.Shape.CheckRecord(&recs[i])
		for _, h := range recs[i].Hints {
			if err == nil && !slices.Contains(scanner.HintTypes, h.Type) {
				err = fmt.Errorf("record %s: hint type %q is not one the resolver knows (scanner.HintTypes)", recs[i].ID, h.Type)
			}
		}
		if err != nil {
			if bad++; bad <= 5 {
				t.Errorf("%s: %v (declare it in the provider's Shape)", f.Type, err)
			}
		}
	}
}

// RunProviderContract checks the provider contract with fresh providers from newProvider (each call must give a
// provider over the same fixtures): records carry kind and a unique ID, documented fields are populated, Collect
// returns promptly after cancellation, honours an emit error, and never emits after returning.
func RunProviderContract(t *testing.T, newProvider func(t *testing.T) scanner.Provider, c Contract) {
	t.Helper()
	t.Run("records", func(t *testing.T) {
		recs, err := Collect(t, newProvider(t))
		if err != nil {
			t.Fatalf("Collect: %v", err)
		}
		if len(recs) == 0 {
			t.Fatal("no records over the fixture set")
		}
		ids := map[string]bool{}
		kinds := map[string]bool{}
		for _, r := range recs {
			if r.Kind == "" || r.ID == "" {
				t.Errorf("record without kind or id: %+v", r)
			}
			if ids[r.ID] {
				t.Errorf("duplicate record id %q", r.ID)
			}
			ids[r.ID] = true
			kinds[r.Kind] = true
		}
		for _, k := range c.Kinds {
			if !kinds[k] {
				t.Errorf("no record of kind %q", k)
			}
		}
		for kind, fields := range c.Populated {
			for _, f := range fields {
				found := false
				for i := range recs {
					if recs[i].Kind == kind && !isEmpty(fieldOf(&recs[i], f)) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("kind %s: field %s is empty in every record", kind, f)
				}
			}
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var returned atomic.Bool
		var late atomic.Int64
		done := make(chan error, 1)
		go func() {
			err := newProvider(t).Collect(ctx, func(scanner.Record) error {
				if returned.Load() {
					late.Add(1)
				}
				cancel()
				return ctx.Err()
			})
			returned.Store(true)
			done <- err
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Collect did not return within 10s of cancellation")
		}
		time.Sleep(50 * time.Millisecond)
		if late.Load() > 0 {
			t.Errorf("emit called %d times after Collect returned", late.Load())
		}
	})
	t.Run("emit error stops", func(t *testing.T) {
		all, _ := Collect(t, newProvider(t))
		if len(all) < 2 {
			t.Skipf("the fixture set gives %d records; stopping needs at least 2 to show", len(all))
		}
		stop := errors.New("stop here")
		var calls atomic.Int64
		err := newProvider(t).Collect(context.Background(), func(scanner.Record) error {
			calls.Add(1)
			return stop
		})
		if !errors.Is(err, stop) {
			t.Errorf("emit returned an error but Collect returned %v", err)
		}
		// The first refused record ends the collection: no further record is offered (workers that were already
		// emitting are stopped by the shared scanner.Emitter, which refuses after the first error).
		if n := calls.Load(); n != 1 {
			t.Errorf("emit was called %d times after it returned an error on the first of %d records", n, len(all))
		}
	})
}

func fieldOf(r *scanner.Record, path string) any {
	parts := strings.Split(path, ".")
	if parts[0] == "Attributes" && len(parts) == 2 {
		return r.Attributes[parts[1]]
	}
	v := reflect.ValueOf(r).Elem()
	for _, p := range parts {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return nil
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return nil
		}
		v = v.FieldByName(p)
		if !v.IsValid() {
			panic("scannertest: no field " + path)
		}
	}
	return v.Interface()
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.IsZero() || ((rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0)
}
