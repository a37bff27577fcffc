"""Mines third-party DNS signals from public DNS-as-code repositories (octoDNS YAML, dnscontrol JS, Terraform,
BIND zone files) and counts in how many repositories each one occurs.

Usage (from this folder), on bare mirrors or clones (read with git, no work tree needed):

    python3 mine_dns.py --out data/mined_dns.tsv --rows /tmp/mined GITDIR[=owner/name] ...

  --out   the frequency table (committed): signal type, key (registrable domain of a host, or a TXT prefix or
          owner-name label), number of repositories, number of records, one example, and the repositories with
          their commit (owner/name@commit12). Refresh = re-run on newer mirrors and diff.
  --rows  optional: writes one file per repository in the evaluation format (signal, value, context, '?', path)
          so the rows can be run through the resolver: go test -run TestEvaluation ./rules/catalog/ -args
          -evaldir /tmp/mined -unlabelled  (lists what the catalogue does not resolve).

Never run it on a source listed in /work/notes/eval-sources.txt (the evaluation set is kept apart, split by
repository). Only facts are kept (which host or prefix occurs where); no record data of the repositories is
committed beyond the registrable domain or prefix and one example value.

Extraction is format-tolerant: structured parsers for octoDNS-style YAML/JSON, dnscontrol calls, Terraform
record resources, HCL record objects (module inputs, tfvars, terragrunt inputs such as cname_records = [{subdomain,
record}]) and zone-file lines give (owner, type, value); a text pass adds SPF includes, DMARC rua hosts and
verification-token prefixes from any other file. Hosts under the repository's own zones are dropped (an
organisation's own hosts are not vendors).
"""
import argparse, collections, json, os, re, subprocess, sys

import yaml

from catalog_lib import HERE

TYPES = {'A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SPF', 'ALIAS', 'ANAME', 'SRV', 'CAA'}
TEXT_EXT = ('.lua', '.yaml', '.yml', '.json', '.js', '.ts', '.tf', '.hcl', '.zone', '.db', '.txt', '.conf', '.csv',
            '.tfvars', '.nix', '.py', '.rb', '.toml', '.jsonnet', '.libsonnet', '.j2', '.erb')
MAX_BYTES = 2_000_000
# TXT owner labels that many services share: never a vendor signal on their own.
GENERIC_OWNERS = {'_dmarc', '_domainkey', '_acme-challenge', '_mta-sts', '_smtp._tls', '_smtp', '_tls', '_bimi',
                  '_spf', '_adsp', '_caldavs', '_carddavs', '_imaps', '_submission', '_submissions', '_pop3s',
                  '_autodiscover', '_sip', '_sipfederationtls', '_xmpp-client', '_xmpp-server', '_matrix', '_ldap',
                  '_kerberos', '_kpasswd', '_http', '_https', '_tcp', '_udp', '_psl', '_ta', '_token', '_atproto',
                  '_report', '_dnsauth', '_validation', '_verification', '_domainconnect', '_mailsrv'}


# --- registrable domains (Public Suffix List, ICANN section) ---------------------------------------------------

def _load_psl():
    rules, exc = set(), set()
    for path in ('/usr/share/publicsuffix/public_suffix_list.dat',):
        if not os.path.exists(path):
            continue
        for line in open(path, encoding='utf-8'):
            line = line.strip()
            if line.startswith('// ===END ICANN DOMAINS==='):
                break
            if not line or line.startswith('//'):
                continue
            (exc if line.startswith('!') else rules).add(line.lstrip('!'))
    return rules, exc


PSL_RULES, PSL_EXC = _load_psl()


def registrable(host):
    """eTLD+1 of host under the ICANN rules (private suffixes such as github.io are not suffixes here, so
    <org>.github.io groups under github.io, the platform)."""
    labels = host.lower().strip('.').split('.')
    if len(labels) < 2:
        return ''
    for i in range(len(labels)):
        cand = '.'.join(labels[i:])
        wild = '*.' + '.'.join(labels[i + 1:]) if i + 1 < len(labels) else None
        if cand in PSL_EXC:
            return '.'.join(labels[i:]) if i > 0 else ''
        if cand in PSL_RULES or (wild and wild in PSL_RULES):
            return '.'.join(labels[i - 1:]) if i > 0 else ''
    return '.'.join(labels[-2:])


HOST_RE = re.compile(r'^(?:[a-z0-9_](?:[a-z0-9_-]{0,62})\.)+[a-z][a-z0-9-]{1,62}\.?$')


