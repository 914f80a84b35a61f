#!/usr/bin/env bash
# Vulnerability scanning end to end (issue 5): `bulwark db import` of feeds in their own formats,
# then `bulwark scan` of images built here, each compared finding for finding with an answer
# computed without Bulwark (tests/vulndb/scan_expect.py: the feed files, the package databases and
# the ecosystems' own version rules):
#   - a debootstrap Debian bookworm image against a Debian security tracker JSON feed written here
#     for source packages of that image (fixed above/at/below the installed source version, open,
#     not affected, will-not-fix, another release) plus the tracker sample;
#   - a Go binary built here (offline, modules from a file:// proxy) against the Go vulndb sample;
#   - requirements.txt, Cargo.lock and Gemfile.lock written here against the PyPA, RustSec and
#     rubysec samples;
#   - an Alpine 3.10 apk database against the secdb sample (3.9, 3.10 and 3.11 all imported);
#   - --fail-on, --ignore-unfixed and --ignore; SARIF 2.1.0 and CycloneDX VEX output.
# One database holds every feed, so an image must also not match another ecosystem's advisories.
# Needs BULWARK_ROOTFS (the CTest fixture scan_bookworm_rootfs builds it), go, dpkg, node, skopeo,
# python3 with PyYAML and python3-packaging.
source "$(dirname "$0")/lib.sh"

ROOTFS=${BULWARK_ROOTFS:?set BULWARK_ROOTFS to a debootstrapped bookworm tree}
bash "$TESTS_DIR/make-rootfs.sh" "$ROOTFS" || die "cannot build the root file system"
AJV=$TESTS_DIR/ajv/validate.js
export BULWARK_SCHEMA_DIR=${BULWARK_SCHEMA_DIR:-$BULWARK_SHARED/data/schemas}
FEEDS=$BULWARK_SHARED/data/vulndb
DB=$T/vuln.db

# The expectations need PyYAML and packaging: the first python3 on PATH that has both.
PY=
for py in python3 /usr/bin/python3; do
  "$py" -c 'import yaml, packaging.version, tomllib' 2>/dev/null && { PY=$py; break; }
done
[[ -n $PY ]] || die "no python3 with PyYAML and packaging (scripts/install-deps)"
command -v go >/dev/null || die "go is not installed (scripts/install-deps)"
expect() { "$PY" "$TESTS_DIR/vulndb/scan_expect.py" "$@"; }
# same_findings NAME EXPECTED.json REPORT.json: the report's findings are exactly the expected ones.
same_findings() { expect compare "$2" "$3" | tail -40; [[ ${PIPESTATUS[0]} == 0 ]]; }
# scan ARGS...: bulwark scan against the test database; its output in $T/scan.out and
# $T/scan.err, the exit status in $RC (not inside `check`: a subshell would lose it).
scan() {
  RC=0
  "$BULWARK_BIN" scan --db "$DB" "$@" >"$T/scan.out" 2>"$T/scan.err" || RC=$?
}
# layer DIR TAR: a tar layer of DIR's contents.
layer() { tar -C "$1" --owner=0 --group=0 --numeric-owner --sort=name -cf "$2" .; }

# --- the database -----------------------------------------------------------------------------
mkdir -p "$T/feeds"
expect debian-feed "$ROOTFS/var/lib/dpkg" "$T/feeds/tracker.json" || die "cannot write the Debian feed"
"$BULWARK_BIN" db import --db "$DB" "$T/feeds/tracker.json" "$FEEDS/vunnel-fixtures/debian/input/debian.json" \
  "$FEEDS/golang-vulndb/data" "$FEEDS/pypa-advisory-db/vulns" "$FEEDS/rustsec/crates" "$FEEDS/rubysec/gems" \
  "$FEEDS/alpine-secdb" >"$T/import.out" 2>"$T/import.err"
