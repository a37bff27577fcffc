package aws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/marketplaceagreement"
	mptypes "github.com/aws/aws-sdk-go-v2/service/marketplaceagreement/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/shadowscan/shadowscan/scanner"
)

// errNoTarget marks a probe that needs something to read (a user, a key, a zone) that the account does not have.
var errNoTarget = errors.New("nothing to try it on")

// CheckPermissions implements scanner.PermissionChecker: it finds the credentials, then makes the cheapest call
// that needs each IAM action the configuration uses, as the caller and, in organisation mode, as the member role
// in the first member account.
func (p *provider) CheckPermissions(ctx context.Context) []scanner.PermissionCheck {
	if p.cfg.Export.Enabled() {
		return p.checkExportFiles()
	}
	base, err := p.load(ctx)
	if err != nil {
		return []scanner.PermissionCheck{{Permission: "credentials", Detail: "loading the AWS configuration: " + err.Error()}}
	}
	cl := newClients(base, p.cfg.EndpointURL)
	if p.cfg.RoleARN != "" {
		base = assumeRoleConfig(base, cl.sts, p.cfg.RoleARN, p.cfg.ExternalID)
		cl = newClients(base, p.cfg.EndpointURL)
	}
	id, err := cl.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return []scanner.PermissionCheck{{Permission: "credentials",
			Detail: "sts:GetCallerIdentity: no usable AWS credentials (profile, environment, SSO or instance role): " + err.Error()}}
	}
	callerARN := aws.ToString(id.Arn)
	out := []scanner.PermissionCheck{{Permission: "credentials", OK: true, Detail: "sts:GetCallerIdentity: " + callerARN}}
	if p.cfg.RoleARN != "" {
		out = append(out, scanner.PermissionCheck{Permission: "sts:AssumeRole", OK: true, Detail: "assumed role_arn " + p.cfg.RoleARN})
	}
	fix := func(action string) string {
		return fmt.Sprintf("add %s to the policy of %s (shadowscan permissions --provider aws)", action, callerARN)
	}
	org := p.cfg.Organization
	var member string
	if org.Enabled {
		var rootID string
		out = append(out, p.probe(ctx, "organizations:DescribeOrganization", fix, func() error {
			_, err := cl.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}))
		out = append(out, p.probe(ctx, "organizations:ListAccounts", fix, func() error {
			res, err := cl.org.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(20)})
			if err == nil {
				for _, a := range res.Accounts {
					if aid := aws.ToString(a.Id); aid != aws.ToString(id.Account) && member == "" && a.State == "ACTIVE" {
						member = aid
					}
				}
			}
			return err
		}))
		if len(org.SkipOUs) > 0 {
			out = append(out, p.probe(ctx, "organizations:ListRoots", fix, func() error {
				res, err := cl.org.ListRoots(ctx, &organizations.ListRootsInput{})
				if err == nil && len(res.Roots) > 0 {
					rootID = aws.ToString(res.Roots[0].Id)
				}
				return err
			}))
			out = append(out, p.probe(ctx, "organizations:ListOrganizationalUnitsForParent", fix, func() error {
				if rootID == "" {
					return errNoTarget
				}
				_, err := cl.org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(rootID)})
				return err
			}))
			out = append(out, p.probe(ctx, "organizations:ListAccountsForParent", fix, func() error {
				if rootID == "" {
					return errNoTarget
				}
				_, err := cl.org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(rootID)})
				return err
			}))
		}
	}
	out = append(out, p.probeAccount(ctx, cl, "", fix)...)
	if p.cfg.CostExplorer {
		out = append(out, p.probe(ctx, "ce:GetCostAndUsage", fix, func() error {
			now := p.now().UTC()
			end := now.Format("2006-01-02")
			start := now.AddDate(0, 0, -1).Format("2006-01-02")
			_, err := cl.ce.GetCostAndUsage(ctx, &costexplorer.GetCostAndUsageInput{Granularity: cetypes.GranularityDaily,
				Metrics: []string{"UnblendedCost"}, TimePeriod: &cetypes.DateInterval{Start: aws.String(start), End: aws.String(end)}})
			return err
		}))
	}
	if org.Enabled && member != "" {
		part := "aws"
		if parts := strings.SplitN(callerARN, ":", 3); len(parts) == 3 {
			part = parts[1]
		}
		roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", part, member, strings.TrimPrefix(org.RoleName, "/"))
		mcfg := assumeRoleConfig(base, cl.sts, roleARN, org.ExternalID)
		if _, err := mcfg.Credentials.Retrieve(ctx); err != nil {
			out = append(out, scanner.PermissionCheck{Permission: "sts:AssumeRole",
				Detail: fmt.Sprintf("assuming %s: %v; deploy the member role (providers/aws/README.md, StackSet) trusting %s with the configured external ID, and allow sts:AssumeRole on it", roleARN, err, callerARN)})
		} else {
			out = append(out, scanner.PermissionCheck{Permission: "sts:AssumeRole", OK: true, Detail: "assumed " + roleARN})
			mfix := func(action string) string {
				return fmt.Sprintf("add %s to the policy of role %s in every member account (StackSet in providers/aws/README.md)", action, roleARN)
			}
			out = append(out, p.probeAccount(ctx, newClients(mcfg, p.cfg.EndpointURL), "member "+member+": ", mfix)...)
		}
	}
	return out
}

