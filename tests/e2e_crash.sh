#!/usr/bin/env bash
# Crash consistency: background clients push blobs (chunked uploads of about 1 MiB) and manifests
# while the server is killed with SIGKILL, at points chosen by progress (after K acknowledged
# operations, and in the middle of a slow upload), never by a clock. After each restart on the same
# data dir, everything the server acknowledged must be served intact, no tag may point at a missing
# manifest, no manifest at a missing blob, and an interrupted upload session must either resume
# (status, PATCH, PUT) or be cleanly gone (404), consistently.
#
# Usage: BULWARK_BIN=build/bulwark bash tests/e2e_crash.sh
# Bulwark only: with REGISTRY_IMPL=distribution the script skips itself (distribution makes no
# durability promise); E2E_CRASH_FORCE=1 runs it anyway, to debug the script itself.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if is_distribution && [[ -z ${E2E_CRASH_FORCE:-} ]]; then
  echo "e2e_crash: skipped, crash consistency is a bulwark-only test (REGISTRY_IMPL=distribution)"
  finish
fi

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_CONFIG=application/vnd.oci.image.config.v1+json
OCI_LAYER=application/vnd.oci.image.layer.v1.tar+gzip
COMMITTED=$T/committed.log # one line per acknowledged operation, written only after success
: >"$COMMITTED"
declare -a WORKERS=()

# ---------------------------------------------------------------------------------------------
# Background pusher (runs in a subshell; never calls check). Exits at its first failed request,
# which is what happens when the server is killed.

# w_req ID METHOD URL [curl args...]: prints the status; headers in $T/w$ID.hdrs.
w_req() {
  local id=$1 method=$2 url=$3
  shift 3
  curl -s --max-time 120 "${ADMIN_AUTH[@]}" -X "$method" -D "$T/w$id.hdrs" -o "$T/w$id.body" -w '%{http_code}' "$@" "$url" 2>>"$T/w$id.err" || true
}

# w_push_blob ID REPO FILE CHUNKS: POST, CHUNKS x PATCH with Content-Range, PUT ?digest=.
w_push_blob() {
  local id=$1 repo=$2 file=$3 chunks=$4 size d loc st off=0 len k
  size=$(stat -c %s "$file")
  d=$(digest_of "$file")
  st=$(w_req "$id" POST "$R/v2/$repo/blobs/uploads/")
  [[ $st == 202 ]] || { echo "POST $repo: $st" >>"$T/w$id.err"; return 1; }
  loc=$(location "$T/w$id.hdrs")
  for ((k = 0; k < chunks; k++)); do
    len=$(((size - off) / (chunks - k)))
    tail -c +$((off + 1)) "$file" | head -c "$len" >"$T/w$id.chunk"
    st=$(w_req "$id" PATCH "$loc" -H 'Content-Type: application/octet-stream' \
      -H "Content-Range: $off-$((off + len - 1))" --data-binary "@$T/w$id.chunk")
    [[ $st == 202 ]] || { echo "PATCH $repo: $st" >>"$T/w$id.err"; return 1; }
    loc=$(location "$T/w$id.hdrs")
    off=$((off + len))
  done
  st=$(w_req "$id" PUT "$(with_query "$loc" "digest=$d")" -H 'Content-Length: 0')
  [[ $st == 201 ]] || { echo "PUT $repo: $st" >>"$T/w$id.err"; return 1; }
  echo "blob $repo $d" >>"$COMMITTED"
}

worker() {
  local id=$1 repo=$2 prefix=$3 i=0 dir=$T/w$1 man tag st
  mkdir -p "$dir"
  while :; do
    i=$((i + 1))
    head -c $((1024 * 1024 + RANDOM)) /dev/urandom >"$dir/layer"
    w_push_blob "$id" "$repo" "$dir/layer" 2 || exit 0
    printf '{"architecture":"amd64","os":"linux","config":{"Labels":{"n":"%s-%s"}},"rootfs":{"type":"layers","diff_ids":[]}}' \
      "$prefix" "$i" >"$dir/config"
    w_push_blob "$id" "$repo" "$dir/config" 1 || exit 0
    jq -cn --arg mt "$OCI_MANIFEST" --arg cm "$OCI_CONFIG" --arg lm "$OCI_LAYER" \
      --arg cd "$(digest_of "$dir/config")" --argjson cs "$(size_of "$dir/config")" \
      --arg ld "$(digest_of "$dir/layer")" --argjson ls "$(size_of "$dir/layer")" \
      '{schemaVersion:2, mediaType:$mt, config:{mediaType:$cm,digest:$cd,size:$cs}, layers:[{mediaType:$lm,digest:$ld,size:$ls}]}' \
      >"$dir/manifest"
    man=$(digest_of "$dir/manifest")
    tag=$prefix-$i
    st=$(w_req "$id" PUT "$R/v2/$repo/manifests/$tag" -H "Content-Type: $OCI_MANIFEST" --data-binary "@$dir/manifest")
    [[ $st == 201 ]] || { echo "PUT manifest $repo:$tag: $st" >>"$T/w$id.err"; exit 0; }
    echo "manifest $repo $man $tag" >>"$COMMITTED"
  done
}