check "db import of every feed succeeds" equals "$?" 0
"$BULWARK_BIN" db status --db "$DB" --json >"$T/status.json" 2>"$T/status.err"
check "db status --json succeeds" equals "$?" 0
check "db status lists the imported sources" equals \
  "$(jq -r '[.sources[].source] | sort | join(",")' "$T/status.json" 2>&1)" "alpine,debian,osv,rubysec,rustsec"

# --- Debian ------------------------------------------------------------------------------------
tar -C "$ROOTFS" --numeric-owner --exclude=./.complete -cf "$T/debian.tar" . || die "tar of the rootfs"
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" debian "$T/debian.tar" >/dev/null || die "layout"
expect debian "$ROOTFS/var/lib/dpkg" bookworm "$T/feeds/tracker.json" \
  "$FEEDS/vunnel-fixtures/debian/input/debian.json" >"$T/debian.expected.json" || die "Debian expectation"
check "the Debian case has findings of every state" equals \
  "$(jq -r '[.[].status] | unique | join(",")' "$T/debian.expected.json")" "affected,unfixed,will_not_fix"

scan "oci:$T/oci:debian" -o json
cp "$T/scan.out" "$T/debian.json"
check "scan of the Debian image succeeds (no --fail-on: exit 0)" equals "$RC" 0
check "the report names the distribution" equals "$(jq -r '.images[0].distro' "$T/debian.json")" "debian:12"
check "Debian findings equal the independent answer (source package and version, states, urgency)" \
  same_findings debian "$T/debian.expected.json" "$T/debian.json"
check "not-affected entries are kept apart, not findings" equals \
  "$(jq '[.images[0].notAffected[] | select(.vulnerability | startswith("CVE-2099-5"))] | length > 0' "$T/debian.json")" true

check "the expectation has high findings, all of them unfixed" equals \
  "$(jq -r '[.[] | select(.severity == "high") | .status] | unique | join(",")' "$T/debian.expected.json")" unfixed
scan "oci:$T/oci:debian" --fail-on high -o json
check "--fail-on high exits 1 with a high finding" equals "$RC" 1
scan "oci:$T/oci:debian" --fail-on critical -o json
check "--fail-on critical exits 0 without a critical one" equals "$RC" 0
scan "oci:$T/oci:debian" --fail-on high --ignore-unfixed -o json
check "--ignore-unfixed drops the unfixed high finding: --fail-on high exits 0" equals "$RC" 0
"$BULWARK_BIN" scan --db "$DB" "oci:$T/oci:debian" --ignore-unfixed -o json >"$T/fixed-only.json" 2>/dev/null
jq '[.[] | select(.status == "affected")]' "$T/debian.expected.json" >"$T/fixed-only.expected.json"
check "--ignore-unfixed leaves exactly the findings with a fix" \
  same_findings fixed-only "$T/fixed-only.expected.json" "$T/fixed-only.json"
scan "oci:$T/oci:debian" --fail-on medium --ignore-unfixed -o json
check "... and the fixed medium ones still fail --fail-on medium" equals "$RC" 1

ignored=$(jq -r '[.[] | select(.severity == "high")][0].ids[0]' "$T/debian.expected.json")
printf '# accepted risk\n%s   # until the upgrade\n' "$ignored" >"$T/ignore.txt"
"$BULWARK_BIN" scan --db "$DB" "oci:$T/oci:debian" --ignore "$T/ignore.txt" --fail-on high -o json \
  >"$T/ignored.json" 2>/dev/null
check "--ignore FILE: the listed high CVE no longer fails --fail-on high" equals "$?" 0
jq --arg id "$ignored" '[.[] | select(.ids | index($id) | not)]' "$T/debian.expected.json" >"$T/ignored.expected.json"
check "... and exactly its findings are gone" same_findings ignored "$T/ignored.expected.json" "$T/ignored.json"
printf 'CVE-2099-0001 pkg:deb/debian/bash exp:2001-13-01\n' >"$T/bad-ignore.txt"
scan "oci:$T/oci:debian" --ignore "$T/bad-ignore.txt"
check "a malformed ignore file is a usage error" equals "$RC" 2
check "... naming its line" run_ok grep -q "line 1" "$T/scan.err"

