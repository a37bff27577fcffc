package googleworkspace

import (
	"reflect"
	"testing"
)

// Literal expectations (the other tests build theirs with normaliseScopes itself).
func TestNormaliseScopesLiteral(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{nil, []string{}},
		{[]string{""}, []string{}},
		{[]string{" https://www.googleapis.com/auth/drive ", "openid", "https://www.googleapis.com/auth/drive", "  "},
			[]string{"https://www.googleapis.com/auth/drive", "openid"}},
		{[]string{"profile", "email", "openid"}, []string{"email", "openid", "profile"}},
		{[]string{"https://mail.google.com/", "https://www.googleapis.com/auth/gmail.readonly", "https://mail.google.com/"},
			[]string{"https://mail.google.com/", "https://www.googleapis.com/auth/gmail.readonly"}},
		{[]string{"Email", "email"}, []string{"Email", "email"}}, // kept as Google reports them: no case folding
	} {
		if got := normaliseScopes(append([]string(nil), tc.in...)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("normaliseScopes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
