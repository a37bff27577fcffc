package dns

import (
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(c *Config)
		want []string // substrings; none means valid
	}{
		{name: "defaults", mod: func(*Config) {}},
		{name: "full", mod: func(c *Config) {
			c.Domains = []string{"example.com", "Bücher.example."}
			c.Subdomains = []string{"go", "info.example.com", "_acme"}
			c.DKIMSelectors = []string{"k1", "hs1-123"}
			c.Resolver = "[::1]:5353"
		}},
		{name: "resolver host only", mod: func(c *Config) { c.Resolver = "192.0.2.53" }},
		{name: "bad names", mod: func(c *Config) {
			c.Domains = []string{"ok.example", "a..b", ""}
			c.Subdomains = []string{"bad label!"}
			c.DKIMSelectors = []string{"k1._domainkey"}
		}, want: []string{"domains[1]:", "domains[2]:", "subdomains[0]:", "dkim_selectors[0]:"}},
		{name: "bad resolver", mod: func(c *Config) { c.Resolver = "1.2.3.4:99999" }, want: []string{"resolver:"}},
		{name: "bad resolver url", mod: func(c *Config) { c.Resolver = "udp://1.1.1.1" }, want: []string{"resolver:"}},
		{name: "limits", mod: func(c *Config) {
			c.TimeoutPerQuery = 0
			c.Retries = -1
			c.Concurrency = 0
			c.MaxCNAMEDepth = 100
			c.ZoneFiles = []string{" "}
		}, want: []string{"timeout_per_query:", "retries:", "concurrency:", "max_cname_depth:", "zone_files[0]:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConfig()
			tt.mod(c)
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c := NewConfig()
	if !c.CommonSubdomains || c.TimeoutPerQuery != 3*time.Second || c.Retries != 2 || c.Concurrency != 8 || c.MaxCNAMEDepth != 8 {
		t.Errorf("defaults %+v", c)
	}
	f, ok := scanner.Lookup("dns")
	if !ok {
		t.Fatal("dns not registered")
	}
	if _, ok := f.NewConfig().(*Config); !ok {
		t.Errorf("NewConfig gives %T", f.NewConfig())
	}
	if _, ok := f.NewConfig().(scanner.PathResolver); !ok {
		t.Error("config does not resolve paths")
	}
}

func TestResolvePaths(t *testing.T) {
	c := NewConfig()
	c.ZoneFiles = []string{"a.zone", "/abs/b.zone"}
	c.ResolvePaths(func(p string) string {
		if strings.HasPrefix(p, "/") {
			return p
		}
		return "/cfg/" + p
	})
	if c.ZoneFiles[0] != "/cfg/a.zone" || c.ZoneFiles[1] != "/abs/b.zone" {
		t.Errorf("paths %q", c.ZoneFiles)
	}
}

func TestNewDomains(t *testing.T) {
	c := NewConfig()
	p, err := New(c, scanner.Deps{Org: scanner.Organization{Domains: []string{"Northwind.Example", "northwind.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.domains, ",") != "northwind.example" {
		t.Errorf("domains %q", p.domains)
	}
	if _, err := New(NewConfig(), scanner.Deps{}); err == nil || !strings.HasPrefix(err.Error(), "domains:") {
		t.Errorf("New without domains = %v", err)
	}
	c = NewConfig()
	c.Domains = []string{"bücher.example"}
	c.DKIMSelectors = []string{"K1"}
	p, err = New(c, scanner.Deps{})
	if err != nil || p.domains[0] != "xn--bcher-kva.example" || p.selectors[0] != "k1" {
		t.Errorf("New = %+v, %v", p, err)
	}
}

// A name's two forms: toASCII gives the lower-case punycode form that is queried (or an error naming the
// problem), toUnicode the display form of that, "" when it has no punycode label to show.
func TestNameForms(t *testing.T) {
	for _, tc := range []struct{ in, ascii, display, err string }{
		{"bücher.example", "xn--bcher-kva.example", "bücher.example", ""},
		{"XN--BCHER-KVA.example.", "xn--bcher-kva.example", "bücher.example", ""},
		{" Northwind.EXAMPLE. ", "northwind.example", "", ""},
		{"_DMARC.Northwind.example", "_dmarc.northwind.example", "", ""},
		{"", "", "", "empty name"},
		{"a..example", "", "", `"a..example" has an empty label`},
		{"_dk im.example", "", "", `bad label "_dk im"`},
		{"a_b.example", "", "", "is not a valid domain name"},
		{strings.Repeat("abc.", 63) + "example", "", "", "longer than 253 characters"},
	} {
		ascii, err := toASCII(tc.in)
		if ascii != tc.ascii || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("toASCII(%q) = %q, %v; want %q, error %q", tc.in, ascii, err, tc.ascii, tc.err)
		}
		if display := toUnicode(ascii); err == nil && display != tc.display {
			t.Errorf("toUnicode(%q) = %q, want %q", ascii, display, tc.display)
		}
	}
}
