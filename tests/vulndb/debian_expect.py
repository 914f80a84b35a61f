#!/usr/bin/env python3
"""Independent reading of Debian security tracker data for vulndb_feeds_test.

Usage: debian_expect.py FILE...  FILE is the tracker's JSON export, or its DSA list (a file
named DSA or list). Prints one TSV line per (advisory, source package, release):
id, package, distro ("debian:12"), status, fixed version (empty unless affected), severity;
then "ALIASES\\t<id>\\t<comma-separated CVEs>" for each DSA naming CVEs, and
"ADVISORIES\\t<n>" (distinct CVE ids plus DSAs that name a CVE or a package).
JSON statuses: resolved+"0" -> not_affected; resolved+V -> affected; open -> will_not_fix when
nodsa_reason is "ignored" or urgency is "end-of-life", else unfixed; undetermined -> unfixed.
Severity: urgency without trailing '*', "not yet assigned"/"end-of-life" dropped.
DSA lines "[release] - package V" -> affected, fixed V; "<not-affected>" -> not_affected,
"<unfixed>"/"<postponed>" -> unfixed, "<end-of-life>"/"<ignored>" -> will_not_fix.
Standard library only.
"""
import json
import os
import re
import sys

RELEASES = {"hamm": "2.0", "slink": "2.1", "potato": "2.2", "woody": "3.0", "sarge": "3.1",
            "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7", "jessie": "8",
            "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13",
            "forky": "14", "sid": "unstable"}
MARKS = {"<not-affected>": "not_affected", "<unfixed>": "unfixed", "<postponed>": "unfixed",
         "<end-of-life>": "will_not_fix", "<ignored>": "will_not_fix"}

ids = set()
aliases = {}


def read_json(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for package, cves in doc.items():
        for cve, record in cves.items():
            ids.add(cve)
            for codename, rel in (record.get("releases") or {}).items():
                urgency = rel.get("urgency", "").rstrip("*")
                severity = "" if urgency in ("not yet assigned", "end-of-life") else urgency
                status, fixed = rel["status"], ""
                if status == "resolved":
                    if rel["fixed_version"] == "0":
                        status = "not_affected"
                    else:
                        status, fixed = "affected", rel["fixed_version"]
                elif status == "open":
                    ignored = (rel.get("nodsa_reason") == "ignored"
                               or rel.get("urgency") == "end-of-life")
                    status = "will_not_fix" if ignored else "unfixed"
                else:
                    status = "unfixed"
                print("\t".join([cve, package, "debian:" + RELEASES[codename], status, fixed,
                                 severity]))


def read_dsa(path):
    dsa, cves, rows = None, [], []

    def finish():
        if dsa and (cves or rows):
            ids.add(dsa)
            for row in rows:
                print("\t".join(row))
            if cves:
                aliases[dsa] = cves

    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            m = re.match(r"\[\d\d \w{3} \d{4}\] (DSA-\d+(?:-\d+)?)", line)
            if m:
                finish()
                dsa, cves, rows = m.group(1), [], []
                continue
            m = re.match(r"\s+\{(.*)\}$", line)
            if m:
                cves += [c for c in m.group(1).split() if re.fullmatch(r"CVE-\d{4}-\d{4,}", c)]
                continue
            m = re.match(r"\s+\[(\w+)\] - (\S+) (\S+)", line)
            if m and "NOTE:" not in line:
                release, package, version = m.groups()
                status = MARKS.get(version, "affected")
                fixed = version if status == "affected" else ""
                rows.append((dsa, package, "debian:" + RELEASES[release], status, fixed, ""))
    finish()


for path in sys.argv[1:]:
    if os.path.basename(path) in ("DSA", "list"):
        read_dsa(path)
    else:
        read_json(path)
for dsa, cves in aliases.items():
    print("ALIASES\t%s\t%s" % (dsa, ",".join(cves)))
print("ADVISORIES\t%d" % len(ids))
