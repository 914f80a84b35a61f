#!/usr/bin/env bash
# Promotion staging → production (issue 7), end to end with the real server and the real
# `bulwark keygen`/`sign`/`promote`:
#   - projects staging (environment staging) and prod (environment production); prod's policy
#     requires a signature by a key made here (its key id derived with openssl), the server's
#     trust configuration trusts that key for prod/*; a vulnerability database (one OSV record
#     written here: PyPI badlib below 2.0, CVSS 9.8) is imported before the server starts;
#   - an unsigned image (a layer holding goodlib 1.0, made with tar) is refused: exit 1 naming the
#     provenance rule; nothing is left in prod (neither the tag nor the digest); the API answers
#     409 with "allowed": false and the reasons;
#   - callers without pull on the source or push on the destination are refused (403 DENIED,
#     anonymous 401);
#   - signed in staging (`bulwark sign --key`), it is promoted: exit 0, prod/app:1.0 resolves to
#     the same digest, the signature travelled with it (verified in prod under the trust rule),
#     its blobs are in prod without any upload to prod (the access log has none), and pulls work;
#   - a signed image with badlib 1.0 is refused naming PYSEC-2099-1;
#   - every promotion is an "image.promote" audit event with actor, source, destination, reasons.
# Needs openssl, jq, tar.
source "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || die "openssl is not installed"

# key_id PUB: the Sigstore key id of a PEM public key: sha256 of its DER SubjectPublicKeyInfo.
key_id() { echo "sha256:$(openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1)"; }

# python_layer FILE NAME VERSION: a layer (tar) holding an installed Python distribution.
python_layer() {
  local root=$T/root-$2-$3
  mkdir -p "$root/usr/lib/python3/site-packages/$2-$3.dist-info"
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$2" "$3" \
    >"$root/usr/lib/python3/site-packages/$2-$3.dist-info/METADATA"
  tar -C "$root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$1" usr
}

# push_layer_image REPO TAG LAYER: pushes a one-layer image as the administrator; prints its digest.
push_layer_image() {
  local repo=$1 tag=$2 layer=$3 cfg blob
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' \
    "$(digest_of "$layer")" >"$T/cfg.json"
  cp "$layer" "$T/layer.tar"
  for blob in cfg.json layer.tar; do
    req POST "/v2/$repo/blobs/uploads/?digest=$(digest_of "$T/$blob")" \
      -H 'Content-Type: application/octet-stream' --data-binary "@$T/$blob"
    [[ $STATUS == 201 ]] || { echo "$blob push to $repo: $STATUS $(body)" >&2; return 1; }
  done
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
    "$(digest_of "$T/cfg.json")" "$(size_of "$T/cfg.json")" "$(digest_of "$T/layer.tar")" \
    "$(size_of "$T/layer.tar")" >"$T/man.json"
  req PUT "/v2/$repo/manifests/$tag" \
    -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$T/man.json"
  [[ $STATUS == 201 ]] || { echo "manifest push to $repo: $STATUS $(body)" >&2; return 1; }
  digest_of "$T/man.json"
}

# ---- keys, trust configuration, vulnerability database -----------------------------------------
export BULWARK_KEY_PASSWORD=e2e-promote-password
bw_ok keygen --output-key-prefix "$T/k1" || die "bulwark keygen failed"
K1_ID=$(key_id "$T/k1.pub")
cat >"$T/trust.yml" <<EOF
trust:
  rules:
    - repositories: ["prod/*"]
      keys: ["$T/k1.pub"]
