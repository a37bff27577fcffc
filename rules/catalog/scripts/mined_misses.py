"""Groups the mined rows the catalogue leaves unresolved by signal and key (registrable domain or TXT prefix),
counting distinct repositories, so the most frequent gaps come first.

Usage: go test -v -run TestEvaluation ./rules/catalog/ -args -evaldir /tmp/mined -unlabelled \\
         | python3 rules/catalog/scripts/mined_misses.py [MIN_REPOS]
"""
import collections, sys
from mine_dns import key_of


def main():
    least = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    groups = collections.defaultdict(lambda: [set(), []])
    for line in sys.stdin:
        if 'UNRESOLVED\t' not in line:
            continue
        _, sig, value, context, file = line.rstrip('\n').split('UNRESOLVED\t', 1)[1].split('\t') and \
            ['', *line.rstrip('\n').split('UNRESOLVED\t', 1)[1].split('\t')]
        k = key_of(sig, value, context) or value
        g = groups[(sig, k)]
        g[0].add(file)
        if len(g[1]) < 3:
            g[1].append(value if sig != 'dkim' else f'{value}->{context}')
    for (sig, k), (files, ex) in sorted(groups.items(), key=lambda kv: (-len(kv[1][0]), kv[0])):
        if len(files) >= least:
            print(f'{len(files)}\t{sig}\t{k}\t{" ".join(ex)[:150]}')


if __name__ == '__main__':
    main()
