#!/usr/bin/env bash
# Provenance end to end (issue 6), with the real server, Debian's docker-registry, OpenSSL and the
# npm Sigstore verifier:
#   - `bulwark keygen` writes cosign's encrypted key format (mode 0600) and a PEM public key;
#   - `bulwark sign --key` writes cosign's legacy .sig layout and a Sigstore bundle referrer; the
#     legacy signature is checked here with `openssl dgst -verify` over the payload the registry
#     serves, the bundle with @sigstore/verify (the shared tools/verify-bundle.js, with the packages of tests/sigstore);
#   - `bulwark attest` writes a .att layer and a DSSE bundle referrer with the predicate;
#   - on docker-registry (no referrers API) the bundle goes into the sha256-<hex> fallback tag;
#   - `bulwark verify` / `verify-attestation` accept what was signed and refuse, with the reason,
#     another key, another identity, another issuer, another predicate type, and an unsigned image;
#   - the keyless vectors of ../shared/data/sigstore (cosign legacy .sig, cosign v3 bundle
#     referrers) pushed as they are verify against their trusted root and identity;
#   - `bulwark verify-blob` accepts the keyless blob vector and refuses a changed artifact.
# Needs BULWARK_SHARED (the shared data), docker-registry, openssl, node, jq.
source "$(dirname "$0")/lib.sh"

SIG=${BULWARK_SHARED:?set BULWARK_SHARED to the shared/ folder}/data/sigstore
[[ -f $SIG/oci-image/manifest.json ]] || die "no Sigstore vectors under $SIG"
NODE_MODULES=$TESTS_DIR/sigstore/node_modules
[[ -d $NODE_MODULES/@sigstore/verify ]] || die "tests/sigstore has no node_modules (scripts/install-deps)"

start_registry
HOST=$REGISTRY_HOSTPORT
export BULWARK_REGISTRY_AUTH=admin:$ADMIN_PW
SAN='https://github.com/example-org/example-repo/.github/workflows/release.yml@refs/heads/main'
ISS='https://token.actions.githubusercontent.com'
ROOT=$SIG/keyless-mock/trusted_root.json

# put_blob REPO FILE / put_manifest REPO REF FILE MEDIA_TYPE: raw pushes into Bulwark.
put_blob() {
  req POST "/v2/$1/blobs/uploads/?digest=$(digest_of "$2")" \
    -H 'Content-Type: application/octet-stream' --data-binary "@$2"
  [[ $STATUS == 201 ]] || die "blob $2 -> $1: $STATUS $(body)"
}
put_manifest() {
  req PUT "/v2/$1/manifests/$2" -H "Content-Type: $4" --data-binary "@$3"
  [[ $STATUS == 201 ]] || die "manifest $3 -> $1:$2: $STATUS $(body)"
}
# push_vector_image REPO TAG: the vectors' subject image, so their signatures apply to it.
push_vector_image() {
  put_blob "$1" "$SIG/oci-image/config.json"
  put_blob "$1" "$SIG/oci-image/layer.tar.gz"
  put_manifest "$1" "$2" "$SIG/oci-image/manifest.json" application/vnd.oci.image.manifest.v1+json
}
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
BUNDLE_TYPE=application/vnd.dev.sigstore.bundle.v0.3+json

