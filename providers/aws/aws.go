// Package aws is the shadowscan provider for AWS: across an AWS Organization (or one account) it finds IAM
// roles that trust outside AWS accounts (CDP and reverse-ETL vendors), IAM users with long-lived access keys
// (integrations), OIDC and SAML identity providers, marketing DNS signals in Route 53, AWS Marketplace
// subscriptions and the resources tagged as marketing's. It can read AWS CLI JSON exports instead of the APIs.
package aws

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
)

func init() {
	scanner.Register(scanner.Registration[*Config]{
		Type: "aws",
		Description: "AWS Organizations, IAM trust policies and access keys, Route 53, Marketplace agreements and " +
			"marketing-tagged resources (aws-sdk-go-v2), or AWS CLI JSON exports",
		NewConfig:      NewConfig,
		New:            New,
		Shape:          shape,
		Permissions:    Permissions,
		Shards:         true,
		PermissionKind: scanner.PermissionIAM,
		PermissionSetup: "Attach the first policy to the role or user that runs the scan (management or delegated-admin " +
			"account). In organisation mode, deploy the role named organization.role_name (default ShadowscanReadOnly) " +
			"with the second policy in every member account, trusting that caller with sts:ExternalId " +
			"(StackSet template: providers/aws/README.md).",
	})
}

// Permissions are the read-only IAM actions the provider calls, and nothing more. `shadowscan permissions`
// generates the caller's policy (one statement per Group) and the member-account role's policy (Member) from them;
// README.md shows the same, and a test keeps the two in agreement.
var Permissions = []scanner.Permission{
	{Name: "sts:AssumeRole", Why: "role_arn, and organization.role_name in each member account", Group: "AssumeMemberRole",
		Resource: "arn:aws:iam::*:role/ShadowscanReadOnly", Degrades: "member accounts are not scanned (coverage partial)", When: whenAssume},
	{Name: "organizations:DescribeOrganization", Why: "the organisation's management account (organization.enabled)", Group: "ListOrganization",
		Degrades: "organisation mode cannot start; only the caller's account is scanned", When: whenOrg},
	{Name: "organizations:ListAccounts", Why: "the accounts to scan and the organisation's own account IDs", Group: "ListOrganization",
		Degrades: "no member account is scanned; trust of the organisation's own accounts is reported as outside trust", When: whenOrg},
	{Name: "organizations:ListRoots", Why: "walking the OU tree for organization.skip_ous", Group: "ListOrganization",
		Degrades: "organization.skip_ous cannot be applied", When: whenSkipOUs},
	{Name: "organizations:ListOrganizationalUnitsForParent", Why: "walking the OU tree for organization.skip_ous", Group: "ListOrganization",
		Degrades: "organization.skip_ous cannot be applied", When: whenSkipOUs},
	{Name: "organizations:ListAccountsForParent", Why: "walking the OU tree for organization.skip_ous", Group: "ListOrganization",
		Degrades: "organization.skip_ous cannot be applied", When: whenSkipOUs},
	{Name: "iam:GetAccountAuthorizationDetails", Why: "roles with their trust policies and last use; users with tags", Group: "ReadThisAccount", Member: true,
		Degrades: "rules on cross-account trust (aws-trust-*) and vendor-named IAM users see nothing"},
	{Name: "iam:ListAccessKeys", Why: "users' access keys", Group: "ReadThisAccount", Member: true,
		Degrades: "long-lived vendor keys are not reported"},
	{Name: "iam:GetAccessKeyLastUsed", Why: "when and where each active key was last used", Group: "ReadThisAccount", Member: true,
		Degrades: "key last use is unknown"},
	{Name: "iam:ListOpenIDConnectProviders", Why: "OIDC identity providers", Group: "ReadThisAccount", Member: true,
		Degrades: "OIDC federation to vendors is not reported"},
	{Name: "iam:GetOpenIDConnectProvider", Why: "an OIDC provider's URL and client IDs", Group: "ReadThisAccount", Member: true,
		Degrades: "OIDC providers are listed without their URL"},
	{Name: "iam:ListSAMLProviders", Why: "SAML identity providers", Group: "ReadThisAccount", Member: true,
		Degrades: "SAML federation to vendors is not reported"},
	{Name: "iam:GetSAMLProvider", Why: "a SAML provider's metadata (its entity ID)", Group: "ReadThisAccount", Member: true,
		Degrades: "SAML providers are listed without their entity ID"},
	{Name: "route53:ListHostedZones", Why: "hosted zones", Group: "ReadThisAccount", Member: true,
		Degrades: "DNS rules (email senders, dangling CNAMEs) see no Route 53 zone"},
	{Name: "route53:ListResourceRecordSets", Why: "SPF, TXT, CNAME, DKIM and DMARC records", Group: "ReadThisAccount", Member: true,
		Degrades: "DNS rules (email senders, dangling CNAMEs) see no Route 53 record"},
	{Name: "aws-marketplace:SearchAgreements", Why: "Marketplace agreements the account accepted", Group: "ReadThisAccount", Member: true,
		Degrades: "Marketplace subscriptions (and their spend) are not reported"},
	{Name: "aws-marketplace:DescribeAgreement", Why: "an agreement's estimated value", Group: "ReadThisAccount", Member: true,
		Degrades: "Marketplace spend is unknown"},
	{Name: "tag:GetResources", Why: "resources tagged with organization.marketing.aws_tags", Group: "ReadThisAccount", Member: true,
		Degrades: "marketing-owned resources are not attributed"},
	{Name: "ce:GetCostAndUsage", Why: "last month's Marketplace charges (cost_explorer only)", Group: "MarketplaceChargesOnlyWithCostExplorer",
		Degrades: "Marketplace charges are not read (cost_explorer)", When: whenCostExplorer},
}

