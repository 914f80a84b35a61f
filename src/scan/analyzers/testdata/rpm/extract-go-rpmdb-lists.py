#!/usr/bin/env python3
# Extracts the expected package lists of go-rpmdb's tests (`rpm -qa --queryformat` output recorded
# by its authors from real CentOS containers, pkg/rpmdb_testcase.go in Debian's
# golang-github-knqyf263-go-rpmdb-dev 0.0~git20210911.73bd0ce-3, MIT) into TSV files that
# rpm_test.cc compares kRpmAnalyzer's answer with, for the BerkeleyDB files of the same package
# (pkg/testdata/<name>/Packages).
# Columns: EPOCH NAME VERSION RELEASE ARCH SOURCERPM LICENSE MODULARITYLABEL ("(none)" recorded as
# 0 for the epoch and as "" elsewhere, as the recording sed did). Usage: extract-go-rpmdb-lists.py [OUTDIR]
import os, re, sys

SRC = "/usr/share/gocode/src/github.com/knqyf263/go-rpmdb/pkg/rpmdb_testcase.go"
LISTS = {"CentOS5Plain": "centos5-plain", "CentOS6Plain": "centos6-plain",
         "CentOS7Httpd24": "centos7-httpd24", "CentOS8Modularitylabel": "centos8-modularitylabel"}
out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
text = open(SRC).read()
row = re.compile(r'\{(\d+), "((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)", '
                 r'"((?:[^"\\]|\\.)*)", \d+, "((?:[^"\\]|\\.)*)", "(?:[^"\\]|\\.)*", "((?:[^"\\]|\\.)*)", nil, nil, nil\},')
for var, name in LISTS.items():
    block = re.search(r"\b%s = \[\]\*PackageInfo\{\n(.*?)\n\t\}" % var, text, re.S).group(1)
    rows = [m.groups() for m in row.finditer(block)]
    assert len(rows) == block.count("\n") + 1, (var, len(rows))
    with open(os.path.join(out, name + ".tsv"), "w") as f:
        for r in rows:
            assert not any("\t" in c or "\\" in c for c in r), r
            f.write("\t".join(r) + "\n")
    print(name, len(rows))
