#!/usr/bin/env bash
# Image inventory end to end (issue 4), against independent answers:
#   - a real Debian bookworm root file system (debootstrap --variant=minbase, tests/make-rootfs.sh)
#     packed into an OCI image: `bulwark sbom` lists exactly what `dpkg-query --admindir` lists,
#     package for package, version for version, with source packages;
#   - a second layer that removes a package the way dpkg does (status rewritten, files whited
#     out): the package disappears, the others keep the layer that introduced them;
#   - every document validates against the official CycloneDX 1.5/1.6 and SPDX 2.3 schemas (ajv);
#   - the same image pushed with skopeo: the registry scans it in the background, attaches both
#     SBOMs as OCI 1.1 referrers, serves them on /api/v1 and indexes the packages; the scan
#     survives a kill -9 of the server;
#   - hostile layers (path traversal, a decompression bomb) are refused with a clear error, by
#     the CLI and by the scan on push.
# Needs BULWARK_ROOTFS (the CTest fixture scan_bookworm_rootfs builds it), skopeo, node.
source "$(dirname "$0")/lib.sh"

ROOTFS=${BULWARK_ROOTFS:?set BULWARK_ROOTFS to a debootstrapped bookworm tree}
bash "$TESTS_DIR/make-rootfs.sh" "$ROOTFS" || die "cannot build the root file system"
AJV=$TESTS_DIR/ajv/validate.js
export BULWARK_SCHEMA_DIR=${BULWARK_SCHEMA_DIR:-$BULWARK_SHARED/data/schemas}

# --- the images -----------------------------------------------------------------------------
tar -C "$ROOTFS" --numeric-owner --exclude=./.complete -cf "$T/base.tar" . || die "tar of the rootfs"
removed=hostname
python3 - "$ROOTFS" "$T/l2" "$removed" <<'EOF' || die "cannot make the removal layer"
# Layer 2: what `dpkg --purge PKG` leaves: its stanza gone from status, its files whited out.
import os, sys
root, out, pkg = sys.argv[1:]
status = open(os.path.join(root, "var/lib/dpkg/status")).read().split("\n\n")
kept = [s for s in status if not s.startswith("Package: %s\n" % pkg)]
assert len(kept) == len(status) - 1, "package not in status"
os.makedirs(os.path.join(out, "var/lib/dpkg"))
open(os.path.join(out, "var/lib/dpkg/status"), "w").write("\n\n".join(kept))
for line in open(os.path.join(root, "var/lib/dpkg/info/%s.list" % pkg)):
    path = line.strip().lstrip("/")
    full = os.path.join(root, path)
    if path and os.path.isfile(full) and not os.path.islink(full):
        d = os.path.join(out, os.path.dirname(path))
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, ".wh." + os.path.basename(path)), "w").close()
EOF
tar -C "$T/l2" --numeric-owner -cf "$T/remove.tar" .
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" full "$T/base.tar" >/dev/null || die "layout"
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" slim "$T/base.tar" "$T/remove.tar" >/dev/null || die "layout"
base_layer=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="full") | .digest' "$T/oci/index.json")
base_layer=$(jq -r '.layers[0].digest' "$T/oci/blobs/sha256/${base_layer#sha256:}")

# The independent answer: dpkg-query on the same tree.
dpkg-query --admindir="$ROOTFS/var/lib/dpkg" -W \
  -f '${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n' |
  LC_ALL=C sort >"$T/dpkg.tsv"
grep -v "^$removed	" "$T/dpkg.tsv" >"$T/dpkg-slim.tsv"

