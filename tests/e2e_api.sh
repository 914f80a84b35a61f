#!/usr/bin/env bash
# Black-box test of the OCI Distribution API (spec v1.1) with curl: every endpoint, its success
# answers (status, headers, exact bytes) and its error answers (status and OCI error code), plus a
# loop of malformed requests that must never produce a 5xx or kill the server.
#
# Usage: BULWARK_BIN=build/bulwark bash tests/e2e_api.sh
#        REGISTRY_IMPL=distribution bash tests/e2e_api.sh   # reference run against docker-registry
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json
OCI_CONFIG=application/vnd.oci.image.config.v1+json
OCI_LAYER=application/vnd.oci.image.layer.v1.tar+gzip
OCI_EMPTY=application/vnd.oci.empty.v1+json
DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json
DOCKER_CONFIG=application/vnd.docker.container.image.v1+json
DOCKER_LAYER=application/vnd.docker.image.rootfs.diff.tar.gzip
ZERO_DIGEST=sha256:$(printf '0%.0s' {1..64})

start_registry
echo "registry: $REGISTRY_IMPL at $R"

# descriptor MEDIATYPE FILE -> {"mediaType","digest","size"}
descriptor() { jq -cn --arg m "$1" --arg d "$(digest_of "$2")" --argjson s "$(size_of "$2")" '{mediaType:$m,digest:$d,size:$s}'; }

# image_manifest OUT CONFIG_MEDIATYPE CONFIG_FILE LAYER_MEDIATYPE MANIFEST_MEDIATYPE LAYER_FILE...
image_manifest() {
  local out=$1 cmt=$2 cfg=$3 lmt=$4 mmt=$5 layers='[]' f
  shift 5
  for f in "$@"; do layers=$(jq -c --argjson d "$(descriptor "$lmt" "$f")" '. + [$d]' <<<"$layers"); done
  jq -n --arg mt "$mmt" --argjson c "$(descriptor "$cmt" "$cfg")" --argjson l "$layers" \
    '{schemaVersion:2, mediaType:$mt, config:$c, layers:$l}' >"$out"
}

# A predicate: the path was refused as a repository name (400 NAME_INVALID) or did not route (404).
name_rejected() {
  [[ $STATUS == 404 ]] && return 0
  error_is 400 NAME_INVALID
}

# ==============================================================================================
echo "## base"
req GET /v2/
check "GET /v2/ answers 200" status_is 200
check "GET /v2/ has Docker-Distribution-API-Version: registry/2.0" header_is Docker-Distribution-API-Version registry/2.0

# ==============================================================================================
echo "## repository names"
req GET /v2/Upper/tags/list
check "uppercase name is refused" name_rejected
req POST /v2/Upper/blobs/uploads/
check "uppercase name cannot start an upload" name_rejected
req GET /v2/a//b/tags/list
bulwark_only "distribution redirects (301) a//b to the cleaned path" &&
  check "a//b is refused" name_rejected
req POST /v2/a//b/blobs/uploads/
bulwark_only "distribution redirects (301) a//b to the cleaned path" &&
  check "a//b cannot start an upload" name_rejected
req GET /v2/a/../b/tags/list
bulwark_only "distribution redirects (301) /v2/a/../b to /v2/b" &&
  check "a/../b (dot segments) is refused" name_rejected
req POST /v2/a/../../etc/blobs/uploads/
bulwark_only "distribution redirects (301) dot segments" &&
  check "../ traversal cannot start an upload" name_rejected
req GET /v2/a/%2e%2e/b/tags/list
bulwark_only "distribution decodes and redirects (301) %2e%2e" &&
  check "percent-encoded .. is refused" name_rejected
req GET /v2/a/..%2fb/tags/list
bulwark_only "distribution decodes and redirects (301) ..%2f" &&
  check "percent-encoded ../ is refused" name_rejected
req GET /v2/-lead/tags/list
check "name starting with a separator is refused" name_rejected
LONG_NAME=$(printf 'a%.0s' {1..256})
req GET "/v2/$LONG_NAME/tags/list"
bulwark_only "distribution answers 500 UNKNOWN for a 256-character name" &&
  check "256-character name is refused with NAME_INVALID" error_is 400 NAME_INVALID
req POST "/v2/$LONG_NAME/blobs/uploads/"
bulwark_only "distribution answers 500 UNKNOWN for a 256-character name" &&
  check "256-character name cannot start an upload" name_rejected

# ==============================================================================================
echo "## blobs: monolithic uploads"
REPO=e2e/blobs
random_file "$T/blob1" 4096
B1=$(digest_of "$T/blob1")
req POST "/v2/$REPO/blobs/uploads/?digest=$B1" -H 'Content-Type: application/octet-stream' --data-binary "@$T/blob1"
check "single POST ?digest= answers 201 (or 202, the spec's fallback)" status_is 201 202
if [[ $STATUS == 202 ]]; then
  # distribution 2.8 does not support single-request uploads; finish it the two-step way.
  bulwark_only "distribution answers a single POST with 202 (no single-request upload)"
  req PUT "$(with_query "$(location)" "digest=$B1")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/blob1"
else
  check "single POST: Location header" header_matches Location "/v2/$REPO/blobs/$B1\$"
  check "single POST: Docker-Content-Digest" header_is Docker-Content-Digest "$B1"
fi
req GET "/v2/$REPO/blobs/$B1"
check "blob from single POST is served with its exact bytes" body_digest_is "$B1"

random_file "$T/blob2" 10000
B2=$(digest_of "$T/blob2")
req POST "/v2/$REPO/blobs/uploads/"
check "POST upload answers 202" status_is 202
check "POST upload has Location" header_present Location
check "POST upload has Docker-Upload-UUID" header_present Docker-Upload-UUID
LOC=$(location)
req PUT "$(with_query "$LOC" "digest=$B2")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/blob2"
check "PUT ?digest= with the whole body answers 201" status_is 201
check "PUT: Location of the blob" header_matches Location "/v2/$REPO/blobs/$B2\$"
check "PUT: Docker-Content-Digest" header_is Docker-Content-Digest "$B2"

echo "## blobs: GET, HEAD, Range"
req GET "/v2/$REPO/blobs/$B2"
check "GET blob answers 200" status_is 200
check "GET blob: exact bytes" body_equals_file "$T/blob2"
check "GET blob: Content-Length" header_is Content-Length 10000
check "GET blob: Docker-Content-Digest" header_is Docker-Content-Digest "$B2"
req HEAD "/v2/$REPO/blobs/$B2"
check "HEAD blob answers 200" status_is 200
check "HEAD blob: Content-Length" header_is Content-Length 10000
check "HEAD blob: Docker-Content-Digest" header_is Docker-Content-Digest "$B2"
req GET "/v2/$REPO/blobs/$B2" -H 'Range: bytes=100-199'
check "Range bytes=100-199 answers 206" status_is 206
check "Range: Content-Range bytes 100-199/10000" header_is Content-Range "bytes 100-199/10000"
tail -c +101 "$T/blob2" | head -c 100 >"$T/blob2.part"
check "Range: exactly the requested bytes" body_equals_file "$T/blob2.part"
req GET "/v2/$REPO/blobs/$B2" -H 'Range: bytes=9990-'
check "open-ended Range answers 206 with the tail" status_is 206
check "open-ended Range: Content-Range bytes 9990-9999/10000" header_is Content-Range "bytes 9990-9999/10000"
req GET "/v2/$REPO/blobs/$B2" -H 'Range: bytes=20000-20010'
check "unsatisfiable Range answers 416" status_is 416
req GET "/v2/$REPO/blobs/$ZERO_DIGEST"
check "GET unknown blob: 404 BLOB_UNKNOWN" error_is 404 BLOB_UNKNOWN
req HEAD "/v2/$REPO/blobs/$ZERO_DIGEST"
check "HEAD unknown blob: 404" status_is 404
req GET "/v2/e2e/other/blobs/$B2"
check "a blob is not served from a repository it was never pushed to" error_in 404 BLOB_UNKNOWN NAME_UNKNOWN
req GET "/v2/$REPO/blobs/sha256:xyz"
check "GET blob with invalid digest: 400 DIGEST_INVALID or 404" status_is 400 404

