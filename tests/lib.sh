# shellcheck shell=bash disable=SC2034,SC2120  # variables and optional arguments are for the sourcing scripts
# Shared helpers for Bulwark's black-box end-to-end tests (tests/e2e_*.sh). Source it; do not run it.
#
# What it gives a test script:
#   - a private temp dir $T, removed on exit together with every process the script started
#     (track_pid / kill_tree; the EXIT trap does it even when the script fails);
#   - start_registry / stop_registry / kill_registry / restart_registry on the data dir $DATA, for
#     REGISTRY_IMPL=bulwark (default; needs BULWARK_BIN; serve --config $BULWARK_CONFIG when set) or
#     REGISTRY_IMPL=distribution (Debian's docker-registry, a developer aid to check the tests
#     against the reference implementation);
#     $R is the registry's base URL once started;
#   - req METHOD URL [curl args...]: one HTTP request; the answer is kept in $STATUS, $T/resp.hdrs,
#     $T/resp.body until the next req. It authenticates as the registry's administrator (HTTP
#     Basic, password $ADMIN_PW) unless REQ_AUTH says otherwise: REQ_AUTH=none for an anonymous
#     request, REQ_AUTH=USER:PASSWORD for another account, REQ_AUTH=bearer:TOKEN for a token
#     (an -H Authorization argument wins);
#   - write_authfile FILE [USER:PASSWORD]: a containers auth.json for $REGISTRY_HOSTPORT;
#   - the token flow: token_get, login_refresh, token_refresh, breq (a Bearer request),
#     claims_of (a JWT's claims), push_image (a small image as any principal), has_event (an
#     audit export in $EXPORT holds a matching event);
#   - wait_for URL JQ: a bounded poll until an API answer satisfies a jq expression; eventually
#     PREDICATE: a bounded poll until any predicate holds;
#   - bw / exit_is / out_json: the bulwark CLI and checks on its exit code and JSON output;
#   - sk / sk_ok / sk_fails: skopeo with the authfile $T/auth.json;
#   - check NAME PREDICATE [ARGS...]: counts a pass or a failure; a failure prints what was expected,
#     what came back (status, headers, body) and keeps going. Predicates (status_is, header_is,
#     json_is, error_is, ...) print their own expected/got on failure;
#   - bulwark_only REASON: false (and counts a skip) when REGISTRY_IMPL=distribution, so a check that
#     distribution 2.8 cannot pass is written `bulwark_only "why" && check ...`;
#   - finish: prints the server log if anything failed, then the summary line `N passed, N failed`,
#     and exits non-zero if anything failed.
# Not thread-safe: one script, one shell; background workers must not call check.

set -u -o pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REGISTRY_IMPL=${REGISTRY_IMPL:-bulwark}
case $REGISTRY_IMPL in
  bulwark | distribution) ;;
  *) echo "REGISTRY_IMPL must be bulwark or distribution, not '$REGISTRY_IMPL'" >&2; exit 2 ;;
esac

for tool in curl jq sha256sum python3; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-e2e.XXXXXX")
# The administrator's password for this run (bulwark takes it from BULWARK_ADMIN_PASSWORD).
ADMIN_PW=${ADMIN_PW:-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}
ADMIN_AUTH=(-u "admin:$ADMIN_PW")  # curl arguments for scripts' own curl calls
DATA=$T/data
REG_LOG=$T/registry.log
REG_PID=
R=
PASSED=0
FAILED=0
SKIPPED=0
STATUS=000
REQ_DESC=
declare -a TRACKED_PIDS=()
declare -a FAILED_NAMES=()
declare -a SKIP_REASONS=()

mkdir -p "$DATA"
: >"$REG_LOG"
: >"$T/resp.hdrs"
: >"$T/resp.body"

# ---------------------------------------------------------------------------------------------
# Processes and cleanup

# Registers a background process so that cleanup ends it (and its children).
track_pid() { TRACKED_PIDS+=("$1"); }

# Sends SIGNAL to PID and, first, to all its descendants (found by parent id, never by name).
kill_tree() {
  local pid=$1 sig=${2:-TERM} child
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
    kill_tree "$child" "$sig"
  done
  kill -"$sig" "$pid" 2>/dev/null || true
}

