#!/usr/bin/env bash
# Admission webhook throughput with warm caches (issue 7's target: >= 1,000 reviews/s, p99 < 5 ms):
# `bulwark serve` with TLS and admission on, 8 small images pushed and evaluated by the policy,
# then wrk -t2 -c16 --latency POSTing one Deployment AdmissionReview with 8 containers (one per
# image, tag references) to /admission/validate. Every answer must admit the Deployment.
# Prints reviews/s, p50/p99 and the ratio against the published peers (not measured here):
# Kyverno ~21 s for one pod with 8 containers and 5 attestors (kyverno issue 16657), Sigstore
# policy-controller > 30 s per review (policy-controller issue 797).
# Usage: bench/admission_bench.sh BUILD_DIR   (env: BENCH_SECONDS=10)
set -euo pipefail
BUILD=${1:-build}
BIN=$(realpath "$BUILD/bulwark")
HERE=$(cd "$(dirname "$0")" && pwd)
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
for tool in wrk curl jq openssl python3; do command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
WORK=$(mktemp -d /tmp/bulwark-admission-bench.XXXXXX)
PID=
cleanup() {
  [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HOST=127.0.0.1:$PORT
R=https://$HOST
ADMIN_PW=bench-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout "$WORK/key.pem" \
  -out "$WORK/cert.pem" -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
cat >"$WORK/config.yml" <<YAML
tls: {cert: $WORK/cert.pem, key: $WORK/key.pem}
admission: {enabled: true, cluster: bench}
YAML
# A vulnerability database (one advisory for a package the images lack) so that scans finish and
# the default policy reaches its final decision.
mkdir -p "$WORK/feed"
jq -n '{zlib: {"CVE-2099-0001": {description: "bench", scope: "local", releases: {bookworm: {
  status: "resolved", urgency: "low", fixed_version: "1:1.2.13.dfsg-1", repositories: {bookworm: "x"}}}}}}' \
  >"$WORK/feed/debian.json"
"$BIN" db import --db "$WORK/data/vulndb.sqlite" "$WORK/feed" >/dev/null
BULWARK_ADMIN_PASSWORD=$ADMIN_PW BULWARK_LOG_LEVEL=error "$BIN" serve --config "$WORK/config.yml" \
  --listen "$HOST" --data "$WORK/data" >"$WORK/serve.out" 2>"$WORK/serve.log" &
PID=$!
C=(curl -fsS --cacert "$WORK/cert.pem" -u "admin:$ADMIN_PW")
for _ in $(seq 1 200); do "${C[@]}" -o /dev/null "$R/v2/" 2>/dev/null && break; sleep 0.05; done
"${C[@]}" -o /dev/null "$R/v2/" || { echo "bench: bulwark did not come up" >&2; cat "$WORK/serve.log" >&2; exit 1; }

# push N: a one-layer image bench/app-N:1 (one small file in a tar layer; curl, monolithic
# uploads); prints its digest.
push() {
  local repo=bench/app-$1 cfg layer f
  mkdir -p "$WORK/rootfs" && printf 'image %d\n' "$1" >"$WORK/rootfs/id"
  tar -C "$WORK/rootfs" --mtime=@0 --owner=0 --group=0 -cf "$WORK/layer.bin" id
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$(sha256sum "$WORK/layer.bin" | cut -d' ' -f1)" >"$WORK/cfg.json"
  for f in cfg.json layer.bin; do
    "${C[@]}" -o /dev/null -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/$f" \
      "$R/v2/$repo/blobs/uploads/?digest=sha256:$(sha256sum "$WORK/$f" | cut -d' ' -f1)"
  done
  cfg=sha256:$(sha256sum "$WORK/cfg.json" | cut -d' ' -f1)
  layer=sha256:$(sha256sum "$WORK/layer.bin" | cut -d' ' -f1)
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
    "$cfg" "$(stat -c %s "$WORK/cfg.json")" "$layer" "$(stat -c %s "$WORK/layer.bin")" >"$WORK/manifest.json"
  "${C[@]}" -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "@$WORK/manifest.json" "$R/v2/$repo/manifests/1"
  echo "sha256:$(sha256sum "$WORK/manifest.json" | cut -d' ' -f1)"
}
IMAGES=()
for n in 1 2 3 4 5 6 7 8; do
  digest=$(push $n)
  IMAGES+=("$HOST/bench/app-$n:1")
  # Warm: wait until the policy has decided (scan and evaluation run in the background).
  decided=
  for _ in $(seq 1 300); do
    "${C[@]}" "$R/api/v1/repositories/bench/app-$n/manifests/$digest/policy" >"$WORK/policy.json" 2>/dev/null &&
      jq -e '.pending == false and .quarantined == false' "$WORK/policy.json" >/dev/null 2>&1 && decided=1 && break
    sleep 0.1
  done
  [[ -n $decided ]] || { echo "bench: bench/app-$n was not cleared by the policy: $(cat "$WORK/policy.json")" >&2; exit 1; }
done

# One Deployment with 8 containers, as kube-apiserver sends it (the unit tests' fixture).
jq --argjson images "$(printf '%s\n' "${IMAGES[@]}" | jq -R . | jq -s .)" '
  .request.object.spec.template.spec.containers as $c
  | .request.object.spec.template.spec.containers = [range(0; 8) as $i
      | $c[0] + {name: "c\($i)", image: $images[$i]}]
  | del(.request.object.spec.template.spec.initContainers)' \
  "$HERE/../src/admission/testdata/deployment_create.json" >"$WORK/review.json"
curl -fsS --cacert "$WORK/cert.pem" -H 'Content-Type: application/json' --data-binary "@$WORK/review.json" \
  "$R/admission/validate" >"$WORK/first.json"
jq -e '.response.allowed == true' "$WORK/first.json" >/dev/null ||
  { echo "bench: the review is not admitted: $(cat "$WORK/first.json")" >&2; exit 1; }

ADMISSION_BODY=$WORK/review.json wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" --latency \
  -s "$HERE/admission_review.lua" "$R/admission/validate" >"$WORK/wrk.out"
if ! grep -q '^not_allowed 0$' "$WORK/wrk.out" || grep -q 'Non-2xx\|Socket errors' "$WORK/wrk.out"; then
  echo "bench: some reviews were not admitted or failed:" >&2; cat "$WORK/wrk.out" >&2; exit 1
fi
RPS=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
# wrk prints latencies with units (us, ms, s): milliseconds.
to_ms() { python3 -c "import re,sys; m=re.fullmatch(r'([0-9.]+)(us|ms|s)', sys.argv[1]); print(f'{float(m[1])*{\"us\":0.001,\"ms\":1,\"s\":1000}[m[2]]:.3f}')" "$1"; }
P50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$WORK/wrk.out")")
P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.out")")
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.0f}')" "$1" "$2"; }
row() { printf '%-58s %12s %14s %10s\n' "$@"; }
echo "== admission webhook (Deployment, 8 containers, TLS, wrk -t2 -c16 -d${SECONDS_PER_RUN}s)"
row "" "bulwark" "peer" "ratio"
row "reviews/s, target >= 1000" "$RPS" "-" "-"
row "p50 latency (ms)" "$P50" "-" "-"
row "p99 latency (ms), target < 5" "$P99" "-" "-"
row "vs Kyverno, 1 pod/8 containers (published ~21 s)" "$P99 ms" "21000 ms" "$(ratio 21000 "$P99")x"
row "vs policy-controller review (published > 30 s)" "$P99 ms" "30000 ms" "$(ratio 30000 "$P99")x"
echo "(peer figures are published reports - kyverno#16657, policy-controller#797 - not measured here)"
