#!/usr/bin/env bash
# Black-box test of external identity providers on the registry: LDAP (Debian's slapd, started
# here with src/auth/testdata/ldap) for HTTP Basic and the token endpoint, OpenID Connect logins
# for people and the CI token exchange for machines (the npm oidc-provider, tests/oidc/provider.js,
# started here). Both run on free loopback ports; bulwark is configured for both through its YAML
# file. Missing slapd, node or the provider's npm packages FAIL the test (scripts/install-deps).
#
# Usage: BULWARK_BIN=build/bulwark bash tests/e2e_idp.sh
source "$(dirname "$0")/lib.sh"

[[ $REGISTRY_IMPL == bulwark ]] || die "external identity providers are Bulwark's own: run with REGISTRY_IMPL=bulwark"
for tool in /usr/sbin/slapd /usr/sbin/slapadd ldapwhoami node openssl skopeo; do
  command -v "$tool" >/dev/null || die "missing $tool: run scripts/install-deps"
done
OIDC_DIR=$TESTS_DIR/oidc
[[ -f $OIDC_DIR/node_modules/oidc-provider/package.json ]] ||
  die "tests/oidc/node_modules is missing (npm ci in tests/oidc): run scripts/install-deps"
LDAP_DATA=$TESTS_DIR/../src/auth/testdata/ldap
[[ -f $LDAP_DATA/base.ldif ]] || die "missing $LDAP_DATA/base.ldif"

# skopeo keeps a blob-info cache and reads credentials under $HOME: keep both private to this run.
export HOME=$T/home XDG_RUNTIME_DIR=$T/home/run XDG_CONFIG_HOME=$T/home/config XDG_DATA_HOME=$T/home/data
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

adm() { "$BULWARK_BIN" admin "$@" --data "$DATA"; }

# ---------------------------------------------------------------------------------------------
# The directory: slapd with the LDAP unit tests' directory (users alice, bob, carol; groups
# developers, admins, auditors, ...), service account cn=reader.

LDAP_DIR=$T/ldap
start_slapd() {
  mkdir -p "$LDAP_DIR/db"
  sed -e "s|@DIR@|$LDAP_DIR|g" -e "s|@TLS@||" "$LDAP_DATA/slapd.conf.in" >"$LDAP_DIR/slapd.conf"
  /usr/sbin/slapadd -q -f "$LDAP_DIR/slapd.conf" -l "$LDAP_DATA/base.ldif" >"$LDAP_DIR/slapadd.log" 2>&1 ||
    die "slapadd failed: $(cat "$LDAP_DIR/slapadd.log")"
  local attempt i
  for attempt in 1 2 3; do
    LDAP_PORT=$(free_port)
    /usr/sbin/slapd -d 0 -h "ldap://127.0.0.1:$LDAP_PORT/" -f "$LDAP_DIR/slapd.conf" >"$LDAP_DIR/slapd.log" 2>&1 &
    SLAPD_PID=$!
    track_pid "$SLAPD_PID"
    for ((i = 0; i < 100; i++)); do
      kill -0 "$SLAPD_PID" 2>/dev/null || break  # e.g. another process took the port: retry
      if ldapwhoami -x -H "ldap://127.0.0.1:$LDAP_PORT/" -D cn=reader,dc=example,dc=org -w reader-secret >/dev/null 2>&1; then
        return 0
      fi
      sleep 0.1
    done
    kill_tree "$SLAPD_PID" KILL
  done
  die "slapd did not start: $(tail -n 20 "$LDAP_DIR/slapd.log")"
}

# ---------------------------------------------------------------------------------------------
# The OpenID provider. It exits when its stdin closes: we hold a FIFO's write end (fd 7) until we
# exit, so it never outlives this script.