# The same image as a docker-archive (skopeo's format) gives the same findings.
if command -v skopeo >/dev/null; then
  skopeo copy -q "oci:$T/oci:debian" "docker-archive:$T/debian.docker.tar:test/debian:1" >/dev/null 2>&1
  "$BULWARK_BIN" scan --db "$DB" "docker-archive:$T/debian.docker.tar" -o json >"$T/archive.json" 2>/dev/null
  check "docker-archive: the same findings" same_findings archive "$T/debian.expected.json" "$T/archive.json"
fi

# Output formats: SARIF 2.1.0 with one result per finding, CycloneDX 1.6 VEX, the table.
"$BULWARK_BIN" scan --db "$DB" "oci:$T/oci:debian" -o sarif >"$T/debian.sarif" 2>/dev/null
check "SARIF: version 2.1.0" equals "$(jq -r '.version' "$T/debian.sarif" 2>&1)" "2.1.0"
check "SARIF: one result per finding" equals "$(jq '[.runs[].results[]] | length' "$T/debian.sarif" 2>&1)" \
  "$(jq length "$T/debian.expected.json")"
if grep -q "'sarif-2.1.0'" "$AJV"; then
  check "SARIF: valid against the OASIS schema" run_ok node "$AJV" sarif-2.1.0 "$T/debian.sarif"
fi
"$BULWARK_BIN" scan --db "$DB" "oci:$T/oci:debian" -o cyclonedx-vex >"$T/debian.vex.json" 2>/dev/null
check "VEX: valid CycloneDX 1.6" run_ok node "$AJV" cyclonedx-1.6 "$T/debian.vex.json"
check "VEX: every vulnerability found is in it, not as not_affected" equals \
  "$(jq -r '[.vulnerabilities[] | select(.analysis.state != "not_affected") | .id] | unique | join(",")' "$T/debian.vex.json" 2>&1)" \
  "$(jq -r '[.[].ids[0]] | unique | join(",")' "$T/debian.expected.json")"
check "VEX: the tracker's not-affected entries are stated as not_affected" equals \
  "$(jq -r '[.vulnerabilities[] | select(.analysis.state == "not_affected") | .id] | unique | join(",")' "$T/debian.vex.json" 2>&1)" \
  "$(jq -r '[.[].ids[0] | select(startswith("CVE-2099-1")) | sub("CVE-2099-1"; "CVE-2099-5")] | unique | join(",")' "$T/debian.expected.json")"
"$BULWARK_BIN" scan --db "$DB" "oci:$T/oci:debian" -o table >"$T/debian.txt" 2>/dev/null
check "table: shows a fixed finding with its fix" run_ok grep -Eq \
  "CVE-2099-1001.*glibc.*2\.36-9\+deb12u[0-9]+\+deb12u99|glibc.*CVE-2099-1001.*\+deb12u99" "$T/debian.txt"

# --- Go ------------------------------------------------------------------------------------------
# Fake modules published at chosen versions in a file:// module proxy: the code does not matter,
# the build info records the versions (yaml.v3 at a pseudo-version before its fix; x/text at
# 0.3.7, the fixed version of one advisory and affected by another; gin 1.3.0 just below an
# "introduced" pseudo-version; x/net at the "introduced" of another).
G=$T/go
publish() {  # MODULE VERSION PACKAGE
  local mod=$1 ver=$2 src=$G/src/$1@$2 at=$G/proxy/$1/@v
  mkdir -p "$src" "$at"
  printf 'module %s\n\ngo 1.19\n' "$mod" >"$src/go.mod"
  printf 'package %s\n\nfunc Name() string { return "%s@%s" }\n' "$3" "$mod" "$ver" >"$src/x.go"
  echo "$ver" >>"$at/list"
  printf '{"Version":"%s","Time":"2023-01-01T00:00:00Z"}' "$ver" >"$at/$ver.info"
  cp "$src/go.mod" "$at/$ver.mod"
  "$PY" -c 'import os, sys, zipfile
src, prefix, out = sys.argv[1:4]
with zipfile.ZipFile(out, "w") as z:
    for f in sorted(os.listdir(src)):
        z.write(os.path.join(src, f), prefix + "/" + f)' "$src" "$mod@$ver" "$at/$ver.zip"
}
publish gopkg.in/yaml.v3 v3.0.0-20210107192922-496545a6307b yaml
publish golang.org/x/text v0.3.7 text
publish github.com/gin-gonic/gin v1.3.0 gin
publish golang.org/x/net v0.50.0 net
mkdir -p "$G/app" "$G/root/usr/local/bin"
cat >"$G/app/go.mod" <<'EOF'
module example.com/app

