#!/usr/bin/env bash
# Provenance status in the registry (issue 6, server part), end to end with the real server and
# the real `bulwark keygen`/`sign`/`attest`:
#   - a configuration with a trust rule naming a missing key, or an unreadable one, refuses to
#     start and says which key;
#   - an image pushed to a repository a rule covers becomes "unverified" (no_signature) on its
#     own; one outside every rule is unverified with no_trust_rule;
#   - signing it (`bulwark sign`) makes it "verified" with the signer's key id, derived here from
#     the public key with openssl; an attestation of the type the rule reports is verified too;
#   - a restart under a configuration trusting another key re-verifies the stored image without
#     any push: "unverified" (wrong_key) under a new trust fingerprint; back to the first key,
#     verified again;
#   - anonymous callers and users without pull are refused; unknown manifests are 404.
# Needs openssl, jq.
source "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || die "openssl is not installed"


# wait_log FROM PATTERN...: waits (at most 120 s) until a line of the registry log after line FROM
# contains every PATTERN (fixed strings).
wait_log() {
  local from=$1 deadline=$((SECONDS + 120)) p lines
  shift
  while ((SECONDS < deadline)); do
    lines=$(tail -n +"$((from + 1))" "$REG_LOG")
    for p in "$@"; do lines=$(grep -F -- "$p" <<<"$lines"); done
    [[ -n $lines ]] && return 0
    sleep 0.2
  done
  echo "no registry log line after line $from with all of: $*"
  return 1
}

# key_id PUB: the Sigstore key id of a PEM public key: sha256 of its DER SubjectPublicKeyInfo.
key_id() { echo "sha256:$(openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1)"; }

# write_config FILE KEY: trusts KEY for prod/*, reporting CycloneDX attestations.
write_config() {
  cat >"$1" <<EOF
trust:
  rules:
    - repositories: ["prod/*"]
      keys: ["$2"]
      attestations: [cyclonedx]
EOF
}

# ---- keys and configurations -----------------------------------------------------------------
export BULWARK_KEY_PASSWORD=e2e-provenance-password
bw_ok keygen --output-key-prefix "$T/k1" || die "bulwark keygen failed"
bw_ok keygen --output-key-prefix "$T/k2" || die "bulwark keygen failed"
K1_ID=$(key_id "$T/k1.pub")
K2_ID=$(key_id "$T/k2.pub")
check "two different keys" run_ok test "$K1_ID" != "$K2_ID"
write_config "$T/trust-k1.yml" "$T/k1.pub"
write_config "$T/trust-k2.yml" "$T/k2.pub"

# ---- bad configurations refuse to start --------------------------------------------------------
write_config "$T/missing.yml" "$T/no-such.pub"
printf 'not a key\n' >"$T/junk.pub"
write_config "$T/junk.yml" "$T/junk.pub"
for bad in missing junk; do
  rc=0
  BULWARK_ADMIN_PASSWORD=$ADMIN_PW timeout 30 "$BULWARK_BIN" serve --listen 127.0.0.1:0 \
    --data "$T/bad-$bad" --config "$T/$bad.yml" >"$T/bad.out" 2>"$T/bad.err" || rc=$?
  check "serve refuses a $bad trust key (exit 2)" equals "$rc" 2
  check "... naming the configuration key" run_ok grep -q 'trust.rules\[0\].keys\[0\]' "$T/bad.err"
done

# ---- push: unverified until signed -----------------------------------------------------------
export BULWARK_CONFIG=$T/trust-k1.yml BULWARK_LOG_LEVEL=info
start_registry
HOST=$REGISTRY_HOSTPORT
export BULWARK_REGISTRY_AUTH=admin:$ADMIN_PW
DIGEST=$(push_image admin prod/app v1) || die "push to prod/app failed"
DEV_DIGEST=$(push_image admin dev/app v1) || die "push to dev/app failed"
P=/api/v1/repositories/prod/app/manifests/$DIGEST/provenance

check "a pushed image is verified on its own: unverified, no_signature" wait_for "$P" \
  '.status == "unverified" and .reason == "no_signature" and .verified == false'
