#!/usr/bin/env bash
# Keyless signing end to end (issue 6), against the local mock Sigstore services
# (../shared/data/sigstore/tools/mock-sigstore-server.js: Fulcio, Rekor v1, TSA and a TUF repo,
# fresh keys and trusted_root.json every run, loopback only) and the real npm Sigstore tools:
#   a) bundles the npm `sigstore` client makes (sigstore.sign, sigstore.attest) verify in
#      `bulwark verify-blob` with the mock's trusted root and the token's identity; a changed blob,
#      another identity, another issuer and another trusted root are refused (exit 1);
#   b) `bulwark sign-blob` keyless: the bundle verifies with @sigstore/verify (the shared
#      tools/verify-bundle.js), with the `sigstore` CLI (TUF metadata from the mock) and with
#      `bulwark verify-blob`; its pieces are checked independently with openssl and jq (the
#      certificate's SAN, the signature over the file, the Rekor body's hash); the token never
#      appears in output; an unreachable Fulcio is an operational error naming it;
#   c) `bulwark sign-blob --key`: @sigstore/verify with the key verifies the bundle, openssl the
#      raw signature;
#   d) keyless `bulwark sign` of an image pushed into a running Bulwark: `bulwark verify` with the
#      identity and trusted root accepts both layouts (bundle referrer, legacy .sig with
#      certificate/chain/Rekor bundle/timestamp annotations) and refuses another identity; the
#      legacy signature verifies with openssl against the certificate annotation.
#   e) keyless `bulwark attest` of that image: `bulwark verify-attestation` accepts the predicate
#      type (legacy .att layer and DSSE bundle referrer) and refuses another type and identity;
#      @sigstore/verify verifies the attestation bundle.
# Needs BULWARK_SHARED (the shared data), node + tests/sigstore/node_modules, openssl, jq.
source "$(dirname "$0")/lib.sh"

SIG=${BULWARK_SHARED:?set BULWARK_SHARED to the shared/ folder}/data/sigstore
NODE_MODULES=$TESTS_DIR/sigstore/node_modules
[[ -d $NODE_MODULES/sigstore && -d $NODE_MODULES/@sigstore/mock ]] ||
  die "tests/sigstore has no node_modules (scripts/install-deps)"
command -v node >/dev/null || die "node is needed"
command -v openssl >/dev/null || die "openssl is needed"
TOKEN_FILE=$SIG/keyless-mock/identity-token.jwt
# The identity the mock's Fulcio certifies: SAN = the token's "sub", issuer = its "iss".
SAN=$(claims_of "$(cat "$TOKEN_FILE")" | jq -r .sub)
ISS=$(claims_of "$(cat "$TOKEN_FILE")" | jq -r .iss)
[[ -n $SAN && -n $ISS ]] || die "cannot read the test token's claims"