# ==============================================================================================
echo "## blobs: chunked uploads"
random_file "$T/big" 3000
BIG=$(digest_of "$T/big")
head -c 1000 "$T/big" >"$T/c1"
tail -c +1001 "$T/big" | head -c 1000 >"$T/c2"
tail -c +2001 "$T/big" >"$T/c3"
req POST "/v2/$REPO/blobs/uploads/"
check "chunked: POST answers 202" status_is 202
check "chunked: POST has Location" header_present Location
check "chunked: POST has Docker-Upload-UUID" header_present Docker-Upload-UUID
check "chunked: POST Range is 0-0 (empty upload)" header_is Range 0-0
UUID=$(hdr Docker-Upload-UUID)
LOC=$(location)
req PATCH "$LOC" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 0-999' -H 'Content-Length: 1000' --data-binary "@$T/c1"
check "chunked: PATCH 0-999 answers 202" status_is 202
check "chunked: PATCH Range 0-999" header_is Range 0-999
check "chunked: PATCH keeps Docker-Upload-UUID" header_is Docker-Upload-UUID "$UUID"
check "chunked: PATCH has Location" header_present Location
LOC=$(location)
req GET "$LOC"
check "chunked: GET upload status answers 204" status_is 204
check "chunked: status Range 0-999" header_is Range 0-999
check "chunked: status Docker-Upload-UUID" header_is Docker-Upload-UUID "$UUID"
LOC=$(location || echo "$LOC")
req PATCH "$LOC" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 1000-1999' -H 'Content-Length: 1000' --data-binary "@$T/c2"
check "chunked: PATCH 1000-1999 answers 202" status_is 202
check "chunked: PATCH Range 0-1999" header_is Range 0-1999
LOC=$(location)
req PUT "$(with_query "$LOC" "digest=$BIG")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/c3"
check "chunked: final PUT with the last chunk answers 201" status_is 201
check "chunked: final PUT Docker-Content-Digest" header_is Docker-Content-Digest "$BIG"
check "chunked: final PUT Location" header_matches Location "/v2/$REPO/blobs/$BIG\$"
req GET "/v2/$REPO/blobs/$BIG"
check "chunked: the assembled blob has the right bytes" body_equals_file "$T/big"
req GET "$LOC"
check "chunked: the finished session is gone" error_in 404 BLOB_UPLOAD_UNKNOWN BLOB_UPLOAD_INVALID

# PATCH without Content-Range (streamed chunk) followed by an empty PUT.
req POST "/v2/$REPO/blobs/uploads/"
req PATCH "$(location)" -H 'Content-Type: application/octet-stream' --data-binary "@$T/big"
check "streamed PATCH without Content-Range answers 202" status_is 202
check "streamed PATCH: Range 0-2999" header_is Range 0-2999
req PUT "$(with_query "$(location)" "digest=$BIG")" -H 'Content-Length: 0'
check "empty final PUT after a streamed PATCH answers 201" status_is 201

# Bodies of several MiB that are not a multiple of the server's 1 MiB read size: they go round
# its ring of buffers more than once and end on a partial chunk.
random_file "$T/multi" $((5 * 1024 * 1024 + 123))
MULTI=$(digest_of "$T/multi")
req POST "/v2/$REPO/blobs/uploads/"
req PUT "$(with_query "$(location)" "digest=$MULTI")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/multi"
check "5 MiB + 123 B in one PUT answers 201" status_is 201
req GET "/v2/$REPO/blobs/$MULTI"
check "5 MiB + 123 B in one PUT: the same bytes come back" body_equals_file "$T/multi"
random_file "$T/multi2" $((7 * 1024 * 1024 + 5))
MULTI2=$(digest_of "$T/multi2")
FIRST=$((3 * 1024 * 1024 + 1))
head -c $FIRST "$T/multi2" >"$T/m1"
tail -c +$((FIRST + 1)) "$T/multi2" >"$T/m2"
req POST "/v2/$REPO/blobs/uploads/"
req PATCH "$(location)" -H 'Content-Type: application/octet-stream' -H "Content-Range: 0-$((FIRST - 1))" --data-binary "@$T/m1"
check "3 MiB + 1 B PATCH answers 202" status_is 202
check "3 MiB + 1 B PATCH: Range covers every byte sent" header_is Range "0-$((FIRST - 1))"
req PUT "$(with_query "$(location)" "digest=$MULTI2")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/m2"
check "final PUT with the remaining 4 MiB + 4 B answers 201" status_is 201
req GET "/v2/$REPO/blobs/$MULTI2"
check "7 MiB + 5 B in two unaligned requests: the same bytes come back" body_equals_file "$T/multi2"
if bulwark_only "distribution drops the session on a digest mismatch"; then
  req POST "/v2/$REPO/blobs/uploads/"
  LOC=$(location)
  req PUT "$(with_query "$LOC" "digest=$B2")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/m1"
  check "3 MiB body PUT under another blob's digest: 400 DIGEST_INVALID" error_is 400 DIGEST_INVALID
  req GET "$LOC"
  check "after the mismatch the session keeps every byte of the body" header_is Range "0-$((FIRST - 1))"
fi

# Out-of-order chunk: its own session (distribution 2.8 ignores Content-Range and appends).
req POST "/v2/$REPO/blobs/uploads/"
LOC=$(location)
if bulwark_only "distribution 2.8 ignores Content-Range on PATCH (no 416)"; then
  req PATCH "$LOC" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 5-9' --data-binary 12345
  check "chunked: first PATCH not starting at 0 answers 416" status_is 416
  req PATCH "$LOC" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 0-999' --data-binary "@$T/c1"
  check "chunked: PATCH 0-999 after a refused chunk answers 202" status_is 202
  LOC=$(location || echo "$LOC")
  req PATCH "$LOC" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 2000-2999' --data-binary "@$T/c3"
  check "chunked: out-of-order PATCH (gap) answers 416" status_is 416
  req GET "$LOC"
  check "chunked: after a 416 the session still reports Range 0-999" header_is Range 0-999
  req PATCH "$LOC" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 0-999' --data-binary "@$T/c1"
  check "chunked: a repeated (overlapping) chunk answers 416" status_is 416
  req PATCH "$LOC" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 1000-1999' -H 'Content-Length: 10' --data-binary 0123456789
  check "chunked: Content-Range length disagreeing with the body is refused (4xx)" status_is 400 416
fi
req DELETE "$LOC"

