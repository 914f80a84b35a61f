#!/usr/bin/env bash
# Black-box test of `bulwark serve` itself rather than of the API: the command line, configuration
# layering (YAML file < flags < BULWARK_* environment), TLS (curl and skopeo with a private CA),
# graceful shutdown with an upload in flight and resumable uploads across the restart, upload
# expiry, the JSON access log (and that it never records credentials), IPv6 and the port file.
#
# Usage: BULWARK_BIN=build/bulwark bash tests/e2e_serve.sh
# (bulwark only: these are properties of this server, not of the Distribution API.)
# jq programs and `bash -c` scripts are single-quoted on purpose; predicates run through `check`.
# shellcheck disable=SC2016,SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $REGISTRY_IMPL == bulwark ]] || { echo "e2e_serve.sh tests bulwark serve; REGISTRY_IMPL=distribution does not apply"; exit 0; }
[[ -n ${BULWARK_BIN:-} && -x $BULWARK_BIN ]] || die "BULWARK_BIN must name the bulwark executable"
for tool in openssl skopeo; do command -v "$tool" >/dev/null || die "missing tool: $tool"; done
# Settings inherited from the caller would override what each case configures.
unset BULWARK_LISTEN BULWARK_DATA BULWARK_TLS_CERT BULWARK_TLS_KEY BULWARK_LOG_LEVEL BULWARK_IO_THREADS \
  BULWARK_WORKER_THREADS BULWARK_IDLE_TIMEOUT BULWARK_REQUEST_TIMEOUT BULWARK_SHUTDOWN_GRACE \
  BULWARK_HEADER_MAX_BYTES BULWARK_UPLOAD_EXPIRY BULWARK_MANIFEST_MAX_BYTES BULWARK_PORT_FILE
# skopeo keeps a blob-info cache and reads credentials under $HOME: keep both private to this run.
export HOME=$T/home XDG_RUNTIME_DIR=$T/home/run XDG_CONFIG_HOME=$T/home/config XDG_DATA_HOME=$T/home/data
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

BIG=$((4 * 1024 * 1024))
EXIT_STATUS=

# ---------------------------------------------------------------------------------------------
# Server lifecycle for this script: each case starts `bulwark serve` with its own flags and
# environment (prefix assignments work: `BULWARK_X=y serve_at ...`).

# serve_bg ERRLOG ARGS...: `bulwark serve ARGS...` in the background, stderr appended to ERRLOG,
# stdout to the shared log; sets REG_PID.
serve_bg() {
  local log=$1
  shift
  echo "=== bulwark serve $* at $(date +%T)" >>"$log"
  # The administrator's password is $ADMIN_PW unless the caller sets BULWARK_ADMIN_PASSWORD
  # (empty: let the server generate one).
  BULWARK_ADMIN_PASSWORD=${BULWARK_ADMIN_PASSWORD-$ADMIN_PW} "$BULWARK_BIN" serve "$@" >>"$REG_LOG" 2>>"$log" &
  REG_PID=$!
  track_pid "$REG_PID"
}

# wait_port FILE: prints the port the server wrote to FILE; fails if it exits first or after 10 s.
wait_port() {
  local i p
  for ((i = 0; i < 100; i++)); do
    if [[ -s $1 ]]; then
      p=$(tr -d '[:space:]' <"$1")
      [[ $p =~ ^[1-9][0-9]*$ ]] && { echo "$p"; return 0; }
    fi
    kill -0 "$REG_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# serve_at ERRLOG ARGS...: starts the server with a port file and sets PORT and R (plain HTTP).
serve_at() {
  rm -f "$T/port"
  BULWARK_PORT_FILE=$T/port serve_bg "$@"
  PORT=$(wait_port "$T/port") || die "bulwark serve $* did not write its port file (see the log)"
  R=http://127.0.0.1:$PORT
}

# stop_server: SIGTERM, then waits up to 15 s; sets EXIT_STATUS (the exit status, or "still
# running" after which it is killed).
stop_server() {
  kill -TERM "$REG_PID" 2>/dev/null
  await_exit 150
}

# await_exit TENTHS: waits for $REG_PID to exit on its own; sets EXIT_STATUS as stop_server.
await_exit() {
  if wait_gone "$REG_PID" "$1"; then
    wait "$REG_PID" 2>/dev/null
    EXIT_STATUS=$?
  else
    EXIT_STATUS="still running"
    kill_tree "$REG_PID" KILL
    wait "$REG_PID" 2>/dev/null
  fi
  REG_PID=
}

# answers URL [curl args...]: GET URL answers 200.
answers() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${ADMIN_AUTH[@]}" "${@:2}" "$1") || true
  [[ $code == 200 ]] && return 0
  echo "expected GET $1 to answer 200, got ${code:-nothing}"
  return 1
}

