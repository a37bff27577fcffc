"""Catalogue vendors derived from Wappalyzer's MIT-licensed technology list (run by build.py).

Input: data/wappalyzer_mit_aff18efa.tsv (see wappalyzer_extract.py for how it was made). Vendors the catalogue
already has (same website domain, name or ID in the claims passed in) are left out.

Rules (each is a precision guard; see README.md):
- open-source projects (oss) and technologies in categories that are not vendors (frameworks, languages, servers,
  themes, ...) are skipped; a technology needs saas=1, a price (Wappalyzer's
  pricing field) or a category in VENDOR_CATS;
- the vendor's domain is the registrable domain of its website (its host, for a website on a subdomain of a company
  that runs many other services: PARENT_SITES); websites on shared platforms (PLATFORMS) are skipped, since the
  domain is not the vendor's;
- technologies that share a website domain become one vendor, the others its aliases;
- a scriptSrc host adds its registrable domain only if no other technology's scripts or website use it and it is
  not generic infrastructure;
- a dns.TXT literal is kept only if it reads like a verification token prefix.
"""
import collections, os, re
from catalog_lib import DATA_ACCESS, HERE, host_of, norm_name, registrable, slug

DATA = os.path.join(HERE, 'data', 'wappalyzer_mit_aff18efa.tsv')

# Wappalyzer category ID -> (catalogue category, subcategory). Categories not listed are not vendors.
CATMAP = {
    32: ('content_experience', 'marketing_automation'), 75: ('content_experience', 'email_marketing'),
    36: ('advertising_promotion', 'display_programmatic'), 77: ('advertising_promotion', 'retargeting'),
    71: ('commerce_sales', 'affiliate'), 10: ('data', 'web_analytics'), 42: ('data', 'tag_management'),
    97: ('data', 'cdp'), 86: ('data', 'cdp'), 67: ('data', 'consent_management'),
    83: ('data', 'web_analytics'), 52: ('social_relationships', 'chat'), 53: ('social_relationships', 'crm'),
    90: ('social_relationships', 'reviews'), 84: ('social_relationships', 'loyalty_referral'),
    94: ('social_relationships', 'loyalty_referral'), 15: ('social_relationships', 'community'),
    2: ('social_relationships', 'community'), 58: ('social_relationships', 'customer_success'),
    73: ('content_experience', 'surveys_forms'), 110: ('content_experience', 'surveys_forms'),
    74: ('content_experience', 'ab_testing'), 76: ('content_experience', 'personalization'),
    51: ('content_experience', 'landing_pages'), 1: ('content_experience', 'cms'), 11: ('content_experience', 'cms'),
    54: ('content_experience', 'seo'), 96: ('content_experience', 'content_marketing'),
    14: ('content_experience', 'video'), 103: ('content_experience', 'video'), 95: ('content_experience', 'dam'),
    89: ('content_experience', 'content_marketing'), 5: ('content_experience', 'interactive_content'),
    68: ('content_experience', 'interactive_content'), 21: ('content_experience', 'content_marketing'),
    72: ('commerce_sales', 'scheduling'), 93: ('commerce_sales', 'scheduling'), 104: ('commerce_sales', 'scheduling'),
    6: ('commerce_sales', 'ecommerce_platforms'), 108: ('commerce_sales', 'ecommerce_platforms'),
    100: ('commerce_sales', 'ecommerce_marketing'), 98: ('commerce_sales', 'ecommerce_marketing'),
    106: ('commerce_sales', 'ecommerce_marketing'), 102: ('commerce_sales', 'ecommerce_marketing'),
    105: ('commerce_sales', 'ecommerce_marketing'), 99: ('commerce_sales', 'ecommerce_platforms'),
    107: ('commerce_sales', 'ecommerce_platforms'),
    41: ('finance', 'payments'), 91: ('finance', 'payments'), 111: ('finance', 'payments'),
    55: ('finance', 'accounting'),
    13: ('productivity', 'project_management'), 4: ('productivity', 'docs_wiki'), 8: ('productivity', 'docs_wiki'),
    48: ('productivity', 'file_storage'), 7: ('productivity', 'file_storage'), 50: ('productivity', 'file_storage'),
    85: ('developer_tools', 'feature_flags'), 29: ('developer_tools', 'search_api'),
    79: ('developer_tools', 'api_tools'), 35: ('developer_tools', 'api_tools'), 47: ('developer_tools', 'api_tools'),
    78: ('developer_tools', 'observability'), 92: ('developer_tools', 'observability'),
    44: ('developer_tools', 'infrastructure_automation'),
    16: ('security', 'network_security'), 69: ('security', 'identity'), 70: ('security', 'network_security'),
    31: ('cloud_platforms', 'cdn_dns'), 62: ('cloud_platforms', 'web_hosting'), 88: ('cloud_platforms', 'web_hosting'),
    63: ('cloud_platforms', 'cloud_infrastructure'), 30: ('cloud_platforms', 'email_infrastructure'),
    101: ('hr', 'recruiting'), 46: ('it_operations', 'remote_access'),
}
# Categories whose members are vendors even when Wappalyzer does not flag them saas (ad networks, analytics...).
VENDOR_CATS = {32, 75, 36, 77, 71, 10, 42, 97, 86, 67, 52, 53, 90, 84, 94, 73, 110, 74, 76, 54, 96, 98, 58, 72, 41,
               91, 100, 106, 102, 105, 78, 85, 83, 15, 95, 103, 111, 101, 31}


