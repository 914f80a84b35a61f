#!/usr/bin/env bash
# Black-box test of access control through the real Docker token flow: the authorisation matrix
# (every role, robot kind and anonymous × project environment × public/private × pull, push,
# delete), the token endpoint (GET, password and refresh grants, scope narrowing), forged and
# broken tokens, revocation taking effect on the next request, HTTP Basic on /v2/, failed-login
# throttling, and the audit trail of it all.
#
# The expected decisions are written out below from the seed's model (developers push to
# development projects, CI robots to staging, release robots to production, production consumers
# only pull), independently of the server's own policy table.
#
# Usage: BULWARK_BIN=build/bulwark bash tests/e2e_auth.sh
source "$(dirname "$0")/lib.sh"

[[ $REGISTRY_IMPL == bulwark ]] || die "access control is Bulwark's own: run with REGISTRY_IMPL=bulwark"
FORGE=$TESTS_DIR/forge-jwt.py

adm() { "$BULWARK_BIN" admin "$@" --data "$DATA"; }

# ---------------------------------------------------------------------------------------------
start_registry
# This test is about who may do what. Its images are never scanned, and production's default
# policy refuses pending images to everyone but their pusher and scanners (tested in
# e2e_pending and e2e_quarantine): let them through here.
req PUT /api/v1/environments/production/policy -H 'Content-Type: application/yaml' \
  --data-binary $'version: 1\npending: allow\n'
[[ $STATUS == 200 || $STATUS == 201 ]] || die "production policy: $STATUS $(body)"

echo "## secure by default"
REQ_AUTH=none req GET /v2/
check "anonymous GET /v2/ is challenged" error_is 401 UNAUTHORIZED
check "... with a Bearer challenge naming the token endpoint and service" \
  header_is WWW-Authenticate "Bearer realm=\"$R/auth/token\",service=\"bulwark\""
REQ_AUTH=none req POST /v2/fresh/app/blobs/uploads/
check "anonymous push is refused with 401" error_is 401 UNAUTHORIZED
check "... and the challenge names the push scope" \
  header_is WWW-Authenticate "Bearer realm=\"$R/auth/token\",service=\"bulwark\",scope=\"repository:fresh/app:push\""
REQ_AUTH=none req GET /v2/_catalog
check "anonymous catalog is challenged for registry:catalog:*" \
  header_matches WWW-Authenticate 'scope="registry:catalog:\*"'
req GET /v2/
check "the administrator's Basic credentials open /v2/" status_is 200

echo "## setup: six projects, five users, three robots per project"
ENVS=(development staging production)
declare -A ENV_OF VIS_OF
PROJECTS=()
for env in "${ENVS[@]}"; do
  for vis in public private; do
    p=${env:0:3}-$vis
    PROJECTS+=("$p")
    ENV_OF[$p]=$env
    VIS_OF[$p]=$vis
    flags=(--environment "$env")
    [[ $vis == public ]] && flags+=(--public)
    adm project create "$p" "${flags[@]}" >/dev/null || die "project create $p"
  done
done
declare -A PW
ROLES=(project_admin maintainer developer guest)
for u in u-project_admin u-maintainer u-developer u-guest u-none; do
  PW[$u]=$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  printf '%s' "${PW[$u]}" | adm user create "$u" --password-stdin >/dev/null || die "user create $u"
done
declare -A ROBOT_SECRET
for p in "${PROJECTS[@]}"; do
  for role in "${ROLES[@]}"; do
    adm member set "$p" --user "u-$role" --role "$role" >/dev/null || die "member set $p $role"
  done
  for kind in generic ci release; do
    out=$(adm robot create "$p" "$kind" --expires 1d --kind "$kind" --rule "$p/*=pull,push,delete" -o json) ||
      die "robot create $p $kind"
    ROBOT_SECRET["$p/$kind"]=$(jq -r .secret <<<"$out")
  done
  check "admin pushes $p/app:v1" run_ok push_image admin "$p/app" v1
done