def clean_host(v):
    v = str(v).strip().strip('"\'').lower().rstrip('.')
    return v if HOST_RE.match(v + '') and '.' in v else ''


# --- record extraction ---------------------------------------------------------------------------------------

class Rec(collections.namedtuple('Rec', 'owner type value path')):
    pass


def _vals(v):
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        out = []
        for x in v:
            out += _vals(x)
        return out
    if isinstance(v, dict):
        for k in ('exchange', 'value', 'target', 'content', 'data', 'host', 'nsdname', 'cname', 'text'):
            if k in v:
                return _vals(v[k])
        return []
    return [str(v)]


def from_tree(obj, path, parent_key='', out=None):
    """Records from parsed YAML/JSON: octoDNS zones ({name: {type, value(s)}}) and lists of {name, type, ...}."""
    if out is None:
        out = []
    if isinstance(obj, dict):
        t = obj.get('type') or obj.get('Type') or obj.get('record_type')
        if isinstance(t, str) and t.upper() in TYPES:
            owner = obj.get('name', obj.get('Name', obj.get('host', parent_key)))
            vs = []
            for k in ('value', 'values', 'content', 'records', 'rrdatas', 'target', 'data', 'answers', 'Value',
                      'ResourceRecords', 'record', 'txt', 'cname'):
                if k in obj:
                    vs += _vals(obj[k])
            for v in vs:
                out.append(Rec(str(owner or ''), t.upper(), v, path))
            return out
        for k, v in obj.items():
            if str(k).upper() in TYPES and isinstance(v, list) and all(isinstance(x, dict) for x in v):
                # records grouped by type: {cname: [{name: www, record: [target]}, ...]}
                for x in v:
                    if 'type' not in x:
                        x = dict(x, type=str(k).upper())
                    from_tree(x, path, '', out)
            elif isinstance(v, (dict, list)):
                from_tree(v, path, str(k), out)
    elif isinstance(obj, list):
        for x in obj:
            from_tree(x, path, parent_key, out)
    return out


DNSCONTROL_RE = re.compile(r'\b(CNAME|MX|NS|TXT|ALIAS|SPF)\s*\(\s*(["\'`])((?:(?!\2).)*)\2\s*,\s*'
                           r'(?:\d+\s*,\s*)?(\[[^\]]*\]|(["\'`])((?:(?!\5).)*)\5)', re.S)
STR_RE = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'')


def from_dnscontrol(text, path):
    out = []
    for m in DNSCONTROL_RE.finditer(text):
        typ, owner = m.group(1), m.group(3)
        vals = [m.group(6)] if m.group(6) is not None else [a or b for a, b in STR_RE.findall(m.group(4))]
        for v in vals:
            out.append(Rec(owner, 'TXT' if typ == 'SPF' else typ, v, path))
    return out


LUA_RE = re.compile(r'(?m)^\s*(cname|mx|ns|txt|alias)\(\s*(_a|"[^"]*"|[a-z_]+)\s*,\s*"((?:[^"\\]|\\.)*)"')


def from_luadns(text, path):
    """LuaDNS zone scripts: cname("www", "target."), mx(_a, "host", 10), txt(_a, "value")."""
    return [Rec(o.strip('"') if o != '_a' else '@', t.upper() if t != 'alias' else 'CNAME', v, path)
            for t, o, v in LUA_RE.findall(text)]


TF_BLOCK_RE = re.compile(r'resource\s+"([a-z0-9_]+)"\s+"[^"]*"\s*\{')


def _block(text, start):
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == '{':
            depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
        elif c == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            i = j
        i += 1
    return text[start:]


def _tf_attr(body, key):
    m = re.search(r'(?m)^\s*' + key + r'\s*=\s*"((?:[^"\\]|\\.)*)"', body)
    return m.group(1) if m else None


def _tf_list(body, key):
    m = re.search(r'(?m)^\s*' + key + r'\s*=\s*\[', body)
    if not m:
        return []
    depth, i = 0, m.end() - 1
    j = i
    while j < len(body):
        if body[j] == '[':
            depth += 1
        elif body[j] == ']':
            depth -= 1
            if depth == 0:
                break
        elif body[j] == '"':
            k = j + 1
            while k < len(body) and body[k] != '"':
                k += 2 if body[k] == '\\' else 1
            j = k
        j += 1
    return [bytes(s, 'utf-8').decode('unicode_escape', 'ignore') for s in re.findall(r'"((?:[^"\\]|\\.)*)"', body[i:j])]


