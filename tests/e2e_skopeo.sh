#!/usr/bin/env bash
# Black-box test with a real client: Debian's skopeo pushes, pulls, inspects, lists, deletes and
# copies images built offline (tests/make-oci-layout.sh) and checks that digests survive every
# round trip byte for byte, including a multi-architecture index, docker-archive conversions and a
# copy between two repositories of the same registry (cross-repository mount).
#
# Usage: BULWARK_BIN=build/bulwark bash tests/e2e_skopeo.sh
#        REGISTRY_IMPL=distribution bash tests/e2e_skopeo.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v skopeo >/dev/null || die "skopeo is not installed"
# skopeo keeps a blob-info cache and reads credentials under $HOME: keep both private to this run.
export HOME=$T/home XDG_RUNTIME_DIR=$T/home/run XDG_CONFIG_HOME=$T/home/config XDG_DATA_HOME=$T/home/data
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

OCI_INDEX=application/vnd.oci.image.index.v1+json
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
MK=$TESTS_DIR/make-oci-layout.sh
SRC=$T/src

# raw_digest_is REF DIGEST: `skopeo inspect --raw` of REF has exactly the bytes named by DIGEST.
raw_digest_is() {
  sk_ok inspect --raw "$1" || return 1
  local got
  got=sha256:$(sha256sum <"$T/sk.out" | cut -d' ' -f1)
  [[ $got == "$2" ]] && return 0
  echo "expected manifest bytes of $2, got $got:"
  head -c 600 "$T/sk.out"
  return 1
}

# layout_digest DIR TAG: the manifest digest TAG names in an OCI layout.
layout_digest() {
  jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$1/index.json"
}
blob_path() { echo "$1/blobs/sha256/${2#sha256:}"; }

# same_blobs DIR_A DIR_B: every blob of DIR_B exists in DIR_A with identical bytes.
same_blobs() {
  local f n=0
  for f in "$2"/blobs/sha256/*; do
    cmp -s "$f" "$1/blobs/sha256/${f##*/}" || { echo "blob ${f##*/} differs or is missing in $1"; return 1; }
    n=$((n + 1))
  done
  ((n > 0)) || { echo "no blobs in $2"; return 1; }
}

# sk_out_jq FILTER: jq -e FILTER on the last skopeo output.
sk_out_jq() { jq -e "$1" "$T/sk.out" >/dev/null || { echo "expected skopeo output to satisfy $1, got:"; head -c 1500 "$T/sk.out"; return 1; }; }

echo "## building test images offline"
IMG=$(bash "$MK" image "$SRC" v1 3 amd64 200000) || die "make-oci-layout.sh image failed"
IMG2=$(bash "$MK" image "$SRC" v2 1 amd64 1000) || die "make-oci-layout.sh image failed"
DOOMED=$(bash "$MK" image "$SRC" doomed 1 amd64 1000) || die "make-oci-layout.sh image failed"
MULTI=$(bash "$MK" multiarch "$SRC" multi 2) || die "make-oci-layout.sh multiarch failed"
ARM64=$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' "$(blob_path "$SRC" "$MULTI")")
AMD64=$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' "$(blob_path "$SRC" "$MULTI")")
CONFIG=$(jq -r .config.digest "$(blob_path "$SRC" "$IMG")")
echo "v1=$IMG multi=$MULTI"

start_registry
write_authfile "$T/auth.json"  # skopeo logs in through the token flow with these credentials
echo "registry: $REGISTRY_IMPL at $R"
D=docker://$REGISTRY_HOSTPORT

echo "## push (oci: -> docker://)"
check "skopeo copy oci:src:v1 -> proj/img:v1 (--preserve-digests)" run_ok sk_ok copy --preserve-digests "oci:$SRC:v1" "$D/proj/img:v1"
check "inspect --raw: the pushed manifest has the original bytes" run_ok raw_digest_is "$D/proj/img:v1" "$IMG"
req HEAD /v2/proj/img/manifests/v1 -H "Accept: $OCI_MANIFEST"
check "registry reports the original digest for proj/img:v1" header_is Docker-Content-Digest "$IMG"
check "skopeo copy oci:src:v2 -> proj/img:v2" run_ok sk_ok copy --preserve-digests "oci:$SRC:v2" "$D/proj/img:v2"
check "skopeo copy oci:src:doomed -> proj/img:doomed" run_ok sk_ok copy --preserve-digests "oci:$SRC:doomed" "$D/proj/img:doomed"