# silent URL: nothing listens there (the connection is refused).
silent() {
  local rc=0
  curl -s -o /dev/null --max-time 5 "$1" || rc=$?
  [[ $rc == 7 ]] && return 0
  echo "expected the connection to $1 to be refused (curl exit 7), got curl exit $rc"
  return 1
}

# range_size: bytes an upload holds according to the last response's Range header ("0-0" is empty).
range_size() {
  local r end
  r=$(hdr Range) || { echo -1; return; }
  end=${r#0-}
  [[ $end =~ ^[0-9]+$ ]] || { echo -1; return; }
  if ((end == 0)); then echo 0; else echo $((end + 1)); fi
}

# path_of URL: the path (and query) of an absolute URL.
path_of() { sed -E 's#^https?://[^/]+##' <<<"$1"; }

file_absent() { [[ ! -e $1 ]] || { echo "expected $1 not to exist"; return 1; }; }
file_present() { [[ -e $1 ]] || { echo "expected $1 to exist"; return 1; }; }
exit_status_is() { equals "$EXIT_STATUS" "$1"; }

# ==============================================================================================
echo "## command line"
"$BULWARK_BIN" serve --help >"$T/help.out" 2>&1
check "serve --help exits 0" equals "$?" 0
check "serve --help mentions --config" run_ok grep -q -- --config "$T/help.out"
"$BULWARK_BIN" nosuchcmd >"$T/nosuch.out" 2>"$T/nosuch.err"
check "an unknown subcommand exits 2" equals "$?" 2
check "an unknown subcommand says why on stderr" run_ok test -s "$T/nosuch.err"

printf 'listen: 127.0.0.1:0\ndata: %s\nuploads:\n  expiri: 1h\n' "$T/never" >"$T/unknown.yml"
timeout 10 "$BULWARK_BIN" serve --config "$T/unknown.yml" >/dev/null 2>"$T/unknown.err"
check "an unknown config key exits 2" equals "$?" 2
check "the error names the unknown key (uploads.expiri) on stderr" run_ok grep -q 'uploads.expiri' "$T/unknown.err"
check "a refused configuration creates no data directory" file_absent "$T/never"
timeout 10 "$BULWARK_BIN" serve --config "$T/no-such-file.yml" >/dev/null 2>"$T/nofile.err"
check "a missing config file exits 2" equals "$?" 2
BULWARK_UPLOAD_EXPIRY=soon timeout 10 "$BULWARK_BIN" serve --listen 127.0.0.1:0 --data "$T/never" >/dev/null 2>"$T/baddur.err"
check "an invalid BULWARK_UPLOAD_EXPIRY exits 2" equals "$?" 2
check "the error names uploads.expiry" run_ok grep -q 'uploads.expiry' "$T/baddur.err"

# ==============================================================================================
echo "## configuration layering: file < flags < environment"
L=$T/layers
mkdir -p "$L"
P_FILE=$(free_port)
P_FLAG=$(free_port)
P_ENV=$(free_port)
printf 'listen: 127.0.0.1:%s\ndata: %s\nuploads:\n  expiry: 1h\nlog:\n  level: info\n' "$P_FILE" "$L/from-file" >"$L/bulwark.yml"

serve_at "$REG_LOG" --config "$L/bulwark.yml"
check "file only: the server listens on the file's port" equals "$PORT" "$P_FILE"
check "file only: GET /v2/ answers on the file's port" answers "http://127.0.0.1:$P_FILE/v2/"
check "file only: the data dir is the file's" file_present "$L/from-file/metadata.sqlite"
stop_server
check "file only: SIGTERM on an idle server exits 0" exit_status_is 0

serve_at "$REG_LOG" --config "$L/bulwark.yml" --listen "127.0.0.1:$P_FLAG" --data "$L/from-flags"
check "file + flags: --listen wins" equals "$PORT" "$P_FLAG"
check "file + flags: GET /v2/ answers on the flag's port" answers "http://127.0.0.1:$P_FLAG/v2/"
check "file + flags: nothing listens on the file's port" silent "http://127.0.0.1:$P_FILE/v2/"
check "file + flags: --data wins" file_present "$L/from-flags/metadata.sqlite"
stop_server
check "file + flags: exits 0" exit_status_is 0

rm -rf "$L/from-file" "$L/from-flags"
BULWARK_LISTEN=127.0.0.1:$P_ENV BULWARK_DATA=$L/from-env \
  serve_at "$REG_LOG" --config "$L/bulwark.yml" --listen "127.0.0.1:$P_FLAG" --data "$L/from-flags"
check "file + flags + env: BULWARK_LISTEN wins" equals "$PORT" "$P_ENV"
check "file + flags + env: GET /v2/ answers on the environment's port" answers "http://127.0.0.1:$P_ENV/v2/"
check "file + flags + env: nothing listens on the flag's port" silent "http://127.0.0.1:$P_FLAG/v2/"
check "file + flags + env: BULWARK_DATA wins" file_present "$L/from-env/metadata.sqlite"
check "file + flags + env: the flag's data dir is not created" file_absent "$L/from-flags"
check "file + flags + env: the file's data dir is not created" file_absent "$L/from-file"
stop_server
check "file + flags + env: exits 0" exit_status_is 0

# ==============================================================================================
echo "## access log: JSON lines, one per request, no secrets"
ACCESS=$T/access.log
DATA=$T/logs
SECRET_TOKEN=s3cr3t-token-value
SECRET_QUERY=abc123secret
BULWARK_LOG_LEVEL=info serve_at "$ACCESS" --listen 127.0.0.1:0 --data "$DATA"
random_file "$T/small" 1000
SMALL=$(digest_of "$T/small")
# The requests, in order, and the "METHOD path status" line each must log.
req GET /v2/
EXPECTED_LOG="GET /v2/ $STATUS"
req GET /v2/ -H "Authorization: Bearer $SECRET_TOKEN"
check "a request with a made-up bearer token is refused" status_is 401
EXPECTED_LOG+=$'\n'"GET /v2/ $STATUS"
req GET "/v2/logs/img/tags/list?token=$SECRET_QUERY"
EXPECTED_LOG+=$'\n'"GET /v2/logs/img/tags/list $STATUS"
req GET "/v2/logs/img/blobs/uploads/nope?token=$SECRET_QUERY&n=1" -H "Authorization: Bearer $SECRET_TOKEN"
EXPECTED_LOG+=$'\n'"GET /v2/logs/img/blobs/uploads/nope $STATUS"
req POST /v2/logs/img/blobs/uploads/
check "POST starts an upload" status_is 202
EXPECTED_LOG+=$'\n'"POST /v2/logs/img/blobs/uploads/ $STATUS"
UPATH=$(path_of "$(location)")
req PUT "$(with_query "$UPATH" "digest=$SMALL")" -H 'Content-Type: application/octet-stream' --data-binary "@$T/small"
check "PUT completes the upload" status_is 201
EXPECTED_LOG+=$'\n'"PUT ${UPATH%%\?*} $STATUS"
req GET "/v2/logs/img/blobs/$SMALL"
check "GET serves the blob" body_digest_is "$SMALL"
EXPECTED_LOG+=$'\n'"GET /v2/logs/img/blobs/$SMALL $STATUS"
req HEAD "/v2/logs/img/blobs/$SMALL"
EXPECTED_LOG+=$'\n'"HEAD /v2/logs/img/blobs/$SMALL $STATUS"
stop_server # every line is written once the server has exited
check "logging server exits 0" exit_status_is 0
cat "$ACCESS" >>"$REG_LOG"

every_line_json() {
  local line n=0
  while IFS= read -r line; do
    n=$((n + 1))
    [[ $line == '==='* ]] && continue # this script's own marker
    jq -e 'type == "object" and (.ts | type) == "string" and (.level | type) == "string" and (.msg | type) == "string"' \
      >/dev/null 2>&1 <<<"$line" || { echo "line $n is not a JSON object with ts, level, msg: $line"; return 1; }
  done <"$ACCESS"
  ((n > 1)) || { echo "log has only $n lines"; return 1; }
}
check "every stderr line is a JSON object with ts, level and msg" run_ok every_line_json
REQUEST_LINES=$(grep -v '^===' "$ACCESS" | jq -c 'select(.msg == "request")' 2>/dev/null)
check "one request line per request, in order (method, path, status)" equals \
  "$(jq -r '"\(.method) \(.path) \(.status)"' <<<"$REQUEST_LINES")" "$EXPECTED_LOG"
check "every request line has method, path, status, bytes_in, bytes_out, duration_ms, client" run_ok \
  jq -e -s 'length == 8 and all(.[];
    (.method | type) == "string" and (.path | type) == "string" and (.status | type) == "number" and
    (.bytes_in | type) == "number" and (.bytes_out | type) == "number" and
    (.duration_ms | type) == "number" and .duration_ms >= 0 and (.client | type) == "string")' <<<"$REQUEST_LINES"
