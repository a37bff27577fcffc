"""Extracts the vendor facts shadowscan uses from a Wappalyzer checkout at its last MIT-licensed commit.

Wappalyzer (github.com/AliasIO/wappalyzer, Copyright 2008 Wappalyzer) was MIT-licensed until commit eab30f36
(2023-01-25) switched it to GPL-3.0. Only the MIT-licensed parent commit is read:

    git clone https://github.com/Lissy93/wapalyzer w && git -C w checkout aff18efafa0768504118b4a11424555602dcfebe
    python3 wappalyzer_extract.py w/src data/wappalyzer_mit_aff18efa.tsv

Output: one technology per line, tab-separated: name, website, category IDs (comma-separated, Wappalyzer's
numbering), saas (1/0), oss (1/0), paid (1/0: it has a 'pricing' field), script hosts (literal host names found in its scriptSrc patterns,
comma-separated), TXT patterns (literal text of its dns.TXT patterns, comma-separated). The category names are
written to <out>.categories.tsv. Nothing else (no descriptions, icons or detection logic) is kept.
"""
import glob, json, os, re, sys

src, out = sys.argv[1], sys.argv[2]
tech = {}
for f in sorted(glob.glob(os.path.join(src, 'technologies', '*.json'))):
    tech.update(json.load(open(f, encoding='utf-8')))
cats = json.load(open(os.path.join(src, 'categories.json'), encoding='utf-8'))

HOST = re.compile(r'(?<![a-z0-9\-])((?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,})(?![a-z0-9\-])')


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def literal(pattern):
    """The regexp's text with escapes undone and version/confidence tags dropped, or '' if it is not literal."""
    p = pattern.split('\\;')[0]
    p = p.replace('\\.', '.').replace('\\-', '-').replace('\\/', '/')
    return p


def hosts(patterns):
    found = []
    for p in patterns:
        p = literal(p).lower()
        # Drop regexp groups and classes: a host must be spelled out literally.
        for h in HOST.findall(re.sub(r'\(.*?\)|\[.*?\]', ' ', p)):
            if h not in found:
                found.append(h)
    return found


def txt_literals(dns):
    vals = []
    for p in as_list((dns or {}).get('TXT')):
        t = literal(p)
        if re.fullmatch(r'[A-Za-z0-9._=\-]+', t) and t not in vals:
            vals.append(t)
    return vals


def clean(s):
    return ' '.join(str(s).split())


with open(out, 'w', encoding='utf-8', newline='\n') as w:
    w.write('# name\twebsite\tcats\tsaas\toss\tpaid\tscript_hosts\ttxt\n')
    for name in sorted(tech):
        t = tech[name]
        w.write('\t'.join([
            clean(name), clean(t.get('website', '')), ','.join(str(c) for c in t.get('cats', [])),
            '1' if t.get('saas') else '0', '1' if t.get('oss') else '0', '1' if t.get('pricing') else '0',
            ','.join(hosts(as_list(t.get('scriptSrc')) + as_list(t.get('scripts')))),
            ','.join(txt_literals(t.get('dns'))),
        ]) + '\n')
with open(out.replace('.tsv', '') + '.categories.tsv', 'w', encoding='utf-8', newline='\n') as w:
    for k in sorted(cats, key=int):
        w.write(f'{k}\t{cats[k]["name"]}\n')
print(f'{len(tech)} technologies -> {out}')