OIDC_SECRET=oidc-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
start_provider() {
  local redirect=$1 i
  mkfifo "$T/oidc.in"
  node "$OIDC_DIR/provider.js" --port 0 --client-id bulwark --client-secret "$OIDC_SECRET" \
    --redirect-uri "$redirect" <"$T/oidc.in" >"$T/oidc.out" 2>"$T/oidc.err" &
  OIDC_PID=$!
  track_pid "$OIDC_PID"
  exec 7>"$T/oidc.in"
  for ((i = 0; i < 200; i++)); do
    if grep -q '^PORT ' "$T/oidc.out" 2>/dev/null; then
      ISSUER=http://127.0.0.1:$(sed -n 's/^PORT //p' "$T/oidc.out" | head -n 1)
      return 0
    fi
    kill -0 "$OIDC_PID" 2>/dev/null || break
    sleep 0.1
  done
  die "the OpenID provider did not start: $(cat "$T/oidc.err")"
}

# ---------------------------------------------------------------------------------------------
# bulwark with a configuration file on a port chosen in advance (the provider must know the
# callback URL before bulwark knows the provider).

BULWARK_PORT=$(free_port)
R=http://127.0.0.1:$BULWARK_PORT
REGISTRY_HOSTPORT=127.0.0.1:$BULWARK_PORT
CALLBACK=$R/auth/oidc/test/callback
CONF=$T/bulwark.yaml

# write_config [with_federation=yes]
write_config() {
  printf 'reader-secret\n' >"$T/ldap-reader-password"
  printf '%s\n' "$OIDC_SECRET" >"$T/oidc-client-secret"
  cat >"$CONF" <<EOF
listen: 127.0.0.1:$BULWARK_PORT
data: $DATA
ldap:
  url: ldap://127.0.0.1:$LDAP_PORT/
  bind_dn: cn=reader,dc=example,dc=org
  bind_password_file: $T/ldap-reader-password
  user_base: ou=people,dc=example,dc=org
  group_base: ou=groups,dc=example,dc=org
  timeout: 5s
oidc:
  providers:
    - name: test
      issuer: $ISSUER
      client_id: bulwark
      client_secret_file: $T/oidc-client-secret
      redirect_uri: $CALLBACK
      scopes: [openid, email, profile, groups, ci]
      username_claim: email
      allow_http: true
EOF
  if [[ ${1:-yes} == yes ]]; then
    cat >>"$CONF" <<EOF
  federation:
    - name: widgets-ci
      issuer: $ISSUER
      audience: bulwark-es256
      claims:
        sub: ci-bot
        repository: acme/widgets
      permissions:
        kind: ci
        rules:
          - repository: ci/widgets
            actions: [pull, push]
      token_lifetime: 10m
EOF
  fi
}

start_idp_bulwark() {
  echo "=== starting bulwark (config $CONF) at $(date +%T)" >>"$REG_LOG"
  BULWARK_LOG_LEVEL=${BULWARK_LOG_LEVEL:-warn} BULWARK_ADMIN_PASSWORD=$ADMIN_PW \
    "$BULWARK_BIN" serve --config "$CONF" >>"$REG_LOG" 2>&1 &
  REG_PID=$!
  track_pid "$REG_PID"
  wait_http_ready || die "bulwark did not answer GET /v2/ at $R within 10 s"
}

# ---------------------------------------------------------------------------------------------
# Helpers


