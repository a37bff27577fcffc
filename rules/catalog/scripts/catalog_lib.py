"""Helpers shared by the catalogue generator scripts: reading the hand-written catalogue, registrable domains,
IDs, and writing vendor YAML in the catalogue's layout."""
import glob, os, re, unicodedata
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.dirname(HERE)

# Multi-label public suffixes that occur in vendor website addresses (a subset of the Public Suffix List's ICANN
# section; rules/catalog uses the full list at run time, and `shadowscan catalog validate` checks the output).
SUFFIX2 = set('''co.uk org.uk me.uk ac.uk com.au net.au org.au com.br net.br org.br com.mx com.ar com.co com.pe com.cl
co.jp ne.jp or.jp co.kr or.kr co.nz co.za co.in net.in org.in firm.in com.tr com.tw com.cn net.cn com.hk com.sg
com.my co.id com.vn co.il com.ua com.pl net.pl com.es com.pt com.ph com.ng com.eg co.th in.th com.ec com.uy com.ve
com.do com.gt com.bo com.py co.ke com.pk com.bd com.sa ae.org co.at or.at com.ro com.gr com.cy gen.tr web.tr
ad.jp gr.jp net.au net.sa net.il org.il net.ua in.ua kiev.ua com.sv com.pa com.ni net.tr org.tr'''.split())


DATA_ACCESS = {
    'marketing_automation': ['contacts', 'email content', 'website behaviour'],
    'email_marketing': ['contacts', 'email lists', 'email content'],
    'display_programmatic': ['ad audiences', 'website behaviour'], 'retargeting': ['ad audiences', 'website behaviour'],
    'affiliate': ['conversion data', 'website behaviour'], 'web_analytics': ['website behaviour'],
    'tag_management': ['website behaviour'], 'cdp': ['customer PII', 'website behaviour', 'customer profiles'],
    'consent_management': ['consent records', 'website behaviour'], 'chat': ['chat transcripts', 'contacts'],
    'crm': ['contacts', 'CRM records'], 'reviews': ['customer reviews', 'customer PII'],
    'loyalty_referral': ['customer PII', 'purchase history'], 'community': ['user content', 'contacts'],
    'customer_success': ['product usage', 'contacts'], 'surveys_forms': ['survey responses', 'form submissions'],
    'ab_testing': ['website behaviour'], 'personalization': ['website behaviour', 'customer profiles'],
    'landing_pages': ['form submissions', 'website content'], 'cms': ['website content'],
    'seo': ['website content', 'search performance'], 'content_marketing': ['website content'],
    'video': ['video content', 'viewer behaviour'], 'dam': ['media assets'],
    'interactive_content': ['website behaviour'], 'scheduling': ['calendar', 'contacts'],
    'ecommerce_platforms': ['orders', 'customer PII'], 'ecommerce_marketing': ['orders', 'customer PII'],
    'payments': ['payment data', 'customer PII'], 'accounting': ['financial records'],
    'project_management': ['project data'], 'docs_wiki': ['documents'], 'file_storage': ['files'],
    'feature_flags': ['product usage'], 'search_api': ['website content'], 'api_tools': ['application data'],
    'observability': ['performance data', 'website behaviour'], 'infrastructure_automation': ['source code'],
    'network_security': ['web traffic'], 'identity': ['user identities'], 'cdn_dns': ['web traffic'],
    'web_hosting': ['website content'], 'cloud_infrastructure': ['application data'],
    'email_infrastructure': ['email content'], 'recruiting': ['candidate data'], 'remote_access': ['device access'],
}
DATA_ACCESS.update({
    'transactional_email': ['email content', 'recipient addresses'], 'sms_marketing': ['phone numbers', 'message content'],
    'sales_engagement': ['contacts', 'email content', 'CRM records'], 'data_enrichment': ['contacts', 'company data'],
    'intent_data': ['website behaviour', 'company data'], 'revenue_intelligence': ['call recordings', 'CRM records'],
    'social_media_management': ['social accounts', 'social content'], 'social_listening': ['social content'],
    'influencer_marketing': ['social accounts', 'contacts'], 'webinars_events': ['registrant data', 'contacts'],
    'call_tracking': ['call recordings', 'phone numbers'], 'abm': ['company data', 'website behaviour'],
    'proposals': ['documents', 'contacts'], 'sales_enablement': ['documents', 'viewer behaviour'],
    'gifting': ['contacts', 'postal addresses'], 'direct_mail': ['contacts', 'postal addresses'],
    'public_relations': ['media contacts'], 'ad_management': ['ad accounts', 'ad audiences'],
    'ad_platforms': ['ad audiences', 'website behaviour', 'conversion data'],
    'ad_verification': ['ad impressions'], 'mobile_marketing': ['device identifiers', 'message content'],
    'native_advertising': ['ad audiences', 'website behaviour'],
    'mobile_attribution': ['device identifiers', 'app events'], 'attribution': ['conversion data', 'website behaviour'],
    'marketing_dashboards': ['ad accounts', 'analytics data'], 'data_integration': ['application data'],
    'reverse_etl': ['customer profiles', 'warehouse data'], 'product_analytics': ['product usage'],
    'session_replay': ['session recordings', 'website behaviour'], 'email_security': ['email content', 'email metadata'],
    'security_operations': ['security reports'], 'marketing_work_management': ['project data'],
    'content_operations': ['documents', 'media assets'], 'marketing_planning': ['project data'],
    'ai_writing': ['content drafts'], 'design': ['media assets'], 'telephony': ['call recordings', 'phone numbers'],
    'customer_support': ['support tickets', 'contacts'], 'meeting_notes': ['meeting recordings', 'calendar'],
    'communications_api': ['message content', 'phone numbers'], 'managed_services': ['application data'],
    'office_suite': ['email content', 'documents', 'calendar'],
})


