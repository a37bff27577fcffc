"""Catalogue vendors from the curated list data/seed_vendors.tsv (run by build.py).

The list names long-tail vendors of the kinds issue 11 found missing (regional email senders and marketing
automation, LinkedIn and outbound-sales tools, SEO and AI-visibility tools, helpdesk/status/docs hosts, mail hosts,
DMARC report services, ...): each row is the vendor's name and the domain(s) of its own website, a category and
subcategories from taxonomy.yaml and optional aliases. It carries no signal patterns beyond those domains; patterns
with a documented source are added by hand to the entry in the hand-written files, which then win.
"""
import os
from catalog_lib import DATA_ACCESS, HERE, data_rows, norm_name, slug

DATA = os.path.join(HERE, 'data', 'seed_vendors.tsv')


def generate(claims, tax, skipped):
    out, seen = [], {}  # a domain or loose name of the list -> its line: each vendor has one row
    for n, cols in data_rows(DATA):
        name, doms, cat, aliases = (cols + [''] * 4)[:4]
        cat, subs = cat.split('/')
        subs = subs.split(',')
        if cat not in tax or subs[0] not in tax[cat]['subs'] or any(
                not any(s in t['subs'] for t in tax.values()) for s in subs):
            raise SystemExit(f'{DATA}:{n}: unknown category or subcategory {cat}/{subs}')
        domains = [d.strip().lower() for d in doms.split(',') if d.strip()]
        for k in domains + [norm_name(name)]:
            if k in seen:
                raise SystemExit(f'{DATA}:{n}: {name} repeats line {seen[k]} ({k}): merge the two rows into one')
            seen[k] = n
        if any(claims.domain_owner(d) for d in domains):
            skipped['domain already in the catalogue'] += 1; continue
        if norm_name(name) in claims.names:
            skipped['name already in the catalogue'] += 1; continue
        vid = slug(name)
        if vid in claims.ids:
            skipped['id taken'] += 1; continue
        al = []
        for a in [a.strip() for a in aliases.split(';') if a.strip()]:
            if norm_name(a) not in claims.names and norm_name(a) != norm_name(name):
                al.append(a)
        e = dict(id=vid, name=name, aliases=al, category=cat, subcategories=subs, martech=tax[cat]['martech'],
                 domains=domains, data_access=DATA_ACCESS.get(subs[0], ['application data']),
                 sources=[f'name, domains {", ".join(domains)}: the vendor\'s own website; category: curated list '
                          f'scripts/data/seed_vendors.tsv line {n}'])
        claims.add(e)
        out.append(e)
    return out
