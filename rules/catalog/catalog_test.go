package catalog

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
)

func builtinT(t testing.TB) *Catalog {
	t.Helper()
	c, err := Builtin()
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, is := range ve.Issues {
				t.Error(is)
			}
		}
		t.Fatalf("built-in catalogue: %v", err)
	}
	return c
}

func TestBuiltinValidates(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	if issues := Validate(c); len(issues) != 0 {
		for _, is := range issues {
			t.Error(is)
		}
	}
	martech := 0
	for _, e := range c.Entries {
		if e.Martech {
			martech++
		}
	}
	if len(c.Entries) < 400 {
		t.Errorf("%d vendors, want at least 400", len(c.Entries))
	}
	if martech < 300 {
		t.Errorf("%d martech vendors, want at least 300", martech)
	}
	t.Logf("%d vendors, %d martech, %d Microsoft first-party apps", len(c.Entries), martech, len(c.MicrosoftApps))
}

// TestBuiltinConventions checks what the loader does not enforce but the built-in files promise.
func TestBuiltinConventions(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	for _, e := range c.Entries {
		cat, ok := c.Category(e.Category)
		if !ok {
			t.Errorf("%s: category %q", e.ID, e.Category)
			continue
		}
		if e.Martech != cat.Martech {
			t.Errorf("%s: martech %v but category %s has martech %v", e.ID, e.Martech, e.Category, cat.Martech)
		}
		if len(e.Subcategories) == 0 {
			t.Errorf("%s: no subcategories", e.ID)
		}
		if len(e.Sources) == 0 {
			t.Errorf("%s: no sources", e.ID)
		}
		if len(e.DataAccess) == 0 {
			t.Errorf("%s: no data_access", e.ID)
		}
		if want := "rules/catalog/" + e.Category + ".yaml"; e.File != want {
			t.Errorf("%s: defined in %s, want %s (one file per category)", e.ID, e.File, want)
		}
		if e.Line <= 0 {
			t.Errorf("%s: no line", e.ID)
		}
		if len(e.Signals.AWSAccounts) > 0 && !anyContains(e.Sources, "known_aws_accounts.yaml") {
			t.Errorf("%s: aws_accounts without a known_aws_accounts.yaml source", e.ID)
		}
	}
	if !slices.IsSortedFunc(c.Entries, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("entries are not sorted by ID")
	}
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestDemoVendors pins the vendor IDs and signals that the demo organisation and the other packages rely on.
func TestDemoVendors(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	for _, id := range []string{"hubspot", "salesforce", "zoom", "slack", "segment", "fullstory", "canva", "semrush",
		"mailchimp", "apollo", "hotjar", "typeform", "calendly", "hootsuite", "klaviyo", "unbounce", "hightouch",
		"marketo", "zoominfo", "zendesk", "meta", "google", "microsoft", "github", "atlassian", "sendgrid"} {
		if _, ok := c.Vendor(id); !ok {
			t.Errorf("demo vendor %q missing", id)
		}
	}
	has := func(id string, get func(*Entry) []string, want string) {
		t.Helper()
		e, ok := c.Vendor(id)
		if !ok {
			t.Errorf("%s missing", id)
			return
		}
		if !slices.Contains(get(e), want) {
			t.Errorf("%s: %q not in %q", id, want, get(e))
		}
	}
	spf := func(e *Entry) []string { return e.Signals.SPF }
	txt := func(e *Entry) []string { return e.Signals.TXT }
	cname := func(e *Entry) []string { return e.Signals.CNAME }
	aws := func(e *Entry) []string { return e.Signals.AWSAccounts }
	merch := func(e *Entry) []string { return e.Signals.Merchants }
	dkim := func(e *Entry) []string {
		var out []string
		for _, d := range e.Signals.DKIM {
			out = append(out, d.Selector+"->"+d.Target)
		}
		return out
	}
	has("segment", aws, "107630771604")
	has("hightouch", aws, "324528010823")
	has("mailchimp", spf, "servers.mcsv.net")
	has("mailchimp", dkim, "k2->dkim2.mcsv.net")
	has("klaviyo", spf, "send.klaviyo.com")
	has("zendesk", spf, "mail.zendesk.com")
	has("google", spf, "_spf.google.com")
	has("google", txt, "google-site-verification=")
	has("microsoft", spf, "spf.protection.outlook.com")
	has("microsoft", txt, "MS=")
	has("meta", txt, "facebook-domain-verification=")
	has("hubspot", txt, "hubspot-developer-verification=")
	has("hubspot", spf, "{portal}.spf{n}.hubspotemail.net")
	has("hubspot", dkim, "hs1-{portal}->{d}.hs{n}a.dkim.hubspotemail.net")
	has("unbounce", cname, "unbouncepages.com")
	has("marketo", cname, "mkto-{id}.com")
	has("marketo", cname, "{munchkin}.mktoweb.com")
	has("sendgrid", cname, "u{n}.wl{m}.sendgrid.net")
	for _, m := range [][2]string{{"hotjar", "HOTJAR"}, {"canva", "CANVA"}, {"semrush", "SEMRUSH"}, {"mailchimp", "MAILCHIMP"},
		{"zoom", "ZOOM.US"}, {"zoominfo", "ZOOMINFO"}, {"calendly", "CALENDLY"}, {"typeform", "TYPEFORM"}, {"hootsuite", "HOOTSUITE"}} {
		has(m[0], merch, m[1])
	}
	if name, ok := c.MicrosoftApp("00000003-0000-0000-C000-000000000000"); !ok || name != "Microsoft Graph" {
		t.Errorf("MicrosoftApp(Graph) = %q, %v", name, ok)
	}
	if len(c.MicrosoftApps) < 500 {
		t.Errorf("only %d Microsoft first-party apps", len(c.MicrosoftApps))
	}
}

func TestBuiltinShared(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	got := make([]*Catalog, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = Builtin()
		}()
	}
	wg.Wait()
	for _, c := range got {
		if c == nil || c != got[0] {
			t.Fatal("Builtin must return one shared value")
		}
	}
}