# Waits up to $2 tenths of a second for PID to exit; returns 0 if it did.
wait_gone() {
  local pid=$1 tenths=$2 i
  for ((i = 0; i < tenths; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  ! kill -0 "$pid" 2>/dev/null
}

cleanup() {
  local pid
  for pid in "${TRACKED_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || continue
    kill_tree "$pid" TERM
    wait_gone "$pid" 50 || kill_tree "$pid" KILL
  done
  wait 2>/dev/null
  if [[ -n ${KEEP_TMP:-} ]]; then
    echo "kept temp dir $T" >&2
  else
    rm -rf "$T"
  fi
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Registry lifecycle

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

print_registry_log() {
  echo "----- registry log ($REGISTRY_IMPL, last 200 lines) -----"
  tail -n 200 "$REG_LOG" | cut -c1-600
  echo "----- end of registry log -----"
}

# Stops the test run: a setup step failed, so later checks would be meaningless.
die() {
  echo "FATAL: $*"
  FAILED=$((FAILED + 1))
  FAILED_NAMES+=("FATAL: $*")
  finish
}

# Polls GET /v2/ until it answers (any HTTP status), for at most ~10 s.
wait_http_ready() {
  local i code
  for ((i = 0; i < 100; i++)); do
    kill -0 "$REG_PID" 2>/dev/null || return 1
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$R/v2/" 2>/dev/null) || code=000
    [[ $code != 000 ]] && return 0
    sleep 0.1
  done
  return 1
}

start_bulwark() {
  [[ -n ${BULWARK_BIN:-} ]] || die "BULWARK_BIN is not set (path of the bulwark executable)"
  [[ -x $BULWARK_BIN ]] || die "BULWARK_BIN=$BULWARK_BIN is not executable"
  local port_file=$T/port i port=
  rm -f "$port_file"
  echo "=== starting bulwark (data $DATA) at $(date +%T)" >>"$REG_LOG"
  BULWARK_PORT_FILE=$port_file BULWARK_LOG_LEVEL=${BULWARK_LOG_LEVEL:-warn} \
    BULWARK_ADMIN_PASSWORD=$ADMIN_PW \
    "$BULWARK_BIN" serve --listen 127.0.0.1:0 --data "$DATA" ${BULWARK_CONFIG:+--config "$BULWARK_CONFIG"} >>"$REG_LOG" 2>&1 &
  REG_PID=$!
  track_pid "$REG_PID"
  for ((i = 0; i < 100; i++)); do
    if [[ -s $port_file ]]; then
      port=$(tr -d '[:space:]' <"$port_file")
      [[ $port =~ ^[0-9]+$ && $port -gt 0 ]] && break
      port=
    fi
    kill -0 "$REG_PID" 2>/dev/null || die "bulwark exited during startup (see its log below)"
    sleep 0.1
  done
  [[ -n $port ]] || die "bulwark did not write its port to BULWARK_PORT_FILE within 10 s"
  R=http://127.0.0.1:$port
}

start_distribution() {
  command -v docker-registry >/dev/null || die "docker-registry (Debian package) is not installed"
  local port
  port=$(free_port)
  cat >"$T/distribution.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DATA
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: bulwark-e2e-secret
EOF
  echo "=== starting docker-registry (data $DATA) at $(date +%T)" >>"$REG_LOG"
  docker-registry serve "$T/distribution.yml" >>"$REG_LOG" 2>&1 &
  REG_PID=$!
  track_pid "$REG_PID"
  R=http://127.0.0.1:$port
}

# Starts the registry on $DATA and waits until GET /v2/ answers.
start_registry() {
  case $REGISTRY_IMPL in
    bulwark) start_bulwark ;;
    distribution) start_distribution ;;
  esac
  wait_http_ready || die "$REGISTRY_IMPL did not answer GET /v2/ at $R within 10 s"
  REGISTRY_HOSTPORT=${R#http://}
}

# Graceful stop (SIGTERM), bounded; falls back to SIGKILL and reports it.
stop_registry() {
  [[ -n $REG_PID ]] || return 0
  kill -TERM "$REG_PID" 2>/dev/null || true
  if ! wait_gone "$REG_PID" 150; then
    echo "registry did not stop within 15 s of SIGTERM; killing it" >&2
    kill -KILL "$REG_PID" 2>/dev/null || true
  fi
  wait "$REG_PID" 2>/dev/null
  REG_PID=
}

# Crash: SIGKILL, no chance to flush anything (children too, should the binary be a wrapper).
kill_registry() {
  [[ -n $REG_PID ]] || return 0
  kill_tree "$REG_PID" KILL
  wait "$REG_PID" 2>/dev/null
  REG_PID=
}

restart_registry() {
  stop_registry
  start_registry
}

is_distribution() { [[ $REGISTRY_IMPL == distribution ]]; }

# Returns false (and records a skip) when testing distribution: the following check needs a
# feature distribution 2.8 lacks or where it deviates from the spec. Never skips for bulwark.
bulwark_only() {
  if is_distribution; then
    SKIPPED=$((SKIPPED + 1))
    SKIP_REASONS+=("$*")
    echo "skip (distribution): $*"
    return 1
  fi
  return 0
}

# ---------------------------------------------------------------------------------------------
# HTTP

# req METHOD URL [curl args...]; URL may be a path (/v2/...) or absolute. Keeps the answer.
req() {
  local method=$1 url=$2
  shift 2
  [[ $url == /* ]] && url=$R$url
  local -a args=(-s -S --path-as-is --max-time "${REQ_TIMEOUT:-60}" -D "$T/resp.hdrs" -w '%{http_code}')
  case ${REQ_AUTH:-admin} in
    none) ;;
    admin) args+=(-u "admin:$ADMIN_PW") ;;
    bearer:*) args+=(-H "Authorization: Bearer ${REQ_AUTH#bearer:}") ;;
    *) args+=(-u "$REQ_AUTH") ;;
  esac
  if [[ $method == HEAD ]]; then
    args+=(--head -o /dev/null)
    : >"$T/resp.body"
  else
    args+=(-X "$method" -o "$T/resp.body")
  fi
  STATUS=$(curl "${args[@]}" "$@" "$url" 2>"$T/resp.curlerr") || true
  [[ $STATUS =~ ^[0-9]{3}$ ]] || STATUS=000
  [[ -f $T/resp.body ]] || : >"$T/resp.body"
  REQ_DESC="$method $url"
}

# write_authfile FILE [USER:PASSWORD]: containers-auth.json (skopeo --authfile) holding the
# credentials (default: the administrator's) for the running registry.
write_authfile() {
  local creds=${2:-admin:$ADMIN_PW}
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY_HOSTPORT" "$(printf '%s' "$creds" | base64 -w0)" >"$1"
}

# hdr NAME [FILE]: value of response header NAME (case-insensitive, last response block, CR
# stripped) in FILE (default: the last req's headers).
hdr() {
  tr -d '\r' <"${2:-$T/resp.hdrs}" | awk -v n="$(tr '[:upper:]' '[:lower:]' <<<"$1")" '
    /^HTTP\// { v = ""; found = 0; next }
    { i = index($0, ":"); if (i == 0) next
      k = tolower(substr($0, 1, i - 1))
      if (k == n) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); found = 1 } }
    END { if (found) print v; else exit 1 }'
}

# location [FILE]: absolute form of the Location header (registries may answer with a path).
location() {
  local l
  l=$(hdr Location "${1:-$T/resp.hdrs}") || return 1
  [[ $l == /* ]] && l=$R$l
  printf '%s\n' "$l"
}

# Appends query parameters to a URL that may already have a query.
with_query() { if [[ $1 == *\?* ]]; then printf '%s&%s\n' "$1" "$2"; else printf '%s?%s\n' "$1" "$2"; fi; }

body() { cat "$T/resp.body"; }

dump_response() {
  echo "    request: $REQ_DESC"
  echo "    status:  $STATUS"
  [[ -s $T/resp.curlerr ]] && sed 's/^/    curl: /' "$T/resp.curlerr"
  echo "    headers:"
  tr -d '\r' <"$T/resp.hdrs" | sed 's/^/      /' | head -n 40
  echo "    body ($(wc -c <"$T/resp.body") bytes):"
  head -c 1500 "$T/resp.body" | cat -v | sed 's/^/      /'
  echo
}

# ---------------------------------------------------------------------------------------------
# The Docker token flow (tests that exercise access control)

# uri TEXT: TEXT percent-encoded for a query string.
uri() { jq -rn --arg s "$1" '$s|@uri'; }

# b64url_json PART: a JWT part (base64url) decoded; claims_of TOKEN: a JWT's claims as JSON.
b64url_json() {
  local s=${1//-/+}
  s=${s//_//}
  while ((${#s} % 4)); do s+="="; done
  base64 -d <<<"$s"
}
claims_of() { b64url_json "$(cut -d. -f2 <<<"$1")"; }

# token_get CREDS SCOPE...: GET /auth/token as CREDS (a REQ_AUTH value: none, admin or
# USER:PASSWORD); the token on stdout.
token_get() {
  local creds=$1 q="service=bulwark" s
  shift
  for s in "$@"; do q+="&scope=$(uri "$s")"; done
  REQ_AUTH=$creds req GET "/auth/token?$q"
  [[ $STATUS == 200 ]] || { echo "token request failed: $STATUS $(body)" >&2; return 1; }
  jq -r .token "$T/resp.body"
}

# login_refresh USER PASSWORD: the OAuth2 password grant with access_type=offline; the refresh
# token on stdout.
login_refresh() {
  REQ_AUTH=none req POST /auth/token --data-urlencode grant_type=password \
    --data-urlencode "username=$1" --data-urlencode "password=$2" \
    --data-urlencode access_type=offline --data-urlencode service=bulwark
  [[ $STATUS == 200 ]] || { echo "password grant for $1 failed: $STATUS $(body)" >&2; return 1; }
  jq -r .refresh_token "$T/resp.body"
}

# token_refresh REFRESH SCOPE: the refresh_token grant; the access token on stdout.
token_refresh() {
  REQ_AUTH=none req POST /auth/token --data-urlencode grant_type=refresh_token \
    --data-urlencode "refresh_token=$1" --data-urlencode "scope=$2" --data-urlencode service=bulwark
  [[ $STATUS == 200 ]] || { echo "refresh grant failed: $STATUS $(body)" >&2; return 1; }
  jq -r .token "$T/resp.body"
}

# api AUTH METHOD PATH [JSON]: a management API request as AUTH (a REQ_AUTH value), with a JSON
# body when given.
api() {
  local auth=$1 method=$2 path=$3 data=${4-}
  local -a args=()
  [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  REQ_AUTH=$auth req "$method" "$path" "${args[@]}"
}

# api_error STATUS CODE: the last answer has STATUS and an error body whose first error has CODE
# and a message.
api_error() {
  status_is "$1" || return 1
  json_is '.errors[0].code' "$2" || return 1
  json_true '.errors[0].message | length > 0'
}

# breq TOKEN METHOD PATH [curl args...]: a registry request with a bearer token (and nothing else).
breq() { REQ_AUTH="bearer:$1" req "${@:2}"; }

# push_image AUTH REPO TAG: pushes a small one-layer image as AUTH (a REQ_AUTH value, or
# bearer:TOKEN); prints the manifest digest. Fails, saying which step, unless every step works.
push_image() {
  local auth=$1 repo=$2 tag=$3 cfg layer blob
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"repo":"%s"}' "$repo" >"$T/cfg.json"
  printf 'layer of %s %s %s' "$repo" "$tag" "$RANDOM" >"$T/layer.bin"
  cfg=$(digest_of "$T/cfg.json")
  layer=$(digest_of "$T/layer.bin")
  for blob in cfg.json layer.bin; do
    REQ_AUTH=$auth req POST "/v2/$repo/blobs/uploads/?digest=$(digest_of "$T/$blob")" \
      -H 'Content-Type: application/octet-stream' --data-binary "@$T/$blob"
    [[ $STATUS == 201 ]] || { echo "$blob push to $repo: $STATUS $(body)" >&2; return 1; }
  done
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
    "$cfg" "$(size_of "$T/cfg.json")" "$layer" "$(size_of "$T/layer.bin")" >"$T/man.json"
  REQ_AUTH=$auth req PUT "/v2/$repo/manifests/$tag" \
    -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$T/man.json"
  [[ $STATUS == 201 ]] || { echo "manifest push to $repo: $STATUS $(body)" >&2; return 1; }
  digest_of "$T/man.json"
}

# has_event FILTER: some event in $EXPORT (the output of `bulwark audit export`) satisfies the
# jq FILTER.
has_event() {
  jq -e -s "map(.event | select($1)) | length > 0" "$EXPORT" >/dev/null ||
    { echo "no audit event matches $1"; return 1; }
}

# wait_for URL JQ: polls GET URL until it answers 200 with a body the jq expression holds for
# (bounded: at most 120 s); the last answer stays in $STATUS and $T/resp.body.
wait_for() {
  local deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    req GET "$1"
    [[ $STATUS == 200 ]] && jq -e "$2" "$T/resp.body" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "timed out waiting for $2 at $1; last answer $STATUS: $(head -c 1500 "$T/resp.body")"
  return 1
}

# eventually PREDICATE [ARGS...]: polls the predicate (quietly) until it holds, at most 60 s; the
# last failing attempt prints why.
eventually() {
  local deadline=$((SECONDS + 60))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { "$@"; return 1; }
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------------
# The bulwark CLI (pipeline commands: sign, verify, scan, ...)

# bw ARGS...: runs $BULWARK_BIN; stdout in $T/bw.out, stderr in $T/bw.err, exit code in $BW_RC.
bw() {
  BW_RC=0
  "$BULWARK_BIN" "$@" >"$T/bw.out" 2>"$T/bw.err" || BW_RC=$?
}
# bw_ok ARGS...: bw, failing (with its output) unless it exits 0.
bw_ok() {
  bw "$@"
  [[ $BW_RC == 0 ]] && return 0
  echo "bulwark $* exited $BW_RC"; head -c 2000 "$T/bw.err"; head -c 2000 "$T/bw.out"
  return 1
}
# exit_is CODE: the last bw exited with CODE.
exit_is() {
  [[ $BW_RC == "$1" ]] && return 0
  echo "expected exit $1, got $BW_RC"
  echo "stdout:"; head -c 3000 "$T/bw.out"
  echo "stderr:"; head -c 3000 "$T/bw.err"
  return 1
}
# out_json FILTER VALUE: jq -r FILTER on the last bw's stdout equals VALUE.
out_json() {
  local got
  got=$(jq -r "$1" <"$T/bw.out" 2>&1) || { echo "stdout is not JSON: $(head -c 500 "$T/bw.out")"; return 1; }
  [[ $got == "$2" ]] && return 0
  echo "expected $1 == $2, got: $got"
  echo "stdout:"; head -c 3000 "$T/bw.out"
  return 1
}

# ---------------------------------------------------------------------------------------------
# skopeo (a real client)

# sk ARGS...: skopeo with a permissive private policy and plain-HTTP registries, credentials from
# the authfile $T/auth.json (write_authfile); output in $T/sk.out.
sk() {
  local sub=$1
  shift
  local -a tls=()
  case $sub in
    copy) tls=(--src-tls-verify=false --dest-tls-verify=false --authfile "$T/auth.json") ;;
    inspect | list-tags | delete) tls=(--tls-verify=false --authfile "$T/auth.json") ;;
  esac
  timeout 120 skopeo --insecure-policy "$sub" "${tls[@]}" "$@" >"$T/sk.out" 2>&1
}

# Fails (printing skopeo's output) unless skopeo succeeds; sk_fails the opposite.
sk_ok() { sk "$@" || { echo "skopeo $* failed:"; cat "$T/sk.out"; return 1; }; }
sk_fails() { ! sk "$@" || { echo "skopeo $* unexpectedly succeeded:"; cat "$T/sk.out"; return 1; }; }

# ---------------------------------------------------------------------------------------------
# Checks and predicates. A predicate prints "expected ... got ..." and returns non-zero on failure.

# check NAME PREDICATE [ARGS...]
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    PASSED=$((PASSED + 1))
    echo "ok: $name"
  else
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    echo "FAIL: $name"
    [[ -n $out ]] && sed 's/^/    /' <<<"$out" | head -n 60
    # run_ok/equals checks are about a command or a value, not about the last HTTP response.
    [[ $1 == run_ok || $1 == equals ]] || dump_response
  fi
}

# Passes if the last status is one of the arguments.
status_is() {
  local s
  for s in "$@"; do [[ $STATUS == "$s" ]] && return 0; done
  echo "expected status $*, got $STATUS"
  return 1
}

status_below_500() {
  [[ $STATUS != 000 && $STATUS -lt 500 ]] && return 0
  echo "expected a status below 500 (and an answer), got $STATUS"
  return 1
}

header_is() {
  local got
  got=$(hdr "$1") || { echo "expected header $1: $2, header missing"; return 1; }
  [[ $got == "$2" ]] && return 0
  echo "expected header $1: $2, got: $got"
  return 1
}

header_matches() {
  local got
  got=$(hdr "$1") || { echo "expected header $1 matching /$2/, header missing"; return 1; }
  [[ $got =~ $2 ]] && return 0
  echo "expected header $1 matching /$2/, got: $got"
  return 1
}

header_present() { hdr "$1" >/dev/null || { echo "expected header $1, missing"; return 1; }; }
header_absent() {
  local got
  got=$(hdr "$1") || return 0
  echo "expected no header $1, got: $got"
  return 1
}

# json_is FILTER VALUE: jq -r FILTER on the body equals VALUE.
json_is() {
  local got
  got=$(jq -r "$1" <"$T/resp.body" 2>&1) || { echo "expected JSON with $1 == $2, body is not JSON ($got)"; return 1; }
  [[ $got == "$2" ]] && return 0
  echo "expected $1 == $2, got: $got"
  return 1
}

# json_true FILTER: jq -e FILTER on the body is true.
json_true() {
  jq -e "$1" <"$T/resp.body" >/dev/null 2>&1 && return 0
  echo "expected body to satisfy jq filter: $1"
  return 1
}

# error_is STATUS CODE: status and .errors[0].code of an OCI error body.
error_is() {
  local ok=0
  status_is "$1" || ok=1
  json_is '.errors[0].code' "$2" || ok=1
  return $ok
}

# error_in STATUS CODE...: status and .errors[0].code is one of CODE...
error_in() {
  local st=$1 got c
  shift
  status_is "$st" || return 1
  got=$(jq -r '.errors[0].code' <"$T/resp.body" 2>/dev/null) || { echo "expected an OCI error body, not JSON"; return 1; }
  for c in "$@"; do [[ $got == "$c" ]] && return 0; done
  echo "expected error code in {$*}, got $got"
  return 1
}

body_digest_is() {
  local algo=${1%%:*} got
  got=$algo:$("${algo}sum" <"$T/resp.body" | cut -d' ' -f1)
  [[ $got == "$1" ]] && return 0
  echo "expected body digest $1, got $got ($(wc -c <"$T/resp.body") bytes)"
  return 1
}

body_equals_file() {
  cmp -s "$T/resp.body" "$1" && return 0
  echo "expected body identical to $1 ($(wc -c <"$1") bytes), got $(wc -c <"$T/resp.body") bytes"
  return 1
}

body_empty() {
  [[ ! -s $T/resp.body ]] && return 0
  echo "expected empty body, got $(wc -c <"$T/resp.body") bytes"
  return 1
}

# Generic: passes if the command succeeds (its output is shown on failure).
run_ok() { "$@"; }

# equals GOT EXPECTED: plain string comparison (for values computed by the test itself).
equals() {
  [[ $1 == "$2" ]] && return 0
  echo "expected: $2"
  echo "got:      $1"
  return 1
}

# ---------------------------------------------------------------------------------------------
# Content helpers

digest_of() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
size_of() { stat -c %s "$1"; }

# Writes N random bytes to FILE.
random_file() { head -c "$2" /dev/urandom >"$1"; }

# push_blob REPO FILE: POST an upload then PUT it with ?digest= (the flow every registry supports).
# Returns non-zero (and prints why) unless the registry answered 201.
push_blob() {
  local repo=$1 file=$2 loc d
  d=$(digest_of "$file")
  req POST "/v2/$repo/blobs/uploads/"
  [[ $STATUS == 202 ]] || { echo "push_blob: POST answered $STATUS" >&2; return 1; }
  loc=$(location) || { echo "push_blob: no Location" >&2; return 1; }
  req PUT "$(with_query "$loc" "digest=$d")" -H 'Content-Type: application/octet-stream' --data-binary "@$file"
  [[ $STATUS == 201 ]] || { echo "push_blob: PUT answered $STATUS" >&2; return 1; }
}

# push_manifest REPO REF FILE MEDIATYPE: PUT a manifest; returns non-zero unless 201.
push_manifest() {
  req PUT "/v2/$1/manifests/$2" -H "Content-Type: $4" --data-binary "@$3"
  [[ $STATUS == 201 ]] || { echo "push_manifest $1:$2 answered $STATUS: $(head -c 300 "$T/resp.body")" >&2; return 1; }
}

# ---------------------------------------------------------------------------------------------
# Summary

finish() {
  echo
  if ((SKIPPED > 0)); then
    echo "$SKIPPED checks skipped because REGISTRY_IMPL=distribution (bulwark-only)"
  fi
  if ((FAILED > 0)); then
    echo "failed checks:"
    printf '  - %s\n' "${FAILED_NAMES[@]}"
    print_registry_log
  fi
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0)) && exit 0
  exit 1
}
