"""Tests of the catalogue scripts' parsers and helpers: python3 -m unittest discover -s rules/catalog/scripts

The generated catalogue itself is checked by CI another way: it re-runs build.py on a clean checkout and fails when
any generated file differs from the committed one (.ci/run, "catalogue reproducible").
"""
import collections
import os
import tempfile
import unittest

import catalog_lib
import gen_seed
import gen_signals
import gen_wappalyzer
import mine_dns
from mine_dns import Rec

HAVE_PSL = bool(mine_dns.PSL_RULES)


class TableTest(unittest.TestCase):
    def table(self, fn, cases):
        """Each (argument, want) of cases, as a subtest: fn(argument) == want."""
        for arg, want in cases:
            with self.subTest(arg=arg):
                self.assertEqual(fn(arg), want)


class ZoneFormats(unittest.TestCase):
    """Each DNS-as-code format gives the records written in it: owner, type, value."""

    def recs(self, recs):
        return sorted((r.owner, r.type, r.value) for r in recs)

    def test_zonefile(self):
        text = '''$ORIGIN example.org.
@        3600 IN MX 10 aspmx.l.google.com.
                 IN MX 20 alt1.aspmx.l.google.com. ; backup
www      IN CNAME example.netlify.app.
txt2     IN TXT "a;b (c" ; semicolon and parenthesis inside the string are text
_github-challenge-acme IN TXT "0123abcd" ; a comment (with a parenthesis
@        IN TXT ( "v=spf1 include:_spf.google.com "
                  "include:mailgun.org ~all" )
@        IN TXT "v=spf1 include:sendgrid.net" "-all"
sub 300 NS ns1.dnsimple.com.
'''
        self.assertEqual(self.recs(mine_dns.from_zonefile(text, 'z')), sorted([
            ('@', 'MX', 'aspmx.l.google.com.'),
            ('@', 'MX', 'alt1.aspmx.l.google.com.'),  # a blank owner repeats the last one
            ('www', 'CNAME', 'example.netlify.app.'),
            ('txt2', 'TXT', 'a;b (c'),
            ('_github-challenge-acme', 'TXT', '0123abcd'),
            ('@', 'TXT', 'v=spf1 include:_spf.google.com include:mailgun.org ~all'),  # parentheses over lines
            ('@', 'TXT', 'v=spf1 include:sendgrid.net-all'),  # character-strings joined as DNS joins them
            ('sub', 'NS', 'ns1.dnsimple.com.'),
        ]))

    def test_dnscontrol(self):
        text = '''D("example.org", REG_NONE, DnsProvider(DSP),
    CNAME("www", "example.hs-sites.com."),
    MX("@", 10, "mx.zoho.eu."),
    TXT("@", ["v=spf1 include:zoho.eu", "~all"]),
    SPF("legacy", 'v=spf1 include:spf.protection.outlook.com -all'),
    TXT(`_twilio`, "twilio-domain-verification=abc123"),
);'''
        self.assertEqual(self.recs(mine_dns.from_dnscontrol(text, 'd')), sorted([
            ('www', 'CNAME', 'example.hs-sites.com.'),
            ('@', 'MX', 'mx.zoho.eu.'),
            ('@', 'TXT', 'v=spf1 include:zoho.eu'),
            ('@', 'TXT', '~all'),
            ('legacy', 'TXT', 'v=spf1 include:spf.protection.outlook.com -all'),  # SPF() is a TXT record
            ('_twilio', 'TXT', 'twilio-domain-verification=abc123'),
        ]))

    def test_luadns(self):
        text = 'cname("www", "shops.myshopify.com.")\nmx(_a, "in1-smtp.messagingengine.com.", 10)\n' \
               'txt(_a, "google-site-verification=abc")\nalias("blog", "hosting.gitbook.io.")\n'
        self.assertEqual(self.recs(mine_dns.from_luadns(text, 'l')), sorted([
            ('www', 'CNAME', 'shops.myshopify.com.'),
            ('@', 'MX', 'in1-smtp.messagingengine.com.'),
            ('@', 'TXT', 'google-site-verification=abc'),
            ('blog', 'CNAME', 'hosting.gitbook.io.'),
        ]))

    def test_terraform_resources(self):
        text = '''resource "aws_route53_record" "www" {
  zone_id = aws_route53_zone.main.zone_id
  name    = "www"
  type    = "CNAME"
  records = ["d111.cloudfront.net", "x{y}"]
}
resource "cloudflare_record" "spf" {
  name    = "@"
  type    = "TXT"
  value   = "v=spf1 include:_spf.mlsend.com ~all"
}
resource "azurerm_dns_mx_record" "mx" {
  name = "@"
  record {
    exchange = "example-org.mail.protection.outlook.com"
  }
}
resource "aws_s3_bucket" "b" { bucket = "not-a-record" }
'''
        self.assertEqual(self.recs(mine_dns.from_terraform(text, 't')), sorted([
            ('www', 'CNAME', 'd111.cloudfront.net'),
            ('www', 'CNAME', 'x{y}'),
            ('@', 'TXT', 'v=spf1 include:_spf.mlsend.com ~all'),
            ('@', 'MX', 'example-org.mail.protection.outlook.com'),  # the record type from the Azure resource name
        ]))

    def test_hcl_objects(self):
        text = '''records = [
  { name = "mail", type = "MX", records = ["10 mx.sendgrid.net"] },
]
cname_records = [
  { subdomain = "links", record = "sendgrid.net" },
]
dns = {
  status = { type = "CNAME", value = "stats.uptimerobot.com" }
}
'''
        self.assertEqual(self.recs(mine_dns.from_hcl_objects(text, 'h')), sorted([
            ('mail', 'MX', '10 mx.sendgrid.net'),
            ('links', 'CNAME', 'sendgrid.net'),
            ('status', 'CNAME', 'stats.uptimerobot.com'),  # a for_each map's key names the record
        ]))

    def test_tree_octodns_and_lists(self):
        octodns = {'': [{'type': 'MX', 'values': [{'exchange': 'mx1.mailgun.org.', 'preference': 10}]},
                        {'type': 'TXT', 'value': 'v=spf1 include:mailgun.org ~all'}],
                   'help': {'type': 'CNAME', 'value': 'example.zendesk.com.'}}
        listed = [{'name': 'docs', 'type': 'cname', 'content': 'hosting.gitbook.io'},
                  {'name': 'x', 'type': 'LOC', 'value': 'ignored'}]
        grouped = {'cname': [{'name': 'status', 'record': ['statuspage.io']}]}
        got = mine_dns.from_tree(octodns, 'o') + mine_dns.from_tree(listed, 'l') + mine_dns.from_tree(grouped, 'g')
        self.assertEqual(self.recs(got), sorted([
            ('', 'MX', 'mx1.mailgun.org.'),
            ('', 'TXT', 'v=spf1 include:mailgun.org ~all'),
            ('help', 'CNAME', 'example.zendesk.com.'),
            ('docs', 'CNAME', 'hosting.gitbook.io'),
            ('status', 'CNAME', 'statuspage.io'),
        ]))


