package catalog

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestHostPatternMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, host string
		want          bool
		caps          string // name=value pairs, left to right
	}{
		{"mcsv.net", "servers.mcsv.net", true, ""},
		{"mcsv.net", "mcsv.net", true, ""},
		{"mcsv.net", "notmcsv.net", false, ""},
		{"mcsv.net", "mcsv.net.evil.com", false, ""},
		{"servers.mcsv.net", "mcsv.net", false, ""},
		{"SERVERS.MCSV.NET.", "servers.mcsv.net", true, ""},
		{"{portal}.spf{n}.hubspotemail.net", "147202787.spf04.hubspotemail.net", true, "portal=147202787 n=04"},
		{"{portal}.spf{n}.hubspotemail.net", "spf04.hubspotemail.net", false, ""},
		{"{portal}.spf{n}.hubspotemail.net", "147202787.spf.hubspotemail.net", false, ""},
		{"{portal}.spf{n}.hubspotemail.net", "147202787.xspf04.hubspotemail.net", false, ""},
		{"{munchkin}.mktoweb.com", "123-abc-456.mktoweb.com", true, "munchkin=123-abc-456"},
		{"{munchkin}.mktoweb.com", "a.b.mktoweb.com", true, "munchkin=b"},
		{"mkto-{id}.com", "mkto-a0244.com", true, "id=a0244"},
		{"mkto-{id}.com", "pages.mkto-a0244.com", true, "id=a0244"},
		{"mkto-{id}.com", "mkto-.com", false, ""},
		{"mkto-{id}.com", "mkto.com", false, ""},
		{"{domain}.hs{n}a.dkim.hubspotemail.net", "northwind-example.hs06a.dkim.hubspotemail.net", true,
			"domain=northwind-example n=06"},
		{"{domain}.hs{n}a.dkim.hubspotemail.net", "northwind-example.hs06b.dkim.hubspotemail.net", false, ""},
		{"u{id}.wl{n}.sendgrid.net", "u27463899.wl150.sendgrid.net", true, "id=27463899 n=150"},
		{"s1.domainkey.u{id}.wl{n}.sendgrid.net", "s1.domainkey.u32912322.wl073.sendgrid.net", true, "id=32912322 n=073"},
		{"{a}-x-{b}.example.com", "1-x-2.example.com", true, "a=1 b=2"},
		{"{a}-x-{b}.example.com", "1-x-2-x-3.example.com", true, "a=1 b=2-x-3"},
		// Placeholder characters at both ends of each range.
		{"{munchkin}.mktoweb.com", "az09.mktoweb.com", true, "munchkin=az09"},
		{"{munchkin}.mktoweb.com", "z9.mktoweb.com", true, "munchkin=z9"},
	}
	for _, tt := range tests {
		hp, err := compileHostPattern(tt.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", tt.pattern, err)
		}
		var caps []hostCapture
		got := hp.match(hostClean(tt.host), &caps)
		if got != tt.want {
			t.Errorf("%q ~ %q = %v, want %v", tt.pattern, tt.host, got, tt.want)
			continue
		}
		if !got {
			continue
		}
		var parts []string
		for i := len(caps) - 1; i >= 0; i-- {
			parts = append(parts, caps[i].name+"="+caps[i].value)
		}
		if g := strings.Join(parts, " "); g != tt.caps {
			t.Errorf("%q ~ %q captured %q, want %q", tt.pattern, tt.host, g, tt.caps)
		}
	}
}

func TestHostPatternErrors(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "  ", "{portal}", "mcsv.{tld}", "a..b", "sp f.com", "{}.x.com", "{a{b}}.x.com",
		"x}.com", "{a}{b}.x.com", "{a.x.com", "{A-B}.x.com", "é.com", "{a}!.x.com", "x{a}y z.x.com"} {
		if err := ValidateHostPattern(p); err == nil {
			t.Errorf("ValidateHostPattern(%q): want an error", p)
		}
	}
	for _, p := range []string{"mcsv.net", "*.mktoweb.com", "_spf.google.com", "{portal}.spf{n}.hubspotemail.net", "az09.example.com",
		"x{n}az09-_.example.com"} {
		if err := ValidateHostPattern(p); err != nil {
			t.Errorf("ValidateHostPattern(%q): %v", p, err)
		}
	}
	for _, p := range []string{"{portal}", "", "a.b"} {
		if err := ValidateSelectorPattern(p); err == nil {
			t.Errorf("ValidateSelectorPattern(%q): want an error", p)
		}
	}
	for _, p := range []string{"", "re:(", "  "} {
		if err := ValidateTXTPattern(p); err == nil {
			t.Errorf("ValidateTXTPattern(%q): want an error", p)
		}
	}
}

