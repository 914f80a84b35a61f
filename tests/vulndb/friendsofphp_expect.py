#!/usr/bin/env python3
"""Expected figures of the FriendsOfPHP importer over a security-advisories directory: RECORD
lines (id: the CVE, else "vendor/name/<file stem>"), AFFECTED lines (composer package, one range
per branch), COUNT (distinct ids) and SKIPPED. Independent of the C++ code: PyYAML, and
langfeeds_versions.py for the constraint mapping."""
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import langfeeds_versions as lv  # noqa: E402


def main(root):
    records, affected, skipped = set(), [], 0
    for dirpath, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            if not name.endswith('.yaml'):
                continue
            doc = yaml.safe_load(open(os.path.join(dirpath, name), encoding='utf-8'))
            if not isinstance(doc, dict) or not str(doc.get('reference', '')).startswith('composer://'):
                continue
            package = doc['reference'][len('composer://'):]
            cve = doc.get('cve') or ''
            id_ = cve if re.fullmatch(r'CVE-\d{4}-\d{4,}', cve) else f'{package}/{name[:-5]}'
            ranges = []
            for branch in doc['branches'].values():
                try:
                    events = lv.inside(lv.parse(','.join(branch['versions']), 'composer'))
                except ValueError:
                    events = None
                if events is None:
                    break
                ranges.append(lv.show(events))
            else:
                records.add(id_)
                affected.append(f'AFFECTED\t{id_}\tcomposer\t{package}\t{" | ".join(ranges)}')
                continue
            skipped += 1
    for id_ in records:
        print(f'RECORD\t{id_}\t\t')
    for line in affected:
        print(line)
    print(f'COUNT\t{len(records)}')
    print(f'SKIPPED\t{skipped}')


if __name__ == '__main__':
    main(sys.argv[1])
