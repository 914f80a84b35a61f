#!/usr/bin/env python3
"""Independent expectations for the OSV importer (src/vulndb/sources/osv.cc).

Usage: osv_expect.py DIR

Walks DIR (hidden directories skipped) for *.json / *.yaml / *.yml, parses each with Python's json
or PyYAML's BaseLoader (every scalar a string), and prints, one per line, tab-separated:
  total  N                                   OSV records (objects with a non-empty string "id")
  eco    ECOSYSTEM DISTRO COUNT              affected entries per mapped (purl type, distro)
  fix    ID ECOSYSTEM DISTRO PACKAGE FIXED   one per affected entry; FIXED = its "fixed" events, joined by ","
  sev    ID TYPE VALUE                       one per severity (CVSS entries, database_specific.severity as TEXT)
Files that do not parse or hold no record with an id are ignored.
"""
import collections
import json
import os
import sys

import yaml

# OSV ecosystem (before ":release") -> (purl type, distro name or "").
ECOSYSTEMS = {
    "Go": ("golang", ""), "PyPI": ("pypi", ""), "npm": ("npm", ""), "crates.io": ("cargo", ""),
    "RubyGems": ("gem", ""), "Packagist": ("composer", ""), "NuGet": ("nuget", ""),
    "Maven": ("maven", ""), "Hex": ("hex", ""), "Pub": ("pub", ""), "Hackage": ("hackage", ""),
    "CRAN": ("cran", ""), "SwiftURL": ("swift", ""), "GitHub Actions": ("github", ""),
    "Bitnami": ("bitnami", ""),
    "Debian": ("deb", "debian"), "Ubuntu": ("deb", "ubuntu"), "Alpine": ("apk", "alpine"),
    "AlmaLinux": ("rpm", "almalinux"), "Rocky Linux": ("rpm", "rocky"),
}


def map_ecosystem(eco):
    base, _, release = eco.partition(":")
    if base not in ECOSYSTEMS:
        return eco.lower(), ""
    purl, distro = ECOSYSTEMS[base]
    if distro and release:
        release = release.lower()
        if release.endswith(":lts"):
            release = release[:-4]
        if len(release) > 1 and release[0] == "v" and release[1].isdigit():
            release = release[1:]
        if release:
            distro += ":" + release
    return purl, distro


def records(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            ext = os.path.splitext(name)[1].lower()
            try:
                with open(path, "rb") as f:
                    data = f.read()
                if ext == ".json":
                    doc = json.loads(data)
                elif ext in (".yaml", ".yml"):
                    doc = yaml.load(data, Loader=yaml.BaseLoader)
                else:
                    continue
            except Exception:
                continue
            docs = doc if isinstance(doc, list) else [doc]
            for d in docs:
                if isinstance(d, dict) and isinstance(d.get("id"), str) and d["id"]:
                    yield d


def main():
    total = 0
    per_eco = collections.Counter()
    lines = []
    for rec in records(sys.argv[1]):
        total += 1
        rid = rec["id"]
        for s in rec.get("severity") or []:
            if isinstance(s, dict) and isinstance(s.get("type"), str) and isinstance(s.get("score"), str) \
                    and s["type"] and s["score"]:
                lines.append("\t".join(["sev", rid, s["type"], s["score"]]))
        db = rec.get("database_specific")
        if isinstance(db, dict) and isinstance(db.get("severity"), str) and db["severity"]:
            lines.append("\t".join(["sev", rid, "TEXT", db["severity"]]))
        affected = rec.get("affected")
        for a in affected if isinstance(affected, list) else []:
            pkg = a.get("package") if isinstance(a, dict) else None
            if not isinstance(pkg, dict):
                continue
            eco, name = pkg.get("ecosystem"), pkg.get("name")
            if not (isinstance(eco, str) and eco and isinstance(name, str) and name):
                continue
            purl, distro = map_ecosystem(eco)
            per_eco[(purl, distro)] += 1
            fixed = []
            for r in a.get("ranges") or []:
                if not isinstance(r, dict):
                    continue
                for e in r.get("events") or []:
                    if isinstance(e, dict) and isinstance(e.get("fixed"), str):
                        fixed.append(e["fixed"])
            lines.append("\t".join(["fix", rid, purl, distro, name, ",".join(fixed)]))
    print("total\t%d" % total)
    for (purl, distro), n in sorted(per_eco.items()):
        print("eco\t%s\t%s\t%d" % (purl, distro, n))
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main()