check "... named, with no signatures and the attestation type reported unverified" json_true \
  ".digest == \"$DIGEST\" and .repository == \"prod/app\" and (.signatures | length) == 0
   and .attestationTypes == [{\"predicateType\": \"https://cyclonedx.org/bom\", \"verified\": false,
   \"reason\": \"no_signature\"}] and (.verifiedAt | type) == \"number\" and .rule == 0"
FP1=$(jq -r .trustFingerprint "$T/resp.body")
check "... under a sha256 trust fingerprint" run_ok bash -c '[[ $1 =~ ^sha256:[0-9a-f]{64}$ ]]' _ "$FP1"
check "an image outside every rule: no_trust_rule" \
  wait_for "/api/v1/repositories/dev/app/manifests/$DEV_DIGEST/provenance" \
  '.status == "unverified" and .reason == "no_trust_rule"'

# ---- access control and errors -----------------------------------------------------------------
REQ_AUTH=none req GET "$P"
check "anonymous callers are refused" status_is 401
req POST /api/v1/users -H 'Content-Type: application/json' \
  --data-binary '{"name":"outsider","password":"outsider pass phrase 1"}'
check "a user without any membership exists" status_is 201
REQ_AUTH='outsider:outsider pass phrase 1' req GET "$P"
check "... and may not read the status (no pull on prod/app)" status_is 401 403 404
req GET "/api/v1/repositories/prod/app/manifests/sha256:$(printf x | sha256sum | cut -d' ' -f1)/provenance"
check "an unknown manifest is 404 MANIFEST_UNKNOWN" error_is 404 MANIFEST_UNKNOWN
req GET /api/v1/repositories/prod/app/manifests/sha256:abc/provenance
check "a malformed digest is refused" error_is 400 DIGEST_INVALID

# ---- signing makes it verified -----------------------------------------------------------------
check "bulwark sign with k1" bw_ok sign --key "$T/k1.key" --plain-http "$HOST/prod/app@$DIGEST"
check "the signature push re-verifies the image: verified" wait_for "$P" \
  '.status == "verified" and .verified == true and .reason == "verified"'
check "... by k1 (key id from openssl)" json_true \
  "[.signatures[] | select(.verified) | .signer] | index(\"$K1_ID\") != null"
check "... under the same configuration" json_is .trustFingerprint "$FP1"
printf '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}' >"$T/bom.json"
check "bulwark attest a CycloneDX SBOM with k1" \
  bw_ok attest --key "$T/k1.key" --predicate "$T/bom.json" --type cyclonedx --plain-http "$HOST/prod/app@$DIGEST"
check "the attestation type becomes verified" wait_for "$P" \
  '.status == "verified" and (.attestationTypes[0] | .predicateType == "https://cyclonedx.org/bom" and .verified == true)'
printf '{"buildType":"https://example.com/build","builder":{"id":"https://example.com/ci"}}' >"$T/slsa.json"
check "bulwark attest a SLSA provenance (a type the rule does not report) with k1" \
  bw_ok attest --key "$T/k1.key" --predicate "$T/slsa.json" --type slsaprovenance --plain-http "$HOST/prod/app@$DIGEST"
# Two copies: the .att layer and the Sigstore bundle referrer (attest's default layout, both).
check "it is verified too (policies may require it), signed by k1, and not reported as a rule type" \
  wait_for "$P" "([.attestations[] | select(.predicateType == \"https://slsa.dev/provenance/v0.2\" and .verified and .signer == \"$K1_ID\")] | length) == 2
   and (.attestationTypes | length) == 1"

# ---- another trust configuration: recomputed without a push --------------------------------------
stop_registry
export BULWARK_CONFIG=$T/trust-k2.yml
from=$(wc -l <"$REG_LOG")
start_registry
# Before anyone asks (the API would queue a verification itself): the server re-verifies on its own.
check "after a restart trusting k2 only, the server re-verifies the stored image by itself" \
  wait_log "$from" '"msg":"image provenance verified"' "\"digest\":\"$DIGEST\"" '"reason":"wrong_key"'
check "... and the other stored image too" \
  wait_log "$from" '"msg":"image provenance verified"' "\"digest\":\"$DEV_DIGEST\""
check "the status is then unverified, wrong_key, under a new fingerprint" wait_for "$P" \
  ".status == \"unverified\" and .reason == \"wrong_key\" and .trustFingerprint != \"$FP1\""
check "... every signature refused as signed by another key" json_true \
  '(.signatures | length) > 0 and all(.signatures[]; .verified == false and .reason == "wrong_key")'
check "... and the attestation no longer counts" json_true '.attestationTypes[0].verified == false'
FP2=$(jq -r .trustFingerprint "$T/resp.body")

stop_registry
export BULWARK_CONFIG=$T/trust-k1.yml
from=$(wc -l <"$REG_LOG")
start_registry
check "back to k1: re-verified by the server itself" \
  wait_log "$from" '"msg":"image provenance verified"' "\"digest\":\"$DIGEST\"" '"verified":true'
check "... verified again, under the first fingerprint" wait_for "$P" \
  ".status == \"verified\" and .trustFingerprint == \"$FP1\""
check "the fingerprints of the two configurations differ" run_ok test "$FP1" != "$FP2"

finish
