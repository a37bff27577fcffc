// Package faults scripts the failures an API fake serves: per request key, a list of faults served in order, one
// per request, before the real answer; after that, optionally, a function of the key and the request's count.
// The Google Admin and Microsoft Graph fakes share it; each renders the faults in its own API's error format.
package faults

// Fault is one scripted failure.
type Fault struct {
	Status     int
	RetryAfter string // Retry-After header value, if any
	// Body is the raw body; empty with a Status of 400 or more means the fake's own error body for Status. With
	// Status 200 the Body replaces the answer (e.g. truncated JSON).
	Body string
}

// Script is the faults a fake serves, embedded in its Server; each fake documents its request keys. Set Faults and
// FaultFunc before serving. Next is not safe for concurrent use: the fakes call it under their own lock.
type Script struct {
	// Faults are served, in order, one per request with that key, before the real answer.
	Faults map[string][]Fault
	// FaultFunc, when set, may return a fault for any request; n counts requests with that key, from 1.
	FaultFunc func(key string, n int) *Fault

	seen, served map[string]int
}

// Next counts a request with key and returns its fault: the next one not yet served of Faults[key], else of
// Faults[k] for each k of fallback in turn (e.g. the page-less key of a paged request), else FaultFunc's answer;
// nil when there is none.
func (s *Script) Next(key string, fallback ...string) *Fault {
	if s.seen == nil {
		s.seen, s.served = map[string]int{}, map[string]int{}
	}
	s.seen[key]++
	for _, k := range append([]string{key}, fallback...) {
		if i := s.served[k]; i < len(s.Faults[k]) {
			s.served[k]++
			f := s.Faults[k][i]
			return &f
		}
	}
	if s.FaultFunc != nil {
		return s.FaultFunc(key, s.seen[key])
	}
	return nil
}
