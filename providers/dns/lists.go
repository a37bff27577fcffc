package dns

// CommonSubdomains are host labels marketing tools are commonly set up on: landing pages, tracking and
// click-tracking links, email, events, content hubs, help centres. Each is probed for a CNAME chain.
var CommonSubdomains = []string{
	"www", "go", "go2", "info", "pages", "page", "email", "em", "e", "mail-track", "links", "link", "click", "clicks",
	"track", "tracking", "trk", "t", "lp", "landing", "events", "event", "webinar", "webinars", "promo", "news",
	"newsletter", "marketing", "mktg", "hub", "hs", "meetings", "learn", "resources", "content", "get", "try",
	"offers", "community", "blog", "shop", "store", "careers", "jobs", "help", "support", "tickets", "survey",
	"surveys", "forms", "discover", "campaign", "campaigns", "status", "video",
}

// DefaultDKIMSelectors are the literal DKIM selectors that email tools publish under by default. Selectors that
// embed an account ID (HubSpot's hs1-<portal>, SendGrid's custom ones) cannot be guessed and are not listed.
// Sources: shared catalogue facts (S7 selector names, S8 observed records) and providers' documented defaults.
var DefaultDKIMSelectors = []string{
	"google",                 // Google Workspace
	"selector1", "selector2", // Microsoft 365
	"k1", "k2", "k3", // Mailchimp
	"mandrill", "mte1", "mte2", // Mailchimp Transactional
	"s1", "s2", "sendgrid", "smtpapi", // SendGrid
	"kl", "kl2", "km1", "km2", // Klaviyo
	"ctct1", "ctct2", // Constant Contact
	"cm",                   // Campaign Monitor
	"litesrv",              // MailerLite
	"mailjet",              // Mailjet
	"zendesk1", "zendesk2", // Zendesk
	"intercom",         // Intercom
	"sf", "sf1", "sf2", // Salesforce
	"mg",                 // Mailgun
	"pm",                 // Postmark
	"ses",                // Amazon SES
	"acdkim1", "acdkim2", // ActiveCampaign
	"brevo1", "brevo2", // Brevo
	"cka",                // Kit (ConvertKit)
	"sailthru",           // Sailthru
	"e2ma-k1", "e2ma-k2", // Emma
	"strong1", "strong2", // Help Scout
	"aweber_key_a", "aweber_key_b", // AWeber
	"default", // many self-hosted and smaller senders
}
