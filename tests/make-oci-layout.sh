#!/usr/bin/env bash
# Builds OCI image layouts (image-spec "oci-layout" directories) offline, for tests that need real
# images without a network: random gzip'd tar layers, a config with matching diff_ids, a manifest,
# and optionally a multi-architecture index. Each call adds one tagged entry to DIR/index.json, so
# one layout can hold several tags.
#
#   make-oci-layout.sh image DIR TAG [LAYERS=2] [ARCH=amd64] [FILE_BYTES=4096]
#   make-oci-layout.sh multiarch DIR TAG [LAYERS=2]       # index of linux/amd64 + linux/arm64
#   make-oci-layout.sh tars DIR TAG TAR...                # one gzip'd layer per given tar, in order
#
# Prints the digest of the manifest (or index) it tagged. Needs bash, tar, gzip, sha256sum, jq.
set -euo pipefail

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json
OCI_CONFIG=application/vnd.oci.image.config.v1+json
OCI_LAYER=application/vnd.oci.image.layer.v1.tar+gzip

usage() {
  sed -n '2,10p' "$0" >&2
  exit 2
}

# Moves FILE into DIR's blob store; prints its digest.
put_blob() {
  local dir=$1 file=$2 hex
  hex=$(sha256sum "$file" | cut -d' ' -f1)
  mkdir -p "$dir/blobs/sha256"
  mv -f "$file" "$dir/blobs/sha256/$hex"
  echo "sha256:$hex"
}

blob_size() { stat -c %s "$1/blobs/sha256/${2#sha256:}"; }

init_layout() {
  local dir=$1
  mkdir -p "$dir/blobs/sha256"
  [[ -f $dir/oci-layout ]] || echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  [[ -f $dir/index.json ]] || echo '{"schemaVersion":2,"manifests":[]}' >"$dir/index.json"
}

# make_layer DIR INDEX FILE_BYTES -> prints "<gzip digest> <size> <diff_id>"
make_layer() {
  local dir=$1 n=$2 bytes=$3 work diff_id digest
  work=$(mktemp -d -p "$WORK")
  mkdir -p "$work/root/layer$n/etc" "$work/root/layer$n/data"
  head -c "$bytes" /dev/urandom >"$work/root/layer$n/data/random.bin"
  echo "layer $n of a test image made by make-oci-layout.sh" >"$work/root/layer$n/etc/motd"
  printf '#!/bin/sh\necho layer %s\n' "$n" >"$work/root/layer$n/run.sh"
  chmod 755 "$work/root/layer$n/run.sh"
  tar -C "$work/root" --owner=0 --group=0 --numeric-owner --sort=name -cf "$work/layer.tar" .
  add_tar_layer "$dir" "$work/layer.tar"
  rm -rf "$work"
}