node_run() { env NODE_PATH="$NODE_MODULES" node "$@"; }
# verify_js BUNDLE [ARGS...]: @sigstore/verify against the mock's trusted root.
verify_js() { node_run "$SIG/tools/verify-bundle.js" --bundle "$1" --trusted-root "$ROOT" "${@:2}" >"$T/vjs.out" 2>&1 || { cat "$T/vjs.out"; return 1; }; }
fails() { ! "$@" >/dev/null 2>&1 || { echo "unexpectedly succeeded: $*"; return 1; }; }
# referrer_bundle DIGEST SELECT OUT: the bundle of demo/keyless@DIGEST's first referrer whose
# index entry matches the jq condition SELECT, written to OUT.
referrer_bundle() {
  local ref
  req GET "/v2/demo/keyless/referrers/$1"
  ref=$(jq -r ".manifests[] | select($2) | .digest" "$T/resp.body" | head -n1)
  req GET "/v2/demo/keyless/manifests/$ref" -H "Accept: application/vnd.oci.image.manifest.v1+json"
  req GET "/v2/demo/keyless/blobs/$(jq -r '.layers[0].digest' "$T/resp.body")"
  cp "$T/resp.body" "$3"
}
BUNDLE_REFERRER='.artifactType == "application/vnd.dev.sigstore.bundle.v0.3+json"'
CYCLONEDX_REFERRER='.annotations["dev.sigstore.bundle.predicateType"] == "https://cyclonedx.org/bom"'
# js_reads_timestamp BUNDLE: the bundle's RFC 3161 genTime has no fraction or exactly three
# digits of one, the only forms @sigstore/core (asn1/parse.js) parses. DER drops trailing zeros
# (".12Z"), so about one mock TSA timestamp in ten is unreadable to that peer (Bulwark reads
# every form); the steps whose bundle goes to @sigstore/verify sign again to get another.
js_reads_timestamp() {
  jq -r '.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp' "$1" |
    base64 -d >"$T/ts.der" 2>/dev/null || return 1
  # A TimeStampResp (what the TSA answers) or a bare token.
  openssl ts -reply -in "$T/ts.der" -text 2>/dev/null >"$T/ts.txt" ||
    openssl ts -reply -token_in -in "$T/ts.der" -text 2>/dev/null >"$T/ts.txt" || return 1
  grep -Eq '^Time stamp: .* [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})? [0-9]{4}' "$T/ts.txt"
}

# ---- the mock services -----------------------------------------------------------------------
MOCK_DIR=$T/mock
MOCK_PORT=$(free_port)
MOCK=http://127.0.0.1:$MOCK_PORT
node_run "$SIG/tools/mock-sigstore-server.js" "$MOCK_DIR" "$MOCK_PORT" >"$T/mock.log" 2>&1 &
MOCK_PID=$!
track_pid "$MOCK_PID"
# Bounded wait (~30 s: key generation and TUF setup come first) until it serves its TUF root.
for ((i = 0; i < 300; i++)); do
  kill -0 "$MOCK_PID" 2>/dev/null || break
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$MOCK/tuf/root.json" 2>/dev/null) || code=000
  [[ $code == 200 ]] && break
  sleep 0.1
done
[[ ${code:-000} == 200 && -f $MOCK_DIR/trusted_root.json ]] || { cat "$T/mock.log"; die "the mock Sigstore services did not start"; }
ROOT=$MOCK_DIR/trusted_root.json
KEYLESS=(--identity-token "$TOKEN_FILE" --fulcio-url "$MOCK" --rekor-url "$MOCK" --tsa-url "$MOCK")
IDENT=(--certificate-identity "$SAN" --certificate-oidc-issuer "$ISS" --trusted-root "$ROOT")

printf 'a blob signed at %s %s\n' "$(date +%s%N)" "$RANDOM" >"$T/blob.txt"
printf 'another blob\n' >"$T/other.txt"

# ---- a) npm sigstore client -> bulwark verify-blob -------------------------------------------
check "sigstore.sign (npm) signs a blob against the mock" run_ok \
  node_run "$TESTS_DIR/sigstore/sign-blob.js" --file "$T/blob.txt" --out "$T/npm.bundle.json" \
  --url "$MOCK" --token "$TOKEN_FILE"
bw verify-blob "${IDENT[@]}" --bundle "$T/npm.bundle.json" "$T/blob.txt"
check "bulwark verify-blob accepts the npm client's bundle" exit_is 0
bw verify-blob "${IDENT[@]}" --bundle "$T/npm.bundle.json" -o json "$T/blob.txt"
check "... naming the signer's SAN" run_ok grep -qF "$SAN" "$T/bw.out"
bw verify-blob "${IDENT[@]}" --bundle "$T/npm.bundle.json" "$T/other.txt"
check "a changed blob is refused" exit_is 1
bw verify-blob --certificate-identity "https://github.com/other/repo/.github/workflows/x.yml@refs/heads/main" \
  --certificate-oidc-issuer "$ISS" --trusted-root "$ROOT" --bundle "$T/npm.bundle.json" "$T/blob.txt"
