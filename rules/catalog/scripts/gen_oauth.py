"""Google OAuth client IDs, third-party Entra app IDs and consent-screen app names from data/oauth_ids.tsv (run by
build.py, after the vendor lists).

Row kinds: `google` (a client ID), `entra` (an application GUID) and `name` (the app name a consent screen or an
enterprise-application list shows, when it differs from the vendor's name: "Zaplify App" for Andsend). Every row
names the public page or source file that states it; IDs and names are never guessed or derived. A row is attached
to the generated vendor with the same domain or name, or a new vendor is created. A row for a hand-written vendor
must also be written in that vendor's file by hand (the generator cannot edit it): build.py accepts it when the
hand-written entry already lists the value, and stops otherwise, naming the file to edit.
"""
import os
from catalog_lib import DATA_ACCESS, HERE, Prior, data_rows, norm_name, slug

DATA = os.path.join(HERE, 'data', 'oauth_ids.tsv')
KEYS = {'google': 'google_client_ids', 'entra': 'entra_app_ids', 'name': 'oauth_names'}


def generate(claims, tax, skipped, prior):
    out = []
    known = Prior(prior)
    for n, cols in data_rows(DATA):
        if len(cols) != 6 or cols[0] not in KEYS or not cols[1].strip() or not cols[2].strip():
            raise SystemExit(f'{DATA}:{n}: want kind|id or name|vendor|domains|category/subcategories|source '
                             f'with kind one of {", ".join(KEYS)}')
        kind, oid, name, doms, cat, url = cols
        key = KEYS[kind]
        domains = [d for d in doms.split(',') if d]
        e = known.find(domains, name)
        if e is None:
            owner = next((claims.domain_owner(d) for d in domains if claims.domain_owner(d)), None) or \
                claims.names.get(norm_name(name))
            if owner:
                if claims.oauth.get(oid.lower()) == owner:
                    skipped[f'{key} already in a hand-written vendor'] += 1
                    continue
                raise SystemExit(f'{DATA}:{n}: {oid} belongs to hand-written vendor {owner}: add it to its {key} '
                                 f'in {claims.files.get(owner, "its file")} by hand, with this row\'s source')
            cat, subs = cat.split('/')
            subs = subs.split(',')
            e = dict(id=slug(name), name=name, aliases=[], category=cat, subcategories=subs,
                     martech=tax[cat]['martech'], domains=domains, data_access=DATA_ACCESS.get(subs[0], ['application data']),
                     sources=[f'name{", domains " + ", ".join(domains) if domains else ""}: the source page below '
                              f'and the vendor\'s own website'])
            claims.add(e)
            out.append(e)
            known.add(e)
        owner = claims.oauth.get(oid.lower())
        if owner and owner != e['id']:
            raise SystemExit(f'{DATA}:{n}: {oid} is already listed for {owner}')
        if oid in e.get(key, []):
            raise SystemExit(f'{DATA}:{n}: {oid} is listed twice for {e["id"]}')
        if kind == 'name' and norm_name(oid) in {norm_name(x) for x in [e['name']] + e.get('aliases', [])}:
            raise SystemExit(f'{DATA}:{n}: "{oid}" is already the name or an alias of {e["id"]}: a name row is for '
                             f'an app name that differs from the vendor\'s')
        if kind == 'name' and claims.names.get(norm_name(oid), e['id']) != e['id']:
            raise SystemExit(f'{DATA}:{n}: "{oid}" is a name of {claims.names[norm_name(oid)]}')
        claims.oauth[oid.lower()] = e['id']
        e.setdefault(key, []).append(oid)
        what = 'consent-screen app name' if kind == 'name' else key[:-1].replace('_', ' ')
        e['sources'].append(f'{what} {oid}: {url}')
    return out
