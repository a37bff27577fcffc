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

// Func may return a fault for any request; n counts the requests with that key, from 1.
type Func func(key string, n int) *Fault

// Counter counts the requests and the served faults of each key. The zero value is ready to use; it is not safe
// for concurrent use (the fakes call it under their own lock).
type Counter struct {
	seen, served map[string]int
}

// Next counts a request with key and returns its fault: the next one not yet served of script[key], else of
// script[k] for each k of fallback in turn (e.g. the page-less key of a paged request), else fn's answer; nil when
// there is none.
func (c *Counter) Next(script map[string][]Fault, fn Func, key string, fallback ...string) *Fault {
	if c.seen == nil {
		c.seen, c.served = map[string]int{}, map[string]int{}
	}
	c.seen[key]++
	for _, k := range append([]string{key}, fallback...) {
		if i := c.served[k]; i < len(script[k]) {
			c.served[k]++
			f := script[k][i]
			return &f
		}
	}
	if fn != nil {
		return fn(key, c.seen[key])
	}
	return nil
}