# Digest errors, each in its own session (a failed PUT may end the session).
req POST "/v2/$REPO/blobs/uploads/"
req PUT "$(with_query "$(location)" "digest=$ZERO_DIGEST")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/big"
check "PUT with a digest not matching the content: 400 DIGEST_INVALID" error_is 400 DIGEST_INVALID
req GET "/v2/$REPO/blobs/$ZERO_DIGEST"
check "the mismatching upload did not create a blob under the claimed digest" status_is 404
req POST "/v2/$REPO/blobs/uploads/"
req PUT "$(with_query "$(location)" "digest=sha256:xyz")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/big"
bulwark_only "distribution answers 404 BLOB_UPLOAD_INVALID for a malformed digest" &&
  check "PUT with a malformed digest string: 400 DIGEST_INVALID" error_is 400 DIGEST_INVALID
req POST "/v2/$REPO/blobs/uploads/"
req PUT "$(with_query "$(location)" "digest=md5:d41d8cd98f00b204e9800998ecf8427e")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/big"
bulwark_only "distribution answers 404 BLOB_UPLOAD_INVALID for an unsupported algorithm" &&
  check "PUT with an unsupported digest algorithm: 400 DIGEST_INVALID or UNSUPPORTED" error_in 400 DIGEST_INVALID UNSUPPORTED
req POST "/v2/$REPO/blobs/uploads/"
req PUT "$(location)" -H 'Content-Type: application/octet-stream' --data-binary "@$T/big"
check "PUT without ?digest= is refused (400)" status_is 400
req POST "/v2/$REPO/blobs/uploads/?digest=sha256:nothex" -H 'Content-Type: application/octet-stream' --data-binary "@$T/big"
bulwark_only "distribution ignores ?digest= on POST" &&
  check "single POST with a malformed digest: 400 DIGEST_INVALID" error_is 400 DIGEST_INVALID

echo "## blobs: cancel and unknown sessions"
req POST "/v2/$REPO/blobs/uploads/"
LOC=$(location)
req PATCH "$LOC" -H 'Content-Type: application/octet-stream' -H 'Content-Range: 0-999' --data-binary "@$T/c1"
LOC=$(location)
req DELETE "$LOC"
check "DELETE upload session answers 204" status_is 204
req GET "$LOC"
check "status of a cancelled session: 404 BLOB_UPLOAD_UNKNOWN" error_is 404 BLOB_UPLOAD_UNKNOWN
req GET "/v2/$REPO/blobs/uploads/00000000-0000-0000-0000-000000000000"
check "status of an unknown session: 404 BLOB_UPLOAD_UNKNOWN" error_in 404 BLOB_UPLOAD_UNKNOWN BLOB_UPLOAD_INVALID
req PATCH "/v2/$REPO/blobs/uploads/00000000-0000-0000-0000-000000000000" -H 'Content-Type: application/octet-stream' --data-binary abc
check "PATCH to an unknown session: 404" error_in 404 BLOB_UPLOAD_UNKNOWN BLOB_UPLOAD_INVALID
req POST "/v2/$REPO/blobs/uploads/"
UUID=$(hdr Docker-Upload-UUID)
req GET "/v2/e2e/elsewhere/blobs/uploads/$UUID"
check "an upload session is not reachable through another repository" error_in 404 BLOB_UPLOAD_UNKNOWN BLOB_UPLOAD_INVALID NAME_UNKNOWN

echo "## blobs: cross-repository mount"
req POST "/v2/e2e/mounted/blobs/uploads/?mount=$B2&from=$REPO"
check "mount from a repository holding the blob answers 201" status_is 201
check "mount: Location of the blob" header_matches Location "/v2/e2e/mounted/blobs/$B2\$"
check "mount: Docker-Content-Digest" header_is Docker-Content-Digest "$B2"
req GET "/v2/e2e/mounted/blobs/$B2"
check "mounted blob is served from the target repository" body_equals_file "$T/blob2"
req POST "/v2/e2e/mounted2/blobs/uploads/?mount=$B2&from=e2e/never-pushed"
check "mount from a repository without the blob falls back to an upload (202)" status_is 202
check "mount fallback: Location of an upload session" header_matches Location "/v2/e2e/mounted2/blobs/uploads/"
req PUT "$(with_query "$(location)" "digest=$B2")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/blob2"
check "mount fallback session accepts the upload" status_is 201
req POST "/v2/e2e/mounted3/blobs/uploads/?mount=$ZERO_DIGEST&from=$REPO"
check "mount of an unknown digest falls back to an upload (202)" status_is 202

echo "## blobs: delete"
random_file "$T/doomed" 500
DOOMED=$(digest_of "$T/doomed")
push_blob "$REPO" "$T/doomed"
req DELETE "/v2/$REPO/blobs/$DOOMED"
check "DELETE blob answers 202" status_is 202
req GET "/v2/$REPO/blobs/$DOOMED"
check "deleted blob: 404 BLOB_UNKNOWN" error_is 404 BLOB_UNKNOWN
req DELETE "/v2/$REPO/blobs/$ZERO_DIGEST"
check "DELETE unknown blob: 404 BLOB_UNKNOWN" error_is 404 BLOB_UNKNOWN

if bulwark_only "distribution 2.8 has no sha512 blob support"; then
  echo "## blobs: sha512"
  random_file "$T/b512" 2048
  B512=sha512:$(sha512sum "$T/b512" | cut -d' ' -f1)
  req POST "/v2/$REPO/blobs/uploads/"
  req PUT "$(with_query "$(location)" "digest=$B512")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/b512"
  check "sha512 blob upload answers 201" status_is 201
  check "sha512: Docker-Content-Digest" header_is Docker-Content-Digest "$B512"
  req GET "/v2/$REPO/blobs/$B512"
  check "sha512 blob is served with its bytes" body_equals_file "$T/b512"
  req POST "/v2/$REPO/blobs/uploads/"
  req PUT "$(with_query "$(location)" "digest=sha512:$(printf '0%.0s' {1..128})")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/b512"
  check "sha512 mismatch: 400 DIGEST_INVALID" error_is 400 DIGEST_INVALID
fi

# ==============================================================================================
echo "## manifests: OCI image"
APP=e2e/app
echo '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$T/config.json"
random_file "$T/layer1" 3000
random_file "$T/layer2" 2000
for f in config.json layer1 layer2; do push_blob "$APP" "$T/$f" || die "cannot push blob $f"; done
image_manifest "$T/m1.json" "$OCI_CONFIG" "$T/config.json" "$OCI_LAYER" "$OCI_MANIFEST" "$T/layer1" "$T/layer2"
M1=$(digest_of "$T/m1.json")
req PUT "/v2/$APP/manifests/v1" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/m1.json"
check "PUT OCI manifest by tag answers 201" status_is 201
check "PUT manifest: Location" header_matches Location "/v2/$APP/manifests/"
check "PUT manifest: Docker-Content-Digest is the sha256 of the bytes" header_is Docker-Content-Digest "$M1"
req GET "/v2/$APP/manifests/v1" -H "Accept: $OCI_MANIFEST"
check "GET manifest by tag answers 200" status_is 200
check "GET manifest by tag: exact bytes" body_equals_file "$T/m1.json"
check "GET manifest by tag: body digest matches" body_digest_is "$M1"
check "GET manifest by tag: Content-Type" header_is Content-Type "$OCI_MANIFEST"
check "GET manifest by tag: Docker-Content-Digest" header_is Docker-Content-Digest "$M1"
req GET "/v2/$APP/manifests/$M1" -H "Accept: $OCI_MANIFEST"
check "GET manifest by digest: exact bytes" body_equals_file "$T/m1.json"
check "GET manifest by digest: Content-Type" header_is Content-Type "$OCI_MANIFEST"
req HEAD "/v2/$APP/manifests/v1" -H "Accept: $OCI_MANIFEST"
check "HEAD manifest answers 200" status_is 200
check "HEAD manifest: Content-Length" header_is Content-Length "$(size_of "$T/m1.json")"
check "HEAD manifest: Docker-Content-Digest" header_is Docker-Content-Digest "$M1"
check "HEAD manifest: Content-Type" header_is Content-Type "$OCI_MANIFEST"
req GET "/v2/$APP/manifests/v1"
if bulwark_only "distribution 2.8 answers 404 for an OCI manifest when Accept is absent"; then
  check "GET OCI manifest without Accept is served as stored" body_equals_file "$T/m1.json"
  check "GET OCI manifest without Accept: Content-Type as stored" header_is Content-Type "$OCI_MANIFEST"
