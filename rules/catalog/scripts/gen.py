import yaml, json, sys, re
aws = yaml.safe_load(open('/work/shared/catalog/data/known_aws_accounts.yaml'))
byname = {}
for e in aws:
    if e.get('enabled') is False: continue
    byname.setdefault(e['name'], []).append(e)
used = set()
def awsref(*names):
    ids, srcs = [], []
    for n in names:
        ents = byname[n]
        for e in ents:
            used.add(n)
            ids += [str(a) for a in e['accounts']]
            src = (e.get('source') or [''])
            src = src[0].strip() if src and src[0] else ''
            host = re.sub(r'^https?://', '', src).split('/')[0] if src else ''
            listed = ', '.join(str(a) for a in e['accounts']) if len(e['accounts']) <= 6 else '(%d IDs)' % len(e['accounts'])
            srcs.append("aws account%s %s: known_aws_accounts.yaml (Apache-2.0), entry %s%s" % (
                's' if len(e['accounts'])>1 else '', listed, n,
                ' (source %s)' % host if host else ' (the entry gives no source URL)'))
    return ids, srcs

def q(s):
    # quote when YAML flow context could misread the scalar
    if re.search(r'[:#,\[\]{}&*!|>\'"%@`]', s) or s != s.strip() or s.lower() in ('true','false','null','yes','no','on','off','~') or re.match(r'^[0-9.+-]', s):
        return json.dumps(s)
    return s
def flow(lst): return '[' + ', '.join(q(x) for x in lst) + ']'

def emit(cat, header, vendors, out):
    lines = [l for l in header.strip('\n').split('\n')]
    lines = ['# ' + l if l else '#' for l in lines]
    lines.append('vendors:')
    for v in vendors:
        lines.append('  - id: %s' % v['id'])
        lines.append('    name: %s' % q(v['name']))
        if v.get('aliases'): lines.append('    aliases: %s' % flow(v['aliases']))
        lines.append('    category: %s' % cat)
        lines.append('    subcategories: %s' % flow(v['subs']))
        lines.append('    martech: false')
        if v.get('domains'): lines.append('    domains: %s' % flow(v['domains']))
        for k in ('spf','txt','cname'):
            if v.get(k): lines.append('    %s: %s' % (k, flow(v[k])))
        if v.get('dkim'):
            lines.append('    dkim:')
            for d in v['dkim']:
                parts = []
                if d.get('selector'): parts.append('selector: %s' % q(d['selector']))
                if d.get('target'): parts.append('target: %s' % q(d['target']))
                lines.append('      - {%s}' % ', '.join(parts))
        srcs = list(v.get('sources', []))
        if v.get('aws'):
            ids, asrc = awsref(*v['aws'])
            lines.append('    aws_accounts: [%s]' % ', '.join('"%s"' % i for i in ids))
            srcs += asrc
        if v.get('merchants'):
            lines.append('    merchants: %s' % flow(v['merchants']))
            srcs.append('merchant%s %s: the vendor\'s own name' % ('s' if len(v['merchants'])>1 else '', ', '.join(v['merchants'])))
        lines.append('    data_access: %s' % flow(v['access']))
        if not srcs or not any(s.startswith('name') for s in srcs):
            srcs.insert(0, v.get('site', 'name, domain%s: vendor website' % ('s' if len(v.get('domains',[]))>1 else '')))
        if len(srcs) == 1:
            lines.append('    sources: [%s]' % json.dumps(srcs[0]))
        else:
            lines.append('    sources:')
            for s in srcs: lines.append('      - %s' % json.dumps(s))
        lines.append('')
    open(out, 'w').write('\n'.join(lines).rstrip('\n') + '\n')
