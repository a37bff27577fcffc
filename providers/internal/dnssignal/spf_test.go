package dnssignal

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseSPF(t *testing.T) {
	tests := []struct {
		in       string
		includes []string
		redirect string
		lookups  int
		all      string
		errs     []string // substrings, one per error
		notSPF   bool
	}{
		{in: "v=spf1 -all", all: "-"},
		{in: "V=SPF1 include:_spf.google.com ~all", includes: []string{"_spf.google.com"}, lookups: 1, all: "~"},
		{in: "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx a:mail.example.com/24//64 mx/26 ptr exists:%{i}.x.example include:servers.mcsv.net ?all",
			includes: []string{"servers.mcsv.net"}, lookups: 7, all: "?"},
		{in: "v=spf1 redirect=_spf.example.net", redirect: "_spf.example.net", lookups: 1},
		{in: "v=spf1  include:a.example\tinclude:b.example  +all ", includes: []string{"a.example", "b.example"}, lookups: 2, all: "+"},
		{in: "v=spf1 include: ~all", all: "~", errs: []string{"needs a domain"}},
		{in: "v=spf1 foo:bar ~all", all: "~", errs: []string{"unknown mechanism"}},
		{in: "v=spf1 ip4:300.1.1.1 ip6:192.0.2.1 ip4:192.0.2.1/33", errs: []string{"bad ip4 address", "bad ip6 address", "bad prefix length"}},
		{in: "v=spf1 redirect=a.example redirect=b.example", redirect: "a.example", lookups: 1, errs: []string{"more than once"}},
		{in: "v=spf1 include:a..example all:x", errs: []string{"bad domain", "all takes no argument"}},
		{in: "v=spf1 exp=explain.example 1bad=x", errs: []string{"bad modifier name"}},
		{in: "v=spf1 include:%{d", errs: []string{"bad domain"}},
		{in: "v=spf10 include:x.example", notSPF: true},
		{in: "google-site-verification=abc", notSPF: true},
		{in: "", notSPF: true},
		{in: "v=spf1", all: ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParseSPF(tt.in)
			if tt.notSPF {
				if !errors.Is(err, ErrNotSPF) {
					t.Fatalf("err = %v, want ErrNotSPF", err)
				}
				return
			}
			if got := p.Includes(); !reflect.DeepEqual(got, tt.includes) {
				t.Errorf("Includes = %q, want %q", got, tt.includes)
			}
			if got := p.Redirect(); got != tt.redirect {
				t.Errorf("Redirect = %q, want %q", got, tt.redirect)
			}
			if got := p.Lookups(); got != tt.lookups {
				t.Errorf("Lookups = %d, want %d", got, tt.lookups)
			}
			if got := p.All(); got != tt.all {
				t.Errorf("All = %q, want %q", got, tt.all)
			}
			if len(p.Errors) != len(tt.errs) {
				t.Fatalf("Errors = %q, want %d matching %q", p.Errors, len(tt.errs), tt.errs)
			}
			for i, want := range tt.errs {
				if !strings.Contains(p.Errors[i], want) {
					t.Errorf("Errors[%d] = %q, want it to contain %q", i, p.Errors[i], want)
				}
			}
			if (err != nil) != (len(tt.errs) > 0) {
				t.Errorf("err = %v with %d errors", err, len(tt.errs))
			}
		})
	}
}

func TestTermString(t *testing.T) {
	p, err := ParseSPF("v=spf1 a:x.example/24//64 -ip4:192.0.2.1/32 ~include:y.example redirect=z.example")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, term := range p.Terms {
		got = append(got, term.String())
	}
	want := []string{"a:x.example/24//64", "-ip4:192.0.2.1/32", "~include:y.example", "redirect=z.example"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("terms = %q, want %q", got, want)
	}
}

func FuzzParseSPF(f *testing.F) {
	for _, s := range []string{
		"v=spf1 include:_spf.google.com include:servers.mcsv.net ~all",
		"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx/24//64 ptr exists:%{i}._spf.%{d} -all",
		"v=spf1 redirect=_spf.example.com exp=%{l}.x",
		"v=spf1 include: foo:bar ip4:300.0.0.1/99 a//129 %{",
		"v=spf1 ?include:%{d2}.x +all //",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseSPF(s)
		if err == nil && len(p.Errors) > 0 {
			t.Fatalf("errors %q but nil error", p.Errors)
		}
		if err != nil && !errors.Is(err, ErrNotSPF) && len(p.Errors) == 0 {
			t.Fatalf("error %v without Errors", err)
		}
		_ = p.Includes()
		_ = p.Redirect()
		_ = p.All()
		if p.Lookups() > len(p.Terms) {
			t.Fatalf("more lookups than terms")
		}
		for _, term := range p.Terms {
			if term.Name == "" {
				t.Fatalf("term without name in %q", s)
			}
			// A term written back parses to the same term.
			q, err := ParseSPF("v=spf1 " + term.String())
			if err != nil || len(q.Terms) != 1 || q.Terms[0] != term {
				t.Fatalf("term %q (%+v) does not round-trip: %+v %v", term.String(), term, q.Terms, err)
			}
		}
		// Records never panics and keeps IDs unique.
		recs := Records("example.com", RRSet{Name: "example.com", Type: "TXT", Values: []string{s, s + " "}})
		ids := map[string]bool{}
		for _, r := range recs {
			if ids[r.ID] {
				t.Fatalf("duplicate id %q", r.ID)
			}
			ids[r.ID] = true
		}
	})
}

func BenchmarkParseSPF(b *testing.B) {
	s := "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.google.com include:servers.mcsv.net include:send.klaviyo.com include:mail.zendesk.com a mx ~all"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSPF(s); err != nil {
			b.Fatal(err)
		}
	}
}

// Only include and redirect with a fixed host delegate; a macro host, other mechanisms and an "include" modifier
// do not.
func TestTermDelegation(t *testing.T) {
	p, err := ParseSPF("v=spf1 include:_spf.a.example include:%{d}.b.example a:include.example exp=include ~all redirect=_spf.c.example include=x.example")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, term := range p.Terms {
		if mech, ok := term.Delegation(); ok {
			got = append(got, mech+" "+term.Value)
		}
	}
	if want := "include _spf.a.example, redirect _spf.c.example"; strings.Join(got, ", ") != want {
		t.Errorf("delegations %q, want %q", strings.Join(got, ", "), want)
	}
}