echo "## inspect and list-tags"
check "skopeo inspect succeeds" run_ok sk_ok inspect "$D/proj/img:v1"
check "inspect: digest, platform and layer count" run_ok sk_out_jq \
  ".Digest == \"$IMG\" and .Architecture == \"amd64\" and .Os == \"linux\" and (.Layers | length) == 3"
check "inspect --config --raw: the original config bytes" run_ok bash -c \
  'skopeo --insecure-policy inspect --tls-verify=false --authfile "$3" --config --raw "$1" | cmp -s - "$2" || { echo "config differs"; exit 1; }' \
  _ "$D/proj/img:v1" "$(blob_path "$SRC" "$CONFIG")" "$T/auth.json"
check "skopeo list-tags succeeds" run_ok sk_ok list-tags "$D/proj/img"
check "list-tags: exactly doomed, v1, v2" run_ok sk_out_jq '(.Tags | sort) == ["doomed","v1","v2"]'
check "inspect of a missing tag fails" run_ok sk_fails inspect "$D/proj/img:nope"
check "list-tags of a missing repository fails" run_ok sk_fails list-tags "$D/proj/nosuchrepo"

echo "## multi-arch index (--all)"
check "skopeo copy --all oci:src:multi -> proj/multi:latest" run_ok sk_ok copy --all --preserve-digests "oci:$SRC:multi" "$D/proj/multi:latest"
check "inspect --raw: the index has the original bytes" run_ok raw_digest_is "$D/proj/multi:latest" "$MULTI"
check "inspect --raw: the index media type" run_ok sk_out_jq ".mediaType == \"$OCI_INDEX\" and (.manifests | length) == 2"
check "amd64 child manifest is served by digest with its bytes" run_ok raw_digest_is "$D/proj/multi@$AMD64" "$AMD64"
check "arm64 child manifest is served by digest with its bytes" run_ok raw_digest_is "$D/proj/multi@$ARM64" "$ARM64"
ARM64_LAYERS=$(jq -c '[.layers[].digest]' "$(blob_path "$SRC" "$ARM64")")
check "inspect --override-arch arm64 resolves the arm64 image (architecture and layers)" run_ok bash -c \
  'out=$(skopeo --insecure-policy --override-arch arm64 --override-os linux inspect --tls-verify=false --authfile "$3" "$1") &&
   jq -e --argjson l "$2" ".Architecture == \"arm64\" and .Layers == \$l" >/dev/null <<<"$out" || { echo "$out"; exit 1; }' \
  _ "$D/proj/multi:latest" "$ARM64_LAYERS" "$T/auth.json"

echo "## pull (docker:// -> oci:)"
check "skopeo copy proj/img:v1 -> oci:out:v1" run_ok sk_ok copy --preserve-digests "$D/proj/img:v1" "oci:$T/out:v1"
check "pulled layout tags the original manifest digest" equals "$(layout_digest "$T/out" v1)" "$IMG"
check "every pulled blob is byte-identical to the source" run_ok same_blobs "$SRC" "$T/out"
check "skopeo copy --all proj/multi:latest -> oci:outmulti:multi" run_ok sk_ok copy --all --preserve-digests "$D/proj/multi:latest" "oci:$T/outmulti:multi"
check "pulled multi-arch layout tags the original index digest" equals "$(layout_digest "$T/outmulti" multi)" "$MULTI"
check "every pulled multi-arch blob is byte-identical to the source" run_ok same_blobs "$SRC" "$T/outmulti"

echo "## docker-archive round trip"
# archive_files TAR: "config-sha256 layer-sha256..." of a docker-archive (layers as stored, uncompressed).
archive_files() {
  local dir
  dir=$(mktemp -d -p "$T")
  tar -C "$dir" -xf "$1" || return 1
  local cfg
  cfg=$(jq -r '.[0].Config' "$dir/manifest.json")
  echo "config $(sha256sum <"$dir/$cfg" | cut -d' ' -f1)"
  jq -r '.[0].Layers[]' "$dir/manifest.json" | while read -r l; do echo "layer $(sha256sum <"$dir/$l" | cut -d' ' -f1)"; done
}
check "skopeo copy oci:src:v1 -> docker-archive (local conversion)" run_ok sk_ok copy "oci:$SRC:v1" "docker-archive:$T/img.tar:proj/img:v1"
check "skopeo copy docker-archive -> proj/archived:v1" run_ok sk_ok copy "docker-archive:$T/img.tar" "$D/proj/archived:v1"
check "inspect --raw: a Docker v2 manifest with 3 layers" run_ok bash -c \
  'skopeo --insecure-policy inspect --tls-verify=false --authfile "$3" --raw "$1" | jq -e --arg m "$2" ".mediaType == \$m and (.layers | length) == 3" >/dev/null' \
  _ "$D/proj/archived:v1" "$DOCKER_MANIFEST" "$T/auth.json"