// New builds the provider from its validated config.
func New(c *Config, d scanner.Deps) (scanner.Provider, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return newProvider(c, d, func(ctx context.Context) (aws.Config, error) {
		return loadSDKConfig(ctx, c, d.HTTPClient)
	}), nil
}

// provider collects from AWS. load returns the base aws.Config (tests hand in a literal one).
type provider struct {
	cfg  *Config
	d    scanner.Deps
	log  zerolog.Logger
	load func(ctx context.Context) (aws.Config, error)
	now  func() time.Time
	// resolvConf lists the DNS servers of the dangling-CNAME check when dns.resolver is empty.
	resolvConf string
}

func newProvider(c *Config, d scanner.Deps, load func(ctx context.Context) (aws.Config, error)) *provider {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	if d.Diagnostics == nil {
		d.Diagnostics = &scanner.Diagnostics{}
	}
	return &provider{cfg: c, d: d, log: d.Logger, load: load, now: now, resolvConf: "/etc/resolv.conf"}
}

// Collect reads the export files or the APIs.
func (p *provider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	em := scanner.NewEmitter(emit, cancel)
	start := time.Now()
	var err error
	if p.cfg.Export.Enabled() && !p.ownsExport() {
		p.log.Debug().Str("shard", p.d.Shard.String()).Msg("export files read by another shard")
		return nil
	}
	if p.cfg.Export.Enabled() {
		p.log.Debug().Str("mode", "export").Msg("reading AWS CLI exports")
		err = p.collectExport(ctx, em)
	} else {
		p.log.Debug().Str("mode", "api").Bool("organization", p.cfg.Organization.Enabled).Msg("collecting from AWS")
		err = p.collectAPI(ctx, em)
	}
	if e := em.Err(); e != nil {
		return e
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	p.log.Debug().Int("records", em.Count()).Int64("took_ms", time.Since(start).Milliseconds()).Msg("AWS collection finished")
	return err
}

// ownsExport says whether this shard reads the export files: they describe one account, so they go whole to the
// shard that owns that account (or, without an account ID, the first file's name).
func (p *provider) ownsExport() bool {
	if id := p.cfg.Export.AccountID; id != "" {
		return p.d.Shard.Owns(accountShardKey(id))
	}
	e := p.cfg.Export
	for _, l := range [][]string{e.IAMAuthorizationDetails, e.IAMCredentialReports, e.MarketplaceAgreements} {
		if len(l) > 0 {
			return p.d.Shard.Owns("file:" + l[0])
		}
	}
	if len(e.Route53RecordSets) > 0 {
		return p.d.Shard.Owns("file:" + e.Route53RecordSets[0].File)
	}
	return true
}

// accountShardKey is what an account's shard is chosen by.
func accountShardKey(id string) string { return "aws-account:" + id }

// errStopped marks "stop: emit failed or ctx is done" so callers do not report it as an API failure.
var errStopped = errors.New("collection stopped")

// stopped says whether err (or the context) means the scan is over rather than that one API failed.
func stopped(ctx context.Context, em *scanner.Emitter, err error) bool {
	return errors.Is(err, errStopped) || em.Err() != nil || ctx.Err() != nil
}
