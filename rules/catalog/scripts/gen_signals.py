"""Extra signal patterns (data/signals.tsv) for generated vendors (run by build.py after the vendor generators).

Rows name a generated vendor's ID, a key (txt, txt_owner, spf, cname, mx, ns, dkim, dkim_naming, domains) and a value with
its source; a dkim value is the key host (target) pattern, or "selector>target"; dkim_naming is "selector>target" for an
email relay's own naming of its customers' selectors, which counts only with that target (only_with_target);
domains adds a domain the vendor operates. Patterns for hand-written
vendors go into their own files by hand; a row naming one stops the build.
"""
import os
from catalog_lib import HERE, data_rows

DATA = os.path.join(HERE, 'data', 'signals.tsv')


def generate(claims, tax, skipped, prior):
    byid = {e['id']: e for e in prior}
    for n, cols in data_rows(DATA):
        vid, key, value, src = cols
        e = byid.get(vid)
        if e is None:
            raise SystemExit(f'{DATA}:{n}: {vid} is not a generated vendor (edit its hand-written entry instead)')
        if key not in ('txt', 'txt_owner', 'spf', 'cname', 'mx', 'ns', 'dkim', 'dkim_naming', 'domains'):
            raise SystemExit(f'{DATA}:{n}: unknown key {key}')
        if key in ('dkim', 'dkim_naming'):
            sel, _, target = value.rpartition('>')
            item = {k: v for k, v in (('selector', sel), ('target', target)) if v}
            if key == 'dkim_naming':
                if not sel or not target:
                    raise SystemExit(f'{DATA}:{n}: dkim_naming needs selector>target')
                item['only_with_target'] = True
                key = 'dkim'
        lookup = value.rpartition('>')[2].lower()
        owner = (claims.txt.get(lookup) if key in ('txt', 'txt_owner') else
                 claims.domain_owner(lookup) if key == 'domains' else claims.hosts.get(lookup))
        if owner and owner != vid:
            raise SystemExit(f'{DATA}:{n}: {value} is already claimed by {owner}')
        new = item if key == 'dkim' else value
        have = e.setdefault(key, [])
        if any(h == new if key == 'dkim' else h.lower() == value.lower() for h in have):
            raise SystemExit(f'{DATA}:{n}: {vid} already has {key} {value}')
        have.append(new)
        e['sources'].append(f'{key} {value}: {src}')
        claims.add(dict(id=vid, **{key: [new]}))
    return []