def from_terraform(text, path):
    out = []
    for m in TF_BLOCK_RE.finditer(text):
        rtype = m.group(1)
        body = _block(text, m.end() - 1)
        az = re.match(r'azurerm_dns_(a|aaaa|cname|mx|ns|txt|caa|srv)_record$', rtype)
        typ = az.group(1).upper() if az else (_tf_attr(body, 'type') or '').upper()
        if typ not in TYPES:
            continue
        owner = _tf_attr(body, 'name') or ''
        vals = []
        for key in ('records', 'rrdatas', 'values'):
            vals += _tf_list(body, key)
        for key in ('value', 'content', 'target', 'record', 'exchange', 'cname', 'data', 'nsdname', 'mail_exchange',
                    'host', 'text'):
            for mm in re.finditer(r'(?m)^\s*' + key + r'\s*=\s*"((?:[^"\\]|\\.)*)"', body):
                vals.append(mm.group(1))
        for v in vals:
            v = v.replace('\\"', '"')
            out.append(Rec(owner, typ, v, path))
    return out



HCL_OBJ_RE = re.compile(r'\{[^{}]*\}')
HCL_TYPED_LIST_RE = re.compile(r'\b(cname|txt|mx|ns|spf|alias)_records\s*=\s*\[', re.I)
HCL_KEY_BEFORE_RE = re.compile(r'(?:"([^"]+)"|([A-Za-z0-9_.@*-]+))\s*=\s*$')


def _hcl_attr(body, key):
    m = re.search(r'(?<![\w-])' + key + r'\s*=\s*"((?:[^"\\]|\\.)*)"', body)
    return m.group(1) if m else None


def _hcl_list(body, key):
    m = re.search(r'(?<![\w-])' + key + r'\s*=\s*\[([^\]]*)\]', body)
    return [bytes(x, 'utf-8').decode('unicode_escape', 'ignore')
            for x in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))] if m else []


def _hcl_object(body, typ, owner_hint, path):
    owner = (_hcl_attr(body, 'name') or _hcl_attr(body, 'subdomain') or _hcl_attr(body, 'host')
             or _hcl_attr(body, 'hostname') or owner_hint or '')
    vals = _hcl_list(body, 'records') + _hcl_list(body, 'values')
    for key in ('record', 'value', 'content', 'target', 'data'):
        v = _hcl_attr(body, key)
        if v is not None:
            vals.append(v)
    return [Rec(owner, typ, v.replace('\\"', '"'), path) for v in vals]