echo "## the authorisation matrix, through the token flow"
# expected PRINCIPAL ENV VIS -> the actions allowed, from the seed's model.
expected() {
  local who=$1 env=$2 vis=$3
  case "$who/$env" in
    u-project_admin/production) echo "pull delete" ;;
    u-project_admin/*) echo "pull push delete" ;;
    u-maintainer/development) echo "pull push delete" ;;
    u-maintainer/*) echo "pull" ;;
    u-developer/development) echo "pull push" ;;
    u-developer/*) echo "pull" ;;
    u-guest/*) echo "pull" ;;
    u-none/* | anonymous/*) [[ $vis == public ]] && echo "pull" || echo "" ;;
    robot-generic/development) echo "pull push delete" ;;
    robot-generic/*) echo "pull delete" ;;
    robot-ci/production) echo "pull delete" ;;
    robot-ci/*) echo "pull push delete" ;;
    robot-release/*) echo "pull push delete" ;;
  esac
}
# act ACTION TOKEN REPO: performs ACTION; "allowed" when access passed, else "denied(STATUS)".
act() {
  local action=$1 tok=$2 repo=$3
  case $action in
    pull) breq "$tok" GET "/v2/$repo/manifests/v1" -H 'Accept: application/vnd.oci.image.manifest.v1+json'
      [[ $STATUS == 200 ]] && { echo allowed; return; } ;;
    push) breq "$tok" POST "/v2/$repo/blobs/uploads/"
      [[ $STATUS == 202 ]] && { echo allowed; return; } ;;
    # Deleting a tag that does not exist: 404 MANIFEST_UNKNOWN once access is granted.
    delete) breq "$tok" DELETE "/v2/$repo/manifests/no-such-tag"
      [[ $STATUS == 404 ]] && { echo allowed; return; } ;;
  esac
  echo "denied($STATUS)"
}

declare -A REFRESH
for u in u-project_admin u-maintainer u-developer u-guest u-none; do
  REFRESH[$u]=$(login_refresh "$u" "${PW[$u]}") || die "password grant for $u"
done
MATRIX_FAIL=0
MATRIX_CELLS=0
for p in "${PROJECTS[@]}"; do
  for who in u-project_admin u-maintainer u-developer u-guest u-none anonymous robot-generic robot-ci robot-release; do
    allowed=" $(expected "$who" "${ENV_OF[$p]}" "${VIS_OF[$p]}") "
    for action in pull push delete; do
      scope="repository:$p/app:$action"
      case $who in
        anonymous) tok=$(token_get none "$scope") ;;
        robot-*) kind=${who#robot-}
          tok=$(token_get "robot\$$p+$kind:${ROBOT_SECRET[$p/$kind]}" "$scope") ;;
        *) tok=$(token_refresh "${REFRESH[$who]}" "$scope") ;;
      esac || { MATRIX_FAIL=$((MATRIX_FAIL + 1)); echo "no token for $who $scope"; continue; }
      got=$(act "$action" "$tok" "$p/app")
      want=denied
      [[ $allowed == *" $action "* ]] && want=allowed
      MATRIX_CELLS=$((MATRIX_CELLS + 1))
      if [[ $want == allowed && $got != allowed ]] || [[ $want == denied && $got == allowed ]]; then
        MATRIX_FAIL=$((MATRIX_FAIL + 1))
        echo "matrix cell wrong: $who on $p (${ENV_OF[$p]}, ${VIS_OF[$p]}) $action: want $want, got $got"
      elif [[ $want == denied && $got != "denied(401)" ]]; then
        MATRIX_FAIL=$((MATRIX_FAIL + 1))
        echo "matrix cell $who $p $action: a token lacking the action must get 401, got $got"
      fi
    done
  done
done
check "authorisation matrix: $MATRIX_CELLS cells (9 principals × 6 projects × 3 actions) as the model says" \
  equals "$MATRIX_FAIL/$MATRIX_CELLS" "0/162"

echo "## what a refused token is told"
tok=$(token_refresh "${REFRESH[u-guest]}" "repository:dev-private/app:pull,push")
payload=$(claims_of "$tok")
check "a guest asking for pull,push gets a token narrowed to pull" \
  equals "$(jq -c .access <<<"$payload")" '[{"type":"repository","name":"dev-private/app","actions":["pull"]}]'
check "... issued by bulwark for service bulwark, for 5 minutes, to u-guest" \
  equals "$(jq -r '[.iss, .aud, .sub, (.exp - .iat)] | join(" ")' <<<"$payload")" "bulwark bulwark u-guest 300"
breq "$tok" POST /v2/dev-private/app/blobs/uploads/
check "pushing with it is 401 UNAUTHORIZED" error_is 401 UNAUTHORIZED
check "... with error=\"insufficient_scope\" and the scope to ask for" \
  header_is WWW-Authenticate "Bearer realm=\"$R/auth/token\",service=\"bulwark\",scope=\"repository:dev-private/app:push\",error=\"insufficient_scope\""
tok=$(token_refresh "${REFRESH[u-none]}" "repository:dev-private/app:pull")
check "a non-member's token for a private project grants nothing" \
  equals "$(claims_of "$tok" | jq -c .access)" '[{"type":"repository","name":"dev-private/app","actions":[]}]'
tok=$(token_get "admin:$ADMIN_PW" "registry:catalog:*" "repository:pro-private/app:pull")
breq "$tok" GET /v2/_catalog
check "the administrator's token for registry:catalog:* lists the catalog" json_true '.repositories | index("pro-private/app") != null'
tok=$(token_refresh "${REFRESH[u-project_admin]}" "registry:catalog:*")
breq "$tok" GET /v2/_catalog
check "a project admin's catalog scope is refused (system admins only)" error_is 401 UNAUTHORIZED

echo "## HTTP Basic on /v2/"
REQ_AUTH="u-developer:${PW[u-developer]}" req GET /v2/dev-private/app/tags/list
check "a developer pulls with Basic credentials" status_is 200
REQ_AUTH="u-developer:${PW[u-developer]}" req POST /v2/pro-private/app/blobs/uploads/
check "a developer's push to production with Basic credentials is 403 DENIED" error_is 403 DENIED
check "... and says which rule refused it" json_true '.errors[0].message | test("production projects accept pushes only from release robots")'
REQ_AUTH="u-none:${PW[u-none]}" req GET /v2/dev-private/app/tags/list
check "a non-member is denied without learning whether the private project exists" error_is 403 DENIED
first=$(jq -r '.errors[0].message' "$T/resp.body")
REQ_AUTH="u-none:${PW[u-none]}" req GET /v2/no-such-project/app/tags/list
check "... the same answer as for a project that does not exist" \
  equals "$(jq -r '.errors[0].message' "$T/resp.body")/$STATUS" "$first/403"
REQ_AUTH="u-developer:wrong-password" req GET /v2/
check "a wrong password is 401" error_is 401 UNAUTHORIZED
wrong_msg=$(jq -r '.errors[0].message' "$T/resp.body")
REQ_AUTH="nobody-at-all:wrong-password" req GET /v2/
check "an unknown user gets exactly the same answer" \
  equals "$(jq -r '.errors[0].message' "$T/resp.body")/$STATUS" "$wrong_msg/401"
REQ_AUTH=none req GET /v2/ -H 'Authorization: Basic not-base64!'
check "a malformed Authorization header is 401, not 400 or 500" error_is 401 UNAUTHORIZED
REQ_AUTH=admin req POST /v2/brand-new/app/blobs/uploads/
check "the administrator's first push creates the project" status_is 202
check "... private, development" \
  run_ok bash -c "'$BULWARK_BIN' admin project list --data '$DATA' -o json | jq -e '.[] | select(.name == \"brand-new\") | .visibility == \"private\" and .environment == \"development\"' >/dev/null"

echo "## forged, broken and foreign tokens"
good=$(token_get "admin:$ADMIN_PW" "repository:dev-private/app:pull")
breq "$good" GET /v2/dev-private/app/manifests/v1
check "a genuine token works" status_is 200
KID=$(b64url_json "$(cut -d. -f1 <<<"$good")" | jq -r .kid)
now=$(date +%s)
claims() { # ISS AUD EXP [SUB]
  jq -cn --arg iss "$1" --arg aud "$2" --argjson exp "$3" --arg sub "${4:-admin}" --argjson now "$now" \
    '{iss: $iss, sub: $sub, aud: $aud, exp: $exp, nbf: ($now - 10), iat: ($now - 10), jti: "forged",
      access: [{type: "repository", name: "dev-private/app", actions: ["pull", "push", "delete"]}]}'
}
KEY=$DATA/token-key.pem
openssl pkey -in "$KEY" -pubout -out "$T/token-pub.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$T/other-key.pem" 2>/dev/null
forged_check() { # NAME TOKEN
  breq "$2" GET /v2/dev-private/app/manifests/v1
  check "$1 is refused with 401 invalid_token" error_is 401 UNAUTHORIZED
  check "... and the challenge says invalid_token" header_matches WWW-Authenticate 'error="invalid_token"'
}
control=$("$FORGE" ES256 "$(claims bulwark bulwark $((now + 60)))" --key "$KEY" --kid "$KID")
breq "$control" GET /v2/dev-private/app/manifests/v1
check "a token forged with the registry's own key is accepted (the forger itself works)" status_is 200
forged_check "an expired token" "$("$FORGE" ES256 "$(claims bulwark bulwark $((now - 120)))" --key "$KEY" --kid "$KID")"
forged_check "a token for another audience" "$("$FORGE" ES256 "$(claims bulwark other-registry $((now + 60)))" --key "$KEY" --kid "$KID")"
forged_check "a token from another issuer" "$("$FORGE" ES256 "$(claims evil bulwark $((now + 60)))" --key "$KEY" --kid "$KID")"
forged_check "a token signed by another key" "$("$FORGE" ES256 "$(claims bulwark bulwark $((now + 60)))" --key "$T/other-key.pem" --kid "$KID")"
forged_check "alg none" "$("$FORGE" none "$(claims bulwark bulwark $((now + 60)))" --kid "$KID")"
forged_check "HS256 keyed with the public key (algorithm confusion)" \
  "$("$FORGE" HS256 "$(claims bulwark bulwark $((now + 60)))" --secret-file "$T/token-pub.pem" --kid "$KID")"
forged_check "a token whose payload was edited after signing" \
  "$(cut -d. -f1 <<<"$good").$(printf '%s' "$(claims bulwark bulwark $((now + 60)))" | base64 -w0 | tr '+/' '-_' | tr -d '=').$(cut -d. -f3 <<<"$good")"
forged_check "a malformed token" "not.a.jwt"
forged_check "an oversized token (10 KB)" "$(head -c 10000 /dev/zero | tr '\0' 'A').$(head -c 10 /dev/zero | tr '\0' 'B').C"

echo "## revocation takes effect on the next request"
rsec=$(adm robot create dev-private revokeme --expires 1d --kind ci --rule 'dev-private/*=pull' -o json | jq -r .secret)
rtok=$(token_get "robot\$dev-private+revokeme:$rsec" "repository:dev-private/app:pull")
breq "$rtok" GET /v2/dev-private/app/manifests/v1
check "a robot's token works" status_is 200
REQ_AUTH="robot\$dev-private+revokeme:$rsec" req GET /v2/dev-private/app/tags/list
check "... and so do its Basic credentials" status_is 200
adm robot revoke 'robot$dev-private+revokeme' >/dev/null
breq "$rtok" GET /v2/dev-private/app/manifests/v1
check "after revoke (by another process), the same token is refused at once" error_is 401 UNAUTHORIZED
REQ_AUTH="robot\$dev-private+revokeme:$rsec" req GET /v2/dev-private/app/tags/list
check "... and so are its Basic credentials" error_is 401 UNAUTHORIZED
token_get "robot\$dev-private+revokeme:$rsec" "repository:dev-private/app:pull" >/dev/null
check "... and it gets no new token" equals "$STATUS" 401
dtok=$(token_refresh "${REFRESH[u-developer]}" "repository:dev-private/app:push")
breq "$dtok" POST /v2/dev-private/app/blobs/uploads/
check "a developer's push token works" status_is 202
adm user disable u-developer >/dev/null
breq "$dtok" POST /v2/dev-private/app/blobs/uploads/
check "disabling the user refuses its outstanding token at once" error_is 401 UNAUTHORIZED
REQ_AUTH=none req POST /auth/token --data-urlencode grant_type=refresh_token \
  --data-urlencode "refresh_token=${REFRESH[u-developer]}" --data-urlencode service=bulwark
check "... and its refresh token" status_is 400 401
REQ_AUTH="u-guest:${PW[u-guest]}" req GET /v2/dev-private/app/tags/list
check "a guest pulls with Basic credentials (cached)" status_is 200
adm member remove dev-private --user u-guest >/dev/null
REQ_AUTH="u-guest:${PW[u-guest]}" req GET /v2/dev-private/app/tags/list
check "removing the membership takes effect on the next request" error_is 403 DENIED

echo "## network allow-lists (the tests connect from 127.0.0.1)"
REQ_AUTH="u-guest:${PW[u-guest]}" req GET /v2/sta-private/app/tags/list
check "a guest pulls before the project has an allow-list" status_is 200
adm project update sta-private --allow-network 10.0.0.0/8 --allow-network 2001:db8::/32 >/dev/null
REQ_AUTH="u-guest:${PW[u-guest]}" req GET /v2/sta-private/app/tags/list
check "an allow-list without the client's network refuses it at once" error_is 403 DENIED
check "... and says why" json_true '.errors[0].message | test("outside the allowed networks of project")'
gtok=$(token_refresh "${REFRESH[u-guest]}" "repository:sta-private/app:pull")
check "... the token endpoint grants nothing from outside" \
  equals "$(claims_of "$gtok" | jq -c '.access[0].actions')" '[]'
req GET /v2/sta-private/app/tags/list
check "system administrators are not locked out by an allow-list" status_is 200
adm project update sta-private --allow-network 127.0.0.0/8 >/dev/null
REQ_AUTH="u-guest:${PW[u-guest]}" req GET /v2/sta-private/app/tags/list
check "adding the client's network lets it in again" status_is 200
adm project update sta-private --any-network >/dev/null
nsec=$(adm robot create dev-private netbot --expires 1d --kind ci --rule 'dev-private/*=pull' \
  --allow-network 127.0.0.1 -o json | jq -r .secret)
ntok=$(token_get "robot\$dev-private+netbot:$nsec" "repository:dev-private/app:pull")
breq "$ntok" GET /v2/dev-private/app/manifests/v1
check "a robot pulls from its allowed address" status_is 200
adm robot networks 'robot$dev-private+netbot' --allow-network 192.0.2.0/24 >/dev/null
breq "$ntok" GET /v2/dev-private/app/manifests/v1
check "narrowing the robot's networks refuses its token at once" error_is 401 UNAUTHORIZED
REQ_AUTH="robot\$dev-private+netbot:$nsec" req GET /v2/dev-private/app/tags/list
check "... and its Basic credentials, with the reason" error_is 403 DENIED
check "... naming the robot's allow-list" json_true '.errors[0].message | test("allowed networks of robot account")'

echo "## token endpoint errors"
REQ_AUTH=none req POST /auth/token --data-urlencode grant_type=client_credentials
check "an unsupported grant type is 400 unsupported_grant_type" json_is .error unsupported_grant_type
REQ_AUTH=none req POST /auth/token --data-urlencode grant_type=password --data-urlencode username=u-guest
check "a password grant without password is 400 invalid_request" json_is .error invalid_request
REQ_AUTH=none req POST /auth/token --data-urlencode grant_type=password --data-urlencode username=u-guest \
  --data-urlencode password=wrong
check "a wrong password in the password grant is 400 invalid_grant" json_is .error invalid_grant
REQ_AUTH=none req POST /auth/token --data-urlencode grant_type=refresh_token --data-urlencode refresh_token=made-up
check "an unknown refresh token is 400 invalid_grant" json_is .error invalid_grant
REQ_AUTH="u-guest:${PW[u-guest]}" req GET "/auth/token?service=another-registry&scope=repository:x/y:pull"
check "a token for another service is refused" error_is 403 DENIED
REQ_AUTH=none req GET "/auth/token?service=bulwark&scope=repository:pub-nothing::pull&scope=garbage"
check "malformed scopes are dropped, not fatal" json_true '.token | length > 100'

echo "## failed logins are throttled per account, without telling whether it exists"
# guess ACCOUNT: wrong passwords until the answer is 429 (at most 10); TRIES says how many it took.
guess() {
  local i
  TRIES="never throttled"
  for i in $(seq 1 10); do
    REQ_AUTH="$1:nope$i" req GET /v2/
    [[ $STATUS == 429 ]] && { TRIES=$i; return 0; }
    [[ $STATUS == 401 ]] || { TRIES="unexpected status $STATUS"; return 1; }
  done
}
guess u-maintainer
m_tries=$TRIES
check "repeated wrong passwords end in 429 TOOMANYREQUESTS (after $m_tries tries)" error_is 429 TOOMANYREQUESTS
check "... Retry-After is a number of seconds" header_matches Retry-After '^[0-9]+$'
REQ_AUTH="u-maintainer:${PW[u-maintainer]}" req GET /v2/
check "... and then even the right password waits" status_is 429
guess ghost-user
check "an account that does not exist is throttled after as many tries" equals "$TRIES" "$m_tries"

echo "## refresh tokens survive a restart (docker keeps them for weeks)"
restart_registry
tok=$(token_refresh "${REFRESH[u-maintainer]}" "repository:dev-private/app:push")
check "a refresh token issued before the restart still works after it" \
  equals "$(claims_of "$tok" | jq -c '[.sub, .access[0].actions]')" '["u-maintainer",["push"]]'

echo "## the audit trail"
stop_registry
EXPORT=$T/audit.jsonl
"$BULWARK_BIN" audit export --data "$DATA" >"$EXPORT" || die "audit export failed"
check "pushes are recorded with actor, repository, digest and tag" run_ok has_event \
  '.action == "manifest.push" and .actor == "admin" and .resource.repository == "dev-public/app" and .resource.tag == "v1" and (.resource.digest | startswith("sha256:"))'
check "pulls are recorded with the client address" run_ok has_event \
  '.action == "manifest.pull" and .actor == "robot$pro-private+release" and .client == "127.0.0.1"'
check "failed logins are recorded with the name tried" run_ok has_event \
  '.action == "login.failure" and .actor == "nobody-at-all" and .outcome == "denied"'
check "successful logins are recorded (token endpoint)" run_ok has_event '.action == "login.success" and .actor == "u-guest" and .reason == "token endpoint"'
check "successful logins are recorded (Basic on /v2/)" run_ok has_event '.action == "login.success" and .actor == "u-developer" and .reason == "basic credentials"'
check "issued tokens are recorded with what was granted and refused" run_ok has_event \
  '.action == "token.issue" and .actor == "u-guest" and (.reason | test("granted: repository:dev-private/app:pull; refused: repository:dev-private/app:push"))'
check "denied requests are recorded with the rule that refused them" run_ok has_event \
  '.action == "access.denied" and .actor == "u-developer" and .resource.repository == "pro-private/app" and (.reason | test("release robots"))'
check "forged tokens are recorded" run_ok has_event '.action == "token.refused"'
check "no password, secret or token reached the trail" run_ok bash -c \
  "! grep -F -e '${PW[u-developer]}' -e '$ADMIN_PW' -e '$rsec' -e '$good' '$EXPORT'"
check "no password, secret or token reached the server log" run_ok bash -c \
  "! grep -F -e '${PW[u-developer]}' -e '$ADMIN_PW' -e '$rsec' -e '$good' '$REG_LOG'"
"$BULWARK_BIN" audit verify --data "$DATA" >"$T/verify.out" 2>&1
check "bulwark audit verify says the chain is intact" equals "$?" 0

echo "## syslog export to a SIEM (RFC 5424 over TCP, octet counting)"
SYSLOG_PORT=$(free_port)
python3 - "$SYSLOG_PORT" "$T/syslog.ready" >"$T/syslog.out" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
open(sys.argv[2], "w").close()
c, _ = s.accept()
data = b""
while chunk := c.recv(65536):
    data += chunk
# RFC 6587 octet counting: "LEN SP MSG" frames; print one message per line.
while data:
    length, _, rest = data.partition(b" ")
    n = int(length)
    print(rest[:n].decode())
    data = rest[n:]
PY
SYSLOG_PID=$!
track_pid "$SYSLOG_PID"
for _ in $(seq 1 100); do [[ -e $T/syslog.ready ]] && break; sleep 0.05; done
"$BULWARK_BIN" audit export --data "$DATA" --syslog "tcp://127.0.0.1:$SYSLOG_PORT" 2>"$T/syslog.err"
check "audit export --syslog tcp:// exits 0" equals "$?" 0
wait "$SYSLOG_PID"
check "every record arrived as one syslog message" \
  equals "$(wc -l <"$T/syslog.out")" "$(wc -l <"$EXPORT")"
check "messages are RFC 5424 with the chain position and actor as structured data" run_ok \
  grep -qE '^<[0-9]+>1 [0-9T:.-]+Z [^ ]+ bulwark - AUDIT \[audit@32473 seq="1" hash="[0-9a-f]{64}"' "$T/syslog.out"
check "a failed login reached the SIEM" run_ok grep -q 'action="login.failure"' "$T/syslog.out"
"$BULWARK_BIN" audit export --data "$DATA" --syslog "carrier-pigeon://x" 2>"$T/syslog.err"
check "an unknown syslog transport is a usage error (exit 2)" equals "$?" 2

finish