start_workers() {
  local phase=$1 id
  WORKERS=()
  for id in 1 2; do
    worker "$id" "crash/repo$id" "p$phase-w$id" &
    WORKERS+=("$!")
    track_pid "$!"
  done
}

# Waits (bounded) for the workers to notice the dead server and exit.
reap_workers() {
  local pid
  for pid in "${WORKERS[@]}"; do
    wait_gone "$pid" 300 || kill_tree "$pid" KILL
    wait "$pid" 2>/dev/null
  done
  WORKERS=()
}

# Waits until COMMITTED has at least $1 lines (bounded: 120 s); dies with the workers' errors if not.
wait_committed() {
  local want=$1 i
  for ((i = 0; i < 1200; i++)); do
    (($(wc -l <"$COMMITTED") >= want)) && return 0
    sleep 0.1
  done
  cat "$T"/w*.err 2>/dev/null
  die "only $(wc -l <"$COMMITTED") of $want operations acknowledged within 120 s"
}

# ---------------------------------------------------------------------------------------------
# Verification after a restart. Each prints the offending items and returns non-zero.

fetch_digest() { # URL [curl args...] -> sha256:<hex of body>, empty on non-200
  local url=$1 st
  shift
  st=$(curl -s --max-time 120 "${ADMIN_AUTH[@]}" -o "$T/v.body" -w '%{http_code}' "$@" "$url") || st=000
  [[ $st == 200 ]] || { echo "status $st"; return 1; }
  echo "sha256:$(sha256sum <"$T/v.body" | cut -d' ' -f1)"
}

committed_blobs_served() {
  local kind repo d rest got bad=0 n=0
  while read -r kind repo d rest; do
    [[ $kind == blob ]] || continue
    n=$((n + 1))
    got=$(fetch_digest "$R/v2/$repo/blobs/$d") && [[ $got == "$d" ]] && continue
    echo "blob $repo@$d: $got"
    bad=1
  done <"$COMMITTED"
  echo "$n committed blobs checked"
  return $bad
}

committed_manifests_served() {
  local kind repo d tag got bad=0 n=0
  while read -r kind repo d tag; do
    [[ $kind == manifest ]] || continue
    n=$((n + 1))
    got=$(fetch_digest "$R/v2/$repo/manifests/$d" -H "Accept: $OCI_MANIFEST")
    [[ $got == "$d" ]] || { echo "manifest $repo@$d: $got"; bad=1; }
    got=$(fetch_digest "$R/v2/$repo/manifests/$tag" -H "Accept: $OCI_MANIFEST")
    [[ $got == "$d" ]] || { echo "tag $repo:$tag should be $d: $got"; bad=1; }
  done <"$COMMITTED"
  echo "$n committed manifests checked"
  return $bad
}

# Every tag the registry lists resolves to a manifest whose config and layers are all served.
no_dangling_references() {
  local repo tag got bad=0 n=0 b
  for repo in crash/repo1 crash/repo2; do
    curl -s --max-time 60 "${ADMIN_AUTH[@]}" "$R/v2/$repo/tags/list" -o "$T/v.tags" || { echo "tags/list $repo failed"; return 1; }
    for tag in $(jq -r '(.tags // [])[]' "$T/v.tags"); do
      n=$((n + 1))
      got=$(fetch_digest "$R/v2/$repo/manifests/$tag" -H "Accept: $OCI_MANIFEST") ||
        { echo "tag $repo:$tag is listed but its manifest is not served: $got"; bad=1; continue; }
      for b in $(jq -r '.config.digest, .layers[].digest' "$T/v.body"); do
        [[ $(curl -s --max-time 60 "${ADMIN_AUTH[@]}" -o /dev/null -w '%{http_code}' --head "$R/v2/$repo/blobs/$b") == 200 ]] ||
          { echo "manifest $repo:$tag references $b, which is not served"; bad=1; }
      done
    done
  done
  echo "$n listed tags checked"
  return $bad
}

