#!/usr/bin/env bash
# `bulwark policy test POLICY REF` end to end (issue 7), against the real server:
#   - an image built here (a base layer with a Debian os-release and a dpkg database holding one
#     package, an application layer, a config label, a manifest annotation) is pushed and signed
#     with a key made by `bulwark keygen`; a Debian security-tracker feed written here gives the
#     package one high-severity vulnerability (dpkg --compare-versions says it applies);
#   - an allowing policy (the signing key, the base layer as the approved base image, the label
#     pattern, the annotation, an exception for the vulnerability) allows it: exit 0;
#   - the same without the exception flags it outside production (exit 0) and blocks it with
#     --production (exit 1), naming the vulnerability;
#   - a blocking policy (another key, another base, another label pattern) blocks it with one
#     reason per rule; without trust flags the provenance rule fails saying nothing was verified;
#   - a policy with a mistake is refused naming the field (exit 2).
# Expected key ids are computed with openssl, layer digests with sha256sum. Needs jq, openssl,
# dpkg.
source "$(dirname "$0")/lib.sh"

start_registry
HOST=$REGISTRY_HOSTPORT
export BULWARK_REGISTRY_AUTH=admin:$ADMIN_PW

# ---- the image ------------------------------------------------------------------------------
INSTALLED=1:1.2.13.dfsg-1
FIXED=1:1.2.13.dfsg-2
dpkg --compare-versions "$INSTALLED" lt "$FIXED" || die "$INSTALLED is not below $FIXED"
mkdir -p "$T/base/etc" "$T/base/var/lib/dpkg" "$T/app/app"
cat >"$T/base/etc/os-release" <<'OS'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
OS
cat >"$T/base/var/lib/dpkg/status" <<STATUS
Package: zlib1g
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 100
Maintainer: Test <test@example.com>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: $INSTALLED
Description: compression library - runtime

STATUS
echo "hello" >"$T/app/app/hello.txt"
layer() { tar -C "$1" --owner=0 --group=0 --numeric-owner --sort=name --mtime=@0 -cf "$2" .; }
layer "$T/base" "$T/base.tar"
layer "$T/app" "$T/app.tar"
L1=$(digest_of "$T/base.tar")
L2=$(digest_of "$T/app.tar")
jq -cn --arg l1 "$L1" --arg l2 "$L2" '{architecture: "amd64", os: "linux",
  config: {Labels: {"org.opencontainers.image.source": "https://github.com/acme/app"}},
  rootfs: {type: "layers", diff_ids: [$l1, $l2]}}' >"$T/config.json"
jq -cn --arg c "$(digest_of "$T/config.json")" --argjson cs "$(size_of "$T/config.json")" \
  --arg l1 "$L1" --argjson s1 "$(size_of "$T/base.tar")" \
  --arg l2 "$L2" --argjson s2 "$(size_of "$T/app.tar")" '{schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l1, size: $s1},
           {mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l2, size: $s2}],
  annotations: {team: "payments"}}' >"$T/manifest.json"
for f in base.tar app.tar config.json; do push_blob prod/app "$T/$f" || die "push of $f"; done
push_manifest prod/app v1 "$T/manifest.json" application/vnd.oci.image.manifest.v1+json ||
  die "push of the manifest"
REF=$HOST/prod/app:v1

export BULWARK_KEY_PASSWORD=e2e-key-password
bw keygen --output-key-prefix "$T/k1" && bw keygen --output-key-prefix "$T/k2"
[[ $BW_RC == 0 ]] || die "keygen: $(cat "$T/bw.err")"
bw sign --key "$T/k1.key" --plain-http "$REF"
[[ $BW_RC == 0 ]] || die "sign: $(cat "$T/bw.err")"
keyid() { echo "sha256:$(openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1)"; }
K1=$(keyid "$T/k1.pub")
K2=$(keyid "$T/k2.pub")

# ---- the vulnerability database ---------------------------------------------------------------
mkdir -p "$T/feed"
jq -n --arg fixed "$FIXED" '{zlib: {"CVE-2099-0042": {description: "test", scope: "local",
  releases: {bookworm: {status: "resolved", fixed_version: $fixed, urgency: "high",
  repositories: {bookworm: "x"}}}}}}' >"$T/feed/debian.json"
"$BULWARK_BIN" db import --db "$T/vuln.db" "$T/feed" >"$T/import.out" 2>&1 ||
  die "db import: $(cat "$T/import.out")"

