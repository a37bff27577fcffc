package microsoft

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/httpx"
)

// Graph limits.
const (
	batchSize    = 20      // requests per JSON $batch (Graph's maximum)
	maxBodyBytes = 1 << 28 // largest response body read (a page of 999 service principals is a few MB)
)

// graphClient is a thin typed Microsoft Graph client over net/http: the httpx transport retries throttled and
// failed requests (429, 503, 5xx with Retry-After), this client retries bodies that do not decode and the
// throttled parts of a $batch, and follows @odata.nextLink.
type graphClient struct {
	http        *http.Client
	base        string // v1.0 base URL, no trailing slash
	beta        string
	host        string // the only host nextLinks may point at (the bearer token goes there)
	clock       httpx.Clock
	maxAttempts int
	baseDelay   time.Duration
	log         zerolog.Logger
	calls       atomic.Int64 // HTTP requests made (each attempt of each call)
}

// apiError is a Graph error response.
type apiError struct {
	Status  int
	Code    string // error.code, e.g. Authorization_RequestDenied
	Message string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// forbidden reports whether err is a permission error (403, or 401 on one API).
func forbidden(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && (ae.Status == http.StatusForbidden || ae.Status == http.StatusUnauthorized)
}

// statusOf is the HTTP status of an API error, or 0.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

func parseAPIError(status int, body []byte) *apiError {
	e := &apiError{Status: status}
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &b) == nil {
		e.Code, e.Message = b.Error.Code, b.Error.Message
	}
	if len(e.Message) > 300 {
		e.Message = e.Message[:300] + "…"
	}
	return e
}

// decodeError is a 200 whose body is not the JSON expected (truncated, or not JSON at all).
type decodeError struct {
	URL string
	Err error
}

func (e *decodeError) Error() string {
	return fmt.Sprintf("response of %s is not valid JSON: %v", e.URL, e.Err)
}

func (e *decodeError) Unwrap() error { return e.Err }

// call sends one request and reads the whole body.
func (c *graphClient) call(ctx context.Context, method, u string, body []byte) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.calls.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return resp.StatusCode, resp.Header, data, fmt.Errorf("reading the response of %s: %w", redact(u), err)
	}
	return resp.StatusCode, resp.Header, data, nil
}

