#!/usr/bin/env python3
"""Independent reading of NVD CVE API 2.0 JSON files for vulndb_nvd_test.

Usage: nvd_expect.py FILE...  Accepts API response pages ({"vulnerabilities": [{"cve": ...}]}),
vunnel snapshots ({"item": {"cve": ...}}) and bare CVE objects. A CVE in several files is kept
from the file with the latest lastModified (the later file on a tie). Prints TSV lines:
  count <N>                       distinct CVEs
  adv   <id> <withdrawn 0/1> <number of distinct reference URLs>
  sev   <id> <CVSS_V2|CVSS_V3|CVSS_V4> <vectorString> <source, nvd@nist.gov as "nvd">
  cwe   <id> <CWE-n>               distinct, NVD-CWE-* placeholders left out
Standard library only.
"""
import json
import sys

TYPES = [("cvssMetricV2", "CVSS_V2"), ("cvssMetricV30", "CVSS_V3"),
         ("cvssMetricV31", "CVSS_V3"), ("cvssMetricV40", "CVSS_V4")]

records = {}
for path in sorted(sys.argv[1:]):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if "vulnerabilities" in doc:
        cves = [v["cve"] for v in doc["vulnerabilities"]]
    elif "item" in doc:
        cves = [doc["item"]["cve"]]
    else:
        cves = [doc]
    for cve in cves:
        old = records.get(cve["id"])
        if old is None or cve.get("lastModified", "") >= old.get("lastModified", ""):
            records[cve["id"]] = cve

print("count\t%d" % len(records))
for cid, cve in records.items():
    urls = {r["url"] for r in cve.get("references", [])}
    print("adv\t%s\t%d\t%d" % (cid, cve.get("vulnStatus") == "Rejected", len(urls)))
    for key, kind in TYPES:
        for m in cve.get("metrics", {}).get(key, []):
            source = m.get("source", "")
            print("sev\t%s\t%s\t%s\t%s" % (cid, kind, m["cvssData"]["vectorString"],
                                           "nvd" if source == "nvd@nist.gov" else source))
    cwes = set()
    for w in cve.get("weaknesses", []):
        for d in w.get("description", []):
            if not d["value"].startswith("NVD-CWE-"):
                cwes.add(d["value"])
    for cwe in cwes:
        print("cwe\t%s\t%s" % (cid, cwe))
