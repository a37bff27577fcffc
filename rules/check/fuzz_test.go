package check

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"hotjar", "Hot Jar", "hotjar.com", "https://www.hotjar.com/pricing", "hotjar.com/x?y=z", "//cdn.segment.com/a.js",
		"https://accounts.google.com/o/oauth2/v2/auth?client_id=1-a.apps.googleusercontent.com&scope=openid+email&redirect_uri=https://x.example/cb",
		"https://accounts.google.com/signin/oauth/consent?continue=https://accounts.google.com/o/oauth2/auth?client_id%3D1-b.apps.googleusercontent.com",
		"https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01&scope=Mail.Read%20offline_access",
		"https://login.microsoftonline.com/x/adminconsent?client_id=bad",
		"48213377201-leadmagnet.apps.googleusercontent.com", "{0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01}", "107630771604",
		"1076-3077-1604", "arn:aws:iam::324528010823:role/x", "", "\x00", "https://", "http://[::1]:80/", "a.b.c.d.e.f.g",
		"https://exa mple.com/%zz", "\u202ehotjar", strings.Repeat("a.", 200) + "com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			if !IsQueryError(err) {
				t.Fatalf("error %v is not a QueryError", err)
			}
			if len(err.Error()) > 300 {
				t.Fatalf("error message of %d bytes echoes the input", len(err.Error()))
			}
			return
		}
		if q.Kind == "" || q.Raw == "" || q.Text == "" {
			t.Fatalf("incomplete query %+v", q)
		}
		if !utf8.ValidString(q.Text) || strings.ContainsAny(q.Raw, "\x00\x1b\n\r") {
			t.Fatalf("unclean query %+v", q)
		}
		if len(q.Scopes) > MaxScopes {
			t.Fatalf("%d scopes", len(q.Scopes))
		}
		switch q.Kind {
		case KindGoogleConsent, KindMicrosoftConsent, KindGoogleClientID, KindEntraAppID:
			if q.ClientID == "" {
				t.Fatalf("%s without a client ID", q.Kind)
			}
		case KindDomain, KindURL:
			if _, ok := hostName(q.Host); !ok {
				t.Fatalf("%s with host %q", q.Kind, q.Host)
			}
		case KindAWSAccount:
			if !awsAccountRe.MatchString(q.AWSAccount) {
				t.Fatalf("account %q", q.AWSAccount)
			}
		}
		_ = q.Hints()
	})
}