// send calls method u and decodes a 2xx body into out, retrying a body that does not decode (a truncated
// response) with backoff. Errors are *apiError, *decodeError, *httpx.GaveUpError or network errors.
func (c *graphClient) send(ctx context.Context, method, u string, body []byte, out any) error {
	var last error
	for attempt := 1; attempt <= c.maxAttempts; attempt++ {
		status, _, data, err := c.call(ctx, method, u, body)
		switch {
		case err != nil && status == 0:
			return err
		case err != nil:
			last = err // the body broke off mid-read: try again
		case status < 200 || status > 299:
			return parseAPIError(status, data)
		default:
			if err := json.Unmarshal(data, out); err != nil {
				last = &decodeError{URL: redact(u), Err: err}
			} else {
				return nil
			}
		}
		if attempt < c.maxAttempts {
			c.log.Warn().Str("url", redact(u)).Int("attempt", attempt).Err(last).Msg("graph response unreadable; retrying")
			if err := c.clock.Sleep(ctx, c.backoff(attempt)); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("gave up after %d attempts: %w", c.maxAttempts, last)
}

func (c *graphClient) backoff(attempt int) time.Duration {
	d := float64(c.baseDelay) * math.Pow(2, float64(attempt-1))
	if d > float64(30*time.Second) {
		d = float64(30 * time.Second)
	}
	return time.Duration(d)
}

// page is one page of a Graph collection.
type page[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// loopError is a nextLink that was already followed: the listing stops there instead of looping forever.
type loopError struct {
	Link  string
	Pages int
}

func (e *loopError) Error() string {
	return fmt.Sprintf("@odata.nextLink repeats after %d pages (%s): stopped listing; the entries of those pages are kept", e.Pages, e.Link)
}

// list follows a collection from u through every @odata.nextLink, handing each page to fn. Pages already handed
// over are kept when a later page fails; the error says where it stopped.
func list[T any](ctx context.Context, c *graphClient, u string, fn func([]T) error) error {
	seen := map[string]bool{u: true}
	for pages := 1; u != ""; pages++ {
		var p page[T]
		if err := c.send(ctx, http.MethodGet, u, nil, &p); err != nil {
			if pages > 1 {
				return fmt.Errorf("page %d: %w", pages, err)
			}
			return err
		}
		if err := fn(p.Value); err != nil {
			return err
		}
		next := p.NextLink
		if next == "" {
			return nil
		}
		if err := c.sameHost(next); err != nil {
			return err
		}
		if seen[next] {
			return &loopError{Link: redact(next), Pages: pages}
		}
		seen[next] = true
		u = next
	}
	return nil
}

// sameHost refuses a nextLink to another host, which would receive the bearer token.
func (c *graphClient) sameHost(link string) error {
	u, err := url.Parse(link)
	if err != nil || !strings.EqualFold(u.Host, c.host) {
		return fmt.Errorf("@odata.nextLink %q points away from %s: not followed", redact(link), c.host)
	}
	return nil
}

// batchRequest is one request of a JSON $batch; URL is relative to the version base ("/servicePrincipals/…").
type batchRequest struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	URL    string `json:"url"`
}

// batchResponse is one answer inside a $batch response.
type batchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// retryableStatus are the statuses worth another try inside a $batch.
func retryableStatus(s int) bool {
	switch s {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway,
		http.StatusGatewayTimeout, http.StatusInternalServerError, http.StatusRequestTimeout:
		return true
	}
	return false
}

// batch sends up to 20 GETs as one JSON $batch and returns the answer to each request ID (a request Graph did not
// answer gets a 502). Throttled answers inside are returned as they are: the caller re-queues them (see
// batchQueue), so that they ride along in a later batch instead of costing a batch of their own.
func (c *graphClient) batch(ctx context.Context, reqs []batchRequest) (map[string]batchResponse, error) {
	if len(reqs) > batchSize {
		return nil, fmt.Errorf("a $batch holds at most %d requests (got %d)", batchSize, len(reqs))
	}
	body, err := json.Marshal(map[string]any{"requests": reqs})
	if err != nil {
		return nil, err
	}
	var resp struct {
		Responses []batchResponse `json:"responses"`
	}
	if err := c.send(ctx, http.MethodPost, c.base+"/$batch", body, &resp); err != nil {
		return nil, err
	}
	out := make(map[string]batchResponse, len(reqs))
	for _, r := range resp.Responses {
		out[r.ID] = r
	}
	for _, rq := range reqs {
		if _, ok := out[rq.ID]; !ok {
			out[rq.ID] = batchResponse{ID: rq.ID, Status: http.StatusBadGateway}
		}
	}
	return out, nil
}

// retryDelay is how long to wait before sending a throttled or failed $batch answer's request again, and whether
// to try at all (a Retry-After beyond what the transport would wait gives up).
func (c *graphClient) retryDelay(r batchResponse, attempt int) (time.Duration, bool) {
	if !retryableStatus(r.Status) || attempt >= c.maxAttempts {
		return 0, false
	}
	if ra, ok := httpx.ParseRetryAfter(headerValue(r.Headers, "Retry-After"), c.clock.Now()); ok {
		return ra, ra <= httpx.DefaultMaxRetryAfter
	}
	return c.backoff(attempt), true
}

// batchErr turns a non-2xx $batch answer into an error.
func batchErr(r batchResponse) error {
	if r.Status >= 200 && r.Status <= 299 {
		return nil
	}
	e := parseAPIError(r.Status, r.Body)
	if ra := headerValue(r.Headers, "Retry-After"); ra != "" && retryableStatus(r.Status) {
		if e.Message != "" {
			e.Message += "; "
		}
		e.Message += "still throttled after retries (Retry-After " + ra + ")"
	}
	return e
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// redact drops a URL's query (it may hold skip tokens and filters, never credentials, but it is long).
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// pathEscape escapes an object ID for a URL path (IDs are GUIDs; anything else is escaped, never trusted).
func pathEscape(id string) string { return url.PathEscape(id) }

// itoa is strconv.Itoa, short.
func itoa(n int) string { return strconv.Itoa(n) }