def registrable(host):
    host = host.strip().lower().rstrip('.')
    labels = host.split('.')
    if len(labels) < 2:
        return ''
    if '.'.join(labels[-2:]) in SUFFIX2:
        return '.'.join(labels[-3:]) if len(labels) >= 3 else ''
    return '.'.join(labels[-2:])


def host_of(url):
    m = re.match(r'^(?:[a-z]+:)?//([^/:?#]+)', url.strip().lower())
    return m.group(1) if m else ''


def slug(name):
    s = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode().lower()
    s = s.replace('&', ' and ').replace('+', ' plus ')
    s = re.sub(r'[^a-z0-9]+', '-', s).strip('-')
    return re.sub(r'-+', '-', s)


def norm_name(name):
    """A loose form for duplicate detection: letters and digits only, upper case, a trailing TLD dropped."""
    s = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode().upper()
    s = re.sub(r'[\'’]', '', s)
    s = re.sub(r'\.(COM|IO|AI|CO|NET|APP|ORG|ME)$', '', s.strip())
    return re.sub(r'[^A-Z0-9]+', '', s)


def load_catalog(exclude_prefix='gen_'):
    """The catalogue's vendor entries, except generated files (names starting with exclude_prefix)."""
    entries = []
    for f in sorted(glob.glob(os.path.join(CATALOG, '*.yaml'))):
        b = os.path.basename(f)
        if b == 'taxonomy.yaml' or b.startswith(exclude_prefix):
            continue
        doc = yaml.safe_load(open(f, encoding='utf-8')) or {}
        for e in doc.get('vendors') or []:
            e['_file'] = b
            entries.append(e)
    return entries


def load_taxonomy():
    t = yaml.safe_load(open(os.path.join(CATALOG, 'taxonomy.yaml'), encoding='utf-8'))
    return {c['id']: {'martech': c.get('martech', False), 'subs': [s['id'] for s in c['subcategories']]}
            for c in t['categories']}


