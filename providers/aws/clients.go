package aws

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/marketplaceagreement"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Narrow views of the SDK clients: only the calls this provider makes.

type stsAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

type orgAPI interface {
	DescribeOrganization(ctx context.Context, in *organizations.DescribeOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	ListRoots(ctx context.Context, in *organizations.ListRootsInput, optFns ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	ListAccountsForParent(ctx context.Context, in *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
}

type iamAPI interface {
	GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, optFns ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
	ListAccessKeys(ctx context.Context, in *iam.ListAccessKeysInput, optFns ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	GetAccessKeyLastUsed(ctx context.Context, in *iam.GetAccessKeyLastUsedInput, optFns ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	ListOpenIDConnectProviders(ctx context.Context, in *iam.ListOpenIDConnectProvidersInput, optFns ...func(*iam.Options)) (*iam.ListOpenIDConnectProvidersOutput, error)
	GetOpenIDConnectProvider(ctx context.Context, in *iam.GetOpenIDConnectProviderInput, optFns ...func(*iam.Options)) (*iam.GetOpenIDConnectProviderOutput, error)
	ListSAMLProviders(ctx context.Context, in *iam.ListSAMLProvidersInput, optFns ...func(*iam.Options)) (*iam.ListSAMLProvidersOutput, error)
	GetSAMLProvider(ctx context.Context, in *iam.GetSAMLProviderInput, optFns ...func(*iam.Options)) (*iam.GetSAMLProviderOutput, error)
}

type route53API interface {
	ListHostedZones(ctx context.Context, in *route53.ListHostedZonesInput, optFns ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error)
	ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error)
}

type agreementAPI interface {
	SearchAgreements(ctx context.Context, in *marketplaceagreement.SearchAgreementsInput, optFns ...func(*marketplaceagreement.Options)) (*marketplaceagreement.SearchAgreementsOutput, error)
	DescribeAgreement(ctx context.Context, in *marketplaceagreement.DescribeAgreementInput, optFns ...func(*marketplaceagreement.Options)) (*marketplaceagreement.DescribeAgreementOutput, error)
}

type costAPI interface {
	GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
}

type taggingAPI interface {
	GetResources(ctx context.Context, in *resourcegroupstaggingapi.GetResourcesInput, optFns ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error)
}

// clients are the SDK clients for one set of credentials (the caller, or a role in one member account).
type clients struct {
	sts     stsAPI
	org     orgAPI
	iam     iamAPI
	route53 route53API
	mpa     agreementAPI
	ce      costAPI
	tagging func(region string) taggingAPI
}

// newClients builds every client from cfg. endpoint, when set, replaces each service's endpoint (a proxy, an
// emulator, a test fake); otherwise the SDK resolves endpoints itself, AWS_ENDPOINT_URL* included. Global
// services are signed for the partition's global region; the tagging API for the region asked for.
func newClients(cfg aws.Config, endpoint string) *clients {
	global := cfg.Copy()
	global.Region = globalRegion(cfg.Region)
	var ep *string
	if endpoint != "" {
		ep = aws.String(endpoint)
	}
	return &clients{
		sts: sts.NewFromConfig(cfg, func(o *sts.Options) {
			if o.Region == "" {
				o.Region = global.Region
			}
			o.BaseEndpoint = orDefault(ep, o.BaseEndpoint)
		}),
		org: organizations.NewFromConfig(global, func(o *organizations.Options) { o.BaseEndpoint = orDefault(ep, o.BaseEndpoint) }),
		iam: iam.NewFromConfig(global, func(o *iam.Options) { o.BaseEndpoint = orDefault(ep, o.BaseEndpoint) }),
		route53: route53.NewFromConfig(global, func(o *route53.Options) {
			o.BaseEndpoint = orDefault(ep, o.BaseEndpoint)
		}),
		mpa: marketplaceagreement.NewFromConfig(global, func(o *marketplaceagreement.Options) {
			o.BaseEndpoint = orDefault(ep, o.BaseEndpoint)
		}),
		ce: costexplorer.NewFromConfig(global, func(o *costexplorer.Options) { o.BaseEndpoint = orDefault(ep, o.BaseEndpoint) }),
		tagging: func(region string) taggingAPI {
			return resourcegroupstaggingapi.NewFromConfig(cfg, func(o *resourcegroupstaggingapi.Options) {
				o.Region = region
				o.BaseEndpoint = orDefault(ep, o.BaseEndpoint)
			})
		},
	}
}

func orDefault(ep, def *string) *string {
	if ep != nil {
		return ep
	}
	return def
}

// globalRegion is the region global services (IAM, Route 53, Organizations, Cost Explorer, Marketplace) are
// signed for in the partition of region.
func globalRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "us-gov-west-1"
	case strings.HasPrefix(region, "cn-"):
		return "cn-northwest-1"
	default:
		return "us-east-1"
	}
}

// loadSDKConfig is production's aws.Config: the SDK's default chain (env, shared config and profile, SSO, web
// identity, IMDS), the first configured region and our retryer.
func loadSDKConfig(ctx context.Context, c *Config, hc *http.Client) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(c.Regions[0]),
		config.WithRetryer(func() aws.Retryer { return newRetryer(c.MaxAttempts, maxRetryBackoff) }),
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if hc != nil {
		opts = append(opts, config.WithHTTPClient(hc))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return cfg, nil
}

// assumeRoleConfig returns a copy of cfg whose credentials come from assuming roleARN with the credentials of cfg.
func assumeRoleConfig(cfg aws.Config, stsc stsAPI, roleARN, externalID string) aws.Config {
	out := cfg.Copy()
	prov := stscreds.NewAssumeRoleProvider(stsc, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "shadowscan"
		o.Duration = time.Hour
		if externalID != "" {
			o.ExternalID = aws.String(externalID)
		}
	})
	// One session per role, reused by every call until five minutes before it expires; a scan longer than the
	// session renews it then.
	out.Credentials = aws.NewCredentialsCache(prov, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute })
	return out
}