check "another identity is refused" exit_is 1
bw verify-blob --certificate-identity "$SAN" --certificate-oidc-issuer https://accounts.google.com \
  --trusted-root "$ROOT" --bundle "$T/npm.bundle.json" "$T/blob.txt"
check "another issuer is refused" exit_is 1
bw verify-blob --certificate-identity "$SAN" --certificate-oidc-issuer "$ISS" \
  --trusted-root "$SIG/keyless-mock/trusted_root.json" --bundle "$T/npm.bundle.json" "$T/blob.txt"
check "another trusted root (the vectors' mock keys) is refused" exit_is 1

BLOB_HEX=$(sha256sum "$T/blob.txt" | cut -d' ' -f1)
jq -cn --arg h "$BLOB_HEX" '{_type:"https://in-toto.io/Statement/v1",subject:[{name:"blob.txt",digest:{sha256:$h}}],predicateType:"https://example.com/test/v1",predicate:{ok:true}}' >"$T/statement.json"
check "sigstore.attest (npm) signs an in-toto statement" run_ok \
  node_run "$TESTS_DIR/sigstore/sign-blob.js" --attest --file "$T/statement.json" \
  --out "$T/npm.att.json" --url "$MOCK" --token "$TOKEN_FILE"
bw verify-blob "${IDENT[@]}" --bundle "$T/npm.att.json" "$T/blob.txt"
check "bulwark verify-blob accepts the npm DSSE bundle for its subject" exit_is 0
bw verify-blob "${IDENT[@]}" --bundle "$T/npm.att.json" "$T/other.txt"
check "... and refuses it for another subject" exit_is 1

# ---- b) bulwark sign-blob keyless -> npm verifiers, sigstore CLI, bulwark --------------------
for attempt in 1 2 3 4 5; do
  bw sign-blob "${KEYLESS[@]}" --bundle "$T/bw.bundle.json" "$T/blob.txt"
  [[ $BW_RC != 0 ]] || js_reads_timestamp "$T/bw.bundle.json" && break
done
check "bulwark sign-blob signs keyless against the mock" exit_is 0
check "the identity token appears in no output" run_ok \
  sh -c "! grep -qF '$(cut -d. -f2 "$TOKEN_FILE")' '$T/bw.out' '$T/bw.err' '$T/bw.bundle.json'"
check "the bundle is v0.3 with the leaf certificate" equals \
  "$(jq -r '[.mediaType, (.verificationMaterial.certificate.rawBytes | length > 0)] | join(" ")' "$T/bw.bundle.json")" \
  "application/vnd.dev.sigstore.bundle.v0.3+json true"
jq -r .verificationMaterial.certificate.rawBytes "$T/bw.bundle.json" | base64 -d >"$T/leaf.der"
openssl x509 -inform DER -in "$T/leaf.der" -out "$T/leaf.pem"
openssl x509 -in "$T/leaf.pem" -pubkey -noout >"$T/leaf.pub"
check "openssl: the certificate's SAN is the token's subject" run_ok \
  sh -c "openssl x509 -in '$T/leaf.pem' -noout -ext subjectAltName | grep -qF '$SAN'"
check "openssl: the certificate chains to the mock's Fulcio root" run_ok \
  sh -c "jq -r '.certificateAuthorities[0].certChain.certificates[0].rawBytes' '$ROOT' | base64 -d |
         openssl x509 -inform DER -out '$T/fulcio-root.pem' && openssl verify -no_check_time -partial_chain -CAfile '$T/fulcio-root.pem' '$T/leaf.pem'"
jq -r .messageSignature.signature "$T/bw.bundle.json" | base64 -d >"$T/bw.sig"
check "openssl: the signature is over the file with the certificate's key" run_ok \
  openssl dgst -sha256 -verify "$T/leaf.pub" -signature "$T/bw.sig" "$T/blob.txt"
check "the Rekor entry is a hashedrekord of the file's SHA-256" equals \
  "$(jq -r '.verificationMaterial.tlogEntries[0].canonicalizedBody' "$T/bw.bundle.json" | base64 -d | jq -r '[.kind, .spec.data.hash.value] | join(" ")')" \
  "hashedrekord $BLOB_HEX"
