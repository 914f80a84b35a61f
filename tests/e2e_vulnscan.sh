#!/usr/bin/env bash
# Vulnerability scanning in the registry (issue 5), end to end with the real server and skopeo:
#   - a debootstrap Debian bookworm image is pushed; before any database exists its scan is done
#     but unmatched, and says why;
#   - `bulwark db import` of a Debian security-tracker feed (written here for source packages the
#     image really has, versions from dpkg-query) while the server runs: the server notices the
#     new database generation and re-matches the stored image from its package index — the
#     expected findings are derived here with dpkg --compare-versions, not from Bulwark;
#   - a feed update (a new CVE, one fixed below the installed version) re-matches again without
#     reading a layer (no second inventory job): the new finding appears, the fixed one is
#     resolved, the report referrer is replaced;
#   - deadlines by severity (configured short), the overdue list and mean time to remediate;
#   - access control on every endpoint.
# Needs BULWARK_ROOTFS (CTest fixture scan_bookworm_rootfs), skopeo, jq.
source "$(dirname "$0")/lib.sh"

ROOTFS=${BULWARK_ROOTFS:?set BULWARK_ROOTFS to a debootstrapped bookworm tree}
bash "$TESTS_DIR/make-rootfs.sh" "$ROOTFS" || die "cannot build the root file system"

tar -C "$ROOTFS" --numeric-owner --exclude=./.complete -cf "$T/base.tar" . || die "tar of the rootfs"
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" deb "$T/base.tar" >/dev/null || die "layout"
rm -f "$T/base.tar"

# Three source packages of the image with their source versions (dpkg-query, independent).
dpkg-query --admindir="$ROOTFS/var/lib/dpkg" -W -f '${source:Package}\t${source:Version}\n' |
  LC_ALL=C sort -u >"$T/sources.tsv"
for want in bash tar zlib; do
  grep -q "^$want	" "$T/sources.tsv" || die "source package $want is not in the image"
done
src_version() { awk -F'\t' -v p="$1" '$1 == p { print $2 }' "$T/sources.tsv"; }

# feed FILE SPEC...: a security-tracker JSON; SPEC is SOURCE:CVE:STATUS:FIXED:URGENCY.
feed() {
  local out=$1
  shift
  python3 - "$out" "$@" <<'PY'
import json, sys
out, specs = sys.argv[1], sys.argv[2:]
doc = {}
for spec in specs:
    src, cve, status, fixed, urgency = spec.split("|")
    rel = {"status": status, "urgency": urgency, "repositories": {"bookworm": "x"}}
    if fixed:
        rel["fixed_version"] = fixed
    doc.setdefault(src, {})[cve] = {"description": "test " + cve, "scope": "local",
                                     "releases": {"bookworm": rel}}
json.dump(doc, open(out, "w"), indent=1)
PY
}
above() { echo "$1+fix1"; }   # sorts after $1 in dpkg order
below=0.0.1-1                  # sorts before every installed version
for v in "$(src_version bash)" "$(src_version tar)" "$(src_version zlib)"; do
  dpkg --compare-versions "$(above "$v")" gt "$v" || die "$(above "$v") is not above $v"
  dpkg --compare-versions "$below" lt "$v" || die "$below is not below $v"
done

mkdir -p "$T/feed1" "$T/feed2"
feed "$T/feed1/debian.json" \
  "bash|CVE-2099-0001|resolved|$(above "$(src_version bash)")|high" \
  "tar|CVE-2099-0002|open||low" \
  "zlib|CVE-2099-0009|resolved|$below|medium"
feed "$T/feed2/debian.json" \
  "bash|CVE-2099-0001|resolved|$below|high" \
  "tar|CVE-2099-0002|open||low" \
  "zlib|CVE-2099-0003|resolved|$(above "$(src_version zlib)")|medium" \
  "zlib|CVE-2099-0009|resolved|$below|medium"