func TestAccessors(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	if e, ok := c.Vendor("hubspot"); !ok || e.Name != "HubSpot" {
		t.Errorf("Vendor(hubspot) = %v, %v", e, ok)
	}
	if _, ok := c.Vendor("HubSpot"); ok {
		t.Error("Vendor is exact by ID")
	}
	if _, ok := c.Vendor("zzz-none"); ok {
		t.Error("Vendor(zzz-none) found")
	}
	for q, want := range map[string]string{"HubSpot": "hubspot", "apollo": "apollo", "Apollo.io": "apollo",
		"Twitter": "twitter", "Mandrill": "mandrill", "google-ads": "google-ads", "6sense": "6sense"} {
		if e, ok := c.Lookup(q); !ok || e.ID != want {
			t.Errorf("Lookup(%q) = %v, want %s", q, e, want)
		}
	}
	if _, ok := c.Lookup("..."); ok {
		t.Error("Lookup of punctuation found something")
	}
	cat, ok := c.Category("data")
	if !ok || !cat.Martech || cat.Name == "" {
		t.Errorf("Category(data) = %+v", cat)
	}
	if _, ok := c.Category("nope"); ok {
		t.Error("Category(nope) found")
	}
	if got := c.SubcategoryName("session_replay"); got != "Session replay & heatmaps" {
		t.Errorf("SubcategoryName = %q", got)
	}
	if got := c.SubcategoryName("nope"); got != "nope" {
		t.Errorf("SubcategoryName(unknown) = %q", got)
	}
	if got := c.SubcategoryCategory("crm"); got != "social_relationships" {
		t.Errorf("SubcategoryCategory(crm) = %q", got)
	}
	if got := c.CategoryName("hr"); got != "HR" {
		t.Errorf("CategoryName(hr) = %q", got)
	}
	ids := func(es []*Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	replay := ids(c.ByCategory("session_replay"))
	for _, want := range []string{"fullstory", "hotjar"} {
		if !slices.Contains(replay, want) {
			t.Errorf("ByCategory(session_replay) lacks %s", want)
		}
	}
	if data := ids(c.ByCategory("data")); !slices.Contains(data, "segment") || slices.Contains(data, "slack") {
		t.Errorf("ByCategory(data) = %v", data)
	}
	if len(c.ByCategory("")) != len(c.Entries) {
		t.Error("ByCategory(\"\") should list everything")
	}
	e, _ := c.Vendor("hubspot")
	if e.PrimarySubcategory() != "marketing_automation" {
		t.Errorf("PrimarySubcategory = %q", e.PrimarySubcategory())
	}
	if (&Entry{}).PrimarySubcategory() != "" {
		t.Error("empty entry has a primary subcategory")
	}
	files := BuiltinFiles()
	if !slices.Contains(files, "rules/catalog/taxonomy.yaml") || !slices.Contains(files, "rules/catalog/microsoft_apps.csv") {
		t.Errorf("BuiltinFiles = %v", files)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	for _, tc := range []struct {
		q, want string
		field   string
	}{
		{"hubspot", "hubspot", "id"},
		{"HubSpot", "hubspot", "id"},
		{"hub", "hubspot", ""},
		{"hubsopt", "hubspot", ""},
		{"mailchmp", "mailchimp", ""},
		{"apollo io", "apollo", ""},
		{"hotjar.com", "hotjar", "domain"},
		{"ConvertKit", "kit", "alias"},
		{"marketing cloud", "salesforce-marketing-cloud", ""},
		{"zoominfo", "zoominfo", "id"},
		{"semrsh", "semrush", ""},
	} {
		hits := c.Search(tc.q, 5)
		if len(hits) == 0 || hits[0].Entry.ID != tc.want {
			var got []string
			for _, h := range hits {
				got = append(got, h.Entry.ID+"("+h.Field+")")
			}
			t.Errorf("Search(%q) = %v, want %s first", tc.q, got, tc.want)
			continue
		}
		if tc.field != "" && hits[0].Field != tc.field {
			t.Errorf("Search(%q) matched %s, want %s", tc.q, hits[0].Field, tc.field)
		}
		for i, h := range hits {
			if h.Score < 1 || h.Score > 100 || (i > 0 && h.Score > hits[i-1].Score) {
				t.Errorf("Search(%q): bad score order %v", tc.q, hits)
			}
		}
	}
	if hits := c.Search("   ", 5); hits != nil {
		t.Errorf("blank search = %v", hits)
	}
	if hits := c.Search("a", 0); len(hits) > 10 {
		t.Errorf("default limit exceeded: %d", len(hits))
	}
	if hits := c.Search(strings.Repeat("x", 10000), 3); len(hits) > 3 {
		t.Errorf("limit exceeded: %d", len(hits))
	}
	if got := c.Suggest("hubspt"); len(got) == 0 || got[0] != "hubspot" {
		t.Errorf("Suggest(hubspt) = %v", got)
	}
	if got := c.Suggest("qqqzzzxxx"); len(got) != 0 {
		t.Errorf("Suggest(nonsense) = %v", got)
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		max  int
		want int
	}{
		{"hubspot", "hubspot", 2, 0},
		{"hubsopt", "hubspot", 2, 1},
		{"mailchmp", "mailchimp", 2, 1},
		{"abc", "xyz", 2, -1},
		{"", "abc", 3, 3},
		{"a", "abcdef", 2, -1},
		{"kitten", "sitting", 3, 3},
	} {
		if got := editDistance(tc.a, tc.b, tc.max); got != tc.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.want)
		}
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range []string{"hubspot", "hub", "hubsopt", "apollo.io", "", "\x00\xff", strings.Repeat("ab", 300), "日本語"} {
		f.Add(s, 5)
	}
	c, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string, limit int) {
		hits := c.Search(q, limit)
		max := limit
		if max <= 0 {
			max = 10
		}
		if len(hits) > max {
			t.Fatalf("%d hits, limit %d", len(hits), max)
		}
		for _, h := range hits {
			if h.Score < 1 || h.Score > 100 || h.Entry == nil {
				t.Fatalf("bad hit %+v", h)
			}
		}
		_ = c.Suggest(q)
	})
}