DIGEST=$(tr -d '[:space:]' <"$SIG/oci-image/manifest.digest")
HEX=${DIGEST#sha256:}
push_vector_image demo/app v1
push_vector_image demo/plain v1   # never signed
check "the vector image keeps its digest in the registry" equals "$(digest_of "$SIG/oci-image/manifest.json")" "$DIGEST"

# ---- keygen -----------------------------------------------------------------------------------
export BULWARK_KEY_PASSWORD=e2e-key-password
bw keygen --output-key-prefix "$T/k1"
check "keygen succeeds" exit_is 0
check "the private key file is mode 0600" equals "$(stat -c %a "$T/k1.key")" 600
check "the private key is cosign's encrypted format" run_ok grep -q 'BEGIN ENCRYPTED SIGSTORE PRIVATE KEY' "$T/k1.key"
check "openssl reads the public key as a P-256 key" run_ok \
  sh -c "openssl pkey -pubin -in '$T/k1.pub' -noout -text | grep -q prime256v1"
bw keygen --output-key-prefix "$T/k1"
check "keygen does not overwrite an existing key" exit_is 2
bw keygen --output-key-prefix "$T/k2" --type ed25519
check "keygen makes Ed25519 keys" run_ok \
  sh -c "openssl pkey -pubin -in '$T/k2.pub' -noout -text | grep -q ED25519"

# ---- sign (both layouts) ----------------------------------------------------------------------
bw sign --key "$T/k1.key" --plain-http "$HOST/demo/app:v1"
check "sign succeeds" exit_is 0
check "sign reports the digest it signed" run_ok grep -q "demo/app@$DIGEST" "$T/bw.out"

req GET "/v2/demo/app/manifests/sha256-$HEX.sig" -H "Accept: $OCI_MANIFEST"
check "the legacy signature tag exists" status_is 200
cp "$T/resp.body" "$T/sig-manifest.json"
req GET "/v2/demo/app/blobs/$(jq -r '.layers[0].digest' "$T/sig-manifest.json")"
cp "$T/resp.body" "$T/payload.json"
jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' "$T/sig-manifest.json" |
  base64 -d >"$T/payload.sig"
check "openssl verifies the legacy signature over the payload the registry serves" run_ok \
  openssl dgst -sha256 -verify "$T/k1.pub" -signature "$T/payload.sig" "$T/payload.json"
check "the payload names the image's digest" equals \
  "$(jq -r '.critical.image["docker-manifest-digest"]' "$T/payload.json")" "$DIGEST"
check "the payload is a cosign container image signature" equals \
  "$(jq -r '.critical.type' "$T/payload.json")" "cosign container image signature"

req GET "/v2/demo/app/referrers/$DIGEST"
check "the referrers API lists one Sigstore bundle" json_is \
  "[.manifests[] | select(.artifactType == \"$BUNDLE_TYPE\")] | length" 1
REF=$(jq -r ".manifests[] | select(.artifactType == \"$BUNDLE_TYPE\") | .digest" "$T/resp.body")
req GET "/v2/demo/app/manifests/$REF" -H "Accept: $OCI_MANIFEST"
check "the bundle referrer's subject is the image" json_is .subject.digest "$DIGEST"
req GET "/v2/demo/app/blobs/$(jq -r '.layers[0].digest' "$T/resp.body")"
cp "$T/resp.body" "$T/sign.bundle.json"
HINT=$(openssl pkey -pubin -in "$T/k1.pub" -outform DER | openssl dgst -sha256 -binary | base64 -w0)
check "@sigstore/verify verifies the bundle Bulwark made" run_ok \
  env NODE_PATH="$NODE_MODULES" node "$SIG/tools/verify-bundle.js" --bundle "$T/sign.bundle.json" \
  --trusted-root "$ROOT" --key "$T/k1.pub" --hint "$HINT" --tlog 0 --ctlog 0
check "the bundle's statement is about the image's digest" equals \
  "$(jq -r '.dsseEnvelope.payload' "$T/sign.bundle.json" | base64 -d | jq -r '.subject[0].digest.sha256')" "$HEX"

# ---- verify -----------------------------------------------------------------------------------
bw verify --key "$T/k1.pub" --plain-http -o json "$HOST/demo/app:v1"
check "verify --key accepts the image it signed" exit_is 0
check "both signatures verified" out_json '[.signatures[] | select(.verified)] | length' 2
check "verify names the digest" out_json .digest "$DIGEST"
bw verify --key "$T/k2.pub" --plain-http -o json "$HOST/demo/app:v1"
check "verify with another key refuses" exit_is 1
check "... because of the key" out_json '[.signatures[].reason] | unique | join(",")' wrong_key
bw verify --key "$T/k1.pub" --plain-http -o json "$HOST/demo/plain:v1"
check "verify refuses an unsigned image" exit_is 1
check "... saying there is no signature" out_json .reason no_signature
bw verify --key "$T/k1.pub" --plain-http "$HOST/demo/app:v1"
check "the table output says verified" run_ok grep -qi verified "$T/bw.out"

# ---- attest -----------------------------------------------------------------------------------
cp "$SIG/keyless-mock/image-att-cyclonedx/bom.cdx.json" "$T/bom.json"
bw attest --key "$T/k1.key" --predicate "$T/bom.json" --type cyclonedx --plain-http "$HOST/demo/app:v1"
check "attest succeeds" exit_is 0
req GET "/v2/demo/app/manifests/sha256-$HEX.att" -H "Accept: $OCI_MANIFEST"
check "the legacy attestation tag exists" status_is 200
check "its layer names the predicate type" json_is '.layers[0].annotations.predicateType' https://cyclonedx.org/bom
req GET "/v2/demo/app/blobs/$(jq -r '.layers[0].digest' "$T/resp.body")"
cp "$T/resp.body" "$T/att.dsse.json"
jq -r .payload "$T/att.dsse.json" | base64 -d >"$T/att.statement.json"
{ printf 'DSSEv1 %d %s %d ' 28 application/vnd.in-toto+json "$(stat -c %s "$T/att.statement.json")"
  cat "$T/att.statement.json"; } >"$T/att.pae"
jq -r '.signatures[0].sig' "$T/att.dsse.json" | base64 -d >"$T/att.sig"
check "openssl verifies the DSSE signature over the PAE" run_ok \
  openssl dgst -sha256 -verify "$T/k1.pub" -signature "$T/att.sig" "$T/att.pae"
check "the statement carries the predicate unchanged" equals \
  "$(jq -cS .predicate "$T/att.statement.json")" "$(jq -cS . "$T/bom.json")"
bw verify-attestation --key "$T/k1.pub" --type cyclonedx --plain-http -o json "$HOST/demo/app:v1"
check "verify-attestation accepts the CycloneDX attestation" exit_is 0
check "... both layouts" out_json '[.attestations[] | select(.verified)] | length' 2
bw verify-attestation --key "$T/k1.pub" --type slsaprovenance --plain-http -o json "$HOST/demo/app:v1"
check "verify-attestation refuses when no attestation of that type exists" exit_is 1

# ---- the keyless vectors, pushed as cosign pushed them ------------------------------------------
push_vector_image demo/keyless v1
L=$SIG/keyless-mock/image-sig-legacy
put_blob demo/keyless "$L/payload.json"
put_blob demo/keyless "$L/config.json"
put_manifest demo/keyless "$(cat "$L/TAG")" "$L/manifest.json" "$OCI_MANIFEST"
bw verify --certificate-identity "$SAN" --certificate-oidc-issuer "$ISS" --trusted-root "$ROOT" \
  --plain-http -o json "$HOST/demo/keyless:v1"
check "the keyless legacy vector verifies with its identity" exit_is 0
check "... and names the signer" out_json '.signatures[0].signer' "$SAN"
bw verify --certificate-identity 'https://github.com/other/repo/.github/workflows/x.yml@refs/heads/main' \
  --certificate-oidc-issuer "$ISS" --trusted-root "$ROOT" --plain-http -o json "$HOST/demo/keyless:v1"
check "another identity is refused" exit_is 1
check "... as an identity mismatch" out_json '.signatures[0].reason' identity_mismatch
bw verify --certificate-identity "$SAN" --certificate-oidc-issuer https://accounts.google.com \
  --trusted-root "$ROOT" --plain-http -o json "$HOST/demo/keyless:v1"
check "another issuer is refused as an issuer mismatch" out_json '.signatures[0].reason' issuer_mismatch
bw verify --certificate-identity "$SAN" --certificate-oidc-issuer "$ISS" \
  --trusted-root "$SIG/public-good-trusted_root.json" --plain-http -o json "$HOST/demo/keyless:v1"
check "another trust root is refused" exit_is 1
check "... because its Rekor log is not in that root" out_json '.signatures[0].reason' unknown_log
# The mock's logs, but the public-good Fulcio CAs: the log entry verifies, the chain cannot.
jq --slurpfile pg "$SIG/public-good-trusted_root.json" '.certificateAuthorities = $pg[0].certificateAuthorities' \
  "$ROOT" >"$T/other-ca-root.json"
bw verify --certificate-identity "$SAN" --certificate-oidc-issuer "$ISS" \
  --trusted-root "$T/other-ca-root.json" --plain-http -o json "$HOST/demo/keyless:v1"
check "another Fulcio CA is refused as an untrusted chain" out_json '.signatures[0].reason' untrusted_chain
bw verify --certificate-identity-regexp 'https://github\.com/example-org/.*' --certificate-oidc-issuer "$ISS" \
  --trusted-root "$ROOT" --plain-http -o json "$HOST/demo/keyless:v1"
check "an identity regular expression matches" exit_is 0
bw verify --certificate-identity-regexp 'https://github\.com/example-org/' --certificate-oidc-issuer "$ISS" \
  --trusted-root "$ROOT" --plain-http -o json "$HOST/demo/keyless:v1"
check "a regular expression must match the whole identity, not a prefix" exit_is 1

push_vector_image demo/bundles v1
for dir in image-sig-bundle image-att-cyclonedx; do
  B=$SIG/keyless-mock/$dir
  manifest=$B/manifest.json
  [[ -f $manifest ]] || manifest=$B/referrer-manifest.json
  put_blob demo/bundles "$B/bundle.sigstore.json"
  printf '{}' >"$T/empty.json"
  put_blob demo/bundles "$T/empty.json"
  put_manifest demo/bundles "$(digest_of "$manifest")" "$manifest" "$OCI_MANIFEST"
done
bw verify --certificate-identity "$SAN" --certificate-oidc-issuer "$ISS" --trusted-root "$ROOT" \
  --plain-http -o json "$HOST/demo/bundles:v1"
check "cosign v3's keyless bundle referrer verifies" exit_is 0
bw verify-attestation --type cyclonedx --certificate-identity "$SAN" --certificate-oidc-issuer "$ISS" \
  --trusted-root "$ROOT" --plain-http -o json "$HOST/demo/bundles:v1"
check "the keyless CycloneDX attestation bundle verifies" exit_is 0

# ---- verify-blob ------------------------------------------------------------------------------
BLOB=$SIG/keyless-mock/blob
bw verify-blob --bundle "$BLOB/artifact.txt.sigstore.json" --certificate-identity "$SAN" \
  --certificate-oidc-issuer "$ISS" --trusted-root "$ROOT" "$BLOB/artifact.txt"
check "verify-blob accepts the keyless blob vector" exit_is 0
{ cat "$BLOB/artifact.txt"; printf 'x'; } >"$T/changed.txt"
bw verify-blob --bundle "$BLOB/artifact.txt.sigstore.json" --certificate-identity "$SAN" \
  --certificate-oidc-issuer "$ISS" --trusted-root "$ROOT" -o json "$T/changed.txt"
check "verify-blob refuses a changed artifact" exit_is 1
check "... as a tampered payload" out_json .reason tampered_payload

# ---- docker-registry: no referrers API, the fallback tag -----------------------------------------
DR_PORT=$(free_port)
mkdir -p "$T/dr"
cat >"$T/dr.yml" <<YML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $T/dr
http:
  addr: 127.0.0.1:$DR_PORT
  secret: bulwark-e2e-sign
YML
docker-registry serve "$T/dr.yml" >>"$REG_LOG" 2>&1 &
track_pid $!
for ((i = 0; i < 100; i++)); do
  curl -s -o /dev/null "http://127.0.0.1:$DR_PORT/v2/" && break
  sleep 0.1
done
DR=127.0.0.1:$DR_PORT
# distribution 2.8 ignores a monolithic POST's body: start an upload, then PUT the bytes.
for f in config.json layer.tar.gz; do
  upload=$(curl -sf -X POST -D - -o /dev/null "http://$DR/v2/demo/app/blobs/uploads/" |
    tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
  [[ $upload == /* ]] && upload=http://$DR$upload
  [[ -n $upload ]] || die "docker-registry gave no upload location"
  curl -sf -X PUT --data-binary "@$SIG/oci-image/$f" -H 'Content-Type: application/octet-stream' \
    "$(with_query "$upload" "digest=$(digest_of "$SIG/oci-image/$f")")" -o /dev/null ||
    die "push of $f to docker-registry"
done
curl -sf -X PUT --data-binary "@$SIG/oci-image/manifest.json" -H "Content-Type: $OCI_MANIFEST" \
  "http://$DR/v2/demo/app/manifests/v1" -o /dev/null || die "push of the manifest to docker-registry"
BULWARK_REGISTRY_AUTH= bw sign --key "$T/k1.key" --layout bundle --plain-http "$DR/demo/app:v1"
check "sign --layout bundle on docker-registry succeeds" exit_is 0
check "... and says it wrote the referrers fallback tag" run_ok grep -q "sha256-$HEX (referrers fallback)" "$T/bw.out"
curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$DR/v2/demo/app/manifests/sha256-$HEX" >"$T/fallback.json"
check "the fallback tag is an index listing the bundle referrer" equals \
  "$(jq -r "[.manifests[] | select(.artifactType == \"$BUNDLE_TYPE\")] | length" "$T/fallback.json")" 1
check "no legacy .sig tag was written with --layout bundle" run_ok \
  sh -c "! curl -sf -o /dev/null -H 'Accept: $OCI_MANIFEST' http://$DR/v2/demo/app/manifests/sha256-$HEX.sig"
BULWARK_REGISTRY_AUTH= bw verify --key "$T/k1.pub" --plain-http -o json "$DR/demo/app:v1"
check "verify finds the bundle through the fallback tag" exit_is 0

finish
