package googleworkspace

import "github.com/shadowscan/shadowscan/scanner"

// shape is what the provider emits: one oauth_grant per user and app.
var shape = scanner.Shape{
	Kinds: []string{scanner.KindOAuthGrant},
	Attributes: []scanner.Attribute{
		scanner.Attr("source", scanner.TypeString, "where the grant was read: tokens, audit or export"),
		scanner.Attr("revoked", scanner.TypeBool, "the grant is no longer held (audit-only grants)"),
		scanner.Attr("revoked_at", scanner.TypeString, "when the token audit log saw the revoke (RFC 3339)"),
		scanner.Attr("anonymous", scanner.TypeBool, "tokens.list: the app is not registered with Google"),
		scanner.Attr("native_app", scanner.TypeBool, "tokens.list: an installed (native) app"),
		scanner.Attr("user_key", scanner.TypeString, "the user's unique Google ID"),
		scanner.Attr("last_event", scanner.TypeString, "token audit log: the last event (authorize or revoke)"),
		scanner.Attr("authorizations", scanner.TypeInt, "token audit log: authorize events within the lookback"),
		scanner.Attr("client_type", scanner.TypeString, "token audit log: the client type (WEB, NATIVE_ANDROID…)"),
		scanner.Attr("last_confirmed", scanner.TypeString, "incremental nights: when this carried grant was last read from tokens.list (RFC 3339)"),
	},
}