# absolute BASE URL: URL resolved against BASE's origin when it is a path.
absolute() { if [[ $2 == /* ]]; then printf '%s%s\n' "$(grep -oE '^https?://[^/]+' <<<"$1")" "$2"; else printf '%s\n' "$2"; fi; }

# browse URL STOP_PREFIX: follows redirects keeping cookies (like a browser) until one points at
# STOP_PREFIX; prints that URL (not fetched).
browse() {
  local url=$1 stop=$2 hop loc jar=$T/browser.jar
  : >"$jar"
  for ((hop = 0; hop < 15; hop++)); do
    curl -s -o /dev/null -D "$T/browse.hdrs" -b "$jar" -c "$jar" --max-time 20 "$url" || return 1
    loc=$(hdr Location "$T/browse.hdrs") || { echo "no redirect from $url" >&2; return 1; }
    url=$(absolute "$url" "$loc")
    [[ $url == "$stop"* ]] && { printf '%s\n' "$url"; return 0; }
  done
  echo "too many redirects" >&2
  return 1
}

query_value() { sed -n "s/.*[?&]$2=\([^&]*\).*/\1/p" <<<"$1"; }

# provider_id_token ACCOUNT [CLIENT]: an ID token for ACCOUNT as the provider issues it to CLIENT
# (the client id is the token's audience; bulwark-post authenticates with client_secret_post, the
# others with client_secret_basic), through the authorization-code flow with PKCE run here, the
# way a CI system's token service would hand one to a job. CI tokens are issued for
# bulwark-es256 (the rule's audience); people log in to bulwark through the client "bulwark".
provider_id_token() {
  local account=$1 client=${2:-bulwark} disc verifier challenge url cb code
  disc=$(curl -sf "$ISSUER/.well-known/openid-configuration") || return 1
  verifier=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
  url="$(jq -r .authorization_endpoint <<<"$disc")?client_id=$client&response_type=code"
  url+="&scope=$(uri 'openid email profile groups ci')&redirect_uri=$(uri "$CALLBACK")&state=ci-state"
  url+="&nonce=ci-nonce&code_challenge=$challenge&code_challenge_method=S256&login_hint=$account"
  cb=$(browse "$url" "$CALLBACK") || return 1
  code=$(query_value "$cb" code)
  [[ -n $code ]] || { echo "no code in $cb" >&2; return 1; }
  local -a auth=(-u "$client:$OIDC_SECRET")
  [[ $client == *-post ]] && auth=(--data-urlencode "client_id=$client" --data-urlencode "client_secret=$OIDC_SECRET")
  curl -sf "${auth[@]}" --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
    --data-urlencode "redirect_uri=$CALLBACK" --data-urlencode "code_verifier=$verifier" \
    "$(jq -r .token_endpoint <<<"$disc")" | jq -er .id_token
}

# exchange ID_TOKEN SCOPE [TYPE]: the CI token exchange at /auth/token; answer in $T/resp.*.
exchange() {
  REQ_AUTH=none req POST /auth/token \
    --data-urlencode grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
    --data-urlencode "subject_token=$1" \
    --data-urlencode "subject_token_type=${3:-urn:ietf:params:oauth:token-type:id_token}" \
    --data-urlencode "scope=$2" --data-urlencode service=bulwark
}

# same_answer FILE_A FILE_B: two saved answers (status line + body) are identical.
same_answer() { cmp -s "$1" "$2" || { echo "answers differ:"; diff "$1" "$2"; return 1; }; }
save_answer() { { echo "$STATUS"; hdr WWW-Authenticate || true; body; } >"$1"; }

# ---------------------------------------------------------------------------------------------
echo "## starting slapd, the OpenID provider and bulwark"
start_slapd
start_provider "$CALLBACK"
write_config yes
echo "slapd on $LDAP_PORT, provider $ISSUER, bulwark $R"

# A configuration mistake refuses to start and names the key, never a secret.
sed 's/^  user_base:/  user_bse:/' "$CONF" >"$T/bad.yaml"
"$BULWARK_BIN" serve --config "$T/bad.yaml" >"$T/bad.out" 2>&1
rc=$?
check "a misspelt ldap key refuses to start (exit 2)" equals "$rc" 2
check "... naming the key" run_ok grep -q 'unknown key ldap.user_bse' "$T/bad.out"
printf 'oidc:\n  federation:\n    - {name: r, issuer: %s, audience: ci, claims: {sub: x}, permissions: {kind: ci, rules: [{repository: a/*, actions: [fly]}]}}\n' "$ISSUER" >"$T/bad2.yaml"
"$BULWARK_BIN" serve --config "$T/bad2.yaml" --data "$T/bad-data" >"$T/bad2.out" 2>&1
rc=$?
check "a federation rule with unusable permissions refuses to start" equals "$rc" 2
check "... saying which rule" run_ok grep -q 'oidc.federation\[0\]' "$T/bad2.out"

sed 's/^      audience: bulwark-es256$/      audience: bulwark/' "$CONF" >"$T/bad3.yaml"
"$BULWARK_BIN" serve --config "$T/bad3.yaml" --data "$T/bad-data" >"$T/bad3.out" 2>&1
rc=$?
check "a federation rule that would accept people's ID tokens refuses to start" equals "$rc" 2
check "... naming the audience" run_ok grep -q 'oidc.federation\[0\].audience' "$T/bad3.out"
check "no configuration error shows a secret" run_ok bash -c '! grep -qF -e "$1" -e reader-secret "$2" "$3" "$4"' \
  _ "$OIDC_SECRET" "$T/bad.out" "$T/bad2.out" "$T/bad3.out"

start_idp_bulwark

echo "## setup: projects dev (development) and ci, group roles, a local user bob"
adm project create dev >/dev/null || die "project create dev"
adm project create ci >/dev/null || die "project create ci"
adm member set dev --group developers --role developer >/dev/null || die "member set developers"
adm member set dev --group admins --role developer >/dev/null || die "member set admins"
BOB_PW=local-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
printf '%s' "$BOB_PW" | adm user create bob --password-stdin >/dev/null || die "user create bob"

echo "## LDAP users on /v2/ with HTTP Basic"
REQ_AUTH=alice:alice-secret req GET /v2/
check "an LDAP user's Basic credentials open /v2/" status_is 200
check "LDAP alice (group developers) pushes to dev/app with Basic" run_ok push_image alice:alice-secret dev/app v1
REQ_AUTH=alice:alice-secret req GET /v2/dev/app/manifests/v1 -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "... and pulls it" status_is 200
adm user list -o json >"$T/users.json"
check "... she was provisioned (no password here, the directory's e-mail)" run_ok jq -e \
  '.[] | select(.name == "alice") | .password_set == false and .email == "alice@example.org"' "$T/users.json"

REQ_AUTH=alice:not-her-password req GET /v2/
save_answer "$T/wrong.ans"
check "a wrong LDAP password is refused with 401" error_is 401 UNAUTHORIZED
REQ_AUTH=nobody-in-ldap:not-her-password req GET /v2/
save_answer "$T/unknown.ans"
check "... exactly like an unknown user" run_ok same_answer "$T/wrong.ans" "$T/unknown.ans"
REQ_AUTH=none req POST /auth/token --data-urlencode grant_type=password --data-urlencode username=alice \
  --data-urlencode password=wrong-again --data-urlencode service=bulwark
save_answer "$T/wrong-grant.ans"
REQ_AUTH=none req POST /auth/token --data-urlencode grant_type=password --data-urlencode username=ghost \
  --data-urlencode password=wrong-again --data-urlencode service=bulwark
save_answer "$T/unknown-grant.ans"
check "the password grant refuses both identically too" run_ok same_answer "$T/wrong-grant.ans" "$T/unknown-grant.ans"

REQ_AUTH=carol:carol-secret req GET /v2/dev/app/manifests/v1
check "an LDAP user without groups is authenticated but denied (403)" error_is 403 DENIED

REQ_AUTH=bob:bob-secret req GET /v2/
check "a local user is not shadowed by the LDAP entry of the same name (LDAP password: 401)" error_is 401 UNAUTHORIZED
REQ_AUTH="bob:$BOB_PW" req GET /v2/
check "... the local password works" status_is 200
REQ_AUTH="bob:$BOB_PW" req GET /v2/dev/app/manifests/v1
check "... and local bob does not get LDAP bob's groups (admins: developer in dev)" error_is 403 DENIED

echo "## LDAP users through the token flow"
tok=$(token_get alice:alice-secret "repository:dev/app:pull,push")
check "the token endpoint issues alice pull and push on dev/app" equals \
  "$(claims_of "$tok" | jq -c '[.access[] | select(.name == "dev/app") | .actions | sort] | first')" '["pull","push"]'
tok=$(token_get carol:carol-secret "repository:dev/app:pull")
check "... and carol (no groups) nothing" equals "$(claims_of "$tok" | jq -c '[.access[].actions[]]')" '[]'
write_authfile "$T/auth.json" alice:alice-secret
SRC=$T/src
bash "$TESTS_DIR/make-oci-layout.sh" image "$SRC" v1 2 amd64 4096 >/dev/null || die "make-oci-layout.sh failed"
check "skopeo pushes as LDAP alice (token flow)" run_ok sk_ok copy "oci:$SRC:v1" "docker://$REGISTRY_HOSTPORT/dev/skopeo:v1"
check "skopeo pulls it back as LDAP alice" run_ok sk_ok copy "docker://$REGISTRY_HOSTPORT/dev/skopeo:v1" "oci:$T/pulled:v1"
write_authfile "$T/auth.json" carol:carol-secret
check "skopeo as carol (no groups) cannot push" run_ok bash -c '! timeout 120 skopeo --insecure-policy copy --dest-tls-verify=false --authfile "$1" "oci:$2:v1" "docker://$3/dev/carol:v1" >/dev/null 2>&1' _ "$T/auth.json" "$SRC" "$REGISTRY_HOSTPORT"

echo "## OpenID login for people"
OIDC_LOGIN=$R/auth/oidc/test/login
REQ_AUTH=none req GET "$OIDC_LOGIN?login_hint=alice"
check "GET /auth/oidc/test/login redirects to the provider" status_is 302
check "... with state, nonce and a PKCE S256 challenge" run_ok bash -c \
  'l=$1; [[ $l == "$2"* && $l == *state=* && $l == *nonce=* && $l == *code_challenge_method=S256* && $l == *login_hint=alice* ]] || { echo "Location: $l"; exit 1; }' \
  _ "$(hdr Location)" "$ISSUER"
REQ_AUTH=none req GET /auth/oidc/nope/login
check "an unknown provider is a JSON 404" run_ok bash -c '[[ $1 == 404 ]] && jq -e .error_description "$2" >/dev/null' _ "$STATUS" "$T/resp.body"

# Alice logs in the way a browser would: curl follows every redirect keeping cookies.
curl -s -L -b "$T/alice.jar" -c "$T/alice.jar" --max-time 30 -o "$T/alice.json" -w '%{http_code}' \
  "$OIDC_LOGIN?login_hint=alice" >"$T/alice.status"
check "alice's login ends at the callback with 200" equals "$(cat "$T/alice.status")" 200
check "... naming her (email claim) and her groups" equals \
  "$(jq -c '[.username, (.groups | sort)]' "$T/alice.json")" '["alice@example.test",["developers","platform-admins"]]'
ALICE_REFRESH=$(jq -r .refresh_token "$T/alice.json")
check "... and giving a refresh token" run_ok test "${#ALICE_REFRESH}" -ge 32
tok=$(token_refresh "$ALICE_REFRESH" "repository:dev/oidc:pull,push")
check "the refresh token redeems for a token with her group's developer rights" equals \
  "$(claims_of "$tok" | jq -c '[.sub, ([.access[] | select(.name == "dev/oidc") | .actions | sort] | first)]')" \
  '["alice@example.test",["pull","push"]]'
check "with it alice pushes to dev/oidc" run_ok push_image "bearer:$tok" dev/oidc v1
REQ_AUTH=none req GET /v2/dev/oidc/manifests/v1 -H "Authorization: Bearer $tok" -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "... and pulls" status_is 200
# As docker login stores an identity token: user "<token>", no password, and the token.
printf '{"auths":{"%s":{"auth":"%s","identitytoken":"%s"}}}\n' "$REGISTRY_HOSTPORT" \
  "$(printf '<token>:' | base64 -w0)" "$ALICE_REFRESH" >"$T/auth.json"
check "skopeo uses the refresh token as an identity token to push" run_ok sk_ok copy "oci:$SRC:v1" "docker://$REGISTRY_HOSTPORT/dev/oidc-skopeo:v1"

# Replays: a callback's state is good once, and a code is bound to the login that asked for it.
REQ_AUTH=none req GET "$OIDC_LOGIN?login_hint=alice"
cb=$(browse "$(hdr Location)" "$CALLBACK") || die "could not reach the callback"
REQ_AUTH=none req GET "$cb"
check "a callback completes once" status_is 200
REQ_AUTH=none req GET "$cb"
check "... and the same state again is refused (400, JSON)" run_ok bash -c \
  '[[ $1 == 400 ]] && jq -e ".error_description | test(\"state\")" "$2" >/dev/null' _ "$STATUS" "$T/resp.body"
REQ_AUTH=none req GET "$OIDC_LOGIN?login_hint=alice"
cb2=$(browse "$(hdr Location)" "$CALLBACK") || die "could not reach the callback"
REQ_AUTH=none req GET "$OIDC_LOGIN?login_hint=alice"
cb3=$(browse "$(hdr Location)" "$CALLBACK") || die "could not reach the callback"
REQ_AUTH=none req GET "$CALLBACK?code=$(query_value "$cb2" code)&state=$(query_value "$cb3" state)"
check "a code presented under another login's state is refused (PKCE verifier and nonce are per login)" status_is 400
check "... without echoing the code" run_ok bash -c '! grep -qF -- "$1" "$2"' _ "$(query_value "$cb2" code)" "$T/resp.body"
REQ_AUTH=none req GET "$cb3"
check "... and that other login's state was consumed by the attempt" status_is 400
REQ_AUTH=none req GET "$CALLBACK?error=access_denied&state=x"
check "a provider's refusal is a JSON 400" run_ok bash -c '[[ $1 == 400 ]] && jq -e ".error == \"access_denied\"" "$2" >/dev/null' _ "$STATUS" "$T/resp.body"
curl -s -L -b "$T/mallory.jar" -c "$T/mallory.jar" --max-time 30 -o "$T/mallory.json" -w '%{http_code}' \
  "$OIDC_LOGIN?login_hint=mallory" >"$T/mallory.status"
check "an account the provider refuses never gets a refresh token" run_ok bash -c \
  '[[ $(cat "$1") == 400 ]] && ! jq -e .refresh_token "$2" >/dev/null' _ "$T/mallory.status" "$T/mallory.json"

echo "## the CI token exchange (federation)"
CI_TOKEN=$(provider_id_token ci-bot bulwark-es256) || die "could not get an ID token for ci-bot from the provider"
exchange "$CI_TOKEN" "repository:ci/widgets:pull,push repository:ci/other:pull,push"
check "ci-bot's ID token is exchanged for a registry token" status_is 200
CI_ACCESS=$(jq -r .access_token "$T/resp.body")
check "... typed as RFC 8693 says, living as long as the rule says (10m)" run_ok bash -c \
  'jq -e ".issued_token_type == \"urn:ietf:params:oauth:token-type:access_token\" and .token_type == \"Bearer\" and .expires_in == 600 and (has(\"refresh_token\") | not)" "$1" >/dev/null' _ "$T/resp.body"
check "... for the federation principal, granting push on ci/widgets only" equals \
  "$(claims_of "$CI_ACCESS" | jq -c '[.sub, [.access[] | {name, actions: (.actions | sort)}]]')" \
  '["federation:widgets-ci",[{"name":"ci/widgets","actions":["pull","push"]},{"name":"ci/other","actions":[]}]]'
check "the exchanged token pushes to ci/widgets" run_ok push_image "bearer:$CI_ACCESS" ci/widgets v1
REQ_AUTH=none req POST /v2/ci/other/blobs/uploads/ -H "Authorization: Bearer $CI_ACCESS"
check "... but not to ci/other (401 insufficient_scope)" run_ok bash -c \
  '[[ $1 == 401 ]] && grep -qi "insufficient_scope" "$2"' _ "$STATUS" "$T/resp.hdrs"
exchange "$CI_TOKEN" "repository:ci/widgets:pull" urn:ietf:params:oauth:token-type:jwt
check "the jwt subject token type is accepted too" status_is 200

WRONG_AUD=$(provider_id_token ci-bot bulwark) || die "could not get an ID token for client bulwark"
exchange "$WRONG_AUD" "repository:ci/widgets:push"
check "ci-bot's ID token for another audience (the people's login client) is refused (400 invalid_grant)" run_ok bash -c \
  '[[ $1 == 400 ]] && jq -e ".error == \"invalid_grant\" and (.error_description | test(\"no federation rule matches\"))" "$2" >/dev/null' _ "$STATUS" "$T/resp.body"
OTHER_SUB=$(provider_id_token alice bulwark-es256) || die "could not get an ID token for alice"
exchange "$OTHER_SUB" "repository:ci/widgets:push"
check "an ID token of another subject is refused, naming issuer and subject" run_ok bash -c \
  '[[ $1 == 400 ]] && jq -e ".error_description | test(\"subject \\\"alice\\\"\")" "$2" >/dev/null' _ "$STATUS" "$T/resp.body"
check "... without echoing the token" run_ok bash -c '! grep -qF -- "$1" "$2"' _ "$OTHER_SUB" "$T/resp.body"
exchange "${CI_TOKEN%.*}.AAAA" "repository:ci/widgets:push"
check "a token with a broken signature is refused" status_is 400
exchange "$CI_TOKEN" "repository:ci/widgets:push" urn:ietf:params:oauth:token-type:saml2
check "an unsupported subject token type is refused (invalid_request)" run_ok bash -c \
  '[[ $1 == 400 ]] && jq -e ".error == \"invalid_request\"" "$2" >/dev/null' _ "$STATUS" "$T/resp.body"

echo "## a removed rule ends its tokens; the audit trail"
stop_registry
write_config no
start_idp_bulwark
REQ_AUTH=none req HEAD /v2/ci/widgets/manifests/v1 -H "Authorization: Bearer $CI_ACCESS"
check "after the rule is removed from the configuration its tokens are refused" status_is 401
REQ_AUTH=alice:alice-secret req GET /v2/dev/app/manifests/v1 -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "LDAP logins work after the restart" status_is 200
stop_registry

EXPORT=$T/audit.jsonl
"$BULWARK_BIN" audit export --data "$DATA" >"$EXPORT" || die "audit export failed"
check "LDAP logins are recorded" run_ok has_event '.action == "login.success" and .actor == "alice"'
check "failed LDAP logins are recorded with the name tried" run_ok has_event '.action == "login.failure" and .actor == "alice" and .outcome == "denied"'
check "OpenID logins are recorded with the provider" run_ok has_event \
  '.action == "login.success" and .actor == "alice@example.test" and (.reason | test("OpenID provider"))'
check "exchanges are recorded with the rule and the token's subject" run_ok has_event \
  '.action == "token.exchange" and .outcome == "allowed" and .actor == "federation:widgets-ci" and (.reason | test("widgets-ci")) and (.reason | test("subject \"ci-bot\""))'
check "refused exchanges are recorded with the subject" run_ok has_event \
  '.action == "token.exchange" and .outcome == "denied" and (.reason | test("subject \"alice\""))'
check "tokens issued to the federation principal are recorded" run_ok has_event \
  '.action == "token.issue" and .actor == "federation:widgets-ci" and (.reason | test("repository:ci/widgets:pull,push"))'
check "no password, secret or token reached the audit trail" run_ok bash -c \
  '! grep -F -e "$2" -e "$3" -e "$4" -e "$5" -e "$6" -e alice-secret -e reader-secret "$1"' \
  _ "$EXPORT" "$OIDC_SECRET" "$CI_TOKEN" "$CI_ACCESS" "$ALICE_REFRESH" "$BOB_PW"
check "no password, secret or token reached the server log" run_ok bash -c \
  '! grep -F -e "$2" -e "$3" -e "$4" -e "$5" -e "$6" -e alice-secret -e reader-secret "$1"' \
  _ "$REG_LOG" "$OIDC_SECRET" "$CI_TOKEN" "$CI_ACCESS" "$ALICE_REFRESH" "$BOB_PW"
"$BULWARK_BIN" audit verify --data "$DATA" >"$T/verify.out" 2>&1
check "bulwark audit verify says the chain is intact" equals "$?" 0

finish