class Signals(TableTest):
    def test_spf_hosts(self):
        self.table(mine_dns.spf_hosts, [
            ('v=spf1 include:_spf.google.com include:mailgun.org ~all', ['_spf.google.com', 'mailgun.org']),
            ('v=spf1 redirect=_spf.example-mail.com', ['_spf.example-mail.com']),
            ('"v=spf1 +include:Spf.Protection.Outlook.com. -all"', ['spf.protection.outlook.com']),
            ('v=spf1 include:%{i}._ip.%{h}._ehlo.%{d}._spf.vali.email ~all', ['_spf.vali.email']),  # macros dropped
            ('v=spf1 include:${var.spf} ~all', []),
            ('v=spf1 ip4:192.0.2.1 a mx -all', []),
            ('google-site-verification=abc', []),
        ])

    def test_rua_hosts(self):
        self.table(mine_dns.rua_hosts, [
            ('v=DMARC1; p=reject; rua=mailto:dmarc@example.org,mailto:abc@rua.agari.com!10m; ruf=mailto:x@ruf.example.net',
             ['example.org', 'rua.agari.com', 'ruf.example.net']),
            ('v=DMARC1; p=none; rua=https://not-mail.example', []),
            ('v=spf1 -all', []),
        ])

    def test_token_prefix(self):
        self.table(mine_dns.token_prefix, [
            ('google-site-verification=AbCdEf123', 'google-site-verification='),
            ('MS=ms12345678', 'ms='),
            ('apple-domain-verification: xyz123', 'apple-domain-verification:'),
            ('v=spf1 include:x.com -all', ''),
            ('v=DKIM1; k=rsa; p=MIGf', ''),
            ('k=rsa; p=MIGf', ''),
            ('short=ab', ''),
            ('two words here', ''),
        ])

    def test_owner_label(self):
        self.table(mine_dns.owner_label, [
            ('_github-challenge-acme.example.org', '_github-challenge-acme'),
            ('_Amazonses.example.org.', '_amazonses'),
            ('_dmarc.example.org', ''),
            ('_acme-challenge.www.example.org', ''),
            ('_acme-challenge_abc.example.org', ''),
            ('s1._domainkey.example.org', ''),
            ('_smtp._tls.example.org', ''),
            ('_abc.example.org', ''),  # too short to name a service
            ('www.example.org', ''),
        ])

    def test_signals_by_record_type(self):
        recs = [
            Rec('s1._domainkey', 'CNAME', 's1.domainkey.u123.wl.sendgrid.net.', 'p'),
            Rec('www', 'CNAME', 'example.hs-sites.com.', 'p'),
            Rec('@', 'MX', '10 mx1.mailgun.org.', 'p'),
            Rec('@', 'NS', 'ns-1.awsdns-01.org.', 'p'),
            Rec('@', 'TXT', '"v=spf1 include:mailgun.org ~all"', 'p'),
            Rec('_dmarc', 'TXT', 'v=DMARC1\\; p=none\\; rua=mailto:r@dmarc.postmarkapp.com', 'p'),
            Rec('@', 'TXT', 'atlassian-domain-verification=abc123', 'p'),
            Rec('_github-challenge-acme', 'TXT', '0123abcd99', 'p'),
            Rec('bad', 'CNAME', 'not a host', 'p'),
        ]
        self.assertEqual(mine_dns.signals(recs, ['x = "v=spf1 include:spf.brevo.com ~all"']), {
            ('dkim', 's1', 's1.domainkey.u123.wl.sendgrid.net'),
            ('cname', 'example.hs-sites.com', 'www'),
            ('mx', 'mx1.mailgun.org', '@'),
            ('ns', 'ns-1.awsdns-01.org', '@'),
            ('spf', 'mailgun.org', '@'),
            ('dmarc_rua', 'dmarc.postmarkapp.com', '_dmarc'),
            ('txt', 'atlassian-domain-verification=abc123', '@'),
            ('txt_owner', '0123abcd99', '_github-challenge-acme'),
            ('spf', 'spf.brevo.com', ''),  # found in raw text too
        })

    def test_key_of(self):
        for sig, value, context, want in [
            ('txt', 'miro-verification=abc123', '@', 'miro-verification='),
            ('txt_owner', 'tok', '_github-challenge-acme2024.example.org', '_github-challenge-{id}'),
            ('txt_owner', 'tok', '_github-challenge-acme.example.org', '_github-challenge-acme'),
            ('dkim', 's1', 's1.domainkey.u1.wl.sendgrid.net', 'sendgrid.net'),
            ('other', 'x', 'y', ''),
        ]:
            with self.subTest(sig=sig, context=context):
                self.assertEqual(mine_dns.key_of(sig, value, context), want)

    @unittest.skipUnless(HAVE_PSL, 'needs the Public Suffix List (Debian package publicsuffix)')
    def test_registrable_uses_icann_suffixes_only(self):
        self.table(mine_dns.registrable, [
            ('a.b.example.co.uk', 'example.co.uk'),
            ('acme.github.io', 'github.io'),  # a private suffix is not one here: the platform groups
            ('mail.protection.outlook.com', 'outlook.com'),
            ('com', ''),
        ])

    @unittest.skipUnless(HAVE_PSL, 'needs the Public Suffix List (Debian package publicsuffix)')
    def test_own_domains(self):
        recs = [Rec('www.acme.example.com.', 'CNAME', 'x', 'p'), Rec('@', 'MX', 'y', 'p')]
        self.assertEqual(mine_dns.own_domains(recs, ['zones/acme.org.yaml', 'db.acme.net', 'config.yaml']),
                         {'example.com', 'acme.org', 'acme.net'})