fi

# Same image, pushed by digest (different bytes: an annotation).
jq '. + {annotations:{"org.example.pushed":"by-digest"}}' "$T/m1.json" >"$T/m2.json"
M2=$(digest_of "$T/m2.json")
req PUT "/v2/$APP/manifests/$M2" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/m2.json"
check "PUT manifest by digest answers 201" status_is 201
check "PUT manifest by digest: Location" header_matches Location "/v2/$APP/manifests/$M2\$"
check "PUT manifest by digest: Docker-Content-Digest" header_is Docker-Content-Digest "$M2"
req GET "/v2/$APP/manifests/$M2" -H "Accept: $OCI_MANIFEST"
check "manifest pushed by digest is served with its bytes" body_equals_file "$T/m2.json"
req PUT "/v2/$APP/manifests/$M1" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/m2.json"
check "PUT by a digest that does not match the bytes: 400 DIGEST_INVALID" error_is 400 DIGEST_INVALID
req GET "/v2/$APP/manifests/$M1" -H "Accept: $OCI_MANIFEST"
check "the mismatching PUT did not replace the stored manifest" body_equals_file "$T/m1.json"

echo "## manifests: errors"
req GET "/v2/$APP/manifests/nosuchtag" -H "Accept: $OCI_MANIFEST"
check "GET unknown tag: 404 MANIFEST_UNKNOWN" error_is 404 MANIFEST_UNKNOWN
req GET "/v2/$APP/manifests/$ZERO_DIGEST" -H "Accept: $OCI_MANIFEST"
check "GET unknown manifest digest: 404 MANIFEST_UNKNOWN" error_is 404 MANIFEST_UNKNOWN
req HEAD "/v2/$APP/manifests/nosuchtag" -H "Accept: $OCI_MANIFEST"
check "HEAD unknown tag: 404" status_is 404
req GET "/v2/e2e/nosuchrepo/manifests/latest" -H "Accept: $OCI_MANIFEST"
check "GET manifest of an unknown repository: 404 NAME_UNKNOWN or MANIFEST_UNKNOWN" error_in 404 NAME_UNKNOWN MANIFEST_UNKNOWN
req GET "/v2/$APP/manifests/bad..tag" -H "Accept: $OCI_MANIFEST"
check "GET with an invalid tag is refused (4xx)" status_is 400 404

random_file "$T/missing-layer" 100
image_manifest "$T/bad-missing.json" "$OCI_CONFIG" "$T/config.json" "$OCI_LAYER" "$OCI_MANIFEST" "$T/layer1" "$T/missing-layer"
req PUT "/v2/$APP/manifests/missing" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/bad-missing.json"
check "manifest referencing a missing layer: 400 MANIFEST_BLOB_UNKNOWN" error_is 400 MANIFEST_BLOB_UNKNOWN
echo '{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$T/config-missing.json"
image_manifest "$T/bad-config.json" "$OCI_CONFIG" "$T/config-missing.json" "$OCI_LAYER" "$OCI_MANIFEST" "$T/layer1"
req PUT "/v2/$APP/manifests/missingcfg" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/bad-config.json"
check "manifest referencing a missing config: 400 MANIFEST_BLOB_UNKNOWN" error_is 400 MANIFEST_BLOB_UNKNOWN
req GET "/v2/$APP/manifests/missing" -H "Accept: $OCI_MANIFEST"
check "a refused manifest did not create its tag" status_is 404

printf '{"schemaVersion":2,"mediaType":"%s","config":' "$OCI_MANIFEST" >"$T/malformed.json"
req PUT "/v2/$APP/manifests/malformed" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/malformed.json"
check "malformed JSON: 400 MANIFEST_INVALID" error_is 400 MANIFEST_INVALID
req PUT "/v2/$APP/manifests/notobject" -H "Content-Type: $OCI_MANIFEST" --data-binary '[1,2,3]'
check "JSON that is not an object: 400 MANIFEST_INVALID" error_is 400 MANIFEST_INVALID
req PUT "/v2/$APP/manifests/empty" -H "Content-Type: $OCI_MANIFEST" --data-binary ''
check "empty manifest body: 400 MANIFEST_INVALID" error_is 400 MANIFEST_INVALID

CFG_D=$(descriptor "$OCI_CONFIG" "$T/config.json")
L1_D=$(descriptor "$OCI_LAYER" "$T/layer1")
# Duplicate "config" key: the second one would be the one a lenient parser keeps.
printf '{"schemaVersion":2,"mediaType":"%s","config":%s,"config":%s,"layers":[%s]}' \
  "$OCI_MANIFEST" "$CFG_D" "$(descriptor "$OCI_CONFIG" "$T/layer2")" "$L1_D" >"$T/dupkey.json"
req PUT "/v2/$APP/manifests/dupkey" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/dupkey.json"
bulwark_only "distribution accepts duplicate JSON keys" &&
  check "duplicate JSON keys: 400 MANIFEST_INVALID" error_is 400 MANIFEST_INVALID
jq -c '.layers[0].size = -1' "$T/m1.json" >"$T/negsize.json"
req PUT "/v2/$APP/manifests/negsize" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/negsize.json"
bulwark_only "distribution accepts a negative descriptor size (201)" &&
  check "negative descriptor size: 400 MANIFEST_INVALID" error_is 400 MANIFEST_INVALID
jq -c ".layers[0].size = $(size_of "$T/layer1").5" "$T/m1.json" >"$T/floatsize.json"
req PUT "/v2/$APP/manifests/floatsize" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/floatsize.json"
check "fractional descriptor size: 400 MANIFEST_INVALID" error_is 400 MANIFEST_INVALID
jq -c '.layers[0].digest = "sha256:abc"' "$T/m1.json" >"$T/baddigest.json"
req PUT "/v2/$APP/manifests/baddigest" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/baddigest.json"
bulwark_only "distribution answers 500 for a malformed descriptor digest" &&
  check "malformed descriptor digest: 400 MANIFEST_INVALID or DIGEST_INVALID" error_in 400 MANIFEST_INVALID DIGEST_INVALID
jq -c '. + {manifests:[]}' "$T/m1.json" >"$T/mixed.json"
req PUT "/v2/$APP/manifests/mixed" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/mixed.json"
bulwark_only "distribution accepts a manifest that also has a manifests array" &&
  check "manifest mixing layers and manifests: 400 MANIFEST_INVALID" error_is 400 MANIFEST_INVALID
jq -c '.schemaVersion = 1' "$T/m1.json" >"$T/sv1.json"
req PUT "/v2/$APP/manifests/sv1" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/sv1.json"
bulwark_only "distribution answers 500 for schemaVersion 1 with an OCI media type" &&
  check "schemaVersion 1 with an OCI media type: 400 MANIFEST_INVALID" error_is 400 MANIFEST_INVALID