check "client names the loopback peer" run_ok jq -e -s 'all(.[]; .client | startswith("127.0.0.1"))' <<<"$REQUEST_LINES"
check "PUT logs bytes_in = the blob's 1000 bytes" run_ok \
  jq -e -s '[.[] | select(.method == "PUT")] | length == 1 and .[0].bytes_in == 1000' <<<"$REQUEST_LINES"
check "GET blob logs bytes_out = the blob's 1000 bytes, HEAD logs 0" run_ok \
  jq -e -s --arg p "/v2/logs/img/blobs/$SMALL" \
  '([.[] | select(.path == $p and .method == "GET")][0].bytes_out == 1000) and
   ([.[] | select(.path == $p and .method == "HEAD")][0].bytes_out == 0)' <<<"$REQUEST_LINES"
check "the bearer token never appears in the log" run_ok bash -c '! grep -n -F -- "$1" "$2"' _ "$SECRET_TOKEN" "$ACCESS"
check "the token query parameter never appears in the log" run_ok bash -c '! grep -n -F -- "$1" "$2"' _ "$SECRET_QUERY" "$ACCESS"

# ==============================================================================================
echo "## IPv6 and the port file"
DATA=$T/v6
serve_at "$REG_LOG" --listen '[::1]:0' --data "$DATA"
check "listening on [::1]:0 writes a port to BULWARK_PORT_FILE" run_ok test "$PORT" -gt 0
check "GET http://[::1]:PORT/v2/ answers 200" answers "http://[::1]:$PORT/v2/" -g
stop_server
check "IPv6 server exits 0" exit_status_is 0