# ---- policies ---------------------------------------------------------------------------------
allowing() {  # allowing [EXCEPTION=yes]
  cat <<POLICY
version: 1
provenance:
  - repositories: ["prod/*"]
    signers: [{key: $K1}]
base_images:
  action: block
  approved: [{name: bookworm-golden, layers: [$L1]}]
labels:
  - {name: org.opencontainers.image.source, pattern: "https://github.com/acme/.*", action: block}
  - {name: team, in: annotation, action: block}
POLICY
  [[ ${1:-yes} == yes ]] && cat <<POLICY
exceptions:
  - {vulnerability: CVE-2099-0042, justification: "not reachable", approver: alice, expires: "2099-01-01T00:00:00Z"}
POLICY
  return 0
}
allowing yes >"$T/allow.yaml"
allowing no >"$T/vuln.yaml"
cat >"$T/block.yaml" <<POLICY
version: 1
provenance:
  - repositories: ["prod/*"]
    signers: [{key: $K2}]
base_images:
  action: block
  approved: [{name: golden, layers: [sha256:$(printf '0%.0s' {1..64})]}]
labels:
  - {name: org.opencontainers.image.source, pattern: "https://github.com/other/.*", action: block}
POLICY

pt() { bw policy test --db "$T/vuln.db" --plain-http "$@"; }
# reason_has TEXT: some reason of the last JSON decision contains TEXT.
reason_has() {
  jq -e --arg t "$1" 'any(.reasons[]; contains($t))' "$T/bw.out" >/dev/null && return 0
  echo "no reason contains: $1"; jq '.reasons' "$T/bw.out"; return 1
}
rule_is() {  # rule_is RULE OUTCOME
  out_json "[.rules[] | select(.rule == \"$1\") | .outcome] | join(\",\")" "$2"
}

pt --key "$T/k1.pub" -o json "$T/allow.yaml" "$REF"
check "the allowing policy allows (exit 0)" exit_is 0
check "... outcome allow" out_json .outcome allow
check "... the signature by the required key counts" rule_is "provenance[0]" allow
check "... the base layer is the approved base" rule_is base_images allow
check "... the label matches" rule_is "labels[0]" allow
check "... the annotation is present" rule_is "labels[1]" allow
check "... the vulnerability is found and waived" out_json \
  '[.findings[] | select(.vulnerability == "CVE-2099-0042" and .package == "zlib") | .outcome + "/" + .exception.approver] | join(",")' \
  allow/alice
check "... the finding is high severity" out_json '.findings[0].severity' high

pt --key "$T/k1.pub" "$T/allow.yaml" "$REF"
check "the table explains rule by rule" run_ok grep -q "^  base_images  *allow  *base_images: built on bookworm-golden" "$T/bw.out"
check "... and ends with the decision" run_ok grep -q "^decision allow" "$T/bw.out"

pt --key "$T/k1.pub" -o json "$T/vuln.yaml" "$REF"
check "without the exception a high finding flags outside production (exit 0)" exit_is 0
check "... outcome flag" out_json .outcome flag
check "... the reason names the vulnerability" reason_has "CVE-2099-0042 in zlib: high severity, fix available"
pt --key "$T/k1.pub" --production -o json "$T/vuln.yaml" "$REF"
check "... and blocks in production (exit 1)" exit_is 1
check "... outcome block" out_json .outcome block
check "... for the vulnerability" reason_has "CVE-2099-0042 in zlib"

pt --key "$T/k1.pub" -o json "$T/block.yaml" "$REF"
check "the blocking policy blocks (exit 1)" exit_is 1
check "... outcome block" out_json .outcome block
check "... provenance: the required key did not sign" reason_has \
  "provenance[0] (prod/*): 0 of 1 required signatures from [key $K2]; verified signers: $K1"
check "... base image: not the approved one" reason_has \
  "base_images: lowest layer $L1 matches no approved base image (approved: golden)"
check "... label: the source does not match" reason_has \
  "labels[0]: label org.opencontainers.image.source = \"https://github.com/acme/app\" does not match https://github.com/other/.*"

pt -o json "$T/allow.yaml" "$REF"
check "without trust flags the provenance rule fails (exit 1)" exit_is 1
check "... saying nothing was verified" reason_has "verified signers: none (not verified: no trust flags given"

printf 'version: 1\nlabels:\n  - {name: x, in: config}\n' >"$T/bad.yaml"
pt -o json "$T/bad.yaml" "$REF"
check "a policy with a mistake is refused (exit 2)" exit_is 2
check "... naming the field" run_ok grep -q "labels\[0\].in: expected label, annotation or any" "$T/bw.err"

finish
