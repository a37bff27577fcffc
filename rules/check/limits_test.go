package check

import (
	"strings"
	"testing"
)

// The length limits of a query and of its parts, at the limit and one past it.
func TestQueryLengthLimits(t *testing.T) {
	if _, err := ParseQuery(strings.Repeat("x", MaxQueryLen)); err != nil {
		t.Errorf("a query of MaxQueryLen bytes: %v", err)
	}
	if _, err := ParseQuery(strings.Repeat("x", MaxQueryLen+1)); err == nil {
		t.Error("a query of MaxQueryLen+1 bytes was read")
	}
	// A scope of 256 bytes is kept, a longer one dropped.
	long := strings.Repeat("s", 256)
	q, err := ParseQuery("https://accounts.google.com/o/oauth2/auth?client_id=1-x.apps.googleusercontent.com&scope=openid+" + long + "+" + long + "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Scopes) != 2 || q.Scopes[0] != "openid" || q.Scopes[1] != long {
		t.Errorf("scopes %q", q.Scopes)
	}
	// A host name of 253 bytes is a host, one of 254 is not.
	label := strings.Repeat("a", 61)
	host := label + "." + label + "." + label + "." + label + ".example" // 4*62 + 7 = 255
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{host[2:], true},  // 253
		{host[1:], false}, // 254
		{"a.bc", true},
		{"a.b", false},
	} {
		if _, ok := hostName(tc.host); ok != tc.ok {
			t.Errorf("hostName(%d bytes %.12q...) ok = %v, want %v", len(tc.host), tc.host, ok, tc.ok)
		}
	}
}
