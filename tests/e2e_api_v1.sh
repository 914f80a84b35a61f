#!/usr/bin/env bash
# Black-box test of the management REST API under /api/v1: session login (with the TOTP second
# factor, computed here from the enrolment's secret with python3's hmac), Basic and Bearer
# authentication, users, projects, members, robot accounts, the audit trail query and the
# settings — each endpoint's success and failure paths, who may do what (administrator,
# project admin, developer), changes taking effect on the next registry request without a
# restart, every change in the audit trail, and no secret in the server log or the audit export.
#
# Usage: BULWARK_BIN=build/bulwark bash tests/e2e_api_v1.sh
# shellcheck disable=SC2016,SC2317  # jq programs are single-quoted; predicates run via check
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $REGISTRY_IMPL == bulwark ]] || { echo "e2e_api_v1.sh tests bulwark only"; exit 0; }

SECRETS=()  # every password, robot secret, TOTP secret and token seen, to look for leaks
keep_secret() { [[ -n $1 ]] && SECRETS+=("$1"); }
keep_secret "$ADMIN_PW"


# login USER PASSWORD [TOTP]: POST /api/v1/login; the session token in $TOKEN ("" on failure).
login() {
  local body
  if [[ $# -ge 3 ]]; then
    body=$(jq -cn --arg u "$1" --arg p "$2" --arg t "$3" '{username: $u, password: $p, totp: $t}')
  else
    body=$(jq -cn --arg u "$1" --arg p "$2" '{username: $u, password: $p}')
  fi
  api none POST /api/v1/login "$body"
  TOKEN=
  [[ $STATUS == 200 ]] && TOKEN=$(jq -r .token "$T/resp.body")
  return 0
}

# totp SECRET [STEP_OFFSET]: the RFC 6238 code (SHA-1, 6 digits, 30 s) for now + offset steps.
totp() {
  python3 - "$1" "${2:-0}" <<'PY'
import base64, hashlib, hmac, struct, sys, time
secret = sys.argv[1].upper()
key = base64.b32decode(secret + "=" * (-len(secret) % 8))
counter = int(time.time()) // 30 + int(sys.argv[2])
mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
offset = mac[-1] & 0x0F
print("%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
}

# push_as CREDS REPO: pushes one small blob to REPO with Basic CREDS; returns the final status.
push_as() {
  random_file "$T/blob.bin" 64
  local d
  d=$(digest_of "$T/blob.bin")
  REQ_AUTH=$1 req POST "/v2/$2/blobs/uploads/?digest=$d" -H 'Content-Type: application/octet-stream' \
    --data-binary "@$T/blob.bin"
}

# json_with FILTER JQ_ARGS...: jq -e JQ_ARGS FILTER holds on the last body.
json_with() {
  local filter=$1
  shift
  jq -e "$@" "$filter" <"$T/resp.body" >/dev/null 2>&1 && return 0
  echo "expected body to satisfy jq filter: $filter ($*)"
  return 1
}

# audit_has FILTER: the last /api/v1/audit answer holds an event satisfying the jq FILTER.
audit_has() { json_true "any(.events[]; $1)"; }

BULWARK_LOG_LEVEL=info start_registry

# ==============================================================================================
echo "## login and authentication"
api none GET /api/v1/me
check "no credentials: 401" api_error 401 UNAUTHORIZED
check "... with a Bearer challenge" header_matches WWW-Authenticate '^Bearer realm='
api none POST /api/v1/login '{"username":"admin","password":"wrong"}'
check "a wrong password: 401" api_error 401 UNAUTHORIZED
api none POST /api/v1/login '{"username":"admin"}'
check "a login without password: 422" api_error 422 INVALID
api none POST /api/v1/login '{"username":"admin","password":'
check "malformed JSON: 400" api_error 400 BAD_REQUEST
api none POST /api/v1/login '{"username":"admin","password":"x","password":"y"}'
check "duplicate keys: 400" api_error 400 BAD_REQUEST
api none POST /api/v1/login '["admin"]'
check "a JSON array: 400" api_error 400 BAD_REQUEST
api none POST /api/v1/login "{\"username\":\"admin\",\"password\":\"$(head -c 70000 /dev/zero | tr '\0' a)\"}"
check "a body over 64 KiB: 413" api_error 413 TOO_LARGE
api none POST /api/v1/login '{"username":"admin","password":"x","role":"god"}'
check "an unknown field: 422" api_error 422 INVALID
login admin "$ADMIN_PW"
ADMIN_TOKEN=$TOKEN
check "the administrator logs in with a password (no TOTP)" status_is 200
check "... and gets a token and its lifetime" json_true '(.token | length) > 100 and .expires_in > 0'
keep_secret "$ADMIN_TOKEN"
api "bearer:$ADMIN_TOKEN" GET /api/v1/me
check "GET /me with the session token" json_true '.name == "admin" and .admin == true and (has("password_hash") | not)'
api admin GET /api/v1/me
check "GET /me with HTTP Basic" json_is .name admin
api "bearer:${ADMIN_TOKEN}x" GET /api/v1/me
check "a tampered session token: 401" api_error 401 UNAUTHORIZED
api none GET /api/v1/me -H 'Authorization: Digest abc'
check "a malformed Authorization header: 401" status_is 401
api admin GET "/auth/token?service=bulwark&scope=registry:catalog:*"
REG_TOKEN=$(jq -r .token "$T/resp.body")
keep_secret "$REG_TOKEN"
api "bearer:$REG_TOKEN" GET /api/v1/me
check "a registry token is no management session: 401" api_error 401 UNAUTHORIZED
REQ_AUTH=none req GET /v2/_catalog -H "Authorization: Bearer $ADMIN_TOKEN"
check "a management session does not open the registry: 401" status_is 401

# ==============================================================================================
echo "## settings"
api "bearer:$ADMIN_TOKEN" GET /api/v1/settings
check "GET /settings shows the effective configuration" json_true \
  '.auth.service == "bulwark" and .auth.token_lifetime_seconds == 300 and (.listen | type) == "string" and .tls == false'
check "... and no secret-looking field" run_ok bash -c '! grep -Eiq "password|secret|key\"" "$1"' _ "$T/resp.body"

# ==============================================================================================
echo "## users"
DEV_PW='developer pass phrase 1'
PAT_PW='project admin pass phrase 2'
keep_secret "$DEV_PW"
keep_secret "$PAT_PW"
api admin POST /api/v1/users "$(jq -cn --arg p "$DEV_PW" '{name: "dev", email: "dev@example.com", password: $p}')"
check "POST /users creates a user: 201" status_is 201
check "... and answers its view without a password or hash" json_true \
  '.name == "dev" and .email == "dev@example.com" and .admin == false and .password_set == true and (has("password") | not) and (has("password_hash") | not)'
api admin POST /api/v1/users "$(jq -cn --arg p "$PAT_PW" '{name: "pat", password: $p}')"
check "POST /users creates pat" status_is 201
api admin POST /api/v1/users '{"name":"gen"}'
check "POST /users without a password generates one" status_is 201
GEN_PW=$(jq -r .password "$T/resp.body")
keep_secret "$GEN_PW"
check "... returned once, >= 32 characters" run_ok test "${#GEN_PW}" -ge 32
api admin POST /api/v1/users '{"name":"dev","password":"another one"}'
check "a duplicate user: 409" api_error 409 ALREADY_EXISTS
api admin POST /api/v1/users '{"name":"robot$x+y"}'
check "an invalid user name: 422" api_error 422 INVALID
api admin POST /api/v1/users '{"name":5}'
check "a name that is not a string: 422" api_error 422 INVALID
api admin POST /api/v1/users '{"name":"x","admin":"yes"}'
check "admin that is not a boolean: 422" api_error 422 INVALID
api admin GET /api/v1/users
check "GET /users lists them, with no hash or secret" json_true \
  '(.users | map(.name)) == ["admin","dev","gen","pat"] and all(.users[]; (has("password_hash") or has("totp_secret") or has("password")) | not)'
api admin GET /api/v1/users/dev
check "GET /users/dev" json_true '.name == "dev" and .disabled == false and .source == "local"'
api admin GET /api/v1/users/ghost
check "GET /users/ghost: 404" api_error 404 NOT_FOUND
api "dev:$DEV_PW" POST /api/v1/users '{"name":"mallory","admin":true}'
check "a developer may not create users: 403" api_error 403 DENIED
api "dev:$DEV_PW" GET /api/v1/users
check "... nor list them: 403" api_error 403 DENIED
api "dev:$DEV_PW" GET /api/v1/users/pat
check "... nor read another user: 403" api_error 403 DENIED
api "dev:$DEV_PW" GET /api/v1/users/dev
check "... but may read their own account" json_is .name dev
api admin GET /api/v1/users/mallory
check "the refused user was not created" status_is 404

api admin PATCH /api/v1/users/gen '{"disabled":true}'
check "PATCH disabled=true" json_is .disabled true
api "gen:$GEN_PW" GET /api/v1/me
check "a disabled user is refused at once (no restart)" status_is 401
api admin PATCH /api/v1/users/gen '{"disabled":false}'
api "gen:$GEN_PW" GET /api/v1/me
check "re-enabled, the user gets in again" json_is .name gen
api admin PATCH /api/v1/users/gen '{}'
check "PATCH with nothing to change: 422" api_error 422 INVALID
api admin PATCH /api/v1/users/gen '{"email":"x@y"}'
check "PATCH of a field that cannot change: 422" api_error 422 INVALID
api admin PUT /api/v1/users/gen/password '{}'
check "PUT password {} generates a new one" json_true '(.password | length) >= 32'
GEN_PW2=$(jq -r .password "$T/resp.body")
keep_secret "$GEN_PW2"
api "gen:$GEN_PW" GET /api/v1/me
check "the old password stops working at once" status_is 401
api "gen:$GEN_PW2" GET /api/v1/me
check "the new one works" json_is .name gen
api "gen:$GEN_PW2" PUT /api/v1/users/gen/password '{"password":"gen chose this one"}'
keep_secret "gen chose this one"
check "a user sets their own password: 204" status_is 204
api "gen:gen chose this one" PUT /api/v1/users/dev/password '{"password":"hijacked!"}'
check "... but not someone else's: 403" api_error 403 DENIED
api admin PUT /api/v1/users/ghost/password '{"password":"whatever it is"}'
check "PUT password of an unknown user: 404" api_error 404 NOT_FOUND
api admin DELETE /api/v1/users/admin
check "deleting the last enabled administrator: 409" api_error 409 CONFLICT
api admin PATCH /api/v1/users/admin '{"disabled":true}'
check "disabling the last enabled administrator: 409" api_error 409 CONFLICT
api admin DELETE /api/v1/users/gen
check "DELETE /users/gen: 204" status_is 204
api admin DELETE /api/v1/users/gen
check "DELETE again: 404" api_error 404 NOT_FOUND

# ==============================================================================================
echo "## projects"
api admin POST /api/v1/projects '{"name":"team"}'
check "POST /projects: 201, private development by default" json_true \
  '.name == "team" and .visibility == "private" and .environment == "development" and .allowed_networks == []'
api admin POST /api/v1/projects '{"name":"other","visibility":"public","environment":"staging"}'
check "POST /projects with visibility and environment" json_true '.visibility == "public" and .environment == "staging"'
api admin POST /api/v1/projects '{"name":"team"}'
check "a duplicate project: 409" api_error 409 ALREADY_EXISTS
api admin POST /api/v1/projects '{"name":"Team/x"}'
check "an invalid project name: 422" api_error 422 INVALID
api admin POST /api/v1/projects '{"name":"moon","environment":"moon"}'
check "an unknown environment: 422" api_error 422 INVALID
api admin POST /api/v1/projects '{"name":"netted","allowed_networks":["10.1.2.3/8"]}'
check "a network with host bits set: 422" api_error 422 INVALID
api admin POST /api/v1/projects '{"name":"netted","allowed_networks":"10.0.0.0/8"}'
check "allowed_networks that is not an array: 422" api_error 422 INVALID
api admin GET /api/v1/projects
check "GET /projects" json_true '(.projects | map(.name)) == ["other","team"]'
api admin PATCH /api/v1/projects/other '{"allowed_networks":["10.0.0.0/8","2001:db8::/32"],"environment":"production"}'
check "PATCH /projects/other sets networks and environment" json_true \
  '.allowed_networks == ["10.0.0.0/8","2001:db8::/32"] and .environment == "production" and .visibility == "public"'
api admin PATCH /api/v1/projects/other '{"allowed_networks":[]}'
check "PATCH allowed_networks [] clears the allow-list" json_true '.allowed_networks == []'
api admin PATCH /api/v1/projects/other '{}'
check "PATCH with nothing to change: 422" api_error 422 INVALID
api admin PATCH /api/v1/projects/ghost '{"visibility":"public"}'
check "PATCH of an unknown project: 404" api_error 404 NOT_FOUND
api admin GET /api/v1/projects/ghost
check "GET an unknown project: 404" api_error 404 NOT_FOUND
api "dev:$DEV_PW" POST /api/v1/projects '{"name":"devs"}'
check "a developer may not create projects: 403" api_error 403 DENIED

# ==============================================================================================
echo "## members"
api admin PUT /api/v1/projects/team/members/user/pat '{"role":"project_admin"}'
check "PUT members/user/pat project_admin" json_true '.role == "project_admin" and .local_user == true'
api admin PUT /api/v1/projects/team/members/user/dev '{"role":"developer"}'
check "PUT members/user/dev developer" status_is 200
api admin PUT /api/v1/projects/team/members/user/dev '{"role":"owner"}'
check "an unknown role: 422" api_error 422 INVALID
api admin PUT /api/v1/projects/team/members/user/dev '{}'
check "a missing role: 422" api_error 422 INVALID
api admin PUT /api/v1/projects/team/members/robot/dev '{"role":"guest"}'
check "a principal kind other than user or group: 404" api_error 404 NOT_FOUND
api admin PUT /api/v1/projects/ghost/members/user/dev '{"role":"guest"}'
check "a member of an unknown project: 404" api_error 404 NOT_FOUND
api "pat:$PAT_PW" PUT /api/v1/projects/team/members/group/ops '{"role":"maintainer"}'
check "the project admin adds a group to its project" json_true '.kind == "group" and .name == "ops"'
api "pat:$PAT_PW" GET /api/v1/projects/team/members
check "GET members lists group then users" json_true \
  '(.members | map([.kind, .name, .role])) == [["group","ops","maintainer"],["user","dev","developer"],["user","pat","project_admin"]]'
api "pat:$PAT_PW" PUT /api/v1/projects/other/members/user/pat '{"role":"project_admin"}'
check "... but not to another project: 403" api_error 403 DENIED
api "pat:$PAT_PW" PUT /api/v1/projects/nosuch/members/user/pat '{"role":"project_admin"}'
check "... nor to a project that does not exist (403, not 404: no probing)" api_error 403 DENIED
api "pat:$PAT_PW" GET /api/v1/projects/other/members
check "... and cannot list the members of a project it has no role in: 403" api_error 403 DENIED
api "pat:$PAT_PW" PATCH /api/v1/projects/team '{"visibility":"public"}'
check "the project admin changes its project's settings" json_is .visibility public
api "pat:$PAT_PW" PATCH /api/v1/projects/other '{"visibility":"private"}'
check "... not another project's: 403" api_error 403 DENIED
api "pat:$PAT_PW" DELETE /api/v1/projects/team
check "... and may not delete its project: 403" api_error 403 DENIED
api "dev:$DEV_PW" PUT /api/v1/projects/team/members/user/dev '{"role":"project_admin"}'
check "a developer may not promote itself: 403" api_error 403 DENIED
api "dev:$DEV_PW" GET /api/v1/projects/team/members
check "... but may list its project's members" status_is 200
api "pat:$PAT_PW" DELETE /api/v1/projects/team/members/group/ops
check "DELETE a member: 204" status_is 204
api "pat:$PAT_PW" DELETE /api/v1/projects/team/members/group/ops
check "DELETE a non-member: 404" api_error 404 NOT_FOUND

echo "## a role change takes effect at once"
api "pat:$PAT_PW" PATCH /api/v1/projects/team '{"visibility":"private"}'
push_as "dev:$DEV_PW" team/app
check "the developer pushes to team/app" status_is 201
api "pat:$PAT_PW" PUT /api/v1/projects/team/members/user/dev '{"role":"guest"}'
push_as "dev:$DEV_PW" team/app
check "demoted to guest through the API, the next push is refused (no restart)" status_is 401 403
api "pat:$PAT_PW" PUT /api/v1/projects/team/members/user/dev '{"role":"developer"}'

# ==============================================================================================
echo "## robots"
ROBOT_BODY='{"name":"ci","expires":"1d","kind":"ci","rules":[{"repository":"team/*","actions":["pull","push"]}],"description":"CI pipeline"}'
api "pat:$PAT_PW" POST /api/v1/projects/team/robots "$ROBOT_BODY"
check "the project admin creates robot\$team+ci: 201" status_is 201
check "... the answer holds name, secret and expiry, once" json_true \
  '.name == "robot$team+ci" and (.secret | length) >= 32 and .expires_at > now'
CI_SECRET=$(jq -r .secret "$T/resp.body")
keep_secret "$CI_SECRET"
push_as "robot\$team+ci:$CI_SECRET" team/app
check "the new robot pushes to the registry at once" status_is 201
api "pat:$PAT_PW" POST /api/v1/projects/team/robots "$ROBOT_BODY"
check "a duplicate robot: 409" api_error 409 ALREADY_EXISTS
api "pat:$PAT_PW" POST /api/v1/projects/other/robots "$ROBOT_BODY"
check "the project admin may not create robots in another project: 403" api_error 403 DENIED
api "dev:$DEV_PW" POST /api/v1/projects/team/robots "$ROBOT_BODY"
check "a developer may not create robots: 403" api_error 403 DENIED
api admin POST /api/v1/projects/ghost/robots '{"name":"ci","expires":"1d","rules":[{"repository":"ghost/*","actions":["pull"]}]}'
check "a robot of an unknown project: 404" api_error 404 NOT_FOUND
# Robot bodies the API must refuse with 422, each with what is wrong with it.
BAD_ROBOTS=(
  'a robot without expiry|{"name":"x","rules":[{"repository":"team/*","actions":["pull"]}]}'
  'a malformed expiry|{"name":"x","expires":"forever","rules":[{"repository":"team/*","actions":["pull"]}]}'
  'a zero expiry|{"name":"x","expires":0,"rules":[{"repository":"team/*","actions":["pull"]}]}'
  'a rule outside the project|{"name":"x","expires":"1d","rules":[{"repository":"other/*","actions":["pull"]}]}'
  'an unknown action|{"name":"x","expires":"1d","rules":[{"repository":"team/*","actions":["fly"]}]}'
  'no rules|{"name":"x","expires":"1d","rules":[]}'
  'a rule without actions|{"name":"x","expires":"1d","rules":[{"repository":"team/*"}]}'
  'an unknown kind|{"name":"x","expires":"1d","kind":"root","rules":[{"repository":"team/*","actions":["pull"]}]}'
  'an invalid network|{"name":"x","expires":"1d","allowed_networks":["nowhere"],"rules":[{"repository":"team/*","actions":["pull"]}]}'
)
for bad in "${BAD_ROBOTS[@]}"; do
  api admin POST /api/v1/projects/team/robots "${bad#*|}"
  check "${bad%%|*}: 422" api_error 422 INVALID
done
api "pat:$PAT_PW" GET /api/v1/projects/team/robots
check "GET robots lists it with kind, rules and status, never a secret" json_true \
  '(.robots | map([.name, .kind, .status, .created_by])) == [["robot$team+ci","ci","active","pat"]]
   and .robots[0].rules == [{"repository":"team/*","actions":["pull","push"]}]
   and all(.robots[]; (has("secret") or has("secret_hash")) | not)'
api "pat:$PAT_PW" GET /api/v1/robots
check "only system administrators list all robots: 403" api_error 403 DENIED
api admin GET /api/v1/robots
check "... the administrator may" json_true '.robots | length == 1'

api "pat:$PAT_PW" PUT '/api/v1/robots/robot$team+ci/networks' '{"allowed_networks":["127.0.0.0/8","::1"]}'
check "PUT networks sets the robot's allow-list" json_true '.allowed_networks == ["127.0.0.0/8","::1"]'
api "pat:$PAT_PW" PUT '/api/v1/robots/robot$team+ci/networks' '{"allowed_networks":["300.1.1.1"]}'
check "an invalid network: 422" api_error 422 INVALID
api "pat:$PAT_PW" PUT '/api/v1/robots/robot$team+ci/networks' '{}'
check "networks missing: 422" api_error 422 INVALID
api "dev:$DEV_PW" PUT '/api/v1/robots/robot$team+ci/networks' '{"allowed_networks":[]}'
check "a developer may not change them: 403" api_error 403 DENIED

api "pat:$PAT_PW" POST '/api/v1/robots/robot$team+ci/rotate' '{"expires":"2h"}'
check "rotate returns a new secret and expiry" json_true '(.secret | length) >= 32 and .expires_at <= now + 7300'
CI_SECRET2=$(jq -r .secret "$T/resp.body")
keep_secret "$CI_SECRET2"
push_as "robot\$team+ci:$CI_SECRET" team/app
check "the old secret is refused at once" status_is 401
push_as "robot\$team+ci:$CI_SECRET2" team/app
check "the new secret pushes" status_is 201
api "dev:$DEV_PW" POST '/api/v1/robots/robot$team+ci/rotate' '{}'
check "a developer may not rotate: 403" api_error 403 DENIED
api "pat:$PAT_PW" POST '/api/v1/robots/robot$other+ci/rotate' '{}'
check "the project admin may not touch another project's robots: 403" api_error 403 DENIED
api admin POST '/api/v1/robots/robot$team+nope/rotate' '{}'
check "rotating an unknown robot: 404" api_error 404 NOT_FOUND

api "pat:$PAT_PW" DELETE '/api/v1/robots/robot$team+ci'
check "DELETE revokes the robot" json_true '.name == "robot$team+ci" and .already_revoked == false and .revoked_at > 0'
push_as "robot\$team+ci:$CI_SECRET2" team/app
check "the revoked robot is refused at once (no restart)" status_is 401
api "pat:$PAT_PW" DELETE '/api/v1/robots/robot$team+ci'
check "revoking again says so" json_is .already_revoked true
api "pat:$PAT_PW" POST '/api/v1/robots/robot$team+ci/rotate' '{}'
check "a revoked robot cannot be rotated: 409" api_error 409 CONFLICT

# ==============================================================================================
echo "## TOTP second factor"
TINA_PW='tina pass phrase 3'
keep_secret "$TINA_PW"
api admin POST /api/v1/users "$(jq -cn --arg p "$TINA_PW" '{name: "tina", password: $p}')"
api admin POST /api/v1/users/tina/totp
check "POST /users/tina/totp enrols: 201 with secret and otpauth URI" json_true \
  '.secret as $s | ($s | test("^[A-Z2-7]{32}$")) and (.uri | startswith("otpauth://totp/Bulwark:tina?secret=" + $s))'
TOTP_SECRET=$(jq -r .secret "$T/resp.body")
keep_secret "$TOTP_SECRET"
api admin GET /api/v1/users/tina
check "the user shows totp_enrolled, not the secret" json_with \
  '.totp_enrolled == true and (tostring | contains($s) | not)' --arg s "$TOTP_SECRET"
api admin POST /api/v1/users/tina/totp
check "enrolling again: 409" api_error 409 CONFLICT
api "tina:$TINA_PW" GET /api/v1/me
check "HTTP Basic is refused for the TOTP user: 401" api_error 401 UNAUTHORIZED
check "... with a message pointing to the login" json_true '.errors[0].message | test("two-factor")'
login tina "$TINA_PW"
check "a login without the code: 401 TOTP_REQUIRED" api_error 401 TOTP_REQUIRED
login tina "$TINA_PW" "$(totp "$TOTP_SECRET" 7)"
check "a wrong code: 401 TOTP_INVALID" api_error 401 TOTP_INVALID
login tina "wrong password" "$(totp "$TOTP_SECRET")"
check "the right code with a wrong password: 401" api_error 401 UNAUTHORIZED
CODE=$(totp "$TOTP_SECRET")
login tina "$TINA_PW" "$CODE"
TINA_TOKEN=$TOKEN
check "password and the current code: a session" status_is 200
keep_secret "$TINA_TOKEN"
api "bearer:$TINA_TOKEN" GET /api/v1/me
check "GET /me with tina's session" json_true '.name == "tina" and .totp_enrolled == true'
login tina "$TINA_PW" "$CODE"
check "the same code again is refused (no replay)" api_error 401 TOTP_INVALID
login tina "$TINA_PW" "$(totp "$TOTP_SECRET" 1)"
TINA_TOKEN2=$TOKEN
check "the next step's code is accepted" status_is 200
keep_secret "$TINA_TOKEN2"
api "bearer:$TINA_TOKEN" DELETE /api/v1/users/tina/totp
check "tina removes her own second factor with her session: 204" status_is 204
api "tina:$TINA_PW" GET /api/v1/me
check "... and HTTP Basic works again" json_is .name tina
api "tina:$TINA_PW" DELETE /api/v1/users/tina/totp
check "removing it again: 409" api_error 409 CONFLICT
api "tina:$TINA_PW" POST /api/v1/users/dev/totp
check "enrolling someone else: 403" api_error 403 DENIED
api admin PATCH /api/v1/users/tina '{"disabled":true}'
api "bearer:$TINA_TOKEN2" GET /api/v1/me
check "disabling a user ends its sessions at once" api_error 401 UNAUTHORIZED

echo "## failed logins are throttled"
api admin POST /api/v1/users '{"name":"victim","password":"victim pass phrase"}'
TRIES=0
for ((i = 1; i <= 12; i++)); do
  login victim "guess $i"
  [[ $STATUS == 429 ]] && { TRIES=$i; break; }
done
check "repeated wrong passwords end in 429 (after $TRIES tries)" api_error 429 TOO_MANY_REQUESTS
check "... with Retry-After" header_matches Retry-After '^[0-9]+$'
login victim "victim pass phrase"
check "... and then even the right password waits" status_is 429

# ==============================================================================================
echo "## audit trail"
api admin GET '/api/v1/audit?action=user.create&actor=admin'
check "GET /audit?action=user.create&actor=admin" json_true \
  'all(.events[]; .action == "user.create" and .actor == "admin") and (.events | length) >= 5'
check "... records the creation of dev as allowed, with the client address" \
  audit_has '.reason == "targets: dev" and .outcome == "allowed" and .client == "127.0.0.1" and (.seq | type) == "number"'
api admin GET '/api/v1/audit?action=user.create&actor=dev'
check "the developer's refused user creation is recorded as denied" audit_has '.outcome == "denied" and (.reason | startswith("targets: mallory"))'
api admin GET '/api/v1/audit?actor=pat&action=robot.create'
check "the robot creation by the project admin is recorded (project as repository)" \
  audit_has '.outcome == "allowed" and .repository == "team" and .reason == "targets: robot$team+ci"'
for action in user.password user.disable user.enable user.delete user.totp.enrol user.totp.remove \
  project.create project.update member.set member.remove robot.rotate robot.revoke robot.networks; do
  api admin GET "/api/v1/audit?action=$action"
  check "$action is in the audit trail" json_true '(.events | length) >= 1'
done
api admin GET '/api/v1/audit?action=login.success&actor=tina'
check "TOTP logins are recorded" audit_has '.reason | test("TOTP")'
api admin GET '/api/v1/audit?action=login.failure&actor=tina'
check "failed TOTP logins are recorded" audit_has '.reason | test("TOTP")'
api admin GET '/api/v1/audit?action=member.set&limit=2'
check "a full page of 2 has a next cursor" json_true '(.events | length) == 2 and (.next | type) == "number"'
NEXT=$(jq -r .next "$T/resp.body")
FIRST=$(jq -c '[.events[].seq]' "$T/resp.body")
api admin GET "/api/v1/audit?action=member.set&limit=2&after=$NEXT"
check "after=next pages on" json_with 'all(.events[]; .seq > $n and .action == "member.set") and (.events | length) >= 1' --argjson n "$NEXT"
check "... without repeating the first page" json_with '[.events[].seq] - $f == [.events[].seq]' --argjson f "$FIRST"
api admin GET '/api/v1/audit?action=member.set&limit=1000'
check "a last page has next null" json_is .next null
api admin GET '/api/v1/audit?since=2999-01-01T00:00:00Z'
check "since in the future: nothing" json_true '.events == [] and .next == null'
api admin GET "/api/v1/audit?until=2000-01-01T00:00:00Z"
check "until in the past: nothing" json_true '.events == []'
SINCE=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
api admin GET "/api/v1/audit?since=$SINCE&action=project.create"
check "since an hour ago finds this run's project creations" json_true '(.events | length) >= 2'
api admin GET '/api/v1/audit?repository=team'
check "repository filter" json_true '(.events | length) >= 1 and all(.events[]; .repository == "team")'
api admin GET '/api/v1/audit?limit=0'
check "limit=0: 400" api_error 400 BAD_REQUEST
api admin GET '/api/v1/audit?limit=1001'
check "limit above 1000: 400" api_error 400 BAD_REQUEST
api admin GET '/api/v1/audit?since=yesterday'
check "a malformed since: 400" api_error 400 BAD_REQUEST
api admin GET '/api/v1/audit?after=-1'
check "a negative after: 400" api_error 400 BAD_REQUEST
api "pat:$PAT_PW" GET '/api/v1/audit?repository=team'
check "the project admin queries its project's trail" json_true \
  '(.events | length) >= 1 and all(.events[]; .repository == "team")'
api "pat:$PAT_PW" GET '/api/v1/audit'
check "... but not the whole trail: 403" api_error 403 DENIED
api "pat:$PAT_PW" GET '/api/v1/audit?repository=other'
check "... nor another project's: 403" api_error 403 DENIED
api "dev:$DEV_PW" GET '/api/v1/audit?repository=team'
check "a developer may not query the trail: 403" api_error 403 DENIED
api "dev:$DEV_PW" GET /api/v1/settings
check "a developer may not read the settings: 403" api_error 403 DENIED

# ==============================================================================================
echo "## runtime settings: changed without a restart"
token_lifetime_of() { jq '.exp - .iat' <<<"$(claims_of "$1")"; }
api admin PATCH /api/v1/settings '{"auth.token_lifetime":"2m"}'
check "PATCH /settings as the administrator" json_true \
  '.auth.token_lifetime_seconds == 120 and .runtime["auth.token_lifetime"].source == "override" and .runtime["auth.token_lifetime"].value == "2m" and .runtime["uploads.expiry"].source == "config"'
TOK=$(token_get admin)
keep_secret "$TOK"
check "a token fetched afterwards lives 120 s" equals "$(token_lifetime_of "$TOK")" 120
"$BULWARK_BIN" admin settings set auth.token_lifetime 3m --data "$DATA" >"$T/set.out" 2>&1
check "bulwark admin settings set while the server runs" run_ok grep -q "set auth.token_lifetime to 3m" "$T/set.out"
TOK=$(token_get admin)
keep_secret "$TOK"
check "... the next token lives 180 s" equals "$(token_lifetime_of "$TOK")" 180
"$BULWARK_BIN" admin settings show --data "$DATA" -o json >"$T/show.json" 2>&1
check "bulwark admin settings show" run_ok jq -e '.["auth.token_lifetime"].seconds == 180' "$T/show.json"
"$BULWARK_BIN" admin settings set auth.token_lifetime 2h --data "$DATA" >"$T/set.out" 2>&1
check "the CLI refuses an out-of-bounds value" run_ok bash -c '! grep -q "^set " "$1" && grep -q "auth.token_lifetime" "$1"' _ "$T/set.out"
api admin PATCH /api/v1/settings '{"auth.token_lifetime":"5m","auth.realm":"x"}'
check "an unknown key: 422 naming it" json_true '.errors[0].code == "INVALID" and (.errors[0].message | contains("auth.realm"))'
check "... status 422" status_is 422
api admin PATCH /api/v1/settings '{"auth.token_lifetime":"5m","uploads.expiry":"31d"}'
check "an out-of-bounds value: 422 naming it" json_true '.errors[0].message | contains("uploads.expiry")'
check "... status 422" status_is 422
api admin PATCH /api/v1/settings '{"auth.token_lifetime":300}'
check "a non-string value: 422" api_error 422 INVALID
api "dev:$DEV_PW" PATCH /api/v1/settings '{"auth.token_lifetime":"5m"}'
check "a developer may not change the settings: 403" api_error 403 DENIED
api admin GET /api/v1/settings
check "... and nothing changed" json_true \
  '.auth.token_lifetime_seconds == 180 and .runtime["uploads.expiry"].source == "config"'
TOK=$(token_get admin)
keep_secret "$TOK"
check "... tokens still live 180 s" equals "$(token_lifetime_of "$TOK")" 180
api admin GET '/api/v1/audit?action=settings.update'
check "the trail has settings.update with the old and new value" json_true \
  'any(.events[]; .actor == "admin" and .outcome == "allowed" and (.reason | contains("auth.token_lifetime 300s -> 2m")))
   and any(.events[]; (.actor | startswith("cli:")) and (.reason | contains("2m -> 3m")))
   and any(.events[]; .actor == "dev" and .outcome == "denied")'
api admin PATCH /api/v1/settings '{"auth.token_lifetime":"5m"}'
check "the token lifetime goes back to 5m" json_true '.auth.token_lifetime_seconds == 300'

# ==============================================================================================
echo "## bad input is never a server error"
for body in '' 'null' '"x"' '{"name":null}' '{"name":{"a":1}}' "$(printf '{"name":"\xff"}')" \
  '{"name":"a","email":["x"]}' "{\"name\":\"$(head -c 5000 /dev/zero | tr '\0' a)\"}"; do
  api admin POST /api/v1/users "$body"
  check "POST /users with ${body:0:24}: below 500" status_below_500
done
api admin PUT '/api/v1/projects/team/members/user/%00' '{"role":"guest"}'
check "a member name with NUL: below 500" status_below_500
api admin GET '/api/v1/audit?after=99999999999999999999'
check "a huge after: 400" api_error 400 BAD_REQUEST
api admin POST /api/v1/projects/team/robots '{"name":"x","expires":1e300,"rules":[]}'
check "a floating-point expiry: 422" api_error 422 INVALID
api admin DELETE /api/v1/users
check "an unsupported method: 405" status_is 405

# ==============================================================================================
echo "## no secret in the server log or the audit export"
"$BULWARK_BIN" audit export --data "$DATA" >"$T/audit.jsonl" 2>"$T/audit.err"
check "audit export works while the server runs" run_ok test -s "$T/audit.jsonl"
no_secret_in() {
  local file=$1 s bad=0
  shift
  for s in "$@"; do
    if grep -q -F -- "$s" "$file"; then
      echo "$(basename "$file") holds a secret starting ${s:0:8}..."
      bad=1
    fi
  done
  return "$bad"
}
check "the audit export holds none of the ${#SECRETS[@]} secrets" run_ok no_secret_in "$T/audit.jsonl" "${SECRETS[@]}"
check "... and no password hash" run_ok bash -c '! grep -q -F "\$argon2id\$" "$1"' _ "$T/audit.jsonl"
check "the server log holds none of them" run_ok no_secret_in "$REG_LOG" "${SECRETS[@]}"
stop_registry
"$BULWARK_BIN" audit verify --data "$DATA" -o json >"$T/verify.json" 2>&1
check "audit verify: the trail is intact and signed" run_ok jq -e '.ok == true' "$T/verify.json"

finish