# ==============================================================================================
echo "## first start: the administrator"
DATA=$T/boot
BULWARK_ADMIN_PASSWORD= serve_at "$T/boot.err" --listen 127.0.0.1:0 --data "$DATA"
stop_server
PWFILE=$DATA/initial-admin-password
check "first start writes initial-admin-password" file_present "$PWFILE"
check "the password file is mode 0600" equals "$(stat -c %a "$PWFILE" 2>/dev/null)" 600
GEN_PW=$(cat "$PWFILE" 2>/dev/null)
check "the generated password is at least 20 characters" run_ok test "${#GEN_PW}" -ge 20
check "the password is printed once, on stdout" equals "$(grep -c -F -- "$GEN_PW" "$REG_LOG")" 1
check "the password never reaches the log stream" run_ok bash -c '! grep -q -F -- "$1" "$2"' _ "$GEN_PW" "$T/boot.err"
check "the log records that the administrator was created" run_ok grep -q '"msg":"created administrator"' "$T/boot.err"
BULWARK_ADMIN_PASSWORD= serve_at "$T/boot.err" --listen 127.0.0.1:0 --data "$DATA"
check "the generated password logs in" answers "$R/v2/" -u "admin:$GEN_PW"
stop_server
check "a restart keeps the password file" equals "$(cat "$PWFILE" 2>/dev/null)" "$GEN_PW"
check "a restart prints no password" equals "$(grep -c -F -- "$GEN_PW" "$REG_LOG")" 1
DATA=$T/boot2
OPERATOR_PW=s3t-by-operator-0123
BULWARK_ADMIN_PASSWORD=$OPERATOR_PW serve_at "$T/boot2.err" --listen 127.0.0.1:0 --data "$DATA"
stop_server
check "with BULWARK_ADMIN_PASSWORD no password file is written" file_absent "$DATA/initial-admin-password"
check "BULWARK_ADMIN_PASSWORD is printed nowhere" run_ok bash -c '! grep -q -F -- "$1" "$2" "$3"' _ "$OPERATOR_PW" "$T/boot2.err" "$REG_LOG"