EOF
mkdir -p "$T/feed"
cat >"$T/feed/PYSEC-2099-1.json" <<'EOF'
{"id": "PYSEC-2099-1", "modified": "2099-01-01T00:00:00Z", "published": "2099-01-01T00:00:00Z",
 "aliases": [], "summary": "test flaw",
 "affected": [{"package": {"ecosystem": "PyPI", "name": "badlib"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}],
 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}
EOF
"$BULWARK_BIN" db import --db "$DATA/vulndb.sqlite" "$T/feed" >"$T/import.out" 2>&1 ||
  die "bulwark db import failed: $(cat "$T/import.out")"

export BULWARK_CONFIG=$T/trust.yml BULWARK_LOG_LEVEL=info
start_registry
HOST=$REGISTRY_HOSTPORT
export BULWARK_REGISTRY_AUTH=admin:$ADMIN_PW

api() {  # api METHOD PATH JSON [AUTH]
  REQ_AUTH=${4:-admin} req "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"
}
api POST /api/v1/projects '{"name":"staging","environment":"staging"}'
check "project staging (environment staging)" status_is 201
api POST /api/v1/projects '{"name":"prod","environment":"production"}'
check "project prod (environment production)" status_is 201
req PUT /api/v1/projects/prod/policy -H 'Content-Type: application/yaml' --data-binary "version: 1
provenance:
  - repositories: [\"prod/*\"]
    signers:
      - key: $K1_ID
"
check "prod's policy requires a signature by k1" status_is 200 201

python_layer "$T/good.tar" goodlib 1.0
python_layer "$T/bad.tar" badlib 1.0
DIGEST=$(push_layer_image staging/app 1.0 "$T/good.tar") || die "push to staging/app failed"
LAYER=$(digest_of "$T/good.tar")

# ---- unsigned: refused -------------------------------------------------------------------------
bw promote --plain-http "$HOST/staging/app:1.0" "$HOST/prod/app:1.0"
check "promoting the unsigned image is refused (exit 1)" exit_is 1
check "... saying why: the provenance rule wants a signature by k1" run_ok grep -q "required signatures from .*$K1_ID" "$T/bw.out"
bw promote --plain-http -o json "$HOST/staging/app:1.0" "$HOST/prod/app"
check "... -o json: allowed false, the digest, prod's policy" out_json \
  '[.allowed, .digest, .policy, .destination] | @tsv' "false	$DIGEST	project:prod@1	prod/app:1.0"
check "... the reasons name the key it wants" out_json \
  "[.reasons[] | select(contains(\"$K1_ID\"))] | length > 0" true
req GET /v2/prod/app/manifests/1.0 -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "nothing was tagged in prod" status_is 404
req GET "/v2/prod/app/manifests/$DIGEST" -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "... and the copy was removed again" status_is 404

api POST /api/v1/promotions "{\"source\":\"staging/app:1.0\",\"destination\":\"prod/app:1.0\"}"
check "the API answers a refusal with 409" status_is 409
check "... allowed false with the reasons" json_true '.allowed == false and (.reasons | length) > 0'

# ---- authorization -----------------------------------------------------------------------------
api POST /api/v1/users '{"name":"dev","password":"dev pass phrase 1"}'
check "user dev" status_is 201
api PUT /api/v1/projects/staging/members/user/dev '{"role":"maintainer"}'
check "dev maintains staging" status_is 200 201
api POST /api/v1/promotions '{"source":"staging/app:1.0","destination":"prod/app:1.0"}' \
  'dev:dev pass phrase 1'
check "a caller without push on prod is refused: 403 DENIED" error_is 403 DENIED
api PUT /api/v1/projects/prod/members/user/dev '{"role":"maintainer"}'
api POST /api/v1/promotions '{"source":"staging/app:1.0","destination":"prod/app:1.0"}' \
  'dev:dev pass phrase 1'
check "maintainers of a production project may not push there either" error_is 403 DENIED
api POST /api/v1/promotions '{"source":"staging/app:1.0","destination":"prod/app:1.0"}' none
check "anonymous callers: 401" status_is 401
api POST /api/v1/promotions '{"source":"staging/app","destination":"prod/app"}'
check "a source without a tag or digest is refused" error_is 400 NAME_INVALID
api POST /api/v1/promotions '{"source":"staging/app:nope","destination":"prod/app"}'
check "an unknown source tag is 404" error_is 404 MANIFEST_UNKNOWN

# ---- signed: promoted --------------------------------------------------------------------------
check "bulwark sign the staging image with k1" bw_ok sign --key "$T/k1.key" --plain-http "$HOST/staging/app@$DIGEST"
from=$(wc -l <"$REG_LOG")
bw promote --plain-http -o json "$HOST/staging/app:1.0" "$HOST/prod/app:1.0"
check "promoting the signed image works (exit 0)" exit_is 0
check "... allowed under prod's policy, the same digest" out_json '[.allowed, .digest, .outcome] | @tsv' \
  "true	$DIGEST	allow"
check "... verified in prod by k1" out_json ".provenance.verified and (.provenance.signers | index(\"$K1_ID\") != null)" true
check "... its signature copied along" out_json '[.copied[] | select(contains("signature"))] | length > 0' true
req HEAD /v2/prod/app/manifests/1.0 -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "prod/app:1.0 resolves to the same digest" header_is Docker-Content-Digest "$DIGEST"
req HEAD "/v2/prod/app/blobs/$LAYER"
check "prod/app holds the layer" status_is 200
no_upload_to_prod() {
  if tail -n +"$((from + 1))" "$REG_LOG" | grep -F '"msg":"request"' | grep -F '/v2/prod/app/blobs/uploads'; then
    echo "a blob was uploaded to prod/app"; return 1
  fi
}
# Not grep -q: under pipefail an early exit would fail the pipeline with SIGPIPE on a long log.
uploads_logged() { grep -F '"msg":"request"' "$REG_LOG" | grep -F '/v2/staging/app/blobs/uploads' >/dev/null; }
check "the access log does record blob uploads (staging's)" uploads_logged
check "... mounted: no blob upload to prod/app happened" no_upload_to_prod
check "... and the promotion did happen in that window" run_ok grep -qF '"msg":"image promoted"' <(tail -n +"$((from + 1))" "$REG_LOG")
write_authfile "$T/auth.json"
check "skopeo pulls prod/app:1.0" sk_ok copy "docker://$HOST/prod/app:1.0" "oci:$T/pulled:x"
check "the provenance status in prod is verified" wait_for \
  "/api/v1/repositories/prod/app/manifests/$DIGEST/provenance" '.status == "verified"'
bw promote --plain-http "$HOST/staging/app:1.0" "$HOST/prod/app:1.0"
check "promoting it again is harmless (exit 0)" exit_is 0

# ---- vulnerable: refused -----------------------------------------------------------------------
BAD=$(push_layer_image staging/app 2.0 "$T/bad.tar") || die "push of the vulnerable image failed"
check "bulwark sign the vulnerable image with k1" bw_ok sign --key "$T/k1.key" --plain-http "$HOST/staging/app@$BAD"
bw promote --plain-http -o json "$HOST/staging/app:2.0" "$HOST/prod/app:2.0"
check "promoting a vulnerable image is refused (exit 1)" exit_is 1
check "... naming PYSEC-2099-1 and badlib" out_json \
  '[.reasons[] | select(contains("PYSEC-2099-1") and contains("badlib"))] | length > 0' true
check "... although it is signed" out_json '.provenance.verified' true
req GET /v2/prod/app/manifests/2.0 -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "nothing was tagged" status_is 404

# ---- the audit trail ---------------------------------------------------------------------------
EXPORT=$T/audit.jsonl
audit_has() {
  "$BULWARK_BIN" audit export --data "$DATA" >"$EXPORT" 2>"$T/export.err" || { cat "$T/export.err"; return 1; }
  has_event "$1"
}
check "the refused promotion is audited with its reasons" eventually audit_has \
  ".action == \"image.promote\" and .outcome == \"denied\" and .actor == \"admin\" and .resource.digest == \"$DIGEST\"
   and (.reason | contains(\"staging/app:1.0\") and contains(\"prod/app:1.0\") and contains(\"$K1_ID\"))"
check "the allowed one too" eventually audit_has \
  ".action == \"image.promote\" and .outcome == \"allowed\" and .resource.repository == \"prod/app\"
   and .resource.tag == \"1.0\" and .resource.digest == \"$DIGEST\""
check "the vulnerable one with the finding" eventually audit_has \
  ".action == \"image.promote\" and .outcome == \"denied\" and (.reason | contains(\"PYSEC-2099-1\"))"

finish