# The expected (vulnerability, source package, fixed) triples of a feed for this image: a
# resolved entry is a finding when installed < fixed (dpkg), an open one always.
expected() {
  jq -r 'to_entries[] | .key as $s | .value | to_entries[] |
         [$s, .key, .value.releases.bookworm.status, (.value.releases.bookworm.fixed_version // "")] | @tsv' "$1" |
    while IFS=$'\t' read -r src cve status fixed; do
      installed=$(src_version "$src")
      if [[ $status == open ]] || dpkg --compare-versions "$installed" lt "$fixed"; then
        [[ $status == open ]] && fixed=""
        printf '%s\t%s\t%s\n' "$cve" "$src" "$fixed"
      fi
    done | LC_ALL=C sort
}
expected "$T/feed1/debian.json" >"$T/expect1.tsv"
expected "$T/feed2/debian.json" >"$T/expect2.tsv"
check "the feeds are worth testing (2 findings, then 2 others)" equals \
  "$(cut -f1 "$T/expect1.tsv" | tr '\n' ' ')/$(cut -f1 "$T/expect2.tsv" | tr '\n' ' ')" \
  "CVE-2099-0001 CVE-2099-0002 /CVE-2099-0002 CVE-2099-0003 "

# --- the registry, with a short poll and short deadlines --------------------------------------
export BULWARK_VULNDB_POLL=1s BULWARK_DEADLINE_HIGH=2s BULWARK_LOG_LEVEL=info
start_registry
write_authfile "$T/auth.json"
sk_ok copy "oci:$T/oci:deb" "docker://$REGISTRY_HOSTPORT/team/debian:12"
digest=sha256:$(skopeo inspect --raw --tls-verify=false --authfile "$T/auth.json" \
  "docker://$REGISTRY_HOSTPORT/team/debian:12" | sha256sum | cut -d' ' -f1)
vulns=/api/v1/repositories/team/debian/manifests/$digest/vulnerabilities

found() { jq -r '.findings[] | select(.resolvedAt == null) | [.vulnerability, .package.name, .fixedVersion] | @tsv' "$T/resp.body" | LC_ALL=C sort; }
same_file() { diff -u "$1" "$2" | head -20; cmp -s "$1" "$2"; }

check "without a database the scan finishes unmatched" wait_for "$vulns" '.scan.state == "done"'
check "... and says why" run_ok jq -e '.match == null and (.scan.detail | test("no vulnerability database"))' "$T/resp.body"
check "... with no findings" equals "$(jq '.findings | length' "$T/resp.body")" 0

# --- the first feed ---------------------------------------------------------------------------
"$BULWARK_BIN" db import --db "$DATA/vulndb.sqlite" "$T/feed1" >"$T/import1.out" 2>&1
check "bulwark db import into the running registry's database" equals "$?" 0
check "the server re-matches the stored image (generation 1)" wait_for "$vulns" '.match.db_generation >= 1 and .match.report != ""'
gen1=$(jq '.match.db_generation' "$T/resp.body")
found >"$T/found1.tsv"
check "findings equal dpkg's answer" same_file "$T/expect1.tsv" "$T/found1.tsv"
check "the distribution's urgency is the severity, with its source" run_ok jq -e \
  '[.findings[] | select(.vulnerability == "CVE-2099-0001")][0] | .severity == "high" and .severitySource == "debian"' "$T/resp.body"
check "the unfixed one says so" run_ok jq -e \
  '[.findings[] | select(.vulnerability == "CVE-2099-0002")][0] | .status == "unfixed" and .severity == "low"' "$T/resp.body"
check "high findings get the configured deadline (first_seen + 2 s)" run_ok jq -e \
  '[.findings[] | select(.vulnerability == "CVE-2099-0001")][0] | .deadline == .firstSeen + 2' "$T/resp.body"
check "low findings get none by default" run_ok jq -e \
  '[.findings[] | select(.vulnerability == "CVE-2099-0002")][0] | .deadline == null' "$T/resp.body"
check "the open counts by severity" run_ok jq -e '.open == {"high": 1, "low": 1}' "$T/resp.body"
report1=$(jq -r '.match.report' "$T/resp.body")

req GET "/v2/team/debian/referrers/$digest?artifactType=application/vnd.bulwark.vulnerability-report.v1%2Bjson"
check "the report is attached as a referrer" equals "$(jq -r '[.manifests[].digest] | join(",")' "$T/resp.body")" "$report1"
req GET "/v2/team/debian/manifests/$report1" -H 'Accept: application/vnd.oci.image.manifest.v1+json'
layer=$(jq -r '.layers[0].digest' "$T/resp.body")
req GET "/v2/team/debian/blobs/$layer"
check "... and lists the findings" equals \
  "$(jq -r '[.images[].findings[].vulnerability] | unique | join(",")' "$T/resp.body")" \
  "CVE-2099-0001,CVE-2099-0002"

check "the high finding becomes overdue after its deadline" wait_for /api/v1/vulnerabilities/overdue \
  '[.findings[] | select(.vulnerability == "CVE-2099-0001" and .repository == "team/debian")] | length == 1'
check "... and is counted so in the summary" wait_for /api/v1/vulnerabilities/summary \
  '[.severities[] | select(.severity == "high")][0] | .open == 1 and .overdue == 1'

# --- the feed update: re-matched without reading a layer --------------------------------------
sbom_jobs() { grep -c '"job done","kind":"sbom"' "$REG_LOG"; }
jobs_before=$(sbom_jobs)
"$BULWARK_BIN" db import --db "$DATA/vulndb.sqlite" "$T/feed2" >"$T/import2.out" 2>&1
check "the update imports" equals "$?" 0
check "the server re-matches again" wait_for "$vulns" ".match.db_generation > $gen1"
found >"$T/found2.tsv"
check "the new finding appears, the fixed one is gone" same_file "$T/expect2.tsv" "$T/found2.tsv"
check "no layer was read again (no new inventory job)" equals "$(sbom_jobs)" "$jobs_before"
req GET "$vulns?resolved=true"
check "the fixed finding is resolved, with its time" run_ok jq -e \
  '[.findings[] | select(.vulnerability == "CVE-2099-0001")][0] | .resolvedAt != null and .resolvedAt >= .firstSeen' "$T/resp.body"
# The report referrer follows in the background (a vuln-report job queued with the findings).
check "a new report is attached after the re-match" wait_for "$vulns" ".match.report != \"$report1\""
report2=$(jq -r '.match.report' "$T/resp.body")
req GET "/v2/team/debian/referrers/$digest?artifactType=application/vnd.bulwark.vulnerability-report.v1%2Bjson"
check "the report referrer is replaced, not added" equals "$(jq -r '[.manifests[].digest] | join(",")' "$T/resp.body")" "$report2"
check "... by a new one" run_ok test "$report2" != "$report1"
req GET /api/v1/vulnerabilities/summary
check "mean time to remediate is reported for resolved high findings" run_ok jq -e \
  '[.severities[] | select(.severity == "high")][0] | .resolved == 1 and .open == 0 and .mean_time_to_remediate_seconds >= 0' "$T/resp.body"

# --- access ------------------------------------------------------------------------------------
REQ_AUTH=none req GET "$vulns"
check "findings need pull access" status_is 401
EVE_PW='eve pass phrase 3'
REQ_AUTH=admin req POST /api/v1/users -H 'Content-Type: application/json' \
  --data-binary "$(jq -cn --arg p "$EVE_PW" '{name: "eve", password: $p}')"
check "a second user is created" status_is 201
REQ_AUTH="eve:$EVE_PW" req GET /api/v1/vulnerabilities/summary
check "a user without pull on the repository sees none of its counts" run_ok jq -e '.severities == []' "$T/resp.body"

finish
