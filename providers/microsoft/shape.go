package microsoft

import "github.com/shadowscan/shadowscan/scanner"

// shape is what the provider emits: delegated and app-only grants, and the service principals behind them.
var shape = scanner.Shape{
	Kinds: []string{scanner.KindOAuthGrant, KindServicePrincipal},
	Attributes: []scanner.Attribute{
		scanner.Attr("ownership", scanner.TypeString, "third_party, microsoft or internal"),
		scanner.Attr("app_id", scanner.TypeString, "the application (client) ID, lower case"),
		scanner.Attr("app_name", scanner.TypeString, "the application's display name"),
		scanner.Attr("publisher", scanner.TypeString, "the publisher name the app gives"),
		scanner.Attr("publisher_verified", scanner.TypeBool, "Microsoft verified the publisher"),
		scanner.Attr("verified_publisher", scanner.TypeString, "the verified publisher's name"),
		scanner.Attr("owner_tenant", scanner.TypeString, "the tenant the app is registered in"),
		scanner.Attr("sign_ins_read", scanner.TypeBool, "the sign-in report was read at all"),
		scanner.Attr("last_sign_in", scanner.TypeString, "the app's last sign-in (RFC 3339)"),
		scanner.Attr("source", scanner.TypeString, "api, export or audit"),
		scanner.Attr("sp_type", scanner.TypeString, "Graph's servicePrincipalType"),
		scanner.Attr("account_enabled", scanner.TypeBool, "the service principal can sign in"),
		scanner.Attr("tags", scanner.TypeStrings, "the service principal's tags"),
		scanner.Attr("homepage", scanner.TypeString, "the app's home page"),
		scanner.Attr("reply_urls", scanner.TypeStrings, "the app's reply (redirect) URLs"),
		scanner.Attr("resource", scanner.TypeString, "the API the permissions are on (Microsoft Graph…)", scanner.KindOAuthGrant),
		scanner.Attr("resource_app_id", scanner.TypeString, "the app ID of that API", scanner.KindOAuthGrant),
		scanner.Attr("permission_type", scanner.TypeString, "delegated or application", scanner.KindOAuthGrant),
		scanner.Attr("consent_type", scanner.TypeString, "AllPrincipals, Principal or Application (app-only)", scanner.KindOAuthGrant),
		scanner.Attr("grant_id", scanner.TypeString, "Graph's oAuth2PermissionGrant ID", scanner.KindOAuthGrant),
		scanner.Attr("assignment_ids", scanner.TypeStrings, "Graph's appRoleAssignment IDs", scanner.KindOAuthGrant),
		scanner.Attr("usage_location", scanner.TypeString, "the consenting user's usage location", scanner.KindOAuthGrant),
		scanner.Attr("user_deleted", scanner.TypeBool, "the consenting user no longer exists", scanner.KindOAuthGrant),
		scanner.Attr("revoked", scanner.TypeBool, "the grant is gone (audit log only)", scanner.KindOAuthGrant),
		scanner.Attr("consented_by", scanner.TypeString, "who consented, from the audit log", scanner.KindOAuthGrant),
		scanner.Attr("consented_at", scanner.TypeString, "when, from the audit log (RFC 3339)", scanner.KindOAuthGrant),
	},
}