# add_tar_layer DIR TAR -> gzips TAR into DIR's blobs; prints "<gzip digest> <size> <diff_id>".
# The answer is remembered in TAR.layer, so a tar used by several images is compressed once.
add_tar_layer() {
  local dir=$1 tar=$2 diff_id digest gz
  if [[ -f $tar.layer && $tar.layer -nt $tar ]]; then
    read -r digest _ <"$tar.layer"
    [[ -f $dir/blobs/sha256/${digest#sha256:} ]] && { cat "$tar.layer"; return; }
  fi
  diff_id=sha256:$(sha256sum "$tar" | cut -d' ' -f1)
  gz=$(mktemp -p "$WORK")
  gzip -n -c "$tar" >"$gz"
  digest=$(put_blob "$dir" "$gz")
  echo "$digest $(blob_size "$dir" "$digest") $diff_id" | tee "$tar.layer"
}

# make_image DIR LAYERS ARCH FILE_BYTES -> prints the manifest digest (manifest not tagged).
make_image() {
  local dir=$1 nlayers=$2 arch=$3 bytes=$4 i lines=()
  for ((i = 1; i <= nlayers; i++)); do lines+=("$(make_layer "$dir" "$i" "$bytes")"); done
  image_of_layers "$dir" "$arch" "${lines[@]}"
}

# image_of_layers DIR ARCH LAYER_LINE... -> prints the manifest digest (manifest not tagged).
image_of_layers() {
  local dir=$1 arch=$2 line layers='[]' diff_ids='[]' work cfg manifest
  shift 2
  for line in "$@"; do
    read -r d s diff <<<"$line"
    layers=$(jq -c --arg m "$OCI_LAYER" --arg d "$d" --argjson s "$s" '. + [{mediaType:$m,digest:$d,size:$s}]' <<<"$layers")
    diff_ids=$(jq -c --arg d "$diff" '. + [$d]' <<<"$diff_ids")
  done
  work=$(mktemp -d -p "$WORK")
  jq -n --arg arch "$arch" --argjson diffs "$diff_ids" --arg nonce "$RANDOM$RANDOM" '{
      created: "2024-01-01T00:00:00Z", architecture: $arch, os: "linux",
      config: {Env: ["PATH=/usr/bin:/bin"], Cmd: ["/layer1/run.sh"], Labels: {"org.example.nonce": $nonce}},
      rootfs: {type: "layers", diff_ids: $diffs},
      history: [$diffs[] | {created: "2024-01-01T00:00:00Z", created_by: "make-oci-layout.sh"}]}' >"$work/config.json"
  cfg=$(put_blob "$dir" "$work/config.json")
  jq -n --arg mt "$OCI_MANIFEST" --arg cm "$OCI_CONFIG" --arg cd "$cfg" --argjson cs "$(blob_size "$dir" "$cfg")" \
    --argjson layers "$layers" \
    '{schemaVersion: 2, mediaType: $mt, config: {mediaType: $cm, digest: $cd, size: $cs}, layers: $layers}' \
    >"$work/manifest.json"
  manifest=$(put_blob "$dir" "$work/manifest.json")
  rm -rf "$work"
  echo "$manifest"
}

# tag DIR MEDIATYPE DIGEST TAG: (re)points TAG in DIR/index.json at DIGEST.
tag() {
  local dir=$1 mt=$2 digest=$3 name=$4 tmp
  tmp=$(mktemp -p "$WORK")
  jq --arg mt "$mt" --arg d "$digest" --argjson s "$(blob_size "$dir" "$digest")" --arg t "$name" '
    .manifests = ([.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] != $t)]
                  + [{mediaType: $mt, digest: $d, size: $s,
                      annotations: {"org.opencontainers.image.ref.name": $t}}])' "$dir/index.json" >"$tmp"
  mv "$tmp" "$dir/index.json"
}

cmd=${1:-}
[[ $# -ge 3 ]] || usage
WORK=$(mktemp -d "${TMPDIR:-/tmp}/make-oci-layout.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
dir=$2 name=$3
init_layout "$dir"
case $cmd in
  image)
    digest=$(make_image "$dir" "${4:-2}" "${5:-amd64}" "${6:-4096}")
    tag "$dir" "$OCI_MANIFEST" "$digest" "$name"
    ;;
  tars)
    lines=()
    for t in "${@:4}"; do lines+=("$(add_tar_layer "$dir" "$t")"); done
    digest=$(image_of_layers "$dir" amd64 "${lines[@]}")
    tag "$dir" "$OCI_MANIFEST" "$digest" "$name"
    ;;
  multiarch)
    entries='[]'
    for arch in amd64 arm64; do
      d=$(make_image "$dir" "${4:-2}" "$arch" 4096)
      entries=$(jq -c --arg m "$OCI_MANIFEST" --arg d "$d" --argjson s "$(blob_size "$dir" "$d")" --arg a "$arch" \
        '. + [{mediaType: $m, digest: $d, size: $s, platform: {architecture: $a, os: "linux"}}]' <<<"$entries")
    done
    work=$(mktemp -d -p "$WORK")
    jq -n --arg mt "$OCI_INDEX" --argjson m "$entries" '{schemaVersion: 2, mediaType: $mt, manifests: $m}' >"$work/index.json"
    digest=$(put_blob "$dir" "$work/index.json")
    rm -rf "$work"
    tag "$dir" "$OCI_INDEX" "$digest" "$name"
    ;;
  *) usage ;;
esac
echo "$digest"