jq -n --arg c "$(digest_of "$T/layer1")" '{schemaVersion:1,name:"e2e/app",tag:"old",architecture:"amd64",
  fsLayers:[{blobSum:$c}],history:[{v1Compatibility:"{\"id\":\"x\"}"}]}' >"$T/schema1.json"
req PUT "/v2/$APP/manifests/schema1" -H 'Content-Type: application/vnd.docker.distribution.manifest.v1+json' --data-binary "@$T/schema1.json"
check "schema1 manifest is refused (4xx)" status_is 400 415
check "schema1 refusal carries an OCI error with a message" json_true '.errors[0].code != null and (.errors[0].message | length) > 0'
req PUT "/v2/$APP/manifests/schema1s" -H 'Content-Type: application/vnd.docker.distribution.manifest.v1+prettyjws' --data-binary "@$T/schema1.json"
check "signed schema1 manifest (unsigned body) is refused (4xx)" status_is 400 415

# > 4 MiB: a valid manifest padded with a large annotation.
head -c 3300000 /dev/urandom | base64 -w0 >"$T/pad.txt"
jq --rawfile p "$T/pad.txt" '. + {annotations:{"org.example.pad":$p}}' "$T/m1.json" >"$T/huge.json"
req PUT "/v2/$APP/manifests/huge" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/huge.json"
check "manifest over 4 MiB is refused (4xx, not 5xx)" status_below_500
bulwark_only "distribution 2.8 has no manifest size limit" &&
  check "manifest over 4 MiB: 413" status_is 413

echo "## manifests: Docker v2 and manifest list"
echo '{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}' >"$T/dconfig.json"
random_file "$T/dlayer" 1500
for f in dconfig.json dlayer; do push_blob "$APP" "$T/$f" || die "cannot push blob $f"; done
image_manifest "$T/docker.json" "$DOCKER_CONFIG" "$T/dconfig.json" "$DOCKER_LAYER" "$DOCKER_MANIFEST" "$T/dlayer"
DM=$(digest_of "$T/docker.json")
req PUT "/v2/$APP/manifests/docker" -H "Content-Type: $DOCKER_MANIFEST" --data-binary "@$T/docker.json"
check "PUT Docker v2 manifest answers 201" status_is 201
check "PUT Docker v2: Docker-Content-Digest" header_is Docker-Content-Digest "$DM"
req GET "/v2/$APP/manifests/docker" -H "Accept: $DOCKER_MANIFEST"
check "GET Docker v2 manifest: exact bytes" body_equals_file "$T/docker.json"
check "GET Docker v2 manifest: Content-Type" header_is Content-Type "$DOCKER_MANIFEST"

jq -n --arg mt "$DOCKER_LIST" --arg dm "$DOCKER_MANIFEST" --arg arm "$DM" --argjson arms "$(size_of "$T/docker.json")" \
  '{schemaVersion:2, mediaType:$mt, manifests:[
     {mediaType:$dm, digest:$arm, size:$arms, platform:{architecture:"arm64",os:"linux"}}]}' >"$T/list.json"
LIST=$(digest_of "$T/list.json")
req PUT "/v2/$APP/manifests/list" -H "Content-Type: $DOCKER_LIST" --data-binary "@$T/list.json"
check "PUT Docker manifest list answers 201" status_is 201
check "PUT manifest list: Docker-Content-Digest" header_is Docker-Content-Digest "$LIST"
req GET "/v2/$APP/manifests/list" -H "Accept: $DOCKER_LIST, $DOCKER_MANIFEST"
check "GET manifest list with Accept listing it: exact bytes" body_equals_file "$T/list.json"
check "GET manifest list: Content-Type" header_is Content-Type "$DOCKER_LIST"
# Accept that excludes the list type: whatever comes back must be self-consistent (Docker-Content-Digest
# names the bytes served, Content-Type is their media type) or a 404/406.
req GET "/v2/$APP/manifests/list" -H "Accept: $DOCKER_MANIFEST"
echo "   (Accept mismatch: $REGISTRY_IMPL answered $STATUS $(hdr Content-Type))"
consistent_or_refused() {
  [[ $STATUS == 404 || $STATUS == 406 ]] && return 0
  status_is 200 || return 1
  body_digest_is "$(hdr Docker-Content-Digest)" || return 1
  header_is Content-Type "$(jq -r .mediaType <"$T/resp.body")"
}
check "Accept mismatch: a self-consistent answer (bytes, digest, type) or 404/406" consistent_or_refused
# Bulwark negotiates: a client that says it cannot read the stored type gets 404 MANIFEST_UNKNOWN
# naming the stored type, rather than bytes it declared it cannot parse.
bulwark_only "distribution 2.8 rewrites a manifest list to its linux/amd64 child or 404" &&
  check "Accept mismatch: 404 MANIFEST_UNKNOWN" error_is 404 MANIFEST_UNKNOWN
bulwark_only "distribution 2.8 rewrites a manifest list to its linux/amd64 child or 404" &&
  check "Accept mismatch: the error names the stored media type" json_true \
    ".errors[0].message | contains(\"$DOCKER_LIST\")"

echo "## manifests: OCI index"
cp "$T/config.json" "$T/config-arm.json"; sed -i 's/amd64/arm64/' "$T/config-arm.json"
push_blob "$APP" "$T/config-arm.json" || die "cannot push arm config"
image_manifest "$T/m-arm.json" "$OCI_CONFIG" "$T/config-arm.json" "$OCI_LAYER" "$OCI_MANIFEST" "$T/layer2"
push_manifest "$APP" "$(digest_of "$T/m-arm.json")" "$T/m-arm.json" "$OCI_MANIFEST" || die "cannot push arm manifest"
jq -n --arg mt "$OCI_INDEX" --arg om "$OCI_MANIFEST" --arg amd "$M1" --argjson amds "$(size_of "$T/m1.json")" \
  --arg arm "$(digest_of "$T/m-arm.json")" --argjson arms "$(size_of "$T/m-arm.json")" \
  '{schemaVersion:2, mediaType:$mt, manifests:[
     {mediaType:$om, digest:$amd, size:$amds, platform:{architecture:"amd64",os:"linux"}},
     {mediaType:$om, digest:$arm, size:$arms, platform:{architecture:"arm64",os:"linux"}}]}' >"$T/index.json"
IDX=$(digest_of "$T/index.json")
req PUT "/v2/$APP/manifests/multi" -H "Content-Type: $OCI_INDEX" --data-binary "@$T/index.json"
check "PUT OCI index answers 201" status_is 201
check "PUT OCI index: Docker-Content-Digest" header_is Docker-Content-Digest "$IDX"
req GET "/v2/$APP/manifests/multi" -H "Accept: $OCI_INDEX, $OCI_MANIFEST"
check "GET OCI index: exact bytes" body_equals_file "$T/index.json"
check "GET OCI index: Content-Type" header_is Content-Type "$OCI_INDEX"
jq --arg d "$ZERO_DIGEST" '.manifests[1].digest = $d' "$T/index.json" >"$T/index-missing.json"
req PUT "/v2/$APP/manifests/multi-missing" -H "Content-Type: $OCI_INDEX" --data-binary "@$T/index-missing.json"
check "index referencing a missing child: 400 MANIFEST_BLOB_UNKNOWN" error_is 400 MANIFEST_BLOB_UNKNOWN
jq --argjson l "[$L1_D]" '. + {layers:$l}' "$T/index.json" >"$T/index-mixed.json"
req PUT "/v2/$APP/manifests/index-mixed" -H "Content-Type: $OCI_INDEX" --data-binary "@$T/index-mixed.json"
bulwark_only "distribution accepts an index that also has layers" &&
  check "index mixing manifests and layers: 400 MANIFEST_INVALID" error_is 400 MANIFEST_INVALID