# ==============================================================================================
echo "## TLS"
TLS=$T/tls
mkdir -p "$TLS/certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TLS/key.pem" -out "$TLS/cert.pem" -subj /CN=127.0.0.1 \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$TLS/openssl.out" 2>&1 ||
  die "openssl could not make a certificate: $(cat "$TLS/openssl.out")"
cp "$TLS/cert.pem" "$TLS/certs/ca.crt"
DATA=$T/tls-data
BULWARK_TLS_CERT=$TLS/cert.pem BULWARK_TLS_KEY=$TLS/key.pem serve_at "$REG_LOG" --listen 127.0.0.1:0 --data "$DATA"
R=https://127.0.0.1:$PORT
CA=(--cacert "$TLS/cert.pem")
req GET /v2/ "${CA[@]}"
check "https GET /v2/ with the CA answers 200" status_is 200
check "https GET /v2/ has Docker-Distribution-API-Version" header_is Docker-Distribution-API-Version registry/2.0
check "https://localhost:PORT also verifies (DNS SAN)" answers "https://localhost:$PORT/v2/" "${CA[@]}" --resolve "localhost:$PORT:127.0.0.1"
tls_unverified_refused() {
  local rc=0
  curl -s -o /dev/null --max-time 5 "$R/v2/" || rc=$?
  [[ $rc == 60 ]] && return 0
  echo "expected curl without the CA to fail certificate verification (exit 60), got exit $rc"
  return 1
}
check "https without the CA fails verification (it is really our certificate)" run_ok tls_unverified_refused
req GET "http://127.0.0.1:$PORT/v2/"
check "plain http to the TLS port gets no HTTP answer" status_is 000
req GET /v2/ "${CA[@]}"
check "the TLS server still answers after a plain-http attempt" status_is 200

random_file "$T/tls-blob" 300000
TLS_BLOB=$(digest_of "$T/tls-blob")
req POST /v2/tls/blob/blobs/uploads/ "${CA[@]}"
check "POST upload over TLS answers 202" status_is 202
UPATH=$(path_of "$(location)")
req PUT "$(with_query "$UPATH" "digest=$TLS_BLOB")" "${CA[@]}" -H 'Content-Type: application/octet-stream' --data-binary "@$T/tls-blob"
check "PUT blob over TLS answers 201" status_is 201
req GET "/v2/tls/blob/blobs/$TLS_BLOB" "${CA[@]}"
check "GET blob over TLS returns the same bytes" body_equals_file "$T/tls-blob"

