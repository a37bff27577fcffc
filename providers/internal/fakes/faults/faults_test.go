package faults

import (
	"slices"
	"testing"
)

// Faults are served per key in order, one per request, then the fallback key's, then the function's; the function
// sees the count of requests with the key, faults served included.
func TestScriptNext(t *testing.T) {
	var asked []int
	s := Script{Faults: map[string][]Fault{"users#2": {{Status: 500}, {Status: 503}}, "users": {{Status: 429}}},
		FaultFunc: func(key string, n int) *Fault {
			asked = append(asked, n)
			if key == "users#2" && n == 5 {
				return &Fault{Status: 403}
			}
			return nil
		}}
	status := func(f *Fault) int {
		if f == nil {
			return 0
		}
		return f.Status
	}
	var got []int
	for range 5 {
		got = append(got, status(s.Next("users#2", "users")))
	}
	got = append(got, status(s.Next("users#3", "users")))
	s.FaultFunc = nil
	got = append(got, status(s.Next("tokens/x")))
	if want := []int{500, 503, 429, 0, 403, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if !slices.Equal(asked, []int{4, 5, 1}) {
		t.Errorf("the function was asked with counts %v, want [4 5 1]", asked)
	}
	if s.Faults["users#2"][0].Status != 500 {
		t.Error("serving a fault changed the script")
	}
}
