#!/usr/bin/env python3
"""Expected figures of the RustSec importer over a directory of advisory-db Markdown files:
RECORD/AFFECTED lines (id, aliases CVE-first, severities; package and range events), COUNT and
SKIPPED. Independent of the C++ code: tomllib for the front matter, langfeeds_versions.py for
the requirement mapping."""
import os
import re
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import langfeeds_versions as lv  # noqa: E402


def main(root):
    records, skipped = {}, 0
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if not (name.startswith('RUSTSEC-') and name.endswith('.md')):
                continue
            text = open(os.path.join(dirpath, name), encoding='utf-8').read()
            m = re.match(r'```toml\n(.*?)\n```', text, re.S)
            if not m:
                continue
            adv = tomllib.loads(m.group(1))
            a, versions = adv.get('advisory', {}), adv.get('versions', {})
            try:
                intervals = [lv.parse(r, 'cargo')
                             for r in versions.get('patched', []) + versions.get('unaffected', [])]
                events = lv.outside(intervals)
            except ValueError:
                events = None
            if not events:
                skipped += 1
                continue
            aliases = a.get('aliases', [])
            aliases = [x for x in aliases if x.startswith('CVE-')] + [x for x in aliases if not x.startswith('CVE-')]
            aliases = list(dict.fromkeys(aliases))
            sev = ''
            if 'cvss' in a:
                sev = ('CVSS_V4' if a['cvss'].startswith('CVSS:4.') else 'CVSS_V3') + '=' + a['cvss']
            records[a['id']] = (','.join(aliases), sev, a['package'], lv.show(events))
    for id_, (aliases, sev, package, events) in records.items():
        print(f'RECORD\t{id_}\t{aliases}\t{sev}')
        print(f'AFFECTED\t{id_}\tcargo\t{package}\t{events}')
    print(f'COUNT\t{len(records)}')
    print(f'SKIPPED\t{skipped}')


if __name__ == '__main__':
    main(sys.argv[1])