class CatalogLib(TableTest):
    def test_registrable(self):
        self.table(catalog_lib.registrable, [('www.hubspot.com', 'hubspot.com'),
                                             ('shop.example.com.br.', 'example.com.br'), ('co.uk', ''), ('localhost', '')])

    def test_host_of(self):
        self.assertEqual(catalog_lib.host_of('https://Www.Example.com:8443/path?q'), 'www.example.com')
        self.assertEqual(catalog_lib.host_of('//cdn.example.net/x.js'), 'cdn.example.net')
        self.assertEqual(catalog_lib.host_of('example.com'), '')

    def test_slug_and_norm_name(self):
        self.assertEqual(catalog_lib.slug('Crème & Brûlée+ Co.'), 'creme-and-brulee-plus-co')
        self.assertEqual(catalog_lib.norm_name("Apollo.io"), catalog_lib.norm_name('APOLLO'))
        self.assertEqual(catalog_lib.norm_name("Trader Joe’s"), 'TRADERJOES')

    def test_claims_domain_owner(self):
        c = catalog_lib.Claims([{'id': 'hubspot', 'name': 'HubSpot', 'domains': ['hubspot.com']},
                                {'id': 'hs-sites', 'name': 'HS Sites', 'domains': ['sites.hubspot.com']}])
        self.assertEqual(c.domain_owner('a.sites.hubspot.com'), 'hs-sites')  # the longest claimed parent
        self.assertEqual(c.domain_owner('app.hubspot.com'), 'hubspot')
        self.assertIsNone(c.domain_owner('hubspot.net'))

    def test_q_quotes_what_yaml_would_misread(self):
        self.table(catalog_lib.q, [('HubSpot', 'HubSpot'), ('yes', '"yes"'), ('1.5', '"1.5"'), ('a: b', '"a: b"'),
                                   ('say "hi"', '"say \\"hi\\""'), ('', '""')])


