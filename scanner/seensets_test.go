package scanner

import (
	"reflect"
	"testing"
)

// The users, sources and scopes of a roll-up: records add them (a record without a user adds none), a shard's
// lists merge into them, and lists gives each sorted and distinct. Inventory scopes are not in the JSON report, so
// the report tests cannot see them.
func TestSeenSets(t *testing.T) {
	s := newSeenSets(newNameIDs())
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

// Consecutive records with the same source and scopes are not hashed again; a change in either, or a provider that
// reuses its scopes slice for the next record, still adds every value.
func TestSeenSetsRepeatsAndReuse(t *testing.T) {
	s := newSeenSets(newNameIDs())
	scopes := []string{"openid", "drive"}
	s.add(&Record{Source: "workspace", Scopes: scopes}, "a@x.com")
	s.add(&Record{Source: "workspace", Scopes: scopes}, "b@x.com")
	scopes[1] = "gmail.readonly" // the same backing array, other content
	s.add(&Record{Source: "workspace", Scopes: scopes}, "a@x.com")
	s.add(&Record{Source: "entra", Scopes: []string{"openid"}}, "")
	s.add(&Record{Source: "workspace", Scopes: nil}, "")
	s.add(&Record{Source: "entra", Scopes: []string{"mail.read"}}, "")
	users, sources, gotScopes := s.lists()
	if want := []string{"a@x.com", "b@x.com"}; !reflect.DeepEqual(users, want) {
		t.Errorf("users = %q, want %q", users, want)
	}
	if want := []string{"entra", "workspace"}; !reflect.DeepEqual(sources, want) {
		t.Errorf("sources = %q, want %q", sources, want)
	}
	if want := []string{"drive", "gmail.readonly", "mail.read", "openid"}; !reflect.DeepEqual(gotScopes, want) {
		t.Errorf("scopes = %q, want %q", gotScopes, want)
	}
}