verify_all() {
  local when=$1
  check "$when: every acknowledged blob is served with its digest" run_ok committed_blobs_served
  check "$when: every acknowledged manifest is served by digest and by tag" run_ok committed_manifests_served
  check "$when: every listed tag resolves; every referenced blob is served" run_ok no_dangling_references
}

# ---------------------------------------------------------------------------------------------
# Slow upload, killed half-way: a raw HTTP PATCH whose body trickles in; it writes MARKER once
# HALF bytes of the body are on the wire, then keeps sending slowly until the connection dies.
slow_patch() {
  python3 - "$@" <<'PY'
import socket, sys, time
hostport, path, start, body_file, half, marker = sys.argv[1:7]
data = open(body_file, "rb").read()
host, port = hostport.rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=120)
head = (f"PATCH {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Range: {start}-{int(start) + len(data) - 1}\r\nContent-Length: {len(data)}\r\n\r\n")
try:
    s.sendall(head.encode())
    s.sendall(data[:int(half)])
    open(marker, "w").write("sent\n")
    off = int(half)
    while off < len(data):          # throttled trickle: load generation, not timing
        s.sendall(data[off:off + 4096])
        off += 4096
        time.sleep(0.1)
except OSError:
    pass
PY
}

# ==============================================================================================
start_registry
echo "registry: $REGISTRY_IMPL at $R"

# Phases 1 and 2: SIGKILL after K acknowledged operations.
target=0
for phase in 1 2; do
  target=$((target + (phase == 1 ? 6 : 9)))
  start_workers "$phase"
  wait_committed "$target"
  echo "phase $phase: $(wc -l <"$COMMITTED") operations acknowledged; SIGKILL"
  kill_registry
  reap_workers
  start_registry
  verify_all "after SIGKILL #$phase"
done