func TestHostIndexSpecificity(t *testing.T) {
	t.Parallel()
	var ix hostIndex
	for i, p := range []string{"sendgrid.net", "u{id}.wl{n}.sendgrid.net", "mktoweb.com", "{munchkin}.mktoweb.com", "example.org"} {
		hp, err := compileHostPattern(p)
		if err != nil {
			t.Fatal(err)
		}
		hp.vendor = int32(i)
		ix.add(hp)
	}
	hp, _ := compileHostPattern("example.org")
	hp.vendor = 99
	ix.add(hp)
	tests := []struct {
		host string
		want string
		amb  bool
	}{
		{"u1.wl2.sendgrid.net", "u{id}.wl{n}.sendgrid.net", false},
		{"x.sendgrid.net", "sendgrid.net", false},
		{"abc.mktoweb.com", "{munchkin}.mktoweb.com", false},
		{"mktoweb.com", "mktoweb.com", false},
		{"www.example.org", "example.org", true},
		{"example.com", "", false},
	}
	for _, tt := range tests {
		id, amb := ix.lookup(tt.host)
		got := ""
		if id >= 0 {
			got = ix.pats[id].raw
		}
		if got != tt.want || amb != tt.amb {
			t.Errorf("lookup(%q) = %q, %v; want %q, %v", tt.host, got, amb, tt.want, tt.amb)
		}
	}
}

