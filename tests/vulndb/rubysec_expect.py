#!/usr/bin/env python3
"""Expected figures of the RubySec importer over a ruby-advisory-db gems directory: RECORD lines
(id = file stem, aliases CVE/GHSA/OSVDB with the id left out, CVSS scores), AFFECTED lines (gem and
range events), COUNT (distinct ids) and SKIPPED. Independent of the C++ code: PyYAML, and
langfeeds_versions.py for the requirement mapping."""
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import langfeeds_versions as lv  # noqa: E402


class TextLoader(yaml.SafeLoader):
    """Scalars as written (the importer keeps "5.0" as "5.0", dates as text)."""


TextLoader.add_constructor('tag:yaml.org,2002:float', lambda l, n: l.construct_scalar(n))
TextLoader.add_constructor('tag:yaml.org,2002:int', lambda l, n: l.construct_scalar(n))
TextLoader.add_constructor('tag:yaml.org,2002:timestamp', lambda l, n: l.construct_scalar(n))


def main(root):
    records, affected, skipped = {}, [], 0
    for dirpath, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            if not name.endswith('.yml'):
                continue
            doc = yaml.load(open(os.path.join(dirpath, name), encoding='utf-8'), Loader=TextLoader)
            id_ = name[:-4]
            try:
                intervals = [lv.parse(r, 'gem') for r in
                             (doc.get('patched_versions') or []) + (doc.get('unaffected_versions') or [])]
                events = lv.outside(intervals)
            except ValueError:
                events = None
            if not events:
                skipped += 1
                continue
            rec = records.setdefault(id_, ([], []))
            for key, prefix in (('cve', 'CVE-'), ('ghsa', 'GHSA-'), ('osvdb', 'OSVDB-')):
                if doc.get(key) and prefix + doc[key] != id_ and prefix + doc[key] not in rec[0]:
                    rec[0].append(prefix + doc[key])
            for key, kind in (('cvss_v2', 'CVSS_V2'), ('cvss_v3', 'CVSS_V3'), ('cvss_v4', 'CVSS_V4')):
                if doc.get(key) and f'{kind}={doc[key]}' not in rec[1]:
                    rec[1].append(f'{kind}={doc[key]}')
            affected.append(f'AFFECTED\t{id_}\tgem\t{doc["gem"]}\t{lv.show(events)}')
    for id_, (aliases, sevs) in records.items():
        print(f'RECORD\t{id_}\t{",".join(aliases)}\t{";".join(sevs)}')
    for line in affected:
        print(line)
    print(f'COUNT\t{len(records)}')
    print(f'SKIPPED\t{skipped}')


if __name__ == '__main__':
    main(sys.argv[1])
