package aws

import (
	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
)

const (
	trust = scanner.KindCloudTrust
	cred  = scanner.KindCloudCredential
	idp   = scanner.KindIdentityProvider
	sub   = scanner.KindSaaSSubscription
	res   = scanner.KindCloudResource
	dnsr  = scanner.KindDNSRecord
)

// shape is what the provider emits across an organisation's accounts.
var shape = scanner.Shape{
	Kinds: []string{trust, cred, idp, sub, res, dnsr},
	Attributes: append([]scanner.Attribute{
		scanner.Attr("account_id", scanner.TypeString, "the AWS account the record was read in"),
		scanner.Attr("account_name", scanner.TypeString, "that account's name"),
		scanner.Attr("account_ou", scanner.TypeString, "that account's organisational unit path"),
		scanner.Attr("tags", scanner.TypeStrings, "the role's, user's or resource's tags as key=value", trust, cred, res),

		scanner.Attr("role_arn", scanner.TypeString, "the trusting role's ARN", trust),
		scanner.Attr("role_name", scanner.TypeString, "the trusting role's name", trust),
		scanner.Attr("principal", scanner.TypeString, "the trusted principal as written in the trust policy", trust),
		scanner.Attr("principal_type", scanner.TypeString, "account, arn, unique_id, canonical, federated or wildcard", trust),
		scanner.Attr("principal_account", scanner.TypeString, "the trusted principal's 12-digit account", trust),
		scanner.Attr("external_id_present", scanner.TypeBool, "the trust statement requires sts:ExternalId", trust),
		scanner.Attr("wildcard", scanner.TypeBool, "the principal is a wildcard (anyone, or any account)", trust),
		scanner.Attr("org_restricted", scanner.TypeBool, "a condition limits the trust to an AWS organisation", trust),
		scanner.Attr("not_principal", scanner.TypeBool, "the statement uses NotPrincipal", trust),
		scanner.Attr("actions", scanner.TypeStrings, "the sts actions the principal may call", trust),
		scanner.Attr("conditions", scanner.TypeStrings, "the statement's condition keys", trust),
		scanner.Attr("role_created", scanner.TypeString, "when the role was created (RFC 3339)", trust),
		scanner.Attr("role_last_used", scanner.TypeString, "when the role was last assumed (RFC 3339)", trust),
		scanner.Attr("role_last_used_region", scanner.TypeString, "where it was last assumed", trust),
		scanner.Attr("role_never_used", scanner.TypeBool, "the role was never assumed", trust),
		scanner.Attr("role_unused_days", scanner.TypeInt, "days since last use (or since creation if never used)", trust),

		scanner.Attr("user_name", scanner.TypeString, "the IAM user", cred),
		scanner.Attr("user_arn", scanner.TypeString, "the IAM user's ARN", cred),
		scanner.Attr("key_id", scanner.TypeString, "the access key ID (not a secret)", cred),
		scanner.Attr("key_slot", scanner.TypeInt, "1 or 2: the credential report's key column", cred),
		scanner.Attr("status", scanner.TypeString, "Active or Inactive (keys); the agreement status (subscriptions)", cred, sub),
		scanner.Attr("key_created", scanner.TypeString, "when the key was created (RFC 3339)", cred),
		scanner.Attr("key_age_days", scanner.TypeInt, "the key's age in days", cred),
		scanner.Attr("key_last_used", scanner.TypeString, "when the key was last used (RFC 3339)", cred),
		scanner.Attr("key_last_used_region", scanner.TypeString, "where it was last used", cred),
		scanner.Attr("key_last_used_service", scanner.TypeString, "the service it last called", cred),
		scanner.Attr("key_never_used", scanner.TypeBool, "the key was never used", cred),
		scanner.Attr("key_unused_days", scanner.TypeInt, "days since last use (or since creation if never used)", cred),

		scanner.Attr("provider_arn", scanner.TypeString, "the OIDC or SAML provider's ARN", idp),
		scanner.Attr("provider_type", scanner.TypeString, "oidc or saml", idp),
		scanner.Attr("url", scanner.TypeString, "the OIDC issuer URL", idp),
		scanner.Attr("client_ids", scanner.TypeStrings, "the OIDC audiences", idp),
		scanner.Attr("entity_id", scanner.TypeString, "the SAML entity ID", idp),
		scanner.Attr("valid_until", scanner.TypeString, "the SAML metadata's validity (RFC 3339)", idp),

		scanner.Attr("source", scanner.TypeString, "marketplace (agreements) or cost_explorer (charges)", sub),
		scanner.Attr("agreement_id", scanner.TypeString, "the Marketplace agreement", sub),
		scanner.Attr("agreement_type", scanner.TypeString, "the agreement type (PurchaseAgreement…)", sub),
		scanner.Attr("agreement_value", scanner.TypeString, "the agreement's estimated value", sub),
		scanner.Attr("currency", scanner.TypeString, "the agreement value's currency", sub),
		scanner.Attr("acceptance_time", scanner.TypeString, "when the agreement was accepted (RFC 3339)", sub),
		scanner.Attr("acceptor_account_id", scanner.TypeString, "the account that accepted it", sub),
		scanner.Attr("seller_account_id", scanner.TypeString, "the seller's AWS account", sub),
		scanner.Attr("start_time", scanner.TypeString, "the agreement's start (RFC 3339)", sub),
		scanner.Attr("end_time", scanner.TypeString, "the agreement's end (RFC 3339)", sub),
		scanner.Attr("end_behavior", scanner.TypeString, "what happens at the end (renew, expire)", sub),
		scanner.Attr("offer_id", scanner.TypeString, "the Marketplace offer", sub),
		scanner.Attr("product", scanner.TypeString, "the product's name", sub),
		scanner.Attr("product_id", scanner.TypeString, "the Marketplace product", sub),
		scanner.Attr("product_ids", scanner.TypeStrings, "every product the agreement covers", sub),
		scanner.Attr("product_type", scanner.TypeString, "SaaSProduct, AmiProduct…", sub),
		scanner.Attr("period_start", scanner.TypeString, "Cost Explorer: the billed period's start", sub),
		scanner.Attr("period_end", scanner.TypeString, "Cost Explorer: the billed period's end", sub),

		scanner.Attr("arn", scanner.TypeString, "the resource's ARN", res),
		scanner.Attr("service", scanner.TypeString, "the resource's service (s3, lambda…)", res),
		scanner.Attr("resource_type", scanner.TypeString, "the resource type within the service", res),
		scanner.Attr("region", scanner.TypeString, "the resource's region", res),
		scanner.Attr("marketing_tags", scanner.TypeStrings, "the tags that made it a marketing resource", res),

		scanner.Attr("hosted_zone_id", scanner.TypeString, "the Route 53 hosted zone", dnsr),
		scanner.Attr("private_zone", scanner.TypeBool, "the hosted zone is private", dnsr),
	}, dnsAttrs()...),
}

// dnsAttrs narrows the shared DNS attributes to dns_record.
func dnsAttrs() []scanner.Attribute {
	out := make([]scanner.Attribute, len(dnssignal.Attributes))
	for i, a := range dnssignal.Attributes {
		a.Kinds = []string{dnsr}
		out[i] = a
	}
	return out
}
