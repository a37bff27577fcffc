"""Extra signal patterns (data/signals.tsv) for generated vendors (run by build.py after the vendor generators).

Rows name a generated vendor's ID, a key (txt, spf, cname) and a value with its source. Patterns for hand-written
vendors go into their own files by hand; a row naming one stops the build.
"""
import os
from catalog_lib import HERE

DATA = os.path.join(HERE, 'data', 'signals.tsv')


def generate(claims, tax, skipped, prior):
    byid = {e['id']: e for e in prior}
    for n, line in enumerate(open(DATA, encoding='utf-8'), 1):
        line = line.rstrip('\n')
        if not line or line.startswith('#'):
            continue
        vid, key, value, src = line.split('|')
        e = byid.get(vid)
        if e is None:
            raise SystemExit(f'{DATA}:{n}: {vid} is not a generated vendor (edit its hand-written entry instead)')
        owner = claims.txt.get(value.lower()) if key == 'txt' else claims.hosts.get(value.lower())
        if owner and owner != vid:
            raise SystemExit(f'{DATA}:{n}: {value} is already claimed by {owner}')
        e.setdefault(key, []).append(value)
        e['sources'].append(f'{key} {value}: {src}')
        claims.add(dict(id=vid, **{key: [value]}))
    return []
