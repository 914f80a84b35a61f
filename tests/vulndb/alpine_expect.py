#!/usr/bin/env python3
"""Independent reading of Alpine secdb YAML/JSON files for vulndb_feeds_test.

Usage: alpine_expect.py FILE...  Prints one TSV line per (id, distro, package, fixed version)
secfix entry: id, aliases (every other id named with it in any entry read, sorted, comma
separated), distro ("alpine:3.11"), package, fixed version
("0" = not affected). The id is the first whitespace-separated token of the entry that is a CVE,
XSA or TALOS id; entries without one are left out. Needs PyYAML (BaseLoader: every scalar a
string, as written).
"""
import json
import re
import sys

import yaml

ID = re.compile(r"CVE-\d{4}-\d{4,}|XSA-\d+|TALOS-\d{4}-\d+")

rows, aliases = [], {}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f) if path.endswith(".json") else yaml.load(f, Loader=yaml.BaseLoader)
    distro = "alpine:" + doc["distroversion"].lstrip("v")
    for item in doc["packages"]:
        pkg = item["pkg"]
        for version, entries in (pkg.get("secfixes") or {}).items():
            for entry in entries or []:
                ids = [t for t in entry.split() if ID.fullmatch(t)]
                if not ids:
                    continue
                aliases.setdefault(ids[0], set()).update(i for i in ids[1:] if i != ids[0])
                rows.append((ids[0], distro, pkg["name"], version))
for id_, distro, name, version in rows:
    print("\t".join([id_, ",".join(sorted(aliases[id_])), distro, name, version]))