check "the bundle carries one RFC 3161 timestamp" equals \
  "$(jq -r '.verificationMaterial.timestampVerificationData.rfc3161Timestamps | length' "$T/bw.bundle.json")" 1
check "@sigstore/verify verifies Bulwark's keyless bundle (tlog, SCT and TSA required)" run_ok \
  verify_js "$T/bw.bundle.json" --artifact "$T/blob.txt" --san "$SAN" --issuer "$ISS" --tsa 1
check "@sigstore/verify refuses it for a changed blob" fails \
  verify_js "$T/bw.bundle.json" --artifact "$T/other.txt" --san "$SAN" --issuer "$ISS"
check "@sigstore/verify refuses it for another identity" fails \
  verify_js "$T/bw.bundle.json" --artifact "$T/blob.txt" --san "https://example.com/other" --issuer "$ISS"
# The sigstore CLI takes its trusted root from TUF only: the mock serves a TUF repo whose
# root.json it wrote, so the CLI bootstraps from that file and fetches the rest over loopback.
SIGSTORE_CLI=(node_run "$NODE_MODULES/.bin/sigstore" verify --tuf-mirror-url "$MOCK/tuf"
  --tuf-root-path "$MOCK_DIR/tuf/root.json" --tuf-cache-path "$T/tuf-cache"
  --certificate-identity-uri "$SAN" --certificate-issuer "$ISS")
check "the sigstore CLI verifies Bulwark's keyless bundle" run_ok \
  "${SIGSTORE_CLI[@]}" "$T/bw.bundle.json" --blob-file "$T/blob.txt"
check "the sigstore CLI refuses it for a changed blob" fails \
  "${SIGSTORE_CLI[@]}" "$T/bw.bundle.json" --blob-file "$T/other.txt"
bw verify-blob "${IDENT[@]}" --bundle "$T/bw.bundle.json" "$T/blob.txt"
check "bulwark verify-blob accepts its own keyless bundle" exit_is 0
bw verify-blob "${IDENT[@]}" --bundle "$T/bw.bundle.json" "$T/other.txt"
check "... and refuses a changed blob" exit_is 1

bw sign-blob --identity-token "$TOKEN_FILE" --fulcio-url "$MOCK" --rekor-url "$MOCK" \
  --bundle "$T/notsa.bundle.json" "$T/blob.txt"
check "keyless signing without a TSA works" exit_is 0
check "... and verifies with @sigstore/verify (no timestamp required)" run_ok \
  verify_js "$T/notsa.bundle.json" --artifact "$T/blob.txt" --san "$SAN" --issuer "$ISS"
DEAD_PORT=$(free_port)
bw sign-blob --identity-token "$TOKEN_FILE" --fulcio-url "http://127.0.0.1:$DEAD_PORT" \
  --rekor-url "$MOCK" --bundle "$T/dead.bundle.json" "$T/blob.txt"
check "an unreachable Fulcio is an operational error" exit_is 2
check "... naming Fulcio" run_ok grep -qi fulcio "$T/bw.err"
bw sign-blob --fulcio-url "$MOCK" --rekor-url "$MOCK" --bundle "$T/x.json" "$T/blob.txt"
check "keyless signing without a token says how to give one" exit_is 2
check "... (--identity-token or SIGSTORE_ID_TOKEN)" run_ok grep -q SIGSTORE_ID_TOKEN "$T/bw.err"
SIGSTORE_ID_TOKEN=$(cat "$TOKEN_FILE") bw sign-blob --fulcio-url "$MOCK" --rekor-url "$MOCK" \
  --bundle "$T/env.bundle.json" "$T/blob.txt"
check "the token can come from SIGSTORE_ID_TOKEN" exit_is 0
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/k.pem" 2>/dev/null
bw sign-blob --key "$T/k.pem" "${KEYLESS[@]}" --bundle "$T/x.json" "$T/blob.txt"
check "--key together with keyless flags is refused" exit_is 2

