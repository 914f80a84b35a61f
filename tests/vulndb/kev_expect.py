#!/usr/bin/env python3
"""Independent reading of CISA KEV catalog files for vulndb_feeds_test.

Usage: kev_expect.py FILE...  Prints one TSV line per catalog entry:
cve, vendor, product, dateAdded, dueDate, ransomware(0/1). Standard library only.
"""
import json
import sys

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    entries = [doc] if "cveID" in doc else doc["vulnerabilities"]
    for e in entries:
        print("\t".join([e["cveID"], e.get("vendorProject", ""), e.get("product", ""),
                         e.get("dateAdded", ""), e.get("dueDate", ""),
                         "1" if e.get("knownRansomwareCampaignUse") == "Known" else "0"]))
