package expenses

import (
	"strings"
	"testing"
	"unicode"
)

func TestNormaliseMerchant(t *testing.T) {
	tests := []struct{ raw, name, domain string }{
		{"SQ *HOTJAR", "HOTJAR", ""},
		{"SQ*HOTJAR", "HOTJAR", ""},
		{"sq *hotjar", "HOTJAR", ""},
		{"SQ *HOTJAR San Francisco CA", "HOTJAR", ""},
		{"SQ *HOTJAR        SAN FRANCISCO CA", "HOTJAR", ""},
		{"PAYPAL *HOOTSUITE", "HOOTSUITE", ""},
		{"PP*HOOTSUITE 4029357733 CA", "HOOTSUITE", ""},
		{"PAYPAL *SQ *HOTJAR", "HOTJAR", ""},
		{"TST* SWEETGREEN NEW YORK NY", "SWEETGREEN", ""},
		{"PADDLE.NET* N8N", "N8N", ""},
		{"MAILCHIMP *MONTHLY", "MAILCHIMP", ""},
		{"Mailchimp *Misc Mailchimp.Com GA", "MAILCHIMP", "mailchimp.com"},
		{"ZOOM.US 888-799-9666", "ZOOM", "zoom.us"},
		{"ZOOM.US (888) 799-9666 CA", "ZOOM", "zoom.us"},
		{"CANVA* 04412345678", "CANVA", ""},
		{"FACEBK *ABC123XYZ", "FACEBK", ""},
		{"GOOGLE *ADS1234567", "GOOGLE", ""},
		{"LINKEDIN P12345678", "LINKEDIN", ""},
		{"HUBSPOT* INC", "HUBSPOT", ""},
		{"SALESFORCE.COM", "SALESFORCE", "salesforce.com"},
		{"HTTPS://WWW.SEMRUSH.COM/BILLING", "SEMRUSH", "semrush.com"},
		{"UBER *TRIP HELP.UBER.COM", "UBER", "uber.com"},
		{"AWS EMEA aws.amazon.co.uk", "AWS EMEA", "amazon.co.uk"},
		{"ZOOMINFO TECHNOLOGIES", "ZOOMINFO", ""},
		{"Adobe Systems Inc.", "ADOBE", ""},
		{"KLAVIYO INC. BOSTON MA", "KLAVIYO", ""},
		{"TYPEFORM.COM BARCELONA", "TYPEFORM", "typeform.com"},
		{"1PASSWORD", "1PASSWORD", ""},
		{"7-ELEVEN 12345", "7 ELEVEN", ""},
		{"AMZN Mktp US*2K3LL0A12", "AMZN MKTP", ""},
		{"SLACK T12345678", "SLACK", ""},
		{"MCDONALD'S F1234", "MCDONALDS", ""},
		{"ＨＯＴＪＡＲ", "HOTJAR", ""}, // full-width letters
		{"\x1b[31mEVIL\x1b[0m SAAS", "EVIL SAAS", ""},
		{"EVIL\x1b]0;pwned\x07 SAAS", "EVIL SAAS", ""},
		{"=HYPERLINK(\"http://evil.example\",\"x\")", "HYPERLINK HTTP EVIL EXAMPLE X", ""},
		{"CALENDLY\u200b.COM", "CALENDLY", "calendly.com"},
		{"PAYPAL *PAYPAL.COM", "PAYPAL", ""},
		{"****", "", ""},
		{"", "", ""},
		{"12345678", "12345678", ""},
	}
	for _, tc := range tests {
		got := NormaliseMerchant(tc.raw)
		if got.Name != tc.name || got.Domain != tc.domain {
			t.Errorf("NormaliseMerchant(%q) = %+v, want {Name:%s Domain:%s}", tc.raw, got, tc.name, tc.domain)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"HOTJAR": "hotjar", "UNITED AIRLINES": "united-airlines", "AT&T": "at-t",
		"Ben Okafor": "ben-okafor", "  x  ": "x", "Chloé Tan": "chloé-tan", "": ""} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"a\x1b[1;31mb\x1b[0m c":   "ab c",
		"a\tb\r\nc\x00d":          "a b c d",
		"x\u202eevil\u200by":      "xevily",
		"  spaced   out  ":        "spaced out",
		"caf\xe9":                 "caf",
		"\x1b]8;;http://x\x1b\\y": "y",
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNormaliseMerchant(f *testing.F) {
	for _, s := range []string{"SQ *HOTJAR", "PAYPAL *HOOTSUITE", "ZOOM.US 888-799-9666", "CANVA* 04412345678",
		"Mailchimp *Misc Mailchimp.Com GA", "\x1b[31mEVIL\x1b[0m", "=HYPERLINK(\"x\")", "ＨＯＴＪＡＲ", "****", "  ",
		"HTTPS://WWW.A.CO.UK/X", "\xff\xfe", strings.Repeat("A ", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		h := NormaliseMerchant(raw)
		if len(h.Name) > maxMerchantName {
			t.Fatalf("name %q longer than %d", h.Name, maxMerchantName)
		}
		for _, r := range h.Name + h.Domain {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\x1b' {
				t.Fatalf("NormaliseMerchant(%q) = %+v keeps a control character", raw, h)
			}
		}
		if strings.HasPrefix(h.Name, "=") || strings.HasPrefix(h.Name, "+") || strings.HasPrefix(h.Name, "@") ||
			strings.HasPrefix(h.Name, "-") {
			t.Fatalf("NormaliseMerchant(%q) = %q starts with a formula character", raw, h.Name)
		}
		if h.Name != strings.TrimSpace(h.Name) || strings.Contains(h.Name, "  ") {
			t.Fatalf("NormaliseMerchant(%q) = %q is not single-spaced", raw, h.Name)
		}
		_ = Slug(h.Name)
	})
}