# ---- c) bulwark sign-blob --key -> @sigstore/verify, openssl --------------------------------
openssl pkey -in "$T/k.pem" -pubout -out "$T/k.pub"
HINT=$(openssl pkey -pubin -in "$T/k.pub" -outform DER | openssl dgst -sha256 -binary | base64 -w0)
bw sign-blob --key "$T/k.pem" --bundle "$T/key.bundle.json" "$T/blob.txt"
check "bulwark sign-blob --key writes a bundle" exit_is 0
check "@sigstore/verify verifies it with the key" run_ok \
  verify_js "$T/key.bundle.json" --artifact "$T/blob.txt" --key "$T/k.pub" --hint "$HINT" --tlog 0 --ctlog 0
check "@sigstore/verify refuses it for a changed blob" fails \
  verify_js "$T/key.bundle.json" --artifact "$T/other.txt" --key "$T/k.pub" --hint "$HINT" --tlog 0 --ctlog 0
jq -r .messageSignature.signature "$T/key.bundle.json" | base64 -d >"$T/key.sig"
check "openssl verifies the raw signature" run_ok \
  openssl dgst -sha256 -verify "$T/k.pub" -signature "$T/key.sig" "$T/blob.txt"
check "openssl refuses it over another file" fails \
  openssl dgst -sha256 -verify "$T/k.pub" -signature "$T/key.sig" "$T/other.txt"

