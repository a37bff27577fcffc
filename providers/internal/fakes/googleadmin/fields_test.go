package googleadmin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestPrune(t *testing.T) {
	doc := `{"kind":"k","nextPageToken":"p2","users":[{"id":"1","primaryEmail":"a@x","name":{"fullName":"A B","givenName":"A"},
		"organizations":[{"department":"Sales","primary":true,"customType":""}]}]}`
	for _, tc := range []struct{ fields, want string }{
		{"users(id)", `{"users":[{"id":"1"}]}`},
		{"nextPageToken,users(id,primaryEmail)", `{"nextPageToken":"p2","users":[{"id":"1","primaryEmail":"a@x"}]}`},
		{"users(name/fullName)", `{"users":[{"name":{"fullName":"A B"}}]}`},
		{"users(name/fullName,name/givenName)", `{"users":[{"name":{"fullName":"A B","givenName":"A"}}]}`},
		{"users(name,name/fullName)", `{"users":[{"name":{"fullName":"A B","givenName":"A"}}]}`},
		{"users(organizations(department,primary))", `{"users":[{"organizations":[{"department":"Sales","primary":true}]}]}`},
		{"users/id", `{"users":[{"id":"1"}]}`},
		{"missing,kind", `{"kind":"k"}`},
	} {
		sel, err := parseFields(tc.fields)
		if err != nil {
			t.Fatalf("%s: %v", tc.fields, err)
		}
		var v any
		_ = json.Unmarshal([]byte(doc), &v)
		got, _ := json.Marshal(prune(v, sel))
		var g, w any
		_ = json.Unmarshal(got, &g)
		_ = json.Unmarshal([]byte(tc.want), &w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("fields=%s: got %s, want %s", tc.fields, got, tc.want)
		}
	}
	for _, bad := range []string{"users(id", "users()", ",id", "a//b", "a)"} {
		if _, err := parseFields(bad); err == nil {
			t.Errorf("parseFields(%q) accepted", bad)
		}
	}
}

// A client that leaves nextPageToken out of its field list sees one page, as against the real API.
func TestFieldsDropNextPageToken(t *testing.T) {
	users := []User{{ID: "1", Email: "a@x.example"}, {ID: "2", Email: "b@x.example"}}
	srv := httptest.NewServer(&Server{Users: users, UsersPageSize: 1, BearerToken: "tok", Errorf: t.Errorf})
	defer srv.Close()
	get := func(q string, auth bool) (int, map[string]any) {
		req, _ := http.NewRequest("GET", srv.URL+"/admin/directory/v1/users?customer=my_customer&"+q, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer tok")
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	if code, _ := get("", false); code != 401 {
		t.Errorf("no bearer token: status %d, want 401", code)
	}
	if _, m := get("fields=users(id)", true); m["nextPageToken"] != nil || len(m["users"].([]any)) != 1 {
		t.Errorf("fields without nextPageToken: %v", m)
	}
	if _, m := get("fields=nextPageToken,users(id)", true); m["nextPageToken"] != "p2" {
		t.Errorf("fields with nextPageToken: %v", m)
	}
	if code, _ := get("fields=users(id", true); code != 400 {
		t.Errorf("malformed fields: status %d, want 400", code)
	}
}

// The parser never panics, and whatever it accepts selects only names that appear in the input.
func FuzzParseFields(f *testing.F) {
	for _, s := range []string{"a", "a,b", "a/b", "a(b,c/d)", "nextPageToken,users(id,name/fullName)", "a(", ")"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := parseFields(s)
		if err != nil {
			return
		}
		var walk func(selection)
		walk = func(sel selection) {
			for k, sub := range sel {
				if k == "" || !strings.Contains(s, k) || strings.ContainsAny(k, ",/()") {
					t.Fatalf("parseFields(%q) selected %q", s, k)
				}
				walk(sub)
			}
		}
		walk(sel)
	})
}