IMG=$(bash "$TESTS_DIR/make-oci-layout.sh" image "$T/layout" v1 2 amd64 50000) || die "make-oci-layout.sh failed"
sk() { timeout 120 skopeo --insecure-policy "$@" >"$T/sk.out" 2>&1 || { echo "skopeo $* failed:"; cat "$T/sk.out"; return 1; }; }
sk_fails() { ! timeout 120 skopeo --insecure-policy "$@" >"$T/sk.out" 2>&1 || { echo "skopeo $* unexpectedly succeeded"; return 1; }; }
D=docker://127.0.0.1:$PORT
REGISTRY_HOSTPORT=127.0.0.1:$PORT write_authfile "$T/auth.json"
check "skopeo copy oci: -> docker:// over TLS (--dest-cert-dir)" run_ok \
  sk copy --authfile "$T/auth.json" --dest-cert-dir "$TLS/certs" --preserve-digests "oci:$T/layout:v1" "$D/tls/img:v1"
check "skopeo inspect --cert-dir over TLS" run_ok sk inspect --authfile "$T/auth.json" --cert-dir "$TLS/certs" "$D/tls/img:v1"
check "skopeo inspect reports the pushed digest and layers" run_ok \
  jq -e --arg d "$IMG" '.Digest == $d and (.Layers | length) == 2' "$T/sk.out"
check "skopeo inspect without the CA fails (certificate verified)" run_ok \
  sk_fails inspect --authfile "$T/auth.json" "$D/tls/img:v1"
stop_server
check "TLS server exits 0" exit_status_is 0

# ==============================================================================================
echo "## graceful shutdown: an in-flight upload completes"
DATA=$T/drain
random_file "$T/big" "$BIG"
BIG_DIGEST=$(digest_of "$T/big")
BULWARK_SHUTDOWN_GRACE=60s serve_at "$REG_LOG" --listen 127.0.0.1:0 --data "$DATA"
DRAIN_PID=$REG_PID
req POST /v2/drain/blob/blobs/uploads/
check "POST starts the upload" status_is 202
UPATH=$(path_of "$(location)")
curl -s -S --max-time 60 "${ADMIN_AUTH[@]}" -X PATCH --limit-rate 1M -H 'Content-Type: application/octet-stream' \
  -H "Content-Range: 0-$((BIG - 1))" --data-binary "@$T/big" -D "$T/patch1.hdrs" -o "$T/patch1.body" \
  -w '%{http_code}' "$R$UPATH" >"$T/patch1.status" 2>"$T/patch1.err" &
PATCH_PID=$!
track_pid "$PATCH_PID"
received=0
for ((i = 0; i < 150 && received == 0; i++)); do
  req GET "$UPATH"
  received=$(range_size)
  ((received > 0)) || { received=0; sleep 0.1; }
done
check "the server reports bytes of the slow PATCH before SIGTERM" run_ok test "$received" -gt 0
check "... and not all of them yet (the PATCH is in flight)" run_ok test "$received" -lt "$BIG"
kill -TERM "$DRAIN_PID"
refused_while_draining() {
  local j rc
  for ((j = 0; j < 50; j++)); do
    kill -0 "$PATCH_PID" 2>/dev/null || { echo "the PATCH finished before new connections were refused"; return 1; }
    rc=0
    curl -s -o /dev/null --max-time 2 "$R/v2/" || rc=$?
    [[ $rc == 7 ]] && return 0
    sleep 0.1
  done
  echo "new connections were still accepted 5 s after SIGTERM (last curl exit $rc)"
  return 1
}
check "after SIGTERM new connections are refused while the upload drains" run_ok refused_while_draining
wait_gone "$PATCH_PID" 300
check "the in-flight PATCH completes with 202" equals "$(cat "$T/patch1.status")" 202
check "the PATCH's Range covers all 4 MiB" equals "$(hdr Range "$T/patch1.hdrs")" "0-$((BIG - 1))"
await_exit 200
check "the server then exits 0 on its own" exit_status_is 0

serve_at "$REG_LOG" --listen 127.0.0.1:0 --data "$DATA"
req GET "$UPATH"
check "after restart the upload session is known (204)" status_is 204
check "after restart its Range is the full 4 MiB" header_is Range "0-$((BIG - 1))"
req PUT "$(with_query "$UPATH" "digest=$BIG_DIGEST")"
check "after restart PUT ?digest= completes the upload (201)" status_is 201
req GET "/v2/drain/blob/blobs/$BIG_DIGEST"
check "the blob is served with the right digest" body_digest_is "$BIG_DIGEST"
stop_server
check "exits 0" exit_status_is 0