# ---- d) keyless bulwark sign of an image -> bulwark verify -----------------------------------
start_registry
HOST=$REGISTRY_HOSTPORT
export BULWARK_REGISTRY_AUTH=admin:$ADMIN_PW
# A fresh image per attempt (see js_reads_timestamp): the tag ends on the one whose bundle the
# peer can read, and only its signatures are looked at below.
for attempt in 1 2 3 4 5; do
  DIGEST=$(push_image "admin:$ADMIN_PW" demo/keyless v1) || die "cannot push the test image"
  HEX=${DIGEST#sha256:}
  bw sign "${KEYLESS[@]}" --plain-http "$HOST/demo/keyless:v1"
  [[ $BW_RC == 0 ]] || break
  referrer_bundle "$DIGEST" "$BUNDLE_REFERRER" "$T/img.bundle.json"
  js_reads_timestamp "$T/img.bundle.json" && break
done
check "keyless bulwark sign succeeds" exit_is 0
check "... and says what it wrote (legacy tag and referrer)" run_ok \
  sh -c "grep -q 'sha256-$HEX.sig' '$T/bw.out' && grep -q 'referrer sha256:' '$T/bw.out'"
check "the identity token appears in no output of sign" run_ok \
  sh -c "! grep -qF '$(cut -d. -f2 "$TOKEN_FILE")' '$T/bw.out' '$T/bw.err'"

req GET "/v2/demo/keyless/manifests/sha256-$HEX.sig" -H "Accept: application/vnd.oci.image.manifest.v1+json"
check "the legacy .sig manifest exists" status_is 200
cp "$T/resp.body" "$T/sig-manifest.json"
req GET "/v2/demo/keyless/blobs/$(jq -r '.layers[0].digest' "$T/sig-manifest.json")"
cp "$T/resp.body" "$T/payload.json"
jq -r '.layers[0].annotations["dev.sigstore.cosign/certificate"]' "$T/sig-manifest.json" >"$T/sig-cert.pem"
openssl x509 -in "$T/sig-cert.pem" -pubkey -noout >"$T/sig-cert.pub" 2>/dev/null
jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' "$T/sig-manifest.json" | base64 -d >"$T/payload.sig"
check "openssl verifies the legacy signature with the certificate annotation's key" run_ok \
  openssl dgst -sha256 -verify "$T/sig-cert.pub" -signature "$T/payload.sig" "$T/payload.json"
check "the legacy layer carries chain, Rekor bundle and timestamp annotations" equals \
  "$(jq -r '.layers[0].annotations | [has("dev.sigstore.cosign/chain"), has("dev.sigstore.cosign/bundle"), has("dev.sigstore.cosign/rfc3161timestamp")] | map(tostring) | join(" ")' "$T/sig-manifest.json")" \
  "true true true"
check "the payload names the image's digest" equals \
  "$(jq -r '.critical.image["docker-manifest-digest"]' "$T/payload.json")" "$DIGEST"

bw verify "${IDENT[@]}" --plain-http -o json "$HOST/demo/keyless:v1"
check "bulwark verify accepts the keyless-signed image" exit_is 0
check "... both signatures (legacy and bundle) verified" equals \
  "$(jq -r '[.signatures[] | select(.verified)] | length' "$T/bw.out" 2>&1)" 2
bw verify --certificate-identity "https://example.com/someone-else" --certificate-oidc-issuer "$ISS" \
  --trusted-root "$ROOT" --plain-http "$HOST/demo/keyless:v1"
check "bulwark verify refuses another identity" exit_is 1

check "@sigstore/verify verifies the image's keyless DSSE bundle" run_ok \
  verify_js "$T/img.bundle.json" --san "$SAN" --issuer "$ISS" --tsa 1
check "the bundle's Rekor entry is a dsse entry" equals \
  "$(jq -r '.verificationMaterial.tlogEntries[0].kindVersion.kind' "$T/img.bundle.json")" dsse
check "the bundle's statement is about the image's digest" equals \
  "$(jq -r '.dsseEnvelope.payload' "$T/img.bundle.json" | base64 -d | jq -r '.subject[0].digest.sha256')" "$HEX"

# ---- e) keyless bulwark attest -> bulwark verify-attestation ---------------------------------
printf '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"serial":"%s"}' "$RANDOM" >"$T/bom.json"
# As for signing (js_reads_timestamp): another attempt attests a fresh image, so each image has
# exactly one attestation; only the last one's is looked at below.
for attempt in 1 2 3 4 5; do
  if ((attempt > 1)); then
    DIGEST=$(push_image "admin:$ADMIN_PW" demo/keyless v1) || die "cannot push the test image"
    HEX=${DIGEST#sha256:}
  fi
  bw attest "${KEYLESS[@]}" --predicate "$T/bom.json" --type cyclonedx --plain-http "$HOST/demo/keyless:v1"
  [[ $BW_RC == 0 ]] || break
  referrer_bundle "$DIGEST" "$CYCLONEDX_REFERRER" "$T/att.bundle.json"
  js_reads_timestamp "$T/att.bundle.json" && break
done
check "keyless bulwark attest succeeds" exit_is 0
check "... writing the .att tag" run_ok grep -q "sha256-$HEX.att" "$T/bw.out"
bw verify-attestation "${IDENT[@]}" --type cyclonedx --plain-http -o json "$HOST/demo/keyless:v1"
check "verify-attestation accepts the keyless CycloneDX attestation" exit_is 0
check "... in both layouts" equals \
  "$(jq -r '[.attestations[] | select(.verified)] | length' "$T/bw.out" 2>&1)" 2
bw verify-attestation "${IDENT[@]}" --type spdx --plain-http "$HOST/demo/keyless:v1"
check "verify-attestation refuses another predicate type" exit_is 1
bw verify-attestation --certificate-identity "https://example.com/someone-else" \
  --certificate-oidc-issuer "$ISS" --trusted-root "$ROOT" --type cyclonedx --plain-http "$HOST/demo/keyless:v1"
check "verify-attestation refuses another identity" exit_is 1
check "@sigstore/verify verifies the keyless attestation bundle" run_ok \
  verify_js "$T/att.bundle.json" --san "$SAN" --issuer "$ISS" --tsa 1
check "... whose statement carries the predicate" equals \
  "$(jq -r '.dsseEnvelope.payload' "$T/att.bundle.json" | base64 -d | jq -c .predicate)" "$(jq -c . "$T/bom.json")"

finish