class Generators(unittest.TestCase):
    """Each vendor has one row in the curated list, and a signal row never repeats what its vendor has."""
    TAX = {'data': {'martech': True, 'subs': ['web_analytics']}}

    def run_with(self, module, text, *args):
        with tempfile.NamedTemporaryFile('w', suffix='.tsv', delete=False, encoding='utf-8') as f:
            f.write(text)
        self.addCleanup(os.remove, f.name)
        saved = module.DATA
        module.DATA = f.name
        try:
            return module.generate(catalog_lib.Claims([]), self.TAX, collections.Counter(), *args)
        finally:
            module.DATA = saved

    def test_seed_rows(self):
        got = self.run_with(gen_seed, '# header\nAcme Metrics|acme-metrics.example|data/web_analytics|\n')
        self.assertEqual([(e['id'], e['domains']) for e in got], [('acme-metrics', ['acme-metrics.example'])])
        self.assertTrue(got[0]['sources'][0].endswith('seed_vendors.tsv line 2'), got[0]['sources'])
        for text, line in [
            ('Acme Metrics|acme-metrics.example|data/web_analytics|\nAcme Stats|acme-metrics.example|data/web_analytics|\n', 1),
            ('Acme Metrics|acme-metrics.example|data/web_analytics|\n#\nACME metrics|acme.example|data/web_analytics|\n', 1),
        ]:
            with self.subTest(text=text), self.assertRaisesRegex(SystemExit, rf':\d+: .* repeats line {line} '):
                self.run_with(gen_seed, text)

    def test_signal_rows(self):
        def acme():
            return [dict(id='acme', name='Acme', domains=['acme.example'], sources=[], dkim=[{'target': 'k.acme.example'}])]
        prior = acme()
        self.run_with(gen_signals, 'acme|cname|edge.acme-cdn.example|its docs\n', prior)
        self.assertEqual(prior[0]['cname'], ['edge.acme-cdn.example'])
        for text in ['acme|domains|ACME.example|again\n', 'acme|dkim|k.acme.example|again\n',
                     'acme|cname|x.acme-cdn.example|a\nacme|cname|x.acme-cdn.example|b\n']:
            with self.subTest(text=text), self.assertRaisesRegex(SystemExit, 'already has'):
                self.run_with(gen_signals, text, acme())


class Wappalyzer(TableTest):
    def test_consumer_service_names(self):
        # A technology named after a consumer service is named for what it is: its card lines are purchases.
        self.assertEqual(gen_wappalyzer.DISPLAY_NAMES['Booking.com'], 'Booking.com Affiliate Partner Program')

    def test_own_domain(self):
        # A technology on a many-service company's domain gets its own host, never the company's whole domain.
        self.table(gen_wappalyzer.own_domain, [('www.analytics.yahoo.com', 'analytics.yahoo.com'),
                                               ('mc.yandex.ru', 'mc.yandex.ru'), ('www.hotjar.com', 'hotjar.com'),
                                               ('static.hotjar.com', 'hotjar.com')])


if __name__ == '__main__':
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    unittest.main()