# ==============================================================================================
echo "## graceful shutdown: the grace period bounds a stuck upload"
DATA=$T/abort
BULWARK_SHUTDOWN_GRACE=1s serve_at "$REG_LOG" --listen 127.0.0.1:0 --data "$DATA"
req POST /v2/abort/blob/blobs/uploads/
check "POST starts the upload" status_is 202
UPATH=$(path_of "$(location)")
# Expect: 100-continue: the server answers "100 Continue" when the handler starts reading the body,
# which tells this script (curl -v) that the request is in flight inside the server.
curl -s -v --max-time 120 "${ADMIN_AUTH[@]}" -X PATCH --limit-rate 64K -H 'Content-Type: application/octet-stream' \
  -H 'Expect: 100-continue' -H "Content-Range: 0-$((BIG - 1))" --data-binary "@$T/big" \
  -o /dev/null -w '%{http_code}' "$R$UPATH" >"$T/patch2.status" 2>"$T/patch2.err" &
PATCH_PID=$!
track_pid "$PATCH_PID"
for ((i = 0; i < 100; i++)); do
  grep -q '^< HTTP/1.1 100' "$T/patch2.err" && break
  sleep 0.1
done
check "the server started reading the slow PATCH (100 Continue)" run_ok grep -q '^< HTTP/1.1 100' "$T/patch2.err"
START=$SECONDS
kill -TERM "$REG_PID"
await_exit 150
check "with BULWARK_SHUTDOWN_GRACE=1s SIGTERM ends the server within 15 s (took $((SECONDS - START)) s)" exit_status_is 0
check "the server logged that the grace period ran out" run_ok grep -q 'shutdown grace period over' "$REG_LOG"
wait_gone "$PATCH_PID" 100
check "the unfinished PATCH did not get a 202" run_ok test "$(cat "$T/patch2.status")" != 202

serve_at "$REG_LOG" --listen 127.0.0.1:0 --data "$DATA"
req GET "$UPATH"
check "after restart the interrupted session is known (204)" status_is 204
OFFSET=$(range_size)
echo "the session resumes from byte $OFFSET"
check "its Range is a valid prefix of the upload" run_ok test "$OFFSET" -ge 0 -a "$OFFSET" -lt "$BIG"
tail -c +$((OFFSET + 1)) "$T/big" >"$T/rest"
req PATCH "$UPATH" -H 'Content-Type: application/octet-stream' -H "Content-Range: $OFFSET-$((BIG - 1))" --data-binary "@$T/rest"
check "PATCH of the remaining bytes answers 202" status_is 202
check "the Range now covers all 4 MiB" header_is Range "0-$((BIG - 1))"
req PUT "$(with_query "$UPATH" "digest=$BIG_DIGEST")"
check "PUT ?digest= completes the resumed upload (201)" status_is 201
req GET "/v2/abort/blob/blobs/$BIG_DIGEST"
check "the resumed blob has the right digest" body_digest_is "$BIG_DIGEST"
stop_server
check "exits 0" exit_status_is 0

