package check

import (
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     Query
		err      string
	}{
		{name: "name", in: "  Hotjar ", want: Query{Kind: KindName, Text: "Hotjar"}},
		{name: "name with spaces collapsed", in: "HubSpot \t  Marketing Hub", want: Query{Kind: KindName, Text: "HubSpot Marketing Hub"}},
		{name: "name with dot and space is a name", in: "Apollo .io", want: Query{Kind: KindName, Text: "Apollo .io"}},
		{name: "domain", in: "Hotjar.com", want: Query{Kind: KindDomain, Text: "hotjar.com", Host: "hotjar.com"}},
		{name: "domain trailing dot", in: "static.hotjar.com.", want: Query{Kind: KindDomain, Text: "static.hotjar.com", Host: "static.hotjar.com"}},
		{name: "numeric tld is not a domain", in: "1.5", want: Query{Kind: KindName, Text: "1.5"}},
		{name: "url", in: "https://www.Hotjar.com/pricing?x=1", want: Query{Kind: KindURL, Text: "www.hotjar.com", Host: "www.hotjar.com"}},
		{name: "url without scheme", in: "hotjar.com/pricing", want: Query{Kind: KindURL, Text: "hotjar.com", Host: "hotjar.com"}},
		{name: "url with port and userinfo", in: "http://user:pw@app.hubspot.com:8443/x", want: Query{Kind: KindURL, Text: "app.hubspot.com", Host: "app.hubspot.com"}},
		{name: "scheme-relative url", in: "//cdn.segment.com/analytics.js", want: Query{Kind: KindURL, Text: "cdn.segment.com", Host: "cdn.segment.com"}},
		{
			name: "google consent v2",
			in:   "https://accounts.google.com/o/oauth2/v2/auth?client_id=123-abc.apps.googleusercontent.com&scope=openid+email+https://www.googleapis.com/auth/gmail.readonly&redirect_uri=https%3A%2F%2Fapp.example.io%2Fcb&response_type=code",
			want: Query{Kind: KindGoogleConsent, Text: "123-abc.apps.googleusercontent.com", Host: "accounts.google.com",
				ClientID: "123-abc.apps.googleusercontent.com", RedirectHost: "app.example.io",
				Scopes: []string{"openid", "email", "https://www.googleapis.com/auth/gmail.readonly"}},
		},
		{
			name: "google consent v1, %20-separated, duplicates",
			in:   "https://accounts.google.com/o/oauth2/auth?scope=email%20profile%20email&client_id=99-x.apps.googleusercontent.com",
			want: Query{Kind: KindGoogleConsent, Text: "99-x.apps.googleusercontent.com", Host: "accounts.google.com",
				ClientID: "99-x.apps.googleusercontent.com", Scopes: []string{"email", "profile"}},
		},
		{
			name: "google signin consent with the authorize URL in continue",
			in:   "https://accounts.google.com/signin/oauth/consent?authuser=0&part=x&continue=https://accounts.google.com/signin/oauth/consent/approval?client_id%3D77-y.apps.googleusercontent.com%26scope%3Dopenid",
			want: Query{Kind: KindGoogleConsent, Text: "77-y.apps.googleusercontent.com", Host: "accounts.google.com",
				ClientID: "77-y.apps.googleusercontent.com", Scopes: []string{"openid"}},
		},
		{name: "google consent without client_id", in: "https://accounts.google.com/o/oauth2/v2/auth?scope=email", err: "no client_id"},
		{name: "google non-consent page is a url", in: "https://accounts.google.com/ServiceLogin", want: Query{Kind: KindURL, Text: "accounts.google.com", Host: "accounts.google.com"}},
		{
			name: "microsoft authorize",
			in:   "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=0B6C1C38-4B0A-4E6E-9A5E-2F1D6B8F1A01&scope=https%3A%2F%2Fgraph.microsoft.com%2FMail.Read%20offline_access%20User.Read&redirect_uri=https://app.hubspot.com/cb",
			want: Query{Kind: KindMicrosoftConsent, Text: "0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01", Host: "login.microsoftonline.com",
				ClientID: "0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01", Tenant: "common", RedirectHost: "app.hubspot.com",
				Scopes: []string{"https://graph.microsoft.com/Mail.Read", "offline_access", "User.Read"}},
		},
		{
			name: "microsoft adminconsent",
			in:   "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent?client_id=0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01&scope=https://graph.microsoft.com/.default",
			want: Query{Kind: KindMicrosoftConsent, Text: "0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01", Host: "login.microsoftonline.com",
				ClientID: "0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01", Tenant: "contoso.onmicrosoft.com", AdminConsent: true,
				Scopes: []string{"https://graph.microsoft.com/.default"}},
		},
		{name: "microsoft consent with a bad client_id", in: "https://login.microsoftonline.com/common/adminconsent?client_id=hubspot", err: "not an application GUID"},
		{name: "microsoft other page is a url", in: "https://login.microsoftonline.com/common/logout", want: Query{Kind: KindURL, Text: "login.microsoftonline.com", Host: "login.microsoftonline.com"}},
		{name: "google client id", in: "48213377201-LeadMagnet.apps.googleusercontent.com", want: Query{Kind: KindGoogleClientID,
			Text: "48213377201-leadmagnet.apps.googleusercontent.com", ClientID: "48213377201-leadmagnet.apps.googleusercontent.com"}},
		{name: "entra app id", in: "{0B6C1C38-4B0A-4E6E-9A5E-2F1D6B8F1A01}", want: Query{Kind: KindEntraAppID,
			Text: "0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01", ClientID: "0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01"}},
		{name: "aws account", in: "107630771604", want: Query{Kind: KindAWSAccount, Text: "107630771604", AWSAccount: "107630771604"}},
		{name: "aws account dashed", in: "1076-3077-1604", want: Query{Kind: KindAWSAccount, Text: "107630771604", AWSAccount: "107630771604"}},
		{name: "aws arn", in: "arn:aws:iam::324528010823:root", want: Query{Kind: KindAWSAccount, Text: "324528010823", AWSAccount: "324528010823"}},
		{name: "11 digits is a name", in: "10763077160", want: Query{Kind: KindName, Text: "10763077160"}},
		{name: "control characters are removed", in: "hot\x1b[31mjar\x00", want: Query{Kind: KindName, Text: "hotjar"}},
		{name: "javascript url is a name", in: "javascript:alert(1)", want: Query{Kind: KindName, Text: "javascript:alert(1)"}},
		{name: "empty", in: " \t\n", err: "empty"},
		{name: "too long", in: strings.Repeat("a", MaxQueryLen+1), err: "limit"},
		{name: "invalid utf-8", in: "hot\xffjar", err: "UTF-8"},
		{name: "unparsable url", in: "https://exa mple.com/%zz", err: "URL"},
		{name: "url without host", in: "https:///path", err: "host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseQuery(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !IsQueryError(err) {
					t.Fatalf("ParseQuery(%q) error = %v, want a QueryError containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.in, err)
			}
			got.Raw = ""
			if !equalQuery(got, tt.want) {
				t.Errorf("ParseQuery(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func equalQuery(a, b Query) bool {
	if len(a.Scopes) != len(b.Scopes) {
		return false
	}
	for i := range a.Scopes {
		if a.Scopes[i] != b.Scopes[i] {
			return false
		}
	}
	a.Scopes, b.Scopes = nil, nil
	return a.Kind == b.Kind && a.Text == b.Text && a.Host == b.Host && a.ClientID == b.ClientID && a.Tenant == b.Tenant &&
		a.AdminConsent == b.AdminConsent && a.RedirectHost == b.RedirectHost && a.AWSAccount == b.AWSAccount &&
		a.ScopesDropped == b.ScopesDropped
}

func TestParseQueryScopeLimit(t *testing.T) {
	t.Parallel()
	var sc []string
	for i := range MaxScopes + 10 {
		sc = append(sc, "s"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	q, err := ParseQuery("https://accounts.google.com/o/oauth2/v2/auth?client_id=1-a.apps.googleusercontent.com&scope=" + strings.Join(sc, "+"))
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Scopes) != MaxScopes || q.ScopesDropped != 10 {
		t.Errorf("scopes = %d, dropped = %d; want %d and 10", len(q.Scopes), q.ScopesDropped, MaxScopes)
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 50) + strings.Repeat("x", 250)
	for _, l := range wrap(long, 40, "  A: ", "     ") {
		if n := len([]rune(l)); n > 40 {
			t.Errorf("line of %d runes: %q", n, l)
		}
	}
	if got := wrap("", 40, "  ", "  "); len(got) != 1 {
		t.Errorf("wrap of empty = %q", got)
	}
}