func TestHostFromValue(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"hubspot.com", "hubspot.com"},
		{"WWW.HubSpot.com.", "hubspot.com"},
		{"https://app.hubspot.com/contacts/123?x=1", "app.hubspot.com"},
		{"http://user:pw@static.hotjar.com:8443/c/hotjar.js", "static.hotjar.com"},
		{"alice@canva.com", "canva.com"},
		{"mailto:billing@semrush.com", "semrush.com"},
		{"semrush.com/pricing", "semrush.com"},
		{"not a host", ""},
		// Each separator at the very start of the value.
		{"://hubspot.com/x", "hubspot.com"},
		{"https:///pricing", ""},
		{"https://@hubspot.com/", "hubspot.com"},
		{"https://:8443/x", ""},
		{"@canva.com", "canva.com"},
		{"/pricing", ""},
	}
	for _, tt := range tests {
		if got := hostFromValue(tt.in); got != tt.want {
			t.Errorf("hostFromValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDomainIndex(t *testing.T) {
	t.Parallel()
	ix := domainIndex{}
	ix.add("hotjar.com", 1)
	ix.add("static.hotjar.com", 2)
	ix.add("myshopify.com", 3)
	ix.add("co.uk", 4) // never matches: a public suffix
	ix.add("example.co.uk", 5)
	ix.add("northflank.app", 6)      // the PSL has *.northflank.app: a customer host's suffix is one level below
	ix.add("team.northflank.app", 7) // a suffix itself, under the wildcard
	ix.add("amazonaws.com", 8)       // *.compute.amazonaws.com and many more private rules below it
	tests := []struct {
		host    string
		want    int32
		matched string
	}{
		{"hotjar.com", 1, "hotjar.com"},
		{"insights.hotjar.com", 1, "hotjar.com"},
		{"a.static.hotjar.com", 2, "static.hotjar.com"},
		{"northwind.myshopify.com", 3, "myshopify.com"},
		{"myshopify.com", 3, "myshopify.com"},
		{"other.co.uk", -1, ""},
		{"www.example.co.uk", 5, "example.co.uk"},
		{"hotjar.com.evil.net", -1, ""},
		{"", -1, ""},
		{"svc.proj.northflank.app", 6, "northflank.app"},
		{"svc.team.northflank.app", 7, "team.northflank.app"},
		{"ec2-1-2-3-4.eu-west-1.compute.amazonaws.com", 8, "amazonaws.com"},
		{"a.b.awsapprunner.com", -1, ""},
		{"x.github.io", -1, ""},
	}
	for _, tt := range tests {
		vs, matched := ix.lookup(tt.host)
		got := int32(-1)
		if len(vs) > 0 {
			got = vs[0]
		}
		if got != tt.want || matched != tt.matched {
			t.Errorf("lookup(%q) = %d %q, want %d %q", tt.host, got, matched, tt.want, tt.matched)
		}
	}
}

// txtPattern is a TXT pattern (a prefix, or a regexp after "re:") and its vendor.
type txtPattern struct {
	p string
	v int32
}

// txtIndexOf indexes the patterns in order; an error adding one fails the test.
func txtIndexOf(t *testing.T, patterns ...txtPattern) *txtIndex {
	t.Helper()
	var ix txtIndex
	for _, a := range patterns {
		if err := ix.add(a.p, a.v); err != nil {
			t.Fatalf("add(%q, %d): %v", a.p, a.v, err)
		}
	}
	return &ix
}

func TestTXTIndex(t *testing.T) {
	t.Parallel()
	ix := txtIndexOf(t, txtPattern{"google-site-verification=", 0}, txtPattern{"ZOOM_verify_", 1}, txtPattern{"MS=", 2},
		txtPattern{"hubspot-developer-verification=", 3}, txtPattern{"hubspot-", 4}, txtPattern{"re:^00D[A-Za-z0-9]{12}=", 5})
	tests := []struct {
		tok  string
		want string
	}{
		{"google-site-verification=abc", "google-site-verification="},
		{"Google-Site-Verification=abc", "google-site-verification="},
		{"zoom_verify_ABC", "ZOOM_verify_"},
		{"ms=ms1234", "MS="},
		{"hubspot-developer-verification=xyz", "hubspot-developer-verification="},
		{"hubspot-other", "hubspot-"},
		{"google-site", ""},
		{"", ""},
	}
	for _, tt := range tests {
		n := ix.lookupPrefix(tt.tok)
		got := ""
		if n >= 0 {
			got = ix.nodes[n].prefix
		}
		if got != tt.want {
			t.Errorf("lookupPrefix(%q) = %q, want %q", tt.tok, got, tt.want)
		}
	}
	if !ix.res[0].re.MatchString("00D5g000004ABCD=xyz") {
		t.Error("regexp did not match")
	}
}

func FuzzHostPattern(f *testing.F) {
	f.Add("{portal}.spf{n}.hubspotemail.net", "147202787.spf04.hubspotemail.net")
	f.Add("mkto-{id}.com", "pages.mkto-a0244.com")
	f.Add("{a}-x-{b}.example.com", "1-x-2-x-3.example.com")
	f.Add("mcsv.net", "servers.mcsv.net")
	f.Add("{}.x", "..")
	f.Fuzz(func(t *testing.T, pattern, host string) {
		hp, err := compileHostPattern(pattern)
		if err != nil {
			return
		}
		h := hostClean(host)
		var caps []hostCapture
		ok := hp.match(h, &caps)
		if ok != hp.match(h, nil) {
			t.Fatalf("match with and without captures differ for %q ~ %q", pattern, host)
		}
		if !ok {
			return
		}
		for _, c := range caps {
			if c.value == "" || !strings.Contains(h, c.value) {
				t.Fatalf("capture %+v not in host %q", c, h)
			}
		}
		// A matching host must be found through the index too.
		var ix hostIndex
		hp.vendor = 7
		ix.add(hp)
		if id, _ := ix.lookup(h); id < 0 {
			t.Fatalf("pattern %q matches %q but the index does not find it", pattern, h)
		}
	})
}

func TestLabelStrayCloseBrace(t *testing.T) {
	t.Parallel()
	// A '}' before a placeholder, at the start of the label or right after another placeholder, is named as such,
	// not as an invalid character.
	for _, p := range []string{"}x{a}.example.com", "{a}}x{b}.example.com", "x}{a}.example.com", "{a}}.example.com"} {
		err := ValidateHostPattern(p)
		if err == nil || !strings.Contains(err.Error(), "'}' without '{'") {
			t.Errorf("ValidateHostPattern(%q) = %v, want a '}' without '{' error", p, err)
		}
	}
}

func TestHostIndexEmptyLabel(t *testing.T) {
	t.Parallel()
	var ix hostIndex
	hp, err := compileHostPattern("mcsv.net")
	if err != nil {
		t.Fatal(err)
	}
	ix.add(hp)
	// An empty label (a leading dot, two dots) does not stop the walk to the shorter suffixes.
	for _, h := range []string{".mcsv.net", "servers..mcsv.net"} {
		if id, _ := ix.lookup(h); id < 0 {
			t.Errorf("lookup(%q) found nothing, want mcsv.net", h)
		}
	}
}

func TestTXTIndexVendors(t *testing.T) {
	t.Parallel()
	ix := txtIndexOf(t, txtPattern{"google-site-verification=", 0}, txtPattern{"Atlassian-domain-verification=", 1},
		txtPattern{"MS=", 2}, txtPattern{"ms=", 3}, txtPattern{"MS=", 2})
	tests := []struct {
		tok     string
		prefix  string
		vendors []int32
	}{
		// Upper-case A and Z at either end of the range fold like the rest.
		{"atlassian-domain-verification=x", "Atlassian-domain-verification=", []int32{1}},
		{"ATLASSIAN-DOMAIN-VERIFICATION=x", "Atlassian-domain-verification=", []int32{1}},
		{"GOOGLE-SITE-VERIFICATION=Z", "google-site-verification=", []int32{0}},
		// One prefix of two vendors keeps both (once each), under the spelling added first.
		{"MS=ms123", "MS=", []int32{2, 3}},
		// A token that leaves the trie at its first byte matches nothing, even when the rest would.
		{"xoogle-site-verification=abc", "", nil},
		{"[", "", nil},
	}
	for _, tt := range tests {
		n := ix.lookupPrefix(tt.tok)
		prefix, vendors := "", []int32(nil)
		if n >= 0 {
			prefix, vendors = ix.nodes[n].prefix, ix.nodes[n].vendors
		}
		if prefix != tt.prefix || !slices.Equal(vendors, tt.vendors) {
			t.Errorf("lookupPrefix(%q) = %q %v, want %q %v", tt.tok, prefix, vendors, tt.prefix, tt.vendors)
		}
	}
}

func TestHostIndexSameVendor(t *testing.T) {
	t.Parallel()
	// Two patterns of one vendor under the same suffix both stay; the same pattern added twice is kept once.
	var ix hostIndex
	for _, p := range []string{"sendgrid.net", "u{id}.wl{n}.sendgrid.net", "sendgrid.net"} {
		hp, err := compileHostPattern(p)
		if err != nil {
			t.Fatal(err)
		}
		hp.vendor = 3
		ix.add(hp)
	}
	if len(ix.pats) != 2 {
		t.Errorf("%d patterns indexed, want 2", len(ix.pats))
	}
	if id, amb := ix.lookup("u1.wl2.sendgrid.net"); id < 0 || amb || ix.pats[id].raw != "u{id}.wl{n}.sendgrid.net" {
		t.Errorf("lookup = %d %v, want the templated pattern", id, amb)
	}
}

func TestLowerASCII(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"HUBSPOT": "hubspot", "A": "a", "Z": "z", "É": "é", "mcsv.net": "mcsv.net", "Mcsv.NET": "mcsv.net"} {
		if got := lowerASCII(in); got != want {
			t.Errorf("lowerASCII(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTXTIndexRegexps(t *testing.T) {
	t.Parallel()
	// Two regexps of one vendor both stay; the same regexp of the same vendor is kept once, of another vendor twice.
	ix := txtIndexOf(t, txtPattern{"re:^a+$", 1}, txtPattern{"re:^b+$", 1}, txtPattern{"re:^a+$", 1}, txtPattern{"re:^a+$", 2})
	var got []string
	for _, r := range ix.res {
		got = append(got, fmt.Sprintf("%s/%d", r.raw, r.vendor))
	}
	if g := strings.Join(got, " "); g != "^a+$/1 ^b+$/1 ^a+$/2" {
		t.Errorf("regexps = %q, want %q", g, "^a+$/1 ^b+$/1 ^a+$/2")
	}
}

func TestTXTClean(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{`  "MS=ms123"  `, "MS=ms123"},
		{`\"twilio-domain-verification=abc\"`, "twilio-domain-verification=abc"},
		{`'atlassian-domain-verification=abc'`, "atlassian-domain-verification=abc"},
		{`"'MS=ms1'"`, "MS=ms1"},
		{"read-ai-verification = Xy12", "read-ai-verification=Xy12"},
		{"facebook-domain-verification =abc", "facebook-domain-verification=abc"},
		{"facebook-domain-verification= abc", "facebook-domain-verification=abc"},
		{"v=spf1 include:a.example ~all", "v=spf1 include:a.example ~all"},
		{"v=DMARC1; p=none", "v=DMARC1; p=none"},
		{"two words = x", "two words = x"},
		{"= x", "= x"},
		{`\"`, `\"`},
		{`"`, `"`},
		{"", ""},
	} {
		if got := txtClean(tt.in); got != tt.want {
			t.Errorf("txtClean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzTXTClean: cleaning is idempotent and leaves no surrounding space.
func FuzzTXTClean(f *testing.F) {
	for _, s := range []string{`"MS=ms1"`, `\"a=b\"`, "'x'", "k = v", "a =", "\"'\\\"x\\\"'\"", " = "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := txtClean(s)
		if again := txtClean(c); again != c {
			t.Fatalf("txtClean not idempotent: %q -> %q -> %q", s, c, again)
		}
		if strings.TrimSpace(c) != c {
			t.Fatalf("txtClean(%q) = %q keeps surrounding space", s, c)
		}
	})
}
