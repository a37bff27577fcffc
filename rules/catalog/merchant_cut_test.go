package catalog

import (
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// TestResolveCutName: the last word of a descriptor long enough to have been cut by the card network matches the one
// vendor whose one-word name it starts, with only noise around it; never in a short descriptor, a display name, a
// prefix two vendors share, or a prefix under six letters.
func TestResolveCutName(t *testing.T) {
	t.Parallel()
	r := descriptorResolver()
	expectOneHint(t, r, []oneHint{
		{scanner.HintMerchant, "PAYPAL *SURVEYMONKE", "surveymonkey"},
		{scanner.HintMerchant, "RECURRING 0412 SURVEYMON", "surveymonkey"},
		{scanner.HintMerchant, "RECURRING 0412 SALESFORC", "salesforce"},
		{scanner.HintMerchant, "RECURRING 0412 SALESFOR", ""},                     // the start of two vendors' names
		{scanner.HintMerchant, "RECURRING 0412 CONSTANTCONT", "constant-contact"}, // the joined form of a two-word name
		{scanner.HintMerchant, "RECURRING 0412 SALESLO", "salesloft"},
		{scanner.HintMerchant, "RECURRING 0412 SALESL", "salesloft"}, // six letters, one vendor
		{scanner.HintMerchant, "RECURRING 0412 SALES", ""},           // a noise word
		{scanner.HintMerchant, "RECURRING 0412 SURVE", ""},           // under six letters
		{scanner.HintMerchant, "SURVEYMON", ""},                      // too short to have been cut
		{scanner.HintMerchant, "JOES DINER SURVEYMON", ""},           // not only noise around it
		{scanner.HintName, "Acme renewal for SURVEYMONKE", ""},       // display names are not cut
	})
}

// TestResolveJoinedName: two adjacent words that together spell a one-word vendor name match it, with only noise
// around them, in descriptors and display names; never with other words around, for short names, or across a '*'.
func TestResolveJoinedName(t *testing.T) {
	t.Parallel()
	r := descriptorResolver()
	expectOneHint(t, r, []oneHint{
		{scanner.HintMerchant, "SURVEY MONKEY", "surveymonkey"},
		{scanner.HintMerchant, "PAYPAL *SURVEY MONKEY 4029357733 CA", "surveymonkey"},
		{scanner.HintMerchant, "MAIL CHIMP* MONTHLY", "mailchimp"},
		{scanner.HintName, "Survey Monkey", "surveymonkey"},
		{scanner.HintMerchant, "SURVEY MONKEY BAR AND GRILL", ""}, // other words around
		{scanner.HintMerchant, "BOX LY", ""},                      // under six letters
		{scanner.HintMerchant, "MAIL*CHIMP", ""},                  // a '*' separates a processor from the merchant
	})
}

// TestResolveDescriptorTails: what card programmes append to a merchant name is noise around it: a city glued to
// the cut-off name field ("PDUBLIN"), the first letter of a cut-off word after noise ("TAPLIO.COM/B"), other
// countries' company forms, usage and recruiting billing words; never a glued city after a name that is not noise
// around, a letter after a word that is not noise, or a six-letter name one letter off a seven-letter word.
func TestResolveDescriptorTails(t *testing.T) {
	t.Parallel()
	r := descriptorResolver()
	expectOneHint(t, r, []oneHint{
		{scanner.HintMerchant, "Linkedin Job PDublin", "linkedin"},
		{scanner.HintMerchant, "LINKEDIN JOBS 44821", "linkedin"},
		{scanner.HintMerchant, "Linkedin SaWARSZAWA", "linkedin"},
		{scanner.HintMerchant, "Linkedin ABCDDublin", ""}, // four letters before the city: a word, not a cut-off
		{scanner.HintMerchant, "PDublin", ""},
		{scanner.HintMerchant, "TAPLIO.COM/B", "taplio"},
		{scanner.HintMerchant, "TAPLIO B", ""}, // the letter follows the name, not noise
		{scanner.HintMerchant, "CIRCLE K", ""},
		{scanner.HintMerchant, "Anthropic PBC", "anthropic"},
		{scanner.HintMerchant, "ANTHROPIC PBC SAN FRANCISCO CA", "anthropic"},
		{scanner.HintMerchant, "CURSOR USAGE MID  NOV", "cursor"},
		{scanner.HintMerchant, "CURSOR, AI POWERE", "cursor"}, // POWERED cut off
		{scanner.HintMerchant, "GUSTO PAYROLL", "gusto"},
		{scanner.HintMerchant, "FSPRG* TIMEDOCTOR", "time-doctor"},
		{scanner.HintMerchant, "GITHUB.COM HTTPSGITHUB CA", "github"},
		{scanner.HintMerchant, "Allegro Poznan", ""}, // ALLEGRO is one letter off Allego, but Allego is too short
		// A lone letter after another mention of the vendor (a web address cut off), never after the match itself.
		{scanner.HintMerchant, "ZOOM.US 888-799-9666 WWW.ZOOM.U", "zoom"},
		{scanner.HintMerchant, "ZOOM U", ""},
		{scanner.HintMerchant, "MSFT*M365 BUSINESS STD", "microsoft"},
		// ACH: the originator is the vendor; the receiver after INDN: is the organisation itself.
		{scanner.HintMerchant, "Deel, Inc. DES:Deel Inc. ID:ST-Z8J2X2N7Y8A4 INDN:LIFESLICE INC CO ID:1800948598 CCD", "deel"},
		{scanner.HintMerchant, "ACME CORP DES:PAYROLL ID:123 INDN:DEEL CO ID:456 CCD", ""},
	})
}

// descriptorResolver resolves against the vendors the descriptor tests are about: one-word names that a card network
// cuts or splits (two of them sharing a prefix of seven letters, one under six), names of noise words and cities, and
// vendors whose descriptors carry their own marks (ZOOM.US, MSFT).
func descriptorResolver() *Resolver {
	vendor := func(id, name string, merchants ...string) Entry {
		return Entry{ID: id, Name: name, Category: "general", Signals: Signals{Merchants: merchants}}
	}
	return NewResolver(&Catalog{Entries: []Entry{
		vendor("surveymonkey", "SurveyMonkey"), vendor("salesforce", "Salesforce"), vendor("salesloft", "Salesloft"),
		vendor("salesforge", "Salesforge"), vendor("constant-contact", "Constant Contact"), vendor("mailchimp", "Mailchimp"),
		vendor("box", "Boxly"), vendor("linkedin", "LinkedIn"), vendor("taplio", "Taplio"), vendor("anthropic", "Anthropic"),
		vendor("cursor", "Cursor"), vendor("gusto", "Gusto"), vendor("circle", "Circle"), vendor("allego", "Allego"),
		vendor("time-doctor", "Time Doctor"), vendor("github", "GitHub"), vendor("zoom", "Zoom", "ZOOM.US"),
		vendor("deel", "Deel"), vendor("microsoft", "Microsoft", "MSFT"),
	}})
}

// oneHint is a record with one hint and the vendor it must resolve to ("" = unresolved).
type oneHint struct {
	typ         scanner.HintType
	value, want string
}

func expectOneHint(t *testing.T, r *Resolver, cases []oneHint) {
	t.Helper()
	for _, tc := range cases {
		res := r.Resolve(&scanner.Record{Kind: scanner.KindApp, ID: "x", Hints: []scanner.Hint{{Type: tc.typ, Value: tc.value}}})
		got := ""
		if res.Vendor != nil {
			got = res.Vendor.ID
		}
		if got != tc.want {
			t.Errorf("%s %q: got %q, want %q", tc.typ, tc.value, got, tc.want)
		}
	}
}

// TestResolveWebAddress: a card descriptor that is a vendor's web address matches it when no name does, if the
// address spells the vendor's name; never a subdomain, a domain the vendor merely operates, a processor's address
// before a '*', two vendors' addresses, or a display name.
func TestResolveWebAddress(t *testing.T) {
	t.Parallel()
	r := NewResolver(&Catalog{Entries: []Entry{
		{ID: "crisp", Name: "Crisp", Category: "general", Domains: []string{"crisp.chat"}},
		{ID: "census", Name: "Census", Category: "general", Domains: []string{"getcensus.com"}},
		{ID: "ebay-partner-network", Name: "eBay Partner Network", Category: "general", Domains: []string{"ebay.com"}},
		{ID: "loops", Name: "Loops.so", Category: "general", Domains: []string{"loops.so"}},
		{ID: "paddle", Name: "Paddle Billing", Category: "general", Domains: []string{"paddle.net"}},
	}})
	expectOneHint(t, r, []oneHint{
		{scanner.HintMerchant, "CRISP.CHAT", "crisp"},
		{scanner.HintMerchant, "WWW.GETCENSUS.COM 415-555-0100 CA", "census"}, // the label holds the name
		{scanner.HintMerchant, "getcensus.com/bill", "census"},
		{scanner.HintMerchant, "LOOPS.SO", "loops"},                  // the whole address is the name
		{scanner.HintMerchant, "EBAY.COM", ""},                       // a domain the vendor operates, not its name
		{scanner.HintMerchant, "HELP.CRISP.CHAT", ""},                // a subdomain
		{scanner.HintMerchant, "PADDLE.NET* ACME", ""},               // a processor's address before '*'
		{scanner.HintMerchant, "PADDLE.NET *ACME", ""},               // also with a space before the '*'
		{scanner.HintMerchant, "CRISP.CHAT GETCENSUS.COM", ""},       // two vendors
		{scanner.HintMerchant, "CRISP.CHAT WWW.CRISP.CHAT", "crisp"}, // the same vendor twice
		{scanner.HintMerchant, "CRISPCHAT", ""},                      // no address
		{scanner.HintMerchant, "GETCENSUS.C", ""},                    // a cut-off top-level label
		{scanner.HintMerchant, "GETCENSUS.123", ""},                  // not a top-level label
		{scanner.HintName, "getcensus.com", ""},                      // display names are not web addresses
	})
}
