#!/usr/bin/env python3
"""Independent reading of EPSS CSV files for vulndb_feeds_test.

Usage: epss_expect.py FILE...  Prints one TSV line per score: cve, epss, percentile, the numbers
formatted with %.9g. Handles the official layout ('#' comment, 'cve,epss,percentile' header) and
the ';'-separated headerless layout. Standard library only.
"""
import csv
import sys

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if l and not l.startswith("#")]
    if lines and lines[0] == "cve,epss,percentile":
        lines = lines[1:]
    sep = ";" if lines and ";" in lines[0] else ","
    for row in csv.reader(lines, delimiter=sep):
        print("%s\t%.9g\t%.9g" % (row[0], float(row[1]), float(row[2])))
