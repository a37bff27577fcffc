"""Google OAuth client IDs and third-party Entra app IDs from data/oauth_ids.tsv (run by build.py, last).

Every row names the public page that states the ID (a vendor's own admin instructions, or an MIT-licensed list);
IDs are never guessed or derived. An ID is attached to the generated vendor with the same domain or name, or a
new vendor is created; an ID for a hand-written vendor must be added to that file by hand (build.py stops).
"""
import os
from catalog_lib import DATA_ACCESS, HERE, norm_name, slug

DATA = os.path.join(HERE, 'data', 'oauth_ids.tsv')


def generate(claims, tax, skipped, prior):
    out = []
    bydom = {d: e for e in prior for d in e['domains']}
    byname = {norm_name(e['name']): e for e in prior}
    for n, line in enumerate(open(DATA, encoding='utf-8'), 1):
        line = line.rstrip('\n')
        if not line or line.startswith('#'):
            continue
        kind, oid, name, doms, cat, url = line.split('|')
        key = 'google_client_ids' if kind == 'google' else 'entra_app_ids'
        domains = [d for d in doms.split(',') if d]
        e = next((bydom[d] for d in domains if d in bydom), None) or byname.get(norm_name(name))
        if e is None:
            owner = next((claims.domain_owner(d) for d in domains if claims.domain_owner(d)), None) or \
                claims.names.get(norm_name(name))
            if owner:
                raise SystemExit(f'{DATA}:{n}: {oid} belongs to hand-written vendor {owner}: add it there by hand')
            cat, subs = cat.split('/')
            subs = subs.split(',')
            e = dict(id=slug(name), name=name, aliases=[], category=cat, subcategories=subs,
                     martech=tax[cat]['martech'], domains=domains, data_access=DATA_ACCESS.get(subs[0], ['application data']),
                     sources=[f'name{", domains " + ", ".join(domains) if domains else ""}: the source page below '
                              f'and the vendor\'s own website'])
            claims.add(e)
            out.append(e)
            bydom.update({d: e for d in domains})
            byname[norm_name(name)] = e
        e.setdefault(key, []).append(oid)
        e['sources'].append(f'{key[:-1].replace("_", " ")} {oid}: {url}')
    return out
