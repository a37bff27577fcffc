"""Vendors known by their card statement descriptors, from data/merchants.tsv (run by build.py, after the OAuth
identifiers).

Each row names a vendor, the registrable domain(s) of its own website, a category and the descriptor text it bills
under (its own name, or the legal or product name its statements show), with the public source of that text. A row
adds the merchants to the generated vendor with the same domain or name, or creates the vendor; a vendor the
hand-written files already have is skipped (its entry there wins), and a descriptor another vendor claims stops the
build.
"""
import os
from catalog_lib import DATA_ACCESS, HERE, Prior, data_rows, norm_name, slug

DATA = os.path.join(HERE, 'data', 'merchants.tsv')


def generate(claims, tax, skipped, prior):
    out = []
    known = Prior(prior)
    for n, cols in data_rows(DATA):
        if len(cols) != 5 or not cols[0].strip() or not cols[3].strip():
            raise SystemExit(f'{DATA}:{n}: want name|domains|category/subcategories|merchants (;-separated)|source')
        name, doms, cat, merchants, src = cols
        domains = [d.strip().lower() for d in doms.split(',') if d.strip()]
        merchants = [m.strip() for m in merchants.split(';') if m.strip()]
        e = known.find(domains, name)
        if e is None:
            owner = next((claims.domain_owner(d) for d in domains if claims.domain_owner(d)), None) or \
                claims.names.get(norm_name(name))
            if owner:
                skipped['vendor already hand-written (its entry wins)'] += 1
                continue
            cat, subs = cat.split('/')
            subs = subs.split(',')
            if cat not in tax or subs[0] not in tax[cat]['subs']:
                raise SystemExit(f'{DATA}:{n}: unknown category or subcategory {cat}/{subs[0]}')
            e = dict(id=slug(name), name=name, aliases=[], category=cat, subcategories=subs,
                     martech=tax[cat]['martech'], domains=domains,
                     data_access=DATA_ACCESS.get(subs[0], ['application data']),
                     sources=[f'name{", domains " + ", ".join(domains) if domains else ""}: the vendor\'s own website'])
            claims.add(e)
            out.append(e)
            known.add(e)
        for m in merchants:
            owner = claims.names.get(norm_name(m))
            if owner and owner != e['id']:
                raise SystemExit(f'{DATA}:{n}: merchant {m} is a name of {owner}')
            if m not in e.setdefault('merchants', []):
                e['merchants'].append(m)
                claims.names.setdefault(norm_name(m), e['id'])
        e['sources'].append(f'merchant {", ".join(merchants)}: {src}')
    return out
