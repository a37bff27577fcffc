package scanner

import (
	"reflect"
	"testing"
)

// The users, sources and scopes of a roll-up: records add them (a record without a user adds none), a shard's
// lists merge into them, and lists gives each sorted and distinct. Inventory scopes are not in the JSON report, so
// the report tests cannot see them.
func TestSeenSets(t *testing.T) {
	s := newSeenSets()
	s.add(&Record{Source: "workspace", Scopes: []string{"openid", "drive"}}, "b@x.com")
	s.add(&Record{Source: "aws", Scopes: []string{"openid"}}, "")
	s.merge([]string{"a@x.com", "b@x.com"}, []string{"entra"}, []string{"mail.read"})
	users, sources, scopes := s.lists()
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"users", users, []string{"a@x.com", "b@x.com"}},
		{"sources", sources, []string{"aws", "entra", "workspace"}},
		{"scopes", scopes, []string{"drive", "mail.read", "openid"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}