go 1.19

require (
	github.com/gin-gonic/gin v1.3.0
	golang.org/x/net v0.50.0
	golang.org/x/text v0.3.7
	gopkg.in/yaml.v3 v3.0.0-20210107192922-496545a6307b
)
EOF
cat >"$G/app/main.go" <<'EOF'
package main

import (
	"fmt"

	"github.com/gin-gonic/gin"
	"golang.org/x/net"
	"golang.org/x/text"
	"gopkg.in/yaml.v3"
)

func main() { fmt.Println(gin.Name(), net.Name(), text.Name(), yaml.Name()) }
EOF
(cd "$G/app" && env GOPATH="$G/gopath" GOCACHE="$G/cache" GOPROXY="file://$G/proxy" GOSUMDB=off \
  GO111MODULE=on GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod HOME="$G" \
  go build -buildvcs=false -o "$G/root/usr/local/bin/app" .) >"$T/go.log" 2>&1 || { cat "$T/go.log"; die "go build"; }
chmod -R u+w "$G/gopath"
layer "$G/root" "$T/go.tar"
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" go "$T/go.tar" >/dev/null || die "layout"
expect go "$G/root/usr/local/bin/app" "$FEEDS/golang-vulndb/data" >"$T/go.expected.json" || die "Go expectation"
check "the Go case has module and standard library findings" equals \
  "$(jq -r '[.[].package] | unique | join(",")' "$T/go.expected.json")" \
  "github.com/gin-gonic/gin,golang.org/x/net,golang.org/x/text,gopkg.in/yaml.v3,stdlib"
"$BULWARK_BIN" scan --db "$DB" "oci:$T/oci:go" -o json >"$T/go.json" 2>"$T/scan.err"
check "scan of the Go image succeeds" equals "$?" 0
check "Go findings equal the independent answer (modules and stdlib)" \
  same_findings go "$T/go.expected.json" "$T/go.json"

# --- lockfiles -----------------------------------------------------------------------------------
L=$T/lock/root/srv/app
mkdir -p "$L"
cat >"$L/requirements.txt" <<'EOF'
# pinned
Django==3.2.0
jinja2==2.10.1
requests==2.31.0
urllib3==1.26.18
PyYAML==5.3.1
Werkzeug==3.0.6
idna==3.7
EOF
{
  printf '# This file is automatically @generated by Cargo.\nversion = 3\n'
  printf '\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = ["chrono", "h2", "hyper", "regex", "time", "tokio"]\n'
  for p in chrono=0.4.20 h2=0.3.20 hyper=0.13.9 regex=1.5.4 time=0.2.5 tokio=1.20.2; do
    printf '\n[[package]]\nname = "%s"\nversion = "%s"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n' \
      "${p%=*}" "${p#*=}"
  done
} >"$L/Cargo.lock"
cat >"$L/Gemfile.lock" <<'EOF'
GEM
  remote: https://rubygems.org/
  specs:
    mini_portile2 (2.8.0)
    nio4r (2.5.8)
    nokogiri (1.13.9)
      mini_portile2 (~> 2.8.0)
      racc (~> 1.4)
    puma (4.3.8)
      nio4r (~> 2.0)
    racc (1.6.0)
    rack (2.2.6)