req GET /v2/proj/archived/manifests/v1 -H "Accept: $DOCKER_MANIFEST"
check "Docker-Content-Digest names the bytes served for the archived image" body_digest_is "$(hdr Docker-Content-Digest)"
check "skopeo copy proj/archived:v1 -> docker-archive" run_ok sk_ok copy "$D/proj/archived:v1" "docker-archive:$T/back.tar:proj/archived:v1"
check "docker-archive round trip keeps config and layer contents" run_ok bash -c \
  'diff <(cat "$1") <(cat "$2")' _ <(archive_files "$T/img.tar") <(archive_files "$T/back.tar")
check "archive layers are the original uncompressed layers (diff_ids)" run_ok bash -c \
  'diff <(grep ^layer "$1" | cut -d" " -f2) <(jq -r ".rootfs.diff_ids[] | sub(\"sha256:\"; \"\")" "$2")' \
  _ <(archive_files "$T/back.tar") "$(blob_path "$SRC" "$CONFIG")"

echo "## copy between repositories (cross-repository mount)"
# skopeo --debug logs each mount attempt ("Trying to mount", "... mount OK") and each upload request.
check "skopeo copy proj/img:v1 -> other/img:v1" run_ok sk_ok copy --debug --preserve-digests "$D/proj/img:v1" "$D/other/img:v1"
cp "$T/sk.out" "$T/mount-copy.out"
# shellcheck disable=SC2046 # one argument per layer digest
# (skopeo mounts layers from any repository its blob-info cache saw them in; it may upload the config.)
check "every layer was mounted, none uploaded again" run_ok bash -c \
  'f=$1; shift; m=$(grep -c "mount OK" "$f"); [[ $m -ge 3 ]] || { echo "only $m successful mounts"; exit 1; }
   for l in "$@"; do
     ! grep -qE "PUT http[^ ]*/blobs/uploads/[^ ]*digest=sha256%3A${l#sha256:}" "$f" || { echo "layer $l was uploaded"; exit 1; }
   done' \
  _ "$T/mount-copy.out" $(jq -r '.layers[].digest' "$(blob_path "$SRC" "$IMG")") # one word per digest
check "the copy has the same manifest digest" run_ok raw_digest_is "$D/other/img:v1" "$IMG"
for layer in $(jq -r '.layers[].digest' "$(blob_path "$SRC" "$IMG")"); do
  req HEAD "/v2/other/img/blobs/$layer"
  check "mounted layer ${layer:7:12} is served from other/img" header_is Docker-Content-Digest "$layer"
done

echo "## delete"
check "skopeo delete proj/img:doomed" run_ok sk_ok delete "$D/proj/img:doomed"
check "deleted image cannot be inspected" run_ok sk_fails inspect --raw "$D/proj/img:doomed"
req GET "/v2/proj/img/manifests/$DOOMED" -H "Accept: $OCI_MANIFEST"
check "deleted manifest: 404 MANIFEST_UNKNOWN" error_is 404 MANIFEST_UNKNOWN
check "list-tags after delete" run_ok sk_ok list-tags "$D/proj/img"
check "list-tags after delete: v1, v2 only" run_ok sk_out_jq '(.Tags | sort) == ["v1","v2"]'
check "other images survive the delete" run_ok raw_digest_is "$D/proj/img:v2" "$IMG2"

echo "## restart keeps everything"
restart_registry
write_authfile "$T/auth.json"
D=docker://$REGISTRY_HOSTPORT
check "after restart: proj/img:v1 has the original bytes" run_ok raw_digest_is "$D/proj/img:v1" "$IMG"
check "after restart: proj/multi:latest has the original bytes" run_ok raw_digest_is "$D/proj/multi:latest" "$MULTI"
check "after restart: skopeo copy proj/img:v1 -> oci:again:v1" run_ok sk_ok copy --preserve-digests "$D/proj/img:v1" "oci:$T/again:v1"
check "after restart: pulled blobs are byte-identical" run_ok same_blobs "$SRC" "$T/again"

stop_registry
finish