# ==============================================================================================
echo "## upload expiry"
DATA=$T/expiry
BULWARK_UPLOAD_EXPIRY=2s serve_at "$REG_LOG" --listen 127.0.0.1:0 --data "$DATA"
req POST /v2/exp/idle/blobs/uploads/
check "POST starts the idle session" status_is 202
IDLE=$(path_of "$(location)")
IDLE_ID=${IDLE##*/}
check "the idle session's staged file exists" file_present "$DATA/blobs/uploads/$IDLE_ID"
req POST /v2/exp/busy/blobs/uploads/
check "POST starts the busy session" status_is 202
BUSY=$(path_of "$(location)")
random_file "$T/chunks" 100000
sent=0
chunk=1000
# The busy session gets a chunk every ~0.3 s (well inside the 2 s window) while the idle one is
# polled; polling (GET) does not count as activity.
patch_busy() {
  req PATCH "$BUSY" -H 'Content-Type: application/octet-stream' -H "Content-Range: $sent-$((sent + chunk - 1))" \
    --data-binary @<(tail -c +$((sent + 1)) "$T/chunks" | head -c "$chunk")
  [[ $STATUS == 202 ]] || { echo "PATCH of the busy session at byte $sent answered $STATUS"; return 1; }
  sent=$((sent + chunk))
}
busy_ok=1

for ((i = 0; i < 70; i++)); do
  patch_busy >"$T/busy.err" || { busy_ok=0; break; }
  req GET "$IDLE"
  [[ $STATUS == 404 ]] && break
  sleep 0.3
done
req GET "$IDLE"
check "the idle session expires: 404 BLOB_UPLOAD_UNKNOWN" error_is 404 BLOB_UPLOAD_UNKNOWN
staged_gone() {
  local j
  for ((j = 0; j < 50; j++)); do
    [[ -e $DATA/blobs/uploads/$IDLE_ID ]] || return 0
    sleep 0.1
  done
  echo "$DATA/blobs/uploads/$IDLE_ID is still there"
  return 1
}
check "the idle session's staged file is removed" run_ok staged_gone
# Keep the busy session active for another two windows after the idle one expired.
for ((i = 0; i < 14 && busy_ok == 1; i++)); do
  patch_busy >>"$T/busy.err" || busy_ok=0
  sleep 0.3
done
check "the busy session was never refused while being PATCHed" run_ok bash -c '[[ $1 == 1 ]] || cat "$2"' _ "$busy_ok" "$T/busy.err"
req GET "$BUSY"
check "the busy session is still known (204)" status_is 204
check "the busy session holds every chunk" equals "$(range_size)" "$sent"
head -c "$sent" "$T/chunks" >"$T/chunks.sent"
req PUT "$(with_query "$BUSY" "digest=$(digest_of "$T/chunks.sent")")"
check "the busy session completes (201)" status_is 201
stop_server
check "exits 0" exit_status_is 0

# ==============================================================================================
echo "## upload activity is recorded to the minute"
# With the default expiry (a day) a PATCH rewrites the session's recorded activity only when that
# is a minute old or more: a chunked push must not pay a synchronous metadata commit per chunk.
# The recorded time is moved back in the database (python3's sqlite3) instead of waiting.
DATA=$T/activity
serve_at "$REG_LOG" --listen 127.0.0.1:0 --data "$DATA"
req POST /v2/act/app/blobs/uploads/
check "POST starts a session" status_is 202
ACT=$(path_of "$(location)")
ACT_ID=${ACT##*/}
session_updated_at() {  # [SET]: the session's recorded activity (unix seconds), first set to SET
  python3 - "$DATA/metadata.sqlite" "$ACT_ID" "${1:-}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
if sys.argv[3]:
    db.execute("UPDATE uploads SET updated_at = ? WHERE id = ?", (int(sys.argv[3]), sys.argv[2]))
    db.commit()
print(db.execute("SELECT updated_at FROM uploads WHERE id = ?", (sys.argv[2],)).fetchone()[0])
PY
}
random_file "$T/act" 2000
patch_act() {  # FROM TO: PATCH bytes FROM..TO of $T/act
  req PATCH "$ACT" -H 'Content-Type: application/octet-stream' -H "Content-Range: $1-$2" \
    --data-binary @<(tail -c +$(($1 + 1)) "$T/act" | head -c $(($2 - $1 + 1)))
}
recent=$(($(date +%s) - 30))
session_updated_at "$recent" >/dev/null
patch_act 0 999
check "a PATCH is accepted (202)" status_is 202
check "activity recorded 30 s ago is left as it is" equals "$(session_updated_at)" "$recent"
session_updated_at $(($(date +%s) - 90)) >/dev/null
before=$(date +%s)
patch_act 1000 1999
check "the next PATCH is accepted (202)" status_is 202
check "activity recorded 90 s ago is brought up to now" run_ok bash -c '(( $1 >= $2 ))' _ "$(session_updated_at)" "$before"
stop_server
check "exits 0" exit_status_is 0

finish