# ==============================================================================================
echo "## tags"
TAGS=e2e/tags
for f in config.json layer1 layer2; do push_blob "$TAGS" "$T/$f" || die "cannot push blob $f"; done
for tag in c a e b d; do push_manifest "$TAGS" "$tag" "$T/m1.json" "$OCI_MANIFEST" || die "cannot tag $tag"; done
req GET "/v2/$TAGS/tags/list"
check "tags/list answers 200" status_is 200
check "tags/list: name" json_is .name "$TAGS"
check "tags/list: all five tags" json_is '.tags | sort | join(",")' "a,b,c,d,e"
if bulwark_only "distribution 2.8 returns tags unsorted and ignores n/last"; then
  check "tags/list: all tags, sorted" json_is '.tags | join(",")' "a,b,c,d,e"

  # link_next_is LAST: the Link header points at this tags/list with n=2 and last=LAST, rel="next".
  link_next_is() {
    local link url
    link=$(hdr Link) || { echo "expected a Link header (next page after $2), none"; return 1; }
    [[ $link =~ ^\<([^>]*)\>\;\ *rel=\"?next\"?$ ]] || { echo "expected Link: <URL>; rel=\"next\", got: $link"; return 1; }
    url=${BASH_REMATCH[1]}
    url=${url#"$R"}
    [[ ${url%%\?*} == "$1" ]] || { echo "expected Link to $1, got $url"; return 1; }
    [[ "&${url#*\?}&" == *"&n=2&"* && "&${url#*\?}&" == *"&last=$2&"* ]] && return 0
    echo "expected Link query with n=2 and last=$2, got $url"
    return 1
  }
  req GET "/v2/$TAGS/tags/list?n=2"
  check "tags/list?n=2: first two tags" json_is '.tags | join(",")' "a,b"
  check "tags/list?n=2: Link to the next page" link_next_is "/v2/$TAGS/tags/list" b
  req GET "/v2/$TAGS/tags/list?n=2&last=b"
  check "tags/list?n=2&last=b: next two tags" json_is '.tags | join(",")' "c,d"
  check "tags/list?n=2&last=b: Link to the next page" link_next_is "/v2/$TAGS/tags/list" d
  req GET "/v2/$TAGS/tags/list?n=2&last=d"
  check "tags/list last page: the remaining tag" json_is '.tags | join(",")' "e"
  check "tags/list last page: no Link" header_absent Link
  req GET "/v2/$TAGS/tags/list?last=c"
  check "tags/list?last=c: tags after c" json_is '.tags | join(",")' "d,e"
fi
req GET "/v2/$TAGS/tags/list?n=0"
bulwark_only "distribution 2.8 answers n=0 with all tags" &&
  check "tags/list?n=0: an empty list" json_is '(.tags // []) | length' 0
req GET "/v2/e2e/nosuchrepo/tags/list"
check "tags/list of an unknown repository: 404 NAME_UNKNOWN" error_is 404 NAME_UNKNOWN
req PUT "/v2/$TAGS/manifests/a" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/m2.json"
req GET "/v2/$TAGS/manifests/a" -H "Accept: $OCI_MANIFEST"
check "re-pushing a tag moves it to the new manifest" body_equals_file "$T/m2.json"
req GET "/v2/$TAGS/manifests/b" -H "Accept: $OCI_MANIFEST"
check "moving one tag leaves the others" body_equals_file "$T/m1.json"

# ==============================================================================================
echo "## catalog"
req GET /v2/_catalog
check "_catalog answers 200" status_is 200
check "_catalog lists the pushed repositories" json_true \
  "(.repositories | index(\"$APP\")) != null and (.repositories | index(\"$TAGS\")) != null and (.repositories | index(\"e2e/mounted\")) != null"
check "_catalog is sorted" json_true '.repositories == (.repositories | sort)'
check "_catalog does not list a repository that never got content" json_true '(.repositories | index("e2e/nosuchrepo")) == null'
ALL=$(jq -c .repositories "$T/resp.body")
# Walk the pages with n=2 following Link headers; the concatenation must equal the full list.
PAGES='[]'
URL="/v2/_catalog?n=2"
pages_ok=1
for ((i = 0; i < 50; i++)); do
  req GET "$URL"
  [[ $STATUS == 200 ]] || { pages_ok=0; break; }
  [[ $(jq '.repositories | length' "$T/resp.body") -le 2 ]] || { pages_ok=0; break; }
  PAGES=$(jq -c --argjson p "$PAGES" '$p + .repositories' "$T/resp.body")
  link=$(hdr Link) || break
  [[ $link =~ ^\<([^>]*)\> ]] || { pages_ok=0; break; }
  URL=${BASH_REMATCH[1]}
  [[ $URL == /* || $URL == http* ]] || { pages_ok=0; break; }
done
check "_catalog?n=2 pages (following Link) add up to the full sorted list" equals "$pages_ok:$PAGES" "1:$ALL"
FIRST2=$(jq -r '.[1]' <<<"$ALL")
req GET "/v2/_catalog?n=2"
check "_catalog?n=2: Link rel=next with n=2 and last=<second repository>" \
  run_ok bash -c '[[ $1 =~ ^\<[^>]*_catalog\?([^>]*)\>\;\ *rel=\"?next\"?$ ]] && q="&${BASH_REMATCH[1]}&" && [[ $q == *"&n=2&"* && $q == *"&last=$2&"* ]] || { echo "got Link: $1"; exit 1; }' _ "$(hdr Link)" "$FIRST2"
req GET "/v2/_catalog?n=1&last=$APP"
check "_catalog?n=1&last=X: the repository after X" json_is '.repositories | join(",")' "$(jq -r --arg a "$APP" '(index($a)) as $i | .[$i+1]' <<<"$ALL")"

# ==============================================================================================
if bulwark_only "distribution 2.8 has no referrers API (OCI 1.1)"; then
  echo "## referrers"
  SUBJ_D=$(jq -cn --arg d "$M1" --argjson s "$(size_of "$T/m1.json")" --arg m "$OCI_MANIFEST" '{mediaType:$m,digest:$d,size:$s}')
  printf '{}' >"$T/empty.json"
  push_blob "$APP" "$T/empty.json" || die "cannot push the empty config"
  echo '{"bomFormat":"CycloneDX"}' >"$T/sbom.json"
  echo 'signature bytes' >"$T/sig.bin"
  push_blob "$APP" "$T/sbom.json" && push_blob "$APP" "$T/sig.bin" || die "cannot push artifact blobs"
  # artifact OUT ARTIFACT_TYPE LAYER_FILE ANNOTATION_VALUE [SUBJECT_DESCRIPTOR]
  artifact() {
    jq -n --arg mt "$OCI_MANIFEST" --arg at "$2" --argjson c "$(descriptor "$OCI_EMPTY" "$T/empty.json")" \
      --argjson l "$(descriptor application/octet-stream "$3")" --argjson s "${5:-$SUBJ_D}" --arg a "$4" \
      '{schemaVersion:2, mediaType:$mt, artifactType:$at, config:$c, layers:[$l], subject:$s,
        annotations:{"org.example.note":$a}}' >"$1"
  }
  artifact "$T/ref-sbom.json" application/vnd.example.sbom "$T/sbom.json" sbom-1
  artifact "$T/ref-sig.json" application/vnd.example.sig "$T/sig.bin" sig-1
  RS=$(digest_of "$T/ref-sbom.json")
  RG=$(digest_of "$T/ref-sig.json")
  req PUT "/v2/$APP/manifests/$RS" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/ref-sbom.json"
  check "PUT manifest with subject answers 201" status_is 201
  check "PUT manifest with subject: OCI-Subject header names the subject" header_is OCI-Subject "$M1"
  req PUT "/v2/$APP/manifests/$RG" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/ref-sig.json"
  check "second referrer accepted" status_is 201
  # A referrer without artifactType: its config media type is the artifact type.
  echo 'legacy' >"$T/legacy.cfg"
  push_blob "$APP" "$T/legacy.cfg" || die "cannot push legacy config"
  jq -n --arg mt "$OCI_MANIFEST" --argjson c "$(descriptor application/vnd.example.legacy.config "$T/legacy.cfg")" \
    --argjson l "$(descriptor application/octet-stream "$T/sig.bin")" --argjson s "$SUBJ_D" \
    '{schemaVersion:2, mediaType:$mt, config:$c, layers:[$l], subject:$s}' >"$T/ref-legacy.json"
  RL=$(digest_of "$T/ref-legacy.json")
  req PUT "/v2/$APP/manifests/$RL" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/ref-legacy.json"
  check "referrer without artifactType accepted" status_is 201

  req GET "/v2/$APP/referrers/$M1"
  check "GET referrers answers 200" status_is 200
  check "referrers: Content-Type is an OCI index" header_is Content-Type "$OCI_INDEX"
  check "referrers: body is an OCI index" json_true ".schemaVersion == 2 and .mediaType == \"$OCI_INDEX\""
  check "referrers: three referrers listed" json_is '.manifests | length' 3
  check "referrers: sbom descriptor complete" json_true \
    "any(.manifests[]; .digest == \"$RS\" and .mediaType == \"$OCI_MANIFEST\" and .size == $(size_of "$T/ref-sbom.json")
       and .artifactType == \"application/vnd.example.sbom\" and .annotations[\"org.example.note\"] == \"sbom-1\")"
  check "referrers: signature descriptor complete" json_true \
    "any(.manifests[]; .digest == \"$RG\" and .artifactType == \"application/vnd.example.sig\" and .annotations[\"org.example.note\"] == \"sig-1\")"
  check "referrers: artifactType falls back to the config media type" json_true \
    "any(.manifests[]; .digest == \"$RL\" and .artifactType == \"application/vnd.example.legacy.config\")"
  req GET "/v2/$APP/referrers/$M1?artifactType=application/vnd.example.sbom"
  check "referrers?artifactType=: only matching referrers" json_true "[.manifests[].digest] == [\"$RS\"]"
  check "referrers?artifactType=: OCI-Filters-Applied: artifactType" header_is OCI-Filters-Applied artifactType
  req GET "/v2/$APP/referrers/$ZERO_DIGEST"
  check "referrers of an unknown subject: 200" status_is 200
  check "referrers of an unknown subject: empty index" json_is '.manifests | length' 0
  req GET "/v2/$APP/referrers/sha256:nothex"
  check "referrers with an invalid digest: 400 DIGEST_INVALID" error_is 400 DIGEST_INVALID
  req GET "/v2/e2e/other/referrers/$M1"
  check "referrers are per repository (none in another repository)" json_is '(.manifests // []) | length' 0

  # A referrer may be pushed before its subject exists.
  push_blob "e2e/early" "$T/empty.json" && push_blob "e2e/early" "$T/sig.bin" || die "cannot push blobs to e2e/early"
  EARLY_SUBJ=$(jq -cn --arg d "$ZERO_DIGEST" --arg m "$OCI_MANIFEST" '{mediaType:$m,digest:$d,size:100}')
  artifact "$T/ref-early.json" application/vnd.example.sig "$T/sig.bin" early "$EARLY_SUBJ"
  req PUT "/v2/e2e/early/manifests/$(digest_of "$T/ref-early.json")" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$T/ref-early.json"
  check "referrer with a not-yet-pushed subject is accepted" status_is 201
  check "...and still answers OCI-Subject" header_is OCI-Subject "$ZERO_DIGEST"
  req GET "/v2/e2e/early/referrers/$ZERO_DIGEST"
  check "referrer of a not-yet-pushed subject is listed" json_is '.manifests[0].digest' "$(digest_of "$T/ref-early.json")"

  req DELETE "/v2/$APP/manifests/$RS"
  check "DELETE referrer manifest answers 202" status_is 202
  req GET "/v2/$APP/referrers/$M1"
  check "deleted referrer disappears from the list" json_true "([.manifests[].digest] | index(\"$RS\")) == null and (.manifests | length) == 2"
fi

# ==============================================================================================
echo "## deletion"
DEL=e2e/del
for f in config.json layer1 layer2; do push_blob "$DEL" "$T/$f" || die "cannot push blob $f"; done
push_manifest "$DEL" one "$T/m1.json" "$OCI_MANIFEST" && push_manifest "$DEL" two "$T/m1.json" "$OCI_MANIFEST" &&
  push_manifest "$DEL" keep "$T/m2.json" "$OCI_MANIFEST" || die "cannot push manifests to $DEL"
req DELETE "/v2/$DEL/manifests/$M1"
check "DELETE manifest by digest answers 202" status_is 202
req GET "/v2/$DEL/manifests/$M1" -H "Accept: $OCI_MANIFEST"
check "deleted manifest: 404 MANIFEST_UNKNOWN" error_is 404 MANIFEST_UNKNOWN
req GET "/v2/$DEL/manifests/one" -H "Accept: $OCI_MANIFEST"
check "a tag of the deleted manifest is gone (404)" error_is 404 MANIFEST_UNKNOWN
req GET "/v2/$DEL/tags/list"
check "tags of the deleted manifest leave tags/list" json_is '(.tags // []) | join(",")' keep
req GET "/v2/$APP/manifests/$M1" -H "Accept: $OCI_MANIFEST"
check "deleting in one repository leaves the same manifest in another" body_equals_file "$T/m1.json"
req DELETE "/v2/$DEL/manifests/$ZERO_DIGEST"
check "DELETE unknown manifest: 404 MANIFEST_UNKNOWN" error_is 404 MANIFEST_UNKNOWN
req DELETE "/v2/$DEL/manifests/keep"
bulwark_only "distribution 2.8 does not delete by tag" && {
  check "DELETE by tag answers 202" status_is 202
  req GET "/v2/$DEL/manifests/keep" -H "Accept: $OCI_MANIFEST"
  check "deleted tag: 404 MANIFEST_UNKNOWN" error_is 404 MANIFEST_UNKNOWN
  req GET "/v2/$DEL/manifests/$M2" -H "Accept: $OCI_MANIFEST"
  check "the manifest of a deleted tag remains by digest" body_equals_file "$T/m2.json"
}
req DELETE "/v2/$DEL/manifests/nosuchtag"
check "DELETE unknown tag: 4xx" status_is 400 404 405

# ==============================================================================================
echo "## garbage input never yields 5xx"
BIGH=$(head -c 49152 /dev/urandom | base64 -w0)   # 64 KiB of header value
req GET /v2/ -H "X-Big: $BIGH"
check "64 KiB header: refused without 5xx" status_below_500
bulwark_only "distribution accepts headers up to 1 MiB" &&
  check "64 KiB header: 431 or 400" status_is 431 400
req POST "/v2/$REPO/blobs/uploads/"
GLOC=$(location)
head -c 5000 /dev/urandom >"$T/junk.bin"
# Each line: METHOD|PATH|extra curl arguments (shell words)|why distribution fails it (if it does)
while IFS='|' read -r method path extra dist_note; do
  [[ -z $method || $method == \#* ]] && continue
  eval "args=($extra)"
  req "$method" "$path" "${args[@]}"
  [[ -n $dist_note ]] && ! bulwark_only "$dist_note" && continue
  check "no 5xx: $method ${path:0:70} ${extra:0:70}" status_below_500
done <<EOF
GET|/v2/$REPO/blobs/sha256:zz|
GET|/v2/$REPO/blobs/notadigest|
GET|/v2/$REPO/blobs/sha256:$(printf 'a%.0s' {1..63})|
GET|/v2/$REPO/blobs/sha256:$(printf 'A%.0s' {1..64})|
GET|/v2/$REPO/blobs/sha256:|
GET|/v2/$REPO/blobs/:|
HEAD|/v2/$REPO/blobs/sha999:abc|
GET|/v2/$REPO/manifests/sha256:abc||distribution answers 500 for a malformed digest reference
GET|/v2/$REPO/manifests/%00|
GET|/v2/$REPO/manifests/$(printf 't%.0s' {1..200})|
DELETE|/v2/$REPO/blobs/sha256:zz|
GET|/v2/$REPO/tags/list?n=abc|
GET|/v2/$REPO/tags/list?n=-1|
GET|/v2/$REPO/tags/list?n=99999999999999999999999|
GET|/v2/$REPO/tags/list?last=%00%ff|
GET|/v2/$REPO/tags/list?n=%zz|
GET|/v2/_catalog?n=abc|
GET|/v2/_catalog?n=-5&last=%ff|
GET|/v2/_catalog?n=99999999999999999999999|
GET|/v2/$REPO/blobs/$B2|-H 'Range: bytes=abc'
GET|/v2/$REPO/blobs/$B2|-H 'Range: bytes=5-2'
GET|/v2/$REPO/blobs/$B2|-H 'Range: bytes=-99999999999999999999999'
GET|/v2/$REPO/blobs/$B2|-H 'Range: bytes=0-1,5-9,100-200'
PATCH|$GLOC|-H 'Content-Type: application/octet-stream' -H 'Content-Range: garbage' --data-binary abc
PATCH|$GLOC|-H 'Content-Type: application/octet-stream' -H 'Content-Range: 5-2' --data-binary abc
PATCH|$GLOC|-H 'Content-Type: application/octet-stream' -H 'Content-Range: -1-3' --data-binary abc
PATCH|$GLOC|-H 'Content-Type: application/octet-stream' -H 'Content-Range: 99999999999999999999-1' --data-binary abc
PATCH|$GLOC|-H 'Content-Type: application/octet-stream' -H 'Content-Range: bytes 0-2/3' --data-binary abc
PATCH|$GLOC|-H 'Content-Type: text/plain' --data-binary abc|
PUT|$GLOC|--data-binary abc
PUT|$(with_query "$GLOC" "digest=sha256:%00")|--data-binary abc
PUT|$(with_query "$GLOC" "digest=%ff%fe")|--data-binary abc
GET|/v2/$REPO/blobs/uploads/..%2F..%2Fetc%2Fpasswd|
GET|/v2/$REPO/blobs/uploads/../../../etc/passwd|
PATCH|/v2/$REPO/blobs/uploads/$(printf 'x%.0s' {1..300})|--data-binary abc
POST|/v2/$REPO/blobs/uploads/?mount=junk&from=../../x|
POST|/v2/$REPO/blobs/uploads/?mount=$B2&from=UPPER//case|
POST|/v2/$REPO/blobs/uploads/?digest=junk|--data-binary abc
PUT|/v2/$APP/manifests/junk|-H 'Content-Type: $OCI_MANIFEST' --data-binary @$T/junk.bin
PUT|/v2/$APP/manifests/junk|-H 'Content-Type: application/x-junk' --data-binary '{"schemaVersion":2}'
PUT|/v2/$APP/manifests/junk|-H 'Content-Type: $OCI_INDEX' --data-binary '{"schemaVersion":2,"manifests":[{"digest":5}]}'
PUT|/v2/$APP/manifests/junk|-H 'Content-Type: $OCI_MANIFEST' --data-binary '{"schemaVersion":2,"config":null,"layers":"x"}'
PUT|/v2/$APP/manifests/junk|-H 'Content-Type: $OCI_MANIFEST' --data-binary '{"schemaVersion":99999999999999999999999999}'
PUT|/v2/$APP/manifests/junk|-H 'Content-Type: $OCI_MANIFEST' --data-binary '$(printf '[%.0s' {1..5000})'
PUT|/v2/$APP/manifests/junk|-H 'Content-Type: $OCI_MANIFEST' --data-binary '"\\ud800"'
GET|/v2/$APP/manifests/v1|-H 'Accept: ;;;,,,*/*;q=abc'
GET|/v2/$APP/referrers/sha256:zz|
GET|/v2/$APP/referrers/$M1?artifactType=%ff|
PUT|/v2/|--data-binary abc
DELETE|/v2/|
GET|/v2/$APP/unknown-endpoint|
GET|/v3/|
GET|/|
EOF

# Raw socket abuse: binary junk instead of HTTP, and a body shorter than its Content-Length.
raw_send() {
  python3 - "$REGISTRY_HOSTPORT" "$1" <<'PY'
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
payloads = {
    "junk": b"\x00\xff\xfe GARBAGE \x01\x02\r\n\r\n",
    "short": b"PUT /v2/e2e/blobs/blobs/uploads/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc",
    "badver": b"GET /v2/ HTTP/9.9\r\nHost: x\r\n\r\n",
    "nohost": b"GET /v2/ HTTP/1.1\r\n\r\n",
    "badchunk": b"PATCH /v2/e2e/blobs/blobs/uploads/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
}
s = socket.create_connection((host, int(port)), timeout=5)
s.sendall(payloads[sys.argv[2]])
try:
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass
data = b""
try:
    while len(data) < 64:
        chunk = s.recv(64)
        if not chunk:
            break
        data += chunk
except (socket.timeout, ConnectionResetError):
    pass
parts = data.split(b" ")
print(parts[1].decode() if data.startswith(b"HTTP/") and len(parts) > 1 else "closed")
PY
}
for kind in junk short badver nohost badchunk; do
  got=$(raw_send "$kind" 2>&1)
  # 505 HTTP Version Not Supported is the protocol's own answer to HTTP/9.9, not a server error.
  check "raw request ($kind): answered below 500 (505 for a bad version) or connection closed" \
    run_ok bash -c '[[ $1 == closed || ( $1 =~ ^[0-9]{3}$ && ( $1 -lt 500 || ( $2 == badver && $1 == 505 ) ) ) ]] || { echo "got: $1"; exit 1; }' _ "$got" "$kind"
done

req GET /v2/
check "after all the garbage the server still answers GET /v2/ with 200" status_is 200
req GET "/v2/$APP/manifests/v1" -H "Accept: $OCI_MANIFEST"
check "after all the garbage the pushed manifest is intact" body_equals_file "$T/m1.json"

stop_registry
finish