func TestNotices(t *testing.T) {
	t.Parallel()
	n := Notices()
	for _, w := range []string{"Merill Fernando", "fwd:cloudsec", "OWASP Amass", "EdOverflow", "Adguard Software Ltd",
		"---- MIT_merill_microsoft-info.txt ----", "Apache License", "Attribution 4.0 International"} {
		if !strings.Contains(n, w) {
			t.Errorf("Notices() lacks %q", w)
		}
	}
	data, err := builtinFS.ReadFile(msAppsFile)
	if err != nil || !strings.HasPrefix(string(data), "# Microsoft first-party application IDs. Derived from merill/microsoft-info") {
		t.Errorf("microsoft_apps.csv must start with its attribution: %v", err)
	}
}

// TestFactsVendors pins the vendors of the fact sheet's vendor table (FACTS §2) and the martech/data entries of
// known_aws_accounts.yaml, with their account IDs.
func TestFactsVendors(t *testing.T) {
	t.Parallel()
	c := builtinT(t)
	for _, id := range []string{"mailchimp", "mandrill", "hubspot", "marketo", "pardot", "salesforce-marketing-cloud",
		"klaviyo", "constant-contact", "campaign-monitor", "activecampaign", "brevo", "braze", "iterable", "customer-io",
		"eloqua", "act-on", "sailthru", "cordial", "listrak", "emarsys", "dotdigital", "selligent", "acoustic",
		"zeta-global", "epsilon", "mapp", "getresponse", "aweber", "kit", "mailerlite", "emma", "zoho-campaigns", "keap",
		"omnisend", "drip", "benchmark-email", "attentive", "postscript", "sendgrid", "mailgun", "postmark", "sparkpost",
		"mailjet", "amazon-ses", "salesforce", "zoho", "pipedrive", "salesloft", "gong", "zoominfo", "clearbit", "6sense",
		"demandbase", "terminus", "highspot", "showpad", "sendoso", "reachdesk", "madkudu", "common-room", "kustomer",
		"chili-piper", "calendly", "segment", "mparticle", "tealium", "rudderstack", "hightouch", "census", "snowplow",
		"actioniq", "liveramp", "lytics", "amplitude", "mixpanel", "heap", "pendo", "google-analytics",
		"google-tag-manager", "adobe-analytics", "hotjar", "fullstory", "contentsquare", "crazy-egg", "kochava",
		"appsflyer", "branch", "improvado", "funnel", "fivetran", "stitch", "hevo", "meta", "google-ads", "linkedin",
		"tiktok", "twitter", "microsoft-advertising", "criteo", "adroll", "taboola", "outbrain", "nativo", "mediamath",
		"index-exchange", "magnite", "extole", "unbounce", "instapage", "leadpages", "landingi", "clickfunnels", "webflow",
		"heyflow", "uberflip", "canva", "semrush", "ahrefs", "botify", "yandex-webmaster", "optimizely", "vwo", "ab-tasty",
		"kameleoon", "adobe-target", "dynamic-yield", "launchdarkly", "drift", "intercom", "qualified", "livechat", "tidio",
		"olark", "crisp", "zendesk", "freshworks", "help-scout", "zoom", "goto", "cvent", "demio", "brightcove", "wistia",
		"loom", "typeform", "qualtrics", "medallia", "sprig", "surveysparrow", "jotform", "formstack", "wufoo",
		"trustpilot", "yotpo", "bazaarvoice", "sprinklr", "short-io", "onetrust", "hootsuite", "sprout-social", "buffer",
		"later", "khoros", "brandwatch", "surveymonkey", "on24", "livestorm", "eventbrite", "vidyard", "outreach",
		"apollo", "moz", "the-trade-desk", "workato", "domo"} {
		if _, ok := c.Vendor(id); !ok {
			t.Errorf("FACTS vendor %q missing", id)
		}
	}
	for acct, id := range map[string]string{
		"107630771604": "segment", "595280932656": "segment", "338661164609": "mparticle", "583371261087": "mparticle",
		"757913464184": "tealium", "422074288268": "rudderstack", "324528010823": "hightouch", "341876425553": "census",
		"793733611312": "snowplow", "716309063777": "improvado", "071303700930": "funnel", "719465667078": "kochava",
		"794878508631": "mediamath", "203796963081": "madkudu", "322919613312": "common-room", "793525387755": "salesforce",
		"241254095402": "kustomer", "749779118921": "brightcove", "834469178297": "fivetran", "218546966473": "stitch",
		"393309748692": "hevo", "353360065216": "workato", "339405024189": "domo", "554582317989": "launchdarkly",
	} {
		found := ""
		for _, e := range c.Entries {
			if slices.Contains(e.Signals.AWSAccounts, acct) {
				found = e.ID
			}
		}
		if found != id {
			t.Errorf("aws account %s belongs to %q, want %q", acct, found, id)
		}
	}
}