PLATFORMS
  ruby

DEPENDENCIES
  nokogiri
  puma
  rack

BUNDLED WITH
   2.3.26
EOF
layer "$T/lock/root" "$T/lock.tar"
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" lock "$T/lock.tar" >/dev/null || die "layout"
{
  expect pypi "$L/requirements.txt" "$FEEDS/pypa-advisory-db/vulns" &&
    expect cargo "$L/Cargo.lock" "$FEEDS/rustsec/crates" &&
    expect gem "$L/Gemfile.lock" "$FEEDS/rubysec/gems"
} | jq -s 'add' >"$T/lock.expected.json" || die "lockfile expectation"
check "the lockfile case has findings in every ecosystem" equals \
  "$(jq -r '[.[].package] | unique | join(",")' "$T/lock.expected.json")" \
  "django,h2,hyper,jinja2,nokogiri,puma,pyyaml,rack,regex,tokio"
"$BULWARK_BIN" scan --db "$DB" "oci:$T/oci:lock" -o json >"$T/lock.json" 2>"$T/scan.err"
check "scan of the lockfile image succeeds" equals "$?" 0
check "PyPI, cargo and gem findings equal the independent answer" \
  same_findings lock "$T/lock.expected.json" "$T/lock.json"

# --- Alpine --------------------------------------------------------------------------------------
A=$T/alpine/root
mkdir -p "$A/lib/apk/db" "$A/etc"
printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.10.2\nPRETTY_NAME="Alpine Linux v3.10"\n' >"$A/etc/os-release"
# package=version=origin; openssl's 1.1.1c is below 1.1.1d (letters), ncurses' _p suffix above
# every fix, busybox above both of its CVE-2019-5747 entries, zlib without any.
for p in musl=1.1.22-r2=musl busybox=1.30.1-r3=busybox libcrypto1.1=1.1.1c-r0=openssl \
  libssl1.1=1.1.1c-r0=openssl ncurses-libs=6.1_p20190518-r0=ncurses expat=2.2.7-r0=expat \
  sqlite-libs=3.28.0-r0=sqlite zlib=1.2.11-r1=zlib exim=4.92.1-r0=exim; do
  IFS== read -r name version origin <<<"$p"
  printf 'C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:%s\nV:%s\nA:x86_64\nS:1000\nI:2000\nT:%s\nU:https://alpinelinux.org\nL:MIT\no:%s\n\n' \
    "$name" "$version" "$name" "$origin"
done >"$A/lib/apk/db/installed"
layer "$A" "$T/alpine.tar"
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" alpine "$T/alpine.tar" >/dev/null || die "layout"
expect alpine "$A/lib/apk/db/installed" 3.10.2 "$FEEDS"/alpine-secdb/v3.*/*.yaml >"$T/alpine.expected.json" ||
  die "Alpine expectation"
check "the Alpine case has findings" run_ok test "$(jq length "$T/alpine.expected.json")" -gt 5
"$BULWARK_BIN" scan --db "$DB" "oci:$T/oci:alpine" -o json >"$T/alpine.json" 2>"$T/scan.err"
check "scan of the Alpine image succeeds" equals "$?" 0
check "the report names the distribution" equals "$(jq -r '.images[0].distro' "$T/alpine.json")" "alpine:3.10"
check "Alpine findings equal the independent answer (origin packages, release 3.10 only)" \
  same_findings alpine "$T/alpine.expected.json" "$T/alpine.json"

# --- bad input -----------------------------------------------------------------------------------
scan "oci:$T/oci:nosuchtag" -o json
check "an unknown image is an error, not a crash" equals "$RC" 2
"$BULWARK_BIN" scan --db "$T/missing.db" "oci:$T/oci:go" >/dev/null 2>"$T/scan.err"
check "a missing database is an error" equals "$?" 2
check "... that says how to make one" run_ok grep -q "db import" "$T/scan.err"

finish