# Registrable domains of shared platforms and generic infrastructure: never a vendor's own domain here.
PLATFORMS = set('''github.com github.io githubusercontent.com gitlab.com gitlab.io bitbucket.org sourceforge.net
npmjs.com npmjs.org pypi.org wordpress.org wordpress.com wp.com shopify.com myshopify.com shopifycdn.com
shopifyapps.com google.com googleapis.com gstatic.com googleusercontent.com googletagmanager.com appspot.com
firebaseapp.com web.app apple.com microsoft.com amazon.com amazonaws.com cloudfront.net azureedge.net
azurewebsites.net windows.net azurefd.net akamaihd.net akamaized.net edgekey.net edgesuite.net fastly.net
fastly.com jsdelivr.net unpkg.com cloudflare.com cdnjs.com bootstrapcdn.com jquery.com herokuapp.com
netlify.app netlify.com vercel.app pages.dev workers.dev medium.com facebook.com twitter.com linkedin.com
youtube.com wix.com wixsite.com squarespace.com webflow.io b-cdn.net kxcdn.com rawgit.com digitaloceanspaces.com
blogspot.com blogger.com tumblr.com chrome.google.com addons.mozilla.org drupal.org joomla.org
magento.com marketplace.magento.com bigcommerce.com prestashop.com typo3.org cloudinary.com imgix.net
hubspot.com hubspot.net salesforce.com force.com'''.split())

# Names that are ordinary words, card networks or platform add-ons named "X for Y": as a vendor name they would
# match card lines and app names of other businesses ("BLUE BOTTLE COFFEE"), so these technologies are left out.
SKIP_NAMES = set('''Blue Arc Four Signal Slice Pace Flow Catch Hero Bump Mint Rain Tail Titan Sublime Fabric Marker
Shuttle Duel Interact Occasion Periodic Chord Chorus Luna Pico Raptor Reactive Plaza Bread Beans Brownie Bunny Bitcoin
Mastercard Visa Clutch Satori Indi Peek Depict Sift Fera Forte Tern Saly Lede Juo Miso Quanta Hansel Paloma Tada
Mixin Simpl Selly Shoppy Tabby Cloverly Bill.com CRM+ Sumo Humm Pico Four Flow Zip Signal Apptus Rokt Slice Juspay
Brownie Crikle Brainsins'''.split())

# Websites on a subdomain of a company that runs many other services: the registrable domain is the company's, not
# the technology's, so the vendor gets its website's host instead (web.analytics.yahoo.com, not yahoo.com, which
# would make Yahoo Mail's SPF host Yahoo! Web Analytics').
# A script host there gives its host too (mc.yandex.ru for Yandex.Metrika); yimg.com, Yahoo's CDN, gives nothing.
PARENT_SITES = set('''yahoo.com yahoo.co.jp baidu.com ebay.com uol.com.br lexisnexis.com withgoogle.com craftcms.com
qq.com visa.com yandex.com yandex.ru'''.split())
PARENT_CDNS = {'yimg.com'}

# Technologies named after a consumer service whose card lines are purchases from that service, not the technology:
# the vendor is named for what the technology is, so that a hotel booked on "BOOKING.COM" names no vendor.
DISPLAY_NAMES = {'Booking.com': 'Booking.com Affiliate Partner Program'}


def own_domain(host):
    """The domain a website or script host gives its technology: the registrable domain, or on a PARENT_SITES
    domain the host itself."""
    d = registrable(host)
    return re.sub(r'^www\.', '', host) if d in PARENT_SITES else d

TXT_PREFIX = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_\-]*(verification|verify|code|validation|site|domain|key)[A-Za-z0-9_\-]*=?$',
                        re.I)