def from_hcl_objects(text, path):
    """Records written as HCL objects outside resource blocks: Terraform module inputs and tfvars
    (records = [{name, type, records}], for_each maps {www = {type, value}}) and per-type lists
    (cname_records = [{subdomain, record}], as in terragrunt inputs)."""
    out = []
    for m in HCL_TYPED_LIST_RE.finditer(text):
        typ = m.group(1).upper()
        depth, j = 0, m.end() - 1
        while j < len(text):
            depth += {'[': 1, ']': -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        for o in HCL_OBJ_RE.finditer(text, m.end(), j):
            out += _hcl_object(o.group(0), typ, '', path)
    for o in HCL_OBJ_RE.finditer(text):
        body = o.group(0)
        typ = (_hcl_attr(body, 'type') or '').upper()
        if typ not in TYPES:
            continue
        k = HCL_KEY_BEFORE_RE.search(text, max(0, o.start() - 200), o.start())
        out += _hcl_object(body, typ, (k.group(1) or k.group(2)) if k else '', path)
    return out


ZONE_RE = re.compile(r'^(\S+)?\s+(?:\d+[smhdw]?\s+)?(?:IN\s+)?(?:\d+[smhdw]?\s+)?(CNAME|MX|NS|TXT|SPF)\s+(.+)$', re.I)


def _zone_lines(text):
    """Logical lines of a zone file: comments dropped and a record in parentheses over several lines joined into
    one (quotes respected: a ';' or parenthesis inside a string is text)."""
    held, depth = '', 0
    for line in text.splitlines():
        kept, quoted, i = [], False, 0
        while i < len(line):
            c = line[i]
            if c == '\\' and quoted and i + 1 < len(line):
                kept.append(line[i:i + 2])
                i += 2
                continue
            if c == '"':
                quoted = not quoted
            elif not quoted and c == ';':
                break
            elif not quoted and c in '()':
                depth += 1 if c == '(' else -1
                c = ' '
            kept.append(c)
            i += 1
        held += ''.join(kept) if not held else ' ' + ''.join(kept).strip()
        if depth <= 0:
            depth = 0
            yield held.rstrip()
            held = ''
    if held:
        yield held.rstrip()


def from_zonefile(text, path):
    out, last = [], ''
    for line in _zone_lines(text):
        m = ZONE_RE.match(line)
        if not m:
            continue
        owner = m.group(1) or last
        last = owner
        typ, rdata = m.group(2).upper(), m.group(3).strip()
        if typ == 'MX':
            rdata = rdata.split()[-1]
        elif typ in ('TXT', 'SPF'):
            rdata = ''.join(a for a, b in [(x, None) for x in re.findall(r'"((?:[^"\\]|\\.)*)"', rdata)]) or rdata
            typ = 'TXT'
        else:
            rdata = rdata.split()[0]
        out.append(Rec(owner, typ, rdata, path))
    return out


# --- signals ---------------------------------------------------------------------------------------------------

SPF_RE = re.compile(r'v=spf1\b[^"\'\n]*', re.I)
DMARC_RE = re.compile(r'v=DMARC1[^"\'\n]*', re.I)
TOKEN_RE = re.compile(r'(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]{2,60})\s?[=:]\s?([A-Za-z0-9_+/=.-]{6,})')
TOKEN_WORDS = re.compile(r'verif|valid|challenge|domain|site|confirm|auth|token|key|code|owner|ms$|^ms=', re.I)


def spf_hosts(txt):
    out = []
    for m in SPF_RE.finditer(txt):
        for term in m.group(0).split():
            term = term.strip('",\'\\')
            mm = re.match(r'^[+~?-]?(?:include:|redirect=)(\S+)$', term, re.I)
            if mm:
                h = mm.group(1).lower().rstrip('.')
                h = re.sub(r'^.*%\{[^}]*\}\.?', '', h)  # drop macro labels: _ehlo.%{h2}._spf.x.com -> _spf.x.com
                if h.count('.') >= 1 and '%' not in h and '$' not in h and '{' not in h:
                    out.append(h)
    return out


def rua_hosts(txt):
    out = []
    for m in DMARC_RE.finditer(txt):
        for mm in re.finditer(r'ru[af]=([^;"\s]+)', m.group(0), re.I):
            for addr in mm.group(1).split(','):
                addr = re.sub(r'!\d+[kmgt]?$', '', addr.strip().lower())
                if addr.startswith('mailto:') and '@' in addr:
                    h = addr.split('@', 1)[1].rstrip('.').strip('\\')
                    if clean_host(h):
                        out.append(h)
    return out


def token_prefix(v):
    """The vendor prefix of a verification token value ('miro-verification=' of 'miro-verification=abc'), or ''."""
    v = v.strip().strip('"\'')
    if re.match(r'(?i)v=(spf1|dkim1|dmarc1|bimi1|stsv1|tlsrptv1)', v) or v.lower().startswith('k=rsa'):
        return ''
    m = re.match(r'^([A-Za-z_][A-Za-z0-9_.-]{1,60})(\s?[=:]\s?)(\S{4,})$', v)
    if not m:
        return ''
    sep = m.group(2).strip()
    return m.group(1).lower() + sep


def owner_label(owner):
    """The leftmost label(s) of a TXT owner name that name a service: '_github-challenge-org' of
    '_github-challenge-org.example.com'; '' for generic names (_dmarc, _acme-challenge, ...)."""
    o = owner.strip().strip('"\'').lower().rstrip('.')
    if not o.startswith('_'):
        return ''
    first = o.split('.')[0]
    two = '.'.join(o.split('.')[:2])
    if first in GENERIC_OWNERS or two in GENERIC_OWNERS or '._domainkey' in '.' + o or first.startswith('_acme-challenge'):
        return ''
    if len(first) < 5:
        return ''
    return first


def signals(recs, rawtexts):
    """(signal, value, context) triples from the records, plus SPF/DMARC/token values found in raw text."""
    out = set()
    for r in recs:
        v = r.value.strip()
        owner = r.owner.strip()
        lo = owner.lower()
        if r.type == 'TXT':
            v = v.replace('\\;', ';').replace('\\"', '"').strip('"')
            for h in spf_hosts(v):
                out.add(('spf', h, owner))
            for h in rua_hosts(v):
                out.add(('dmarc_rua', h, owner))
            p = token_prefix(v)
            if p:
                out.add(('txt', v[:200], owner))
            ol = owner_label(owner)
            if ol and not p and not v.lower().startswith('v='):
                out.add(('txt_owner', v[:200] or '-', owner))
        elif r.type in ('CNAME', 'ALIAS', 'ANAME'):
            h = clean_host(v)
            if not h:
                continue
            if '._domainkey' in '.' + lo or lo.endswith('_domainkey'):
                sel = lo.split('._domainkey')[0].split('.')[-1] if '._domainkey' in lo else lo.split('.')[0]
                out.add(('dkim', sel, h))
            else:
                out.add(('cname', h, owner))
        elif r.type == 'MX':
            h = clean_host(v.split()[-1] if v.split() else v)
            if h:
                out.add(('mx', h, owner))
        elif r.type == 'NS':
            h = clean_host(v)
            if h:
                out.add(('ns', h, owner))
    for text in rawtexts:
        for h in spf_hosts(text):
            out.add(('spf', h, ''))
        for h in rua_hosts(text):
            out.add(('dmarc_rua', h, ''))
    return out


# --- repositories ----------------------------------------------------------------------------------------------

def git(gitdir, *args, inp=None):
    return subprocess.run(['git', '--git-dir', gitdir] + list(args), input=inp, capture_output=True, check=True).stdout


def repo_files(gitdir):
    listing = git(gitdir, 'ls-tree', '-r', '-l', 'HEAD').decode('utf-8', 'replace').splitlines()
    shas = []
    for line in listing:
        meta, path = line.split('\t', 1)
        _mode, typ, sha, size = meta.split()
        low = path.lower()
        if typ != 'blob' or not size.isdigit() or int(size) > MAX_BYTES:
            continue
        base = os.path.basename(low)
        zonedir = ('zone' in low or '/dns/' in '/' + low) and '.' in base and not re.search(r'\.(md|png|jpe?g|svg|sh|go|lock|pem|key|crt|gpg|asc)$', base)
        named = base.count('.') >= 1 and base.rsplit('.', 1)[1] in PSL_RULES and not low.endswith(('.md', '.sh', '.go'))
        if not (low.endswith(TEXT_EXT) or base.startswith('db.') or 'zone' in base or zonedir or named):
            continue
        if '/node_modules/' in low or low.startswith('vendor/') or 'test' in base:
            continue
        shas.append((path, sha))
    if not shas:
        return
    data = git(gitdir, 'cat-file', '--batch', inp=''.join(s + '\n' for _, s in shas).encode())
    pos = 0
    for path, _sha in shas:
        nl = data.index(b'\n', pos)
        header = data[pos:nl].split()
        if len(header) < 3:  # "<sha> missing": the snapshot left the object out
            pos = nl + 1
            continue
        size = int(header[2])
        blob = data[nl + 1:nl + 1 + size]
        pos = nl + 1 + size + 1
        if b'\0' in blob[:4096]:
            continue
        yield path, blob.decode('utf-8', 'replace')


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that reads CloudFormation-style tags (!Ref, !Sub, !GetAtt) as plain values."""


_Loader.add_multi_constructor('!', lambda loader, suffix, node: (
    loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else
    loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else loader.construct_mapping(node)))


def mine_repo(gitdir):
    recs, raws = [], []
    for path, text in repo_files(gitdir):
        low = path.lower()
        got = []
        try:
            if low.endswith(('.yaml', '.yml')):
                for doc in yaml.load_all(text, Loader=_Loader):
                    got += from_tree(doc, path)
            elif low.endswith('.json'):
                got += from_tree(json.loads(text), path)
        except Exception:
            pass
        if low.endswith(('.js', '.ts')):
            got += from_dnscontrol(text, path)
        if low.endswith('.lua'):
            got += from_luadns(text, path)
        if low.endswith(('.tf', '.hcl', '.tfvars')):
            got += from_terraform(text, path)
            got += from_hcl_objects(text, path)
        if not low.endswith(('.yaml', '.yml', '.json', '.js', '.ts', '.tf', '.hcl', '.tfvars', '.py', '.rb', '.nix', '.lua')):
            got += from_zonefile(text, path)
        got = list(dict.fromkeys(got))  # a resource block is also an HCL object: count each record once
        recs += got
        if not got:
            raws.append(text)
    return recs, raws


def own_domains(recs, repo_paths):
    """Registrable domains the repository manages: fully qualified owner names and zone-looking file names."""
    own = set()
    for r in recs:
        o = r.owner.strip().lower().rstrip('.')
        if '.' in o and not o.startswith('$') and '{' not in o:
            d = registrable(o.lstrip('*.@'))
            if d:
                own.add(d)
    for p in repo_paths:
        base = os.path.basename(p).lower()
        for ext in ('.zone.yaml', '.yaml', '.yml', '.js', '.tf', '.zone', '.json'):
            if base.endswith(ext):
                base = base[:-len(ext)]
        if base.startswith('db.'):
            base = base[3:]
        d = registrable(base)
        if d and '.' in base and not base.endswith(('.d', '.config')):
            own.add(d)
    return own


def key_of(sig, value, context):
    if sig in ('spf', 'cname', 'mx', 'ns', 'dmarc_rua'):
        return registrable(value)
    if sig == 'dkim':
        return registrable(context)
    if sig == 'txt':
        return token_prefix(value)
    if sig == 'txt_owner':
        lab = owner_label(context)
        return re.sub(r'[-_][a-z0-9]*\d[a-z0-9]*$', '-{id}', lab)  # per-org suffixes group together
    return ''


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=os.path.join(HERE, 'data', 'mined_dns.tsv'))
    ap.add_argument('--rows', help='directory for per-repository rows in the evaluation format')
    ap.add_argument('--eval-sources', default='/work/notes/eval-sources.txt')
    ap.add_argument('gitdirs', nargs='+', help='GITDIR or GITDIR=owner/name (default name: mirror dir owner+name)')
    a = ap.parse_args()
    reserved = set()
    if os.path.exists(a.eval_sources):
        reserved = {l.split()[0].lower() for l in open(a.eval_sources) if l.strip() and not l.startswith('#')}
    table = collections.defaultdict(lambda: dict(repos={}, n=0, example=''))
    if a.rows:
        os.makedirs(a.rows, exist_ok=True)
    for spec in a.gitdirs:
        gitdir, _, name = spec.partition('=')
        if not name:
            name = os.path.basename(os.path.dirname(gitdir.rstrip('/')) if gitdir.rstrip('/').endswith('repo') else gitdir).replace('+', '/', 1)
        if name.lower() in reserved:
            sys.exit(f'{name} is reserved for the evaluation set ({a.eval_sources}): not mined')
        commit = git(gitdir, 'rev-parse', 'HEAD').decode().strip()
        recs, raws = mine_repo(gitdir)
        paths = {r.path for r in recs}
        own = own_domains(recs, paths)
        sigs = signals(recs, raws)
        kept = []
        for sig, value, context in sorted(sigs):
            k = key_of(sig, value, context)
            if not k:
                continue
            if sig in ('cname', 'mx', 'ns', 'dmarc_rua', 'spf', 'dkim') and k in own:
                continue  # the organisation's own host
            kept.append((sig, value, context))
            e = table[(sig, k)]
            e['n'] += 1
            e['repos'][name] = commit[:12]
            if not e['example']:
                e['example'] = {'dkim': f'{value} -> {context}', 'txt': k + '...', 'txt_owner': context}.get(sig, value)
        print(f'{name}@{commit[:12]}: {len(recs)} records, {len(kept)} third-party signals', file=sys.stderr)
        if a.rows:
            with open(os.path.join(a.rows, name.replace('/', '__') + '.tsv'), 'w', encoding='utf-8') as f:
                f.write(f'# Mined candidates from github.com/{name} at {commit} (unlabelled: ?)\n')
                for sig, value, context in kept:
                    clean = lambda s: re.sub(r'[\t\n\r]', ' ', s)
                    f.write(f'{sig}\t{clean(value)}\t{clean(context)}\t?\tgithub.com/{name}\n')
    with open(a.out, 'w', encoding='utf-8') as f:
        f.write('# Third-party DNS signals mined from public DNS-as-code repositories by scripts/mine_dns.py.\n')
        f.write('# Columns: signal, key (registrable domain / TXT prefix / owner label), repositories, records,\n')
        f.write('#          example value, repositories with commit. Sorted by signal, then repositories (desc).\n')
        for (sig, k), e in sorted(table.items(), key=lambda kv: (kv[0][0], -len(kv[1]['repos']), kv[0][1])):
            ex = re.sub(r'[\t\n\r]', ' ', e['example'])[:120]
            repos = ' '.join(f'{r}@{c}' for r, c in sorted(e['repos'].items()))
            f.write(f'{sig}\t{k}\t{len(e["repos"])}\t{e["n"]}\t{ex}\t{repos}\n')


if __name__ == '__main__':
    main()
