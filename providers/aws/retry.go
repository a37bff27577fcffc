package aws

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// maxRetryBackoff caps one wait between attempts, including a server's Retry-After.
const maxRetryBackoff = 20 * time.Second

// newRetryer is the SDK's standard retryer (5xx, throttling error codes, connection errors) with these changes:
// a bare HTTP 429 and a body cut off mid-way are retried too, a Retry-After header is honoured (capped at maxBackoff), and the client-side
// retry quota is off so that a long scan that meets throttling keeps retrying each page instead of failing
// once the shared token bucket is empty. Retries are per request, so a throttled page is retried on its own and
// the pages already read stay read.
func newRetryer(maxAttempts int, maxBackoff time.Duration) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxBackoff
		o.RateLimiter = ratelimit.None
		o.Retryables = append(o.Retryables, retry.RetryableHTTPStatusCode{
			Codes: map[int]struct{}{http.StatusTooManyRequests: {}},
		}, retry.IsErrorRetryableFunc(cutOffBody))
		o.Backoff = retryAfterBackoff{jitter: retry.NewExponentialJitterBackoff(maxBackoff), max: maxBackoff}
	})
}

// cutOffBody makes a response whose body broke off mid-way (the connection dropped: the SDK's deserializer meets an
// unexpected EOF) retryable; the SDK retries a dropped connection only before the response arrives.
func cutOffBody(err error) aws.Ternary {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

// retryAfterBackoff waits what the server's Retry-After asks (seconds or an HTTP date), capped; otherwise the
// SDK's exponential jitter backoff.
type retryAfterBackoff struct {
	jitter retry.BackoffDelayer
	max    time.Duration
}

func (b retryAfterBackoff) BackoffDelay(attempt int, err error) (time.Duration, error) {
	if d, ok := retryAfter(err); ok {
		if d > b.max {
			d = b.max
		}
		return d, nil
	}
	return b.jitter.BackoffDelay(attempt, err)
}

// retryAfter reads Retry-After (or x-amz-retry-after, in milliseconds) from the HTTP response behind err.
func retryAfter(err error) (time.Duration, bool) {
	var resp *smithyhttp.Response
	var awsErr *awshttp.ResponseError
	var smErr *smithyhttp.ResponseError
	switch {
	case errors.As(err, &awsErr) && awsErr.ResponseError != nil:
		resp = awsErr.Response
	case errors.As(err, &smErr):
		resp = smErr.Response
	}
	if resp == nil || resp.Response == nil {
		return 0, false
	}
	if v := strings.TrimSpace(resp.Header.Get("x-amz-retry-after")); v != "" {
		if ms, perr := strconv.ParseInt(v, 10, 64); perr == nil && ms >= 0 {
			return time.Duration(ms) * time.Millisecond, true
		}
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, perr := strconv.ParseInt(v, 10, 64); perr == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, perr := http.ParseTime(v); perr == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