class Claims:
    """Every signal value the catalogue already claims, to keep generated entries from colliding with it."""

    def __init__(self, entries):
        self.ids, self.names, self.domains, self.hosts, self.txt = set(), {}, {}, {}, {}
        self.oauth, self.files = {}, {}  # OAuth client/app IDs and consent-screen names (lower case); vendor -> file
        for e in entries:
            self.add(e)

    def add(self, e):
        vid = e['id']
        self.ids.add(vid)
        if e.get('_file'):
            self.files[vid] = e['_file']
        for k in ('google_client_ids', 'entra_app_ids', 'oauth_names'):
            for x in e.get(k) or []:
                self.oauth.setdefault(str(x).lower(), vid)
        for n in [e.get('name', '')] + list(e.get('aliases') or []) + list(e.get('merchants') or []):
            if n:
                self.names.setdefault(norm_name(n), vid)
        for d in e.get('domains') or []:
            self.domains.setdefault(d.lower(), vid)
        for k in ('spf', 'cname', 'mx', 'ns'):
            for h in e.get(k) or []:
                self.hosts.setdefault(h.lower(), vid)
        for dk in e.get('dkim') or []:
            if dk.get('target'):
                self.hosts.setdefault(dk['target'].lower(), vid)
        for t in (e.get('txt') or []) + (e.get('txt_owner') or []):
            self.txt.setdefault(t.lower(), vid)

    def domain_owner(self, host):
        """The vendor that claims host or one of its parent domains."""
        labels = host.lower().split('.')
        for i in range(len(labels) - 1):
            v = self.domains.get('.'.join(labels[i:]))
            if v:
                return v
        return None


def data_rows(path):
    """(line number, '|'-separated columns) of every data row of a generator input file: blank lines and '#'
    comments are skipped."""
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if line and not line.startswith('#'):
                yield n, line.split('|')


class Prior:
    """The vendors generated so far, by domain and by loose name, so a later generator adds to them."""

    def __init__(self, entries):
        self.bydom, self.byname = {}, {}
        for e in entries:
            self.add(e)

    def add(self, e):
        self.bydom.update({d: e for d in e['domains']})
        self.byname.setdefault(norm_name(e['name']), e)

    def find(self, domains, name):
        return next((self.bydom[d] for d in domains if d in self.bydom), None) or self.byname.get(norm_name(name))


def q(s):
    """A YAML flow scalar: plain when safe, else double-quoted."""
    s = str(s)
    if s and re.fullmatch(r'[A-Za-z0-9][A-Za-z0-9 ._/()\-]*', s) and not re.fullmatch(
            r'(?i)(true|false|yes|no|on|off|null|~|[0-9.eE+\-]+)', s) and not s.endswith(' '):
        return s
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def flow(items):
    return '[' + ', '.join(q(i) for i in items) + ']'


def write_vendors(path, header, entries):
    keys = ['aliases', 'domains', 'spf', 'txt', 'txt_owner', 'cname', 'mx', 'ns', 'google_client_ids', 'entra_app_ids', 'aws_accounts',
            'merchants', 'oauth_names', 'data_access']
    with open(path, 'w', encoding='utf-8', newline='\n') as w:
        for line in header.strip('\n').split('\n'):
            w.write(('# ' + line).rstrip() + '\n')
        w.write('vendors:\n')
        for e in entries:
            w.write(f'  - id: {e["id"]}\n    name: {q(e["name"])}\n')
            if e.get('aliases'):
                w.write(f'    aliases: {flow(e["aliases"])}\n')
            w.write(f'    category: {e["category"]}\n    subcategories: {flow(e["subcategories"])}\n')
            w.write(f'    martech: {"true" if e["martech"] else "false"}\n')
            for k in keys[1:]:
                if e.get(k):
                    w.write(f'    {k}: {flow(e[k])}\n')
            if e.get('dkim'):
                w.write('    dkim:\n')
                for d in e['dkim']:
                    parts = [f'{k}: {q(d[k])}' for k in ('selector', 'target') if d.get(k)]
                    if d.get('only_with_target'):
                        parts.append('only_with_target: true')
                    w.write('      - {' + ', '.join(parts) + '}\n')
            w.write('    sources:\n')
            for s in e['sources']:
                w.write(f'      - {q(s)}\n')
            w.write('\n')
