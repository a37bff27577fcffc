package aws

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// inFlightClient caps the HTTP requests in flight across every client built from one aws.Config: the global cap
// over all accounts scanned at once. A request waiting for a slot gives up when its context ends. Backoff between
// retries happens outside Do, so a throttled request holds no slot while it waits.
type inFlightClient struct {
	next aws.HTTPClient
	sem  chan struct{}
}

func capInFlight(next aws.HTTPClient, n int) aws.HTTPClient {
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	return &inFlightClient{next: next, sem: make(chan struct{}, max(n, 1))}
}

func (c *inFlightClient) Do(req *http.Request) (*http.Response, error) {
	select {
	case c.sem <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	defer func() { <-c.sem }()
	return c.next.Do(req)
}

// forAccount returns a copy of the clients whose IAM calls share n slots: IAM's request quota is per account, so
// the side-by-side parts of one account (roles, keys, identity providers) must not overrun it together.
func (c *clients) forAccount(n int) *clients {
	out := *c
	out.iam = &limitedIAM{next: c.iam, sem: make(chan struct{}, max(n, 1))}
	return &out
}

// limitedIAM is an iamAPI with at most cap(sem) calls in flight.
type limitedIAM struct {
	next iamAPI
	sem  chan struct{}
}

func (l *limitedIAM) acquire(ctx context.Context) error {
	select {
	case l.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *limitedIAM) release() { <-l.sem }

// limit runs one IAM call in a slot.
func limit[I, O any](l *limitedIAM, ctx context.Context, in I, opts []func(*iam.Options),
	call func(context.Context, I, ...func(*iam.Options)) (O, error)) (O, error) {
	if err := l.acquire(ctx); err != nil {
		var zero O
		return zero, err
	}
	defer l.release()
	return call(ctx, in, opts...)
}

func (l *limitedIAM) GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, o ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error) {
	return limit(l, ctx, in, o, l.next.GetAccountAuthorizationDetails)
}

func (l *limitedIAM) ListAccessKeys(ctx context.Context, in *iam.ListAccessKeysInput, o ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	return limit(l, ctx, in, o, l.next.ListAccessKeys)
}

func (l *limitedIAM) GetAccessKeyLastUsed(ctx context.Context, in *iam.GetAccessKeyLastUsedInput, o ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error) {
	return limit(l, ctx, in, o, l.next.GetAccessKeyLastUsed)
}

func (l *limitedIAM) ListOpenIDConnectProviders(ctx context.Context, in *iam.ListOpenIDConnectProvidersInput, o ...func(*iam.Options)) (*iam.ListOpenIDConnectProvidersOutput, error) {
	return limit(l, ctx, in, o, l.next.ListOpenIDConnectProviders)
}

func (l *limitedIAM) GetOpenIDConnectProvider(ctx context.Context, in *iam.GetOpenIDConnectProviderInput, o ...func(*iam.Options)) (*iam.GetOpenIDConnectProviderOutput, error) {
	return limit(l, ctx, in, o, l.next.GetOpenIDConnectProvider)
}

func (l *limitedIAM) ListSAMLProviders(ctx context.Context, in *iam.ListSAMLProvidersInput, o ...func(*iam.Options)) (*iam.ListSAMLProvidersOutput, error) {
	return limit(l, ctx, in, o, l.next.ListSAMLProviders)
}

func (l *limitedIAM) GetSAMLProvider(ctx context.Context, in *iam.GetSAMLProviderInput, o ...func(*iam.Options)) (*iam.GetSAMLProviderOutput, error) {
	return limit(l, ctx, in, o, l.next.GetSAMLProvider)
}

// pageTokens guards a paginator against a next-page token that repeats one already followed: the SDK's paginators
// would follow it forever (their StopOnDuplicateToken stops silently, and only on an immediate repeat).
type pageTokens map[string]bool

// repeat returns an error when tok, the next-page token of page, was already followed (nil or "" ends the list).
func (s pageTokens) repeat(tok *string, page int) error {
	if tok == nil || *tok == "" {
		return nil
	}
	if s[*tok] {
		return fmt.Errorf("the next-page token repeats after page %d: stopped listing there (what was read is kept)", page)
	}
	s[*tok] = true
	return nil
}