# Phase 3: SIGKILL in the middle of a slow chunk upload, with the pushers still running.
random_file "$T/slow.bin" $((3 * 1024 * 1024))
SLOW_D=$(digest_of "$T/slow.bin")
head -c $((1024 * 1024)) "$T/slow.bin" >"$T/slow.part1"
tail -c +$((1024 * 1024 + 1)) "$T/slow.bin" >"$T/slow.rest"
req POST /v2/crash/slow/blobs/uploads/
[[ $STATUS == 202 ]] || die "cannot start the slow upload: $STATUS"
req PATCH "$(location)" -H 'Content-Type: application/octet-stream' -H "Content-Range: 0-$((1024 * 1024 - 1))" --data-binary "@$T/slow.part1"
[[ $STATUS == 202 ]] || die "first chunk of the slow upload refused: $STATUS"
SLOW_LOC=$(location)
SLOW_PATH=${SLOW_LOC#"$R"}
start_workers 3
target=$(($(wc -l <"$COMMITTED") + 3))
slow_patch "$REGISTRY_HOSTPORT" "$SLOW_PATH" $((1024 * 1024)) "$T/slow.rest" $((512 * 1024)) "$T/slow.marker" &
SLOW_PID=$!
track_pid "$SLOW_PID"
for ((i = 0; i < 600; i++)); do
  [[ -s $T/slow.marker ]] && break
  kill -0 "$SLOW_PID" 2>/dev/null || break
  sleep 0.1
done
[[ -s $T/slow.marker ]] || die "the slow upload never got half-way"
wait_committed "$target"
echo "phase 3: slow upload half-way, $(wc -l <"$COMMITTED") operations acknowledged; SIGKILL"
kill_registry
reap_workers
wait_gone "$SLOW_PID" 100 || kill_tree "$SLOW_PID" KILL
start_registry
verify_all "after SIGKILL #3 (mid-upload)"

# The interrupted session: resumable from what the server reports, or cleanly unknown.
req GET "$SLOW_PATH"
FIRST_STATUS=$STATUS
FIRST_CODE=$(jq -r '.errors[0].code' "$T/resp.body" 2>/dev/null)
echo "   (interrupted upload after restart: $STATUS ${FIRST_CODE:-}, Range: $(hdr Range || echo none))"
check "interrupted upload: status is 204 (resumable) or 404 with an upload error code (gone)" \
  run_ok bash -c '[[ $1 == 204 || ( $1 == 404 && $2 =~ ^BLOB_UPLOAD_(UNKNOWN|INVALID)$ ) ]] || { echo "got $1 ${2:-}"; exit 1; }' \
  _ "$STATUS" "$FIRST_CODE"
if [[ $FIRST_STATUS == 204 ]]; then
  RANGE=$(hdr Range || echo missing)
  END=${RANGE#0-}
  [[ $END =~ ^[0-9]+$ ]] || END=-1
  check "resumable: Range 0-E covers at least the acknowledged first chunk and at most the data sent" \
    run_ok bash -c '(( $2 >= 1048575 && $2 < 3145728 )) || { echo "Range: $1"; exit 1; }' _ "$RANGE" "$END"
  ((END >= 1048575 && END < 3145728)) || finish
  NEXT=$((END + 1))
  tail -c +$((NEXT + 1)) "$T/slow.bin" >"$T/slow.remaining"
  req PATCH "$(location || echo "$R$SLOW_PATH")" -H 'Content-Type: application/octet-stream' \
    -H "Content-Range: $NEXT-$((3 * 1024 * 1024 - 1))" --data-binary "@$T/slow.remaining"
  check "resumable: PATCH continues from the reported offset (202)" status_is 202
  check "resumable: Range now covers the whole blob" header_is Range "0-$((3 * 1024 * 1024 - 1))"
  req PUT "$(with_query "$(location || echo "$R$SLOW_PATH")" "digest=$SLOW_D")" -H 'Content-Length: 0'
  check "resumable: final PUT answers 201" status_is 201
  req GET "/v2/crash/slow/blobs/$SLOW_D"
  check "resumable: the completed blob has exactly the uploaded bytes" body_digest_is "$SLOW_D"
else
  req GET "$SLOW_PATH"
  check "gone: a second status request agrees (404 $FIRST_CODE)" error_is 404 "$FIRST_CODE"
  req PATCH "$SLOW_PATH" -H 'Content-Type: application/octet-stream' -H "Content-Range: 0-9" --data-binary 0123456789
  check "gone: PATCH to the lost session agrees (404 $FIRST_CODE)" error_is 404 "$FIRST_CODE"
  req GET "/v2/crash/slow/blobs/$SLOW_D"
  check "gone: no partial blob is served under the final digest" status_is 404
fi

# The registry still works normally after three crashes: a fresh push and a graceful stop.
random_file "$T/after.bin" 70000
check "after the crashes a new blob can be pushed" run_ok push_blob crash/after "$T/after.bin"
req GET "/v2/crash/after/blobs/$(digest_of "$T/after.bin")"
check "...and is served intact" body_equals_file "$T/after.bin"

kill -TERM "$REG_PID"
wait_gone "$REG_PID" 150 || kill -KILL "$REG_PID"
wait "$REG_PID"
TERM_STATUS=$?
REG_PID=
check "SIGTERM stops the server cleanly (exit status 0 within 15 s)" equals "exit status $TERM_STATUS" "exit status 0"
start_registry
verify_all "after a graceful restart"

# A write that fails in the middle of a body (the file size limit, RLIMIT_FSIZE, stands in for
# a full disk): the push gets an error answer, the server stays up, the session keeps only whole
# chunks that reached the disk and no blob appears; other pushes go on.
stop_registry
ulimit -S -f $((16 * 1024)) # KiB, for the server only: a staged upload stops at 16 MiB
start_registry
ulimit -S -f unlimited
random_file "$T/toolarge.bin" $((24 * 1024 * 1024))
LIMIT_D=$(digest_of "$T/toolarge.bin")
req POST "/v2/crash/limit/blobs/uploads/"
LIMIT_LOC=$(location)
req PUT "$(with_query "$LIMIT_LOC" "digest=$LIMIT_D")" -H 'Content-Type: application/octet-stream' \
  --data-binary "@$T/toolarge.bin"
echo "   (24 MiB PUT past a 16 MiB file size limit: $STATUS)"
check "a write failing mid-body: an OCI error answer (503 UNAVAILABLE) or a closed connection" \
  run_ok bash -c '[[ $1 == 000 ]] || { [[ $1 == 503 ]] && jq -e ".errors[0].code == \"UNAVAILABLE\"" "$2" >/dev/null; }' \
  _ "$STATUS" "$T/resp.body"
req GET "$LIMIT_LOC"
RANGE_END=$(hdr Range | sed 's/^0-//')
check "after the failed write the session reports whole 1 MiB chunks, within the limit" \
  run_ok bash -c '(( ($1 + 1) % 1048576 == 0 && $1 < 16777216 )) || { echo "Range end $1"; exit 1; }' _ "${RANGE_END:--2}"
req GET "/v2/crash/limit/blobs/$LIMIT_D"
check "no blob was created from the failed upload" status_is 404
check "the server is still up and takes a small push" run_ok push_blob crash/limit "$T/after.bin"
stop_registry
finish