def generate(claims, tax, skipped):
    cats = dict(l.rstrip('\n').split('\t') for l in open(DATA.replace('.tsv', '.categories.tsv'), encoding='utf-8'))
    rows = []
    for line in open(DATA, encoding='utf-8'):
        if line.startswith('#'):
            continue
        name, website, cs, saas, oss, paid, shosts, txt = line.rstrip('\n').split('\t')
        rows.append(dict(name=name, website=website, cats=[int(c) for c in cs.split(',') if c],
                         saas=saas == '1', oss=oss == '1', paid=paid == '1', shosts=[h for h in shosts.split(',') if h],
                         txt=[t for t in txt.split(',') if t]))
    # How many technologies use each registrable domain (website or script), to keep shared hosts out.
    use = collections.defaultdict(set)
    for r in rows:
        r['domain'] = own_domain(host_of(r['website']))
        use[r['domain']].add(r['name'])
        for h in r['shosts']:
            use[own_domain(h)].add(r['name'])
    groups = collections.OrderedDict()
    for r in rows:
        mapped = [CATMAP[c] for c in r['cats'] if c in CATMAP]
        if r['name'] in SKIP_NAMES or ' for ' in r['name'].lower():
            skipped['generic name, card network or "X for Y" add-on'] += 1; continue
        if r['oss']:
            skipped['open source'] += 1; continue
        if not mapped or not (r['saas'] or r['paid'] or any(c in VENDOR_CATS for c in r['cats'])):
            skipped['not a vendor category'] += 1; continue
        d = r['domain']
        if not d or d in PLATFORMS:
            skipped['website on a shared platform'] += 1; continue
        if claims.domain_owner(d):
            skipped['domain already in the catalogue'] += 1; continue
        if norm_name(r['name']) in claims.names:
            skipped['name already in the catalogue'] += 1; continue
        r['mapped'] = mapped
        groups.setdefault(d, []).append(r)
    out = []
    for d, rs in groups.items():
        label = d.split('.')[0]
        # The main technology: the one whose name matches the domain's first label, else the shortest name.
        rs.sort(key=lambda r: (norm_name(r['name']) != norm_name(label), len(r['name']), r['name']))
        main = rs[0]
        if norm_name(main['name']) in claims.names:
            skipped['name taken by an earlier generated vendor'] += 1; continue
        vid = slug(main['name'])
        if not vid or vid in claims.ids:
            vid = slug(main['name'] + '-' + label)
        if not vid or vid in claims.ids:
            skipped['id taken'] += 1; continue
        cat, sub = main['mapped'][0]
        subs = [sub]
        for r in rs:
            for c, s in r['mapped']:
                if s not in subs:
                    subs.append(s)
        domains = [d]
        shost_src = []
        for r in rs:
            for h in r['shosts']:
                if h.endswith('.js') or registrable(h) in PARENT_CDNS:
                    continue  # a script file name in the pattern, not a host; or a many-service company's CDN
                sd = own_domain(h)
                if not sd or any(sd == d or sd.endswith('.' + d) for d in domains) or sd in PLATFORMS or \
                        claims.domain_owner(sd):
                    continue
                if use[sd] - {x['name'] for x in rs}:
                    continue
                domains.append(sd)
                shost_src.append(f'{sd} (script host {h} of "{r["name"]}")')
        aliases = []
        seen = {norm_name(main['name'])}
        for r in rs[1:]:
            n = norm_name(r['name'])
            if n in seen or n in claims.names:
                continue
            seen.add(n); aliases.append(r['name'])
        txts = []
        for r in rs:
            for t in r['txt']:
                if TXT_PREFIX.match(t) and t.lower() not in claims.txt and '.' not in t:
                    txts.append(t)
        catnames = ', '.join(dict.fromkeys(cats.get(str(c), str(c)) for r in rs for c in r['cats']))
        names = ', '.join(f'"{r["name"]}"' for r in rs)
        sources = [f'name, domain {d} (website {main["website"]}), category ({catnames}): Wappalyzer technologies '
                   f'(MIT, commit aff18efa) {names}; scripts/gen_wappalyzer.py']
        if shost_src:
            sources.append('domains ' + '; '.join(shost_src) + ': Wappalyzer scriptSrc patterns')
        if txts:
            sources.append('txt ' + ', '.join(txts) + ': Wappalyzer dns.TXT patterns')
        name = DISPLAY_NAMES.get(main['name'], main['name'])
        e = dict(id=vid, name=name, aliases=aliases, category=cat, subcategories=subs,
                 martech=tax[cat]['martech'], domains=domains, txt=txts, data_access=DATA_ACCESS.get(sub, []),
                 sources=sources)
        claims.add(dict(id=vid, name=name, aliases=aliases, domains=domains, txt=txts))
        out.append(e)
    return out