// probeAccount checks the actions that read one account (the ReadThisAccount statement).
func (p *provider) probeAccount(ctx context.Context, cl *clients, prefix string, fix func(string) string) []scanner.PermissionCheck {
	var user, keyID, oidc, saml, zone, agreement string
	probes := []struct {
		action string
		call   func() error
	}{
		{"iam:GetAccountAuthorizationDetails", func() error {
			res, err := cl.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{
				Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeUser}, MaxItems: aws.Int32(5)})
			if err == nil && len(res.UserDetailList) > 0 {
				user = aws.ToString(res.UserDetailList[0].UserName)
			}
			return err
		}},
		{"iam:ListAccessKeys", func() error {
			if user == "" {
				return errNoTarget
			}
			res, err := cl.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(user), MaxItems: aws.Int32(1)})
			if err == nil && len(res.AccessKeyMetadata) > 0 {
				keyID = aws.ToString(res.AccessKeyMetadata[0].AccessKeyId)
			}
			return err
		}},
		{"iam:GetAccessKeyLastUsed", func() error {
			if keyID == "" {
				return errNoTarget
			}
			_, err := cl.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keyID)})
			return err
		}},
		{"iam:ListOpenIDConnectProviders", func() error {
			res, err := cl.iam.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
			if err == nil && len(res.OpenIDConnectProviderList) > 0 {
				oidc = aws.ToString(res.OpenIDConnectProviderList[0].Arn)
			}
			return err
		}},
		{"iam:GetOpenIDConnectProvider", func() error {
			if oidc == "" {
				return errNoTarget
			}
			_, err := cl.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidc)})
			return err
		}},
		{"iam:ListSAMLProviders", func() error {
			res, err := cl.iam.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
			if err == nil && len(res.SAMLProviderList) > 0 {
				saml = aws.ToString(res.SAMLProviderList[0].Arn)
			}
			return err
		}},
		{"iam:GetSAMLProvider", func() error {
			if saml == "" {
				return errNoTarget
			}
			_, err := cl.iam.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(saml)})
			return err
		}},
		{"route53:ListHostedZones", func() error {
			res, err := cl.route53.ListHostedZones(ctx, &route53.ListHostedZonesInput{MaxItems: aws.Int32(1)})
			if err == nil && len(res.HostedZones) > 0 {
				zone = aws.ToString(res.HostedZones[0].Id)
			}
			return err
		}},
		{"route53:ListResourceRecordSets", func() error {
			if zone == "" {
				return errNoTarget
			}
			_, err := cl.route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone), MaxItems: aws.Int32(1)})
			return err
		}},
		{"aws-marketplace:SearchAgreements", func() error {
			res, err := cl.mpa.SearchAgreements(ctx, &marketplaceagreement.SearchAgreementsInput{Catalog: aws.String("AWSMarketplace"),
				MaxResults: aws.Int32(1), Filters: []mptypes.Filter{
					{Name: aws.String("PartyType"), Values: []string{"Acceptor"}},
					{Name: aws.String("AgreementType"), Values: []string{"PurchaseAgreement"}}}})
			if err == nil && len(res.AgreementViewSummaries) > 0 {
				agreement = aws.ToString(res.AgreementViewSummaries[0].AgreementId)
			}
			return err
		}},
		{"aws-marketplace:DescribeAgreement", func() error {
			if agreement == "" {
				return errNoTarget
			}
			_, err := cl.mpa.DescribeAgreement(ctx, &marketplaceagreement.DescribeAgreementInput{AgreementId: aws.String(agreement)})
			return err
		}},
		{"tag:GetResources", func() error {
			// One tag filter, as the scan sends: a marketing tag when configured.
			f := tagtypes.TagFilter{Key: aws.String("cost-center")}
			if keys := slices.Sorted(maps.Keys(p.d.Org.Marketing.AWSTags)); len(keys) > 0 {
				f = tagtypes.TagFilter{Key: aws.String(keys[0]), Values: []string{p.d.Org.Marketing.AWSTags[keys[0]]}}
			}
			_, err := cl.tagging(p.cfg.Regions[0]).GetResources(ctx, &resourcegroupstaggingapi.GetResourcesInput{
				ResourcesPerPage: aws.Int32(1), TagFilters: []tagtypes.TagFilter{f}})
			return err
		}},
	}
	out := make([]scanner.PermissionCheck, 0, len(probes))
	for _, pr := range probes {
		c := p.probe(ctx, pr.action, fix, pr.call)
		c.Permission = prefix + c.Permission
		out = append(out, c)
	}
	return out
}

// probe runs one call and classifies its outcome.
func (p *provider) probe(ctx context.Context, action string, fix func(string) string, call func() error) scanner.PermissionCheck {
	err := call()
	switch {
	case err == nil:
		return scanner.PermissionCheck{Permission: action, OK: true, Detail: action}
	case errors.Is(err, errNoTarget):
		return scanner.PermissionCheck{Permission: action, Skipped: true,
			Detail: "not proven: the account has nothing to try it on (it is checked when there is)"}
	case isAccessDenied(err):
		return scanner.PermissionCheck{Permission: action, Detail: "access denied; " + fix(action)}
	}
	if ctx.Err() != nil {
		return scanner.PermissionCheck{Permission: action, Detail: "stopped: " + ctx.Err().Error()}
	}
	return scanner.PermissionCheck{Permission: action, Detail: action + ": " + err.Error()}
}

func (p *provider) checkExportFiles() []scanner.PermissionCheck {
	e := p.cfg.Export
	files := append(append(append([]string(nil), e.IAMAuthorizationDetails...), e.IAMCredentialReports...), e.MarketplaceAgreements...)
	for _, z := range e.Route53RecordSets {
		files = append(files, z.File)
	}
	return scanner.CheckFilesReadable(files...)
}