# deb components of a CycloneDX document as the same TSV.
deb_tsv() {
  jq -r '.components[] | select(.type == "library")
    | (.properties // [] | map({(.name): .value}) | add) as $p
    | select($p["bulwark:package:type"] == "deb")
    | [.name, .version, $p["bulwark:package:source-name"] // .name,
       $p["bulwark:package:source-version"] // .version, $p["bulwark:package:arch"]] | @tsv' "$1" |
    LC_ALL=C sort
}
same_file() { diff -u "$1" "$2" | head -40; cmp -s "$1" "$2"; }

# --- bulwark sbom ---------------------------------------------------------------------------
"$BULWARK_BIN" sbom "oci:$T/oci:full" -o cyclonedx >"$T/full.cdx.json" 2>"$T/sbom.err"
check "sbom of the debootstrap image succeeds" equals "$?" 0
deb_tsv "$T/full.cdx.json" >"$T/full.tsv"
check "dpkg inventory has every package (>50)" run_ok test "$(wc -l <"$T/dpkg.tsv")" -gt 50
check "dpkg inventory equals dpkg-query, with source packages" same_file "$T/dpkg.tsv" "$T/full.tsv"
check "the OS is Debian 12" equals \
  "$(jq -r '.components[] | select(.type == "operating-system") | "\(.name) \(.version)"' "$T/full.cdx.json")" "debian 12"
check "purls name the distro" run_ok jq -e \
  '[.components[] | select(.name == "bash") | .purl][0] | test("^pkg:deb/debian/bash@.*distro=debian-12")' \
  "$T/full.cdx.json"

"$BULWARK_BIN" sbom "oci:$T/oci:full" -o cyclonedx >"$T/again.cdx.json" 2>/dev/null
check "the same image gives the same bytes" run_ok cmp -s "$T/full.cdx.json" "$T/again.cdx.json"

"$BULWARK_BIN" sbom "oci:$T/oci:slim" -o cyclonedx >"$T/slim.cdx.json" 2>/dev/null
deb_tsv "$T/slim.cdx.json" >"$T/slim.tsv"
check "a package removed by a later layer disappears" same_file "$T/dpkg-slim.tsv" "$T/slim.tsv"
check "the other packages keep the layer that introduced them" equals \
  "$(jq -r '[.components[] | select(.type == "library") | .properties[] | select(.name == "bulwark:layer:digest") | .value] | unique | join(",")' "$T/slim.cdx.json")" \
  "$base_layer"

for kind in cyclonedx-1.5 cyclonedx-1.6 spdx; do
  "$BULWARK_BIN" sbom "oci:$T/oci:slim" -o "$kind" --output-file "$T/slim.$kind.json" 2>/dev/null
  schema=$kind
  [[ $kind == spdx ]] && schema=spdx-2.3
  check "the $kind document is valid against its official schema" run_ok node "$AJV" "$schema" "$T/slim.$kind.json"
done
check "SPDX lists the same packages" equals \
  "$(jq '[.packages[] | select(.externalRefs // [] | map(.referenceLocator) | any(startswith("pkg:deb/")))] | length' "$T/slim.spdx.json")" \
  "$(wc -l <"$T/dpkg-slim.tsv")"
"$BULWARK_BIN" sbom "oci:$T/oci:slim" -o table >"$T/slim.txt" 2>/dev/null
check "the table shows the packages" run_ok grep -Eq '^deb +bash +5\.' "$T/slim.txt"

# --- other sources: multi-platform, docker-archive ------------------------------------------
bash "$TESTS_DIR/make-oci-layout.sh" multiarch "$T/oci" multi 1 >/dev/null
"$BULWARK_BIN" sbom "oci:$T/oci:multi" >/dev/null 2>"$T/multi.err"
check "a multi-platform image needs --platform or --output-dir for JSON" equals "$?" 2
check "... naming its platforms" run_ok grep -q "2 platforms: linux/amd64 linux/arm64" "$T/multi.err"
"$BULWARK_BIN" sbom "oci:$T/oci:multi" --platform linux/arm64 >"$T/arm.cdx.json" 2>/dev/null
check "--platform picks one" equals \
  "$(jq -r '.metadata.component.properties[] | select(.name == "bulwark:image:platform") | .value' "$T/arm.cdx.json")" \
  linux/arm64
"$BULWARK_BIN" sbom "oci:$T/oci:multi" -o spdx --output-dir "$T/multi" 2>/dev/null
check "--output-dir writes one SBOM per platform" equals "$(ls "$T/multi" | tr '\n' ' ')" \
  "linux-amd64.spdx.json linux-arm64.spdx.json "
skopeo --insecure-policy copy -q "oci:$T/oci:slim" "docker-archive:$T/slim-archive.tar:team/debian:slim" ||
  die "skopeo docker-archive"
"$BULWARK_BIN" sbom "docker-archive:$T/slim-archive.tar" >"$T/archive.cdx.json" 2>/dev/null
deb_tsv "$T/archive.cdx.json" >"$T/archive.tsv"
check "a docker save archive gives the same inventory" same_file "$T/dpkg-slim.tsv" "$T/archive.tsv"
rm -f "$T/slim-archive.tar"

# --- hostile layers -------------------------------------------------------------------------
python3 - "$T" <<'EOF'
import io, sys, tarfile
t = sys.argv[1]
with tarfile.open(t + "/escape.tar", "w") as tar:
    info = tarfile.TarInfo("etc/../../../../tmp/bulwark-escape")
    data = b"pwned\n"
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
class Zeros(io.RawIOBase):
    def __init__(self, n): self.left = n
    def readinto(self, b):
        n = min(len(b), self.left); b[:n] = bytes(n); self.left -= n; return n
with tarfile.open(t + "/bomb.tar", "w") as tar:
    info = tarfile.TarInfo("zeros"); info.size = 400 << 20
    tar.addfile(info, Zeros(info.size))
EOF
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" escape "$T/escape.tar" >/dev/null
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" bomb "$T/bomb.tar" >/dev/null
rm -f "$T/bomb.tar"
"$BULWARK_BIN" sbom "oci:$T/oci:escape" >/dev/null 2>"$T/escape.err"
check "a path-traversal layer is refused" equals "$?" 2
check "... saying why" run_ok grep -q "escapes the image root" "$T/escape.err"
check "... and nothing was written outside" run_ok test ! -e /tmp/bulwark-escape
"$BULWARK_BIN" sbom "oci:$T/oci:bomb" >/dev/null 2>"$T/bomb.err"
check "a decompression bomb is refused" equals "$?" 2
check "... saying why" run_ok grep -q "decompression bomb" "$T/bomb.err"

# --- scan on push ---------------------------------------------------------------------------
start_registry
write_authfile "$T/auth.json"
sk_ok copy "oci:$T/oci:slim" "docker://$REGISTRY_HOSTPORT/team/debian:slim"
digest=$(skopeo inspect --raw --tls-verify=false --authfile "$T/auth.json" "docker://$REGISTRY_HOSTPORT/team/debian:slim" | sha256sum | cut -d' ' -f1)
digest=sha256:$digest
sbom_url=/api/v1/repositories/team/debian/manifests/$digest/sbom

# wait_sbom URL: polls until the scan on push has attached the SBOM or failed (at most 120 s);
# the last answer is the current response. Not inside `check` (a subshell would lose it).
wait_sbom() {
  local deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    req GET "$1"
    [[ $STATUS == 200 || ($STATUS == 404 && $(body) == *"failed"*) ]] && return 0
    sleep 0.2
  done
  return 1
}
wait_sbom "$sbom_url"
check "the SBOM is attached in the background after the push, served as CycloneDX" status_is 200
check "... with its media type" header_is Content-Type application/vnd.cyclonedx+json
cp "$T/resp.body" "$T/pushed.cdx.json"
deb_tsv "$T/pushed.cdx.json" >"$T/pushed.tsv"
check "... with the packages dpkg-query lists" same_file "$T/dpkg-slim.tsv" "$T/pushed.tsv"
check "... valid CycloneDX 1.6" run_ok node "$AJV" cyclonedx-1.6 "$T/pushed.cdx.json"
req GET "$sbom_url?format=spdx"
check "the SPDX SBOM is served too" status_is 200
cp "$T/resp.body" "$T/pushed.spdx.json"
check "... valid SPDX 2.3" run_ok node "$AJV" spdx-2.3 "$T/pushed.spdx.json"
req GET "/v2/team/debian/referrers/$digest"
check "both SBOMs are referrers of the image" equals \
  "$(jq -r '[.manifests[].artifactType] | sort | join(",")' "$T/resp.body")" \
  "application/spdx+json,application/vnd.cyclonedx+json"
req GET "/v2/team/debian/referrers/$digest?artifactType=application/spdx%2Bjson"
check "the referrers filter finds the SPDX one" equals "$(jq '.manifests | length' "$T/resp.body")" 1
REQ_AUTH=none req GET "$sbom_url"
check "SBOMs need pull access" status_is 401

# The CLI against a registry that wants a token: bulwark itself.
"$BULWARK_BIN" sbom "docker://$REGISTRY_HOSTPORT/team/debian:slim" --plain-http \
  --creds "admin:$ADMIN_PW" >"$T/remote.cdx.json" 2>"$T/remote.err"
check "bulwark sbom docker:// with credentials (token flow)" equals "$?" 0
deb_tsv "$T/remote.cdx.json" >"$T/remote.tsv"
check "... gives the same inventory" same_file "$T/dpkg-slim.tsv" "$T/remote.tsv"
"$BULWARK_BIN" sbom "$REGISTRY_HOSTPORT/team/debian:slim" --plain-http >/dev/null 2>"$T/anon.err"
check "... and without them it is refused" equals "$?" 2
check "... saying so" run_ok grep -Eiq "denied|unauthorized|not found" "$T/anon.err"

req GET "/api/v1/packages?name=bash"
check "the package index finds the image by package" equals \
  "$(jq -r --arg d "$digest" '[.images[] | select(.digest == $d and .repository == "team/debian") | .version] | length' "$T/resp.body")" 1
req GET "/api/v1/packages?name=bash&type=deb&range=%3E%3D5.0%2C%20%3C6"
check "... within a version range" equals "$(jq '.images | length' "$T/resp.body")" 1
req GET "/api/v1/packages?name=bash&type=deb&range=vers:deb/%3C5.0"
check "... and not outside it" equals "$(jq '.images | length' "$T/resp.body")" 0
req GET "/api/v1/packages?name=$removed"
check "a removed package is not in the index" equals "$(jq '.images | length' "$T/resp.body")" 0
req GET "/api/v1/packages?name=bash&range=%3E%3D%3E"
check "a malformed range is a 400 in the OCI error format" error_is 400 BAD_REQUEST
REQ_AUTH=none req GET "/api/v1/packages?name=bash"
check "package search needs a login" status_is 401

# A scan cut short by kill -9 is done after the restart.
sk_ok copy "oci:$T/oci:full" "docker://$REGISTRY_HOSTPORT/team/debian:full"
full_digest=sha256:$(skopeo inspect --raw --tls-verify=false --authfile "$T/auth.json" "docker://$REGISTRY_HOSTPORT/team/debian:full" | sha256sum | cut -d' ' -f1)
kill_registry
start_registry
write_authfile "$T/auth.json"  # the new port
wait_sbom "/api/v1/repositories/team/debian/manifests/$full_digest/sbom"
check "a scan interrupted by kill -9 completes after the restart" status_is 200
check "... with every package" run_ok test "$(deb_tsv "$T/resp.body" | wc -l)" -eq "$(wc -l <"$T/dpkg.tsv")"

# A hostile image pushed: the scan fails and says why; the registry keeps serving.
sk_ok copy "oci:$T/oci:escape" "docker://$REGISTRY_HOSTPORT/team/evil:1"
evil=sha256:$(skopeo inspect --raw --tls-verify=false --authfile "$T/auth.json" "docker://$REGISTRY_HOSTPORT/team/evil:1" | sha256sum | cut -d' ' -f1)
wait_sbom "/api/v1/repositories/team/evil/manifests/$evil/sbom"
check "the scan of a hostile image fails with the reason" error_is 404 SBOM_UNKNOWN
check "... naming it" run_ok grep -q "escapes the image root" "$T/resp.body"
req GET /v2/
check "the registry still answers" status_is 200

finish
