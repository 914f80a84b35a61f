#!/usr/bin/env bash
# Black-box test of the versioned policy documents (issue 7): /api/v1/projects/{p}/policy and
# /api/v1/environments/{e}/policy, and `bulwark admin policy`. Invalid documents are refused with
# the parser's message and store nothing; every change is a new version (set, delete = an empty
# version, rollback = a copy naming the restored version); what applies falls back from the
# project's document to its environment's to the built-in defaults; project admins may change
# their project's policy, other members only read it, outsiders nothing; environments are for
# system administrators; every change (and every refusal) is in the audit trail.
#
# Expected values come from the documents this script writes and the numbering rules (1, 2, ...
# per scope), never from an earlier answer of the server.
#
# Usage: BULWARK_BIN=build/bulwark bash tests/e2e_policies.sh
# shellcheck disable=SC2016,SC2317  # jq programs are single-quoted; predicates run via check
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $REGISTRY_IMPL == bulwark ]] || { echo "e2e_policies.sh tests bulwark only"; exit 0; }

# put_yaml AUTH PATH FILE [COMMENT]: PUT the file as application/yaml.
put_yaml() {
  local path=$2
  [[ -n ${4-} ]] && path="$path?comment=$(uri "$4")"
  REQ_AUTH=$1 req PUT "$path" -H 'Content-Type: application/yaml' --data-binary "@$3"
}
# message_has TEXT: the error message contains TEXT.
message_has() {
  jq -e --arg t "$1" '.errors[0].message | contains($t)' <"$T/resp.body" >/dev/null 2>&1 && return 0
  echo "expected the error message to contain: $1"
  return 1
}
# body_field_equals_file FILTER FILE: jq -j FILTER on the body equals FILE byte for byte.
body_field_equals_file() {
  jq -j "$1" <"$T/resp.body" >"$T/field.out" 2>/dev/null || { echo "body is not JSON"; return 1; }
  cmp -s "$T/field.out" "$2" && return 0
  echo "expected $1 to equal $(basename "$2"):"; diff "$2" "$T/field.out" | head -20
  return 1
}
# audit_has FILTER: the last /api/v1/audit answer holds an event satisfying the jq FILTER.
audit_has() { json_true "any(.events[]; $1)"; }

# adm ARGS...: `bulwark admin ARGS --data $DATA`; stdout in $OUT, stderr in $ERR, exit in $RC.
OUT=$T/out
ERR=$T/err
adm() {
  RC=0
  "$BULWARK_BIN" admin "$@" --data "$DATA" </dev/null >"$OUT" 2>"$ERR" || RC=$?
}
rc_is() {
  [[ $RC == "$1" ]] && return 0
  echo "expected exit $1, got $RC"; echo "stdout:"; head -c 2000 "$OUT"; echo "stderr:"; head -c 2000 "$ERR"
  return 1
}
out_is() {
  local got
  got=$(jq -r "$1" <"$OUT" 2>&1) || { echo "stdout is not JSON: $(head -c 500 "$OUT")"; return 1; }
  [[ $got == "$2" ]] && return 0
  echo "expected $1 == $2, got: $got"
  return 1
}

# ---- the documents (each differs from the defaults and from the others)
cat >"$T/v1.yaml" <<'EOF'
# version 1: high findings block everywhere
version: 1
vulnerabilities:
  high: {action: block, deadline: 3d}
EOF
cat >"$T/v2.yaml" <<'EOF'
version: 1
vulnerabilities:
  medium: {action: block}
exceptions:
  - vulnerability: CVE-2024-1234
    justification: "not reachable: no TLS in this service"
    approver: alice
    expires: 2030-01-01T00:00:00Z
EOF
cat >"$T/env.yaml" <<'EOF'
version: 1
vulnerabilities:
  low: {action: flag}
EOF
cat >"$T/cli.yaml" <<'EOF'
version: 1
vulnerabilities:
  critical: {action: flag}
EOF
# Unknown action: the parser names the field and the value.
printf 'version: 1\nvulnerabilities:\n  high: {action: stop}\n' >"$T/bad-action.yaml"
# Not YAML at all (an unclosed flow sequence).
printf 'version: 1\nvulnerabilities: [high\n' >"$T/bad-syntax.yaml"
# A misspelt key: unknown keys are errors, never silently dropped.
printf 'version: 1\nvulnerabilitys:\n  high: {action: block}\n' >"$T/bad-key.yaml"

start_registry
P=/api/v1/projects/app/policy
ENV=/api/v1/environments/production/policy

# ==============================================================================================
echo "## setup: project app (production), a project admin, a developer, an outsider"
api admin POST /api/v1/projects '{"name":"app","environment":"production"}'
check "project app created" status_is 201
for u in owner dev outsider; do
  api admin POST /api/v1/users "$(jq -cn --arg n "$u" --arg p "$u pass phrase 123" '{name: $n, password: $p}')"
  check "user $u created" status_is 201
done
OWNER="owner:owner pass phrase 123"
DEV="dev:dev pass phrase 123"
OUTSIDER="outsider:outsider pass phrase 123"
api admin PUT /api/v1/projects/app/members/user/owner '{"role":"project_admin"}'
check "owner is project_admin of app" status_is 200
api admin PUT /api/v1/projects/app/members/user/dev '{"role":"developer"}'
check "dev is developer of app" status_is 200

# ==============================================================================================
echo "## no policy yet: the defaults apply"
api admin GET $P
check "GET policy of a project without one" json_true \
  '.scope == "project:app" and .version == null and .document == "" and .effective.source == "defaults" and .effective.environment == "production"'
api admin GET $P/versions
check "... and no versions" json_true '.scope == "project:app" and .versions == []'
api admin GET /api/v1/projects/ghost/policy
check "a project that does not exist: 404" api_error 404 NOT_FOUND

# ==============================================================================================
echo "## invalid documents are refused with the parser's message and store nothing"
put_yaml "$OWNER" $P "$T/bad-action.yaml" "typo"
check "unknown action: 400" api_error 400 BAD_REQUEST
check "... naming the field and the value" run_ok bash -c \
  'jq -e ".errors[0].message | (contains(\"vulnerabilities.high.action\") and contains(\"stop\"))" "$1" >/dev/null' _ "$T/resp.body"
put_yaml "$OWNER" $P "$T/bad-syntax.yaml"
check "broken YAML: 400" api_error 400 BAD_REQUEST
put_yaml "$OWNER" $P "$T/bad-key.yaml"
check "a misspelt key: 400" api_error 400 BAD_REQUEST
check "... naming it" message_has vulnerabilitys
api "$OWNER" PUT $P "$(jq -cn --rawfile d "$T/bad-action.yaml" '{document: $d}')"
check "an invalid document in JSON: 400" api_error 400 BAD_REQUEST
REQ_AUTH="$OWNER" req PUT $P -H 'Content-Type: application/yaml' --data-binary ''
check "an empty document: 400 (removal is DELETE)" api_error 400 BAD_REQUEST
api "$OWNER" PUT $P '{"document": 5}'
check "a document that is not a string: 422" api_error 422 INVALID
api "$OWNER" PUT $P '{"document": "version: 1\n", "author": "someone else"}'
check "an unknown field: 422" api_error 422 INVALID
api admin GET $P/versions
check "nothing was stored" json_true '.versions == []'

# ==============================================================================================
echo "## versions: PUT v1 (YAML) and v2 (JSON) as the project admin"
put_yaml "$OWNER" $P "$T/v1.yaml" "high blocks"
check "PUT v1: 200" status_is 200
check "... version 1 by owner with the comment" json_true \
  '.scope == "project:app" and .version == 1 and .author == "owner" and .comment == "high blocks" and (.created_at | type) == "number" and (has("restored_from") | not)'
check "... the document as sent" body_field_equals_file .document "$T/v1.yaml"
api "$OWNER" PUT $P "$(jq -cn --rawfile d "$T/v2.yaml" '{document: $d, comment: "medium blocks too"}')"
check "PUT v2 (JSON body): version 2" json_true '.version == 2 and .comment == "medium blocks too"'
api admin GET $P
check "GET policy: version 2 applies" json_true \
  '.version == 2 and .author == "owner" and .effective.source == "project:app@2"'
check "... its document" body_field_equals_file .document "$T/v2.yaml"
api admin GET $P/versions
check "versions: newest first" json_true '[.versions[].version] == [2, 1] and [.versions[].comment] == ["medium blocks too", "high blocks"]'
api admin GET $P/versions/1
check "versions/1" json_true '.version == 1 and .comment == "high blocks"'
check "... holds v1 byte for byte" body_field_equals_file .document "$T/v1.yaml"
api admin GET $P/versions/3
check "versions/3 (none yet): 404" api_error 404 NOT_FOUND
api admin GET $P/versions/zero
check "versions/zero: 404" api_error 404 NOT_FOUND

# ==============================================================================================
echo "## who may"
api "$DEV" GET $P
check "a developer reads the project's policy" json_true '.version == 2 and .effective.source == "project:app@2"'
api "$DEV" GET $P/versions
check "... and its history" json_true '[.versions[].version] == [2, 1]'
put_yaml "$DEV" $P "$T/v1.yaml" "dev tries"
check "a developer may not change it: 403" api_error 403 DENIED
api "$DEV" DELETE $P
check "... nor delete it: 403" api_error 403 DENIED
api "$DEV" POST $P/rollback '{"version": 1}'
check "... nor roll it back: 403" api_error 403 DENIED
api "$OUTSIDER" GET $P
check "an outsider may not read it: 403" api_error 403 DENIED
api "$OUTSIDER" GET /api/v1/projects/ghost/policy
check "... and learns nothing about projects that do not exist (403, not 404)" api_error 403 DENIED
api none GET $P
check "no credentials: 401" status_is 401
api admin GET $P/versions
check "the refused changes stored nothing" json_true '[.versions[].version] == [2, 1]'

# ==============================================================================================
echo "## rollback"
api "$OWNER" POST $P/rollback '{"version": 1, "comment": "back to v1"}'
check "rollback to 1: version 3 restoring 1" json_true \
  '.version == 3 and .restored_from == 1 and .comment == "back to v1" and .author == "owner"'
check "... with v1's document" body_field_equals_file .document "$T/v1.yaml"
api admin GET $P
check "GET policy: version 3 applies, restored from 1" json_true \
  '.version == 3 and .restored_from == 1 and .effective.source == "project:app@3"'
check "... its document is v1's" body_field_equals_file .document "$T/v1.yaml"
api "$OWNER" POST $P/rollback '{"version": 99}'
check "rollback to a version that does not exist: 404" api_error 404 NOT_FOUND
api "$OWNER" POST $P/rollback '{"version": "1"}'
check "a version that is not a number: 422" api_error 422 INVALID
api "$OWNER" POST $P/rollback '{}'
check "no version: 422" api_error 422 INVALID
api admin GET $P/versions
check "history: 3, 2, 1" json_true '[.versions[].version] == [3, 2, 1] and .versions[0].restored_from == 1'

# ==============================================================================================
echo "## environments (system administrators) and the fall-back"
api "$OWNER" PUT $ENV "$(jq -cn --rawfile d "$T/env.yaml" '{document: $d}')"
check "a project admin may not set an environment's policy: 403" api_error 403 DENIED
api "$DEV" GET $ENV
check "... nor may a developer read it: 403" api_error 403 DENIED
api admin GET /api/v1/environments/qa/policy
check "an environment that does not exist: 404" api_error 404 NOT_FOUND
put_yaml admin $ENV "$T/bad-action.yaml"
check "an invalid environment document: 400" api_error 400 BAD_REQUEST
put_yaml admin $ENV "$T/env.yaml" "prod baseline"
check "the administrator sets production's policy: version 1" json_true \
  '.scope == "environment:production" and .version == 1 and .author == "admin" and .comment == "prod baseline"'
api admin GET $ENV
check "GET environment policy" json_true '.version == 1 and .effective.source == "environment:production@1"'
api admin GET $P
check "the project's own document still applies" json_is .effective.source "project:app@3"
api "$OWNER" DELETE "$P?comment=$(uri 'use the environment')"
check "DELETE: a new empty version 4" json_true '.version == 4 and .document == "" and .comment == "use the environment"'
api admin GET $P
check "now production's document applies" json_true \
  '.version == 4 and .document == "" and .effective.source == "environment:production@1"'
api admin GET /api/v1/environments/staging/policy
check "staging has no policy: defaults" json_true '.version == null and .effective.source == "defaults"'
api admin DELETE $ENV '{"comment": "no baseline"}'
check "DELETE the environment's policy: version 2" json_true '.version == 2 and .document == "" and .comment == "no baseline"'
api admin GET $P
check "now the defaults apply to app" json_is .effective.source defaults
api "$OWNER" POST $P/rollback '{"version": 3, "comment": "own policy again"}'
check "rolling back to 3 restores the project's own document: version 5" json_true '.version == 5 and .restored_from == 3'
api admin GET $P
check "... which applies again" json_is .effective.source "project:app@5"

# ==============================================================================================
echo "## bulwark admin policy (while the server runs)"
adm policy history --project app -o json
check "history -o json: 5..1" run_ok bash -c 'rc=$0; [[ $rc == 0 ]] && jq -e "[.[].version] == [5, 4, 3, 2, 1]" "$1" >/dev/null' "$RC" "$OUT"
adm policy get --project app --version 2 -o json
check "get --version 2" run_ok out_is .comment "medium blocks too"
adm policy set --project app --file "$T/bad-action.yaml" --comment typo
check "set with an invalid document exits 2" run_ok rc_is 2
check "... printing the parser's message" run_ok grep -q 'vulnerabilities.high.action' "$ERR"
adm policy set --project app --file "$T/cli.yaml" --comment "from the CLI" -o json
check "set --file: version 6" run_ok out_is .version 6
api admin GET $P
check "the server sees the CLI's version at once" json_true \
  '.version == 6 and .effective.source == "project:app@6" and .comment == "from the CLI" and (.author | startswith("cli:"))'
check "... with the file's document" body_field_equals_file .document "$T/cli.yaml"
adm policy rollback --project app --version 1 --comment "cli rollback" -o json
check "rollback --version 1: version 7 restoring 1" run_ok out_is '"\(.version) \(.restored_from)"' "7 1"
adm policy rollback --project app --version 42
check "rollback to a missing version exits 2" run_ok rc_is 2
adm policy delete --environment staging --comment "nothing to remove" -o json
check "delete --environment staging: version 1 (empty)" run_ok out_is '"\(.scope) \(.version) \(.document)"' "environment:staging 1 "
adm policy get --project app -o json
check "get -o json shows what applies" run_ok out_is .effective.source "project:app@7"
adm policy get --project app --environment staging
check "--project and --environment together: usage error" run_ok bash -c '[[ $0 != 0 ]]' "$RC"
adm policy get
check "neither: exits 2" run_ok rc_is 2
adm policy history --project app
check "history as a table" run_ok bash -c '[[ $0 == 0 ]] && grep -q "^VERSION" "$1" && grep -q "cli rollback" "$1"' "$RC" "$OUT"

# ==============================================================================================
echo "## every change is in the audit trail"
api admin GET '/api/v1/audit?action=policy.update'
check "policy.update v1 by owner, project as repository, with version and comment" \
  audit_has '.actor == "owner" and .repository == "app" and .outcome == "allowed" and .reason == "targets: project:app version 1; comment: high blocks"'
check "... the environment's by admin" \
  audit_has '.actor == "admin" and .repository == "environment:production" and (.reason | startswith("targets: environment:production version 1"))'
check "... and the CLI's" audit_has '(.actor | startswith("cli:")) and (.reason | contains("version 6"))'
api admin GET '/api/v1/audit?action=policy.update'
check "the invalid document is recorded as an error" \
  audit_has '.actor == "owner" and .outcome == "error" and (.reason | contains("comment: typo")) and (.reason | contains("stop"))'
check "the developer's refused change is recorded as denied" \
  audit_has '.actor == "dev" and .outcome == "denied" and .repository == "app"'
api admin GET '/api/v1/audit?action=policy.rollback'
check "policy.rollback: restoring 1, with the comment" \
  audit_has '.actor == "owner" and .outcome == "allowed" and .reason == "targets: project:app version 3 restoring 1; comment: back to v1"'
check "... and the refused rollback to 99 as an error" audit_has '.outcome == "error" and (.reason | contains("restoring 99"))'
api admin GET '/api/v1/audit?action=policy.delete'
check "policy.delete of the project's and the environment's documents" \
  json_true 'any(.events[]; .repository == "app" and (.reason | contains("version 4"))) and any(.events[]; .repository == "environment:production" and (.reason | contains("version 2")))'
api admin GET '/api/v1/audit?action=policy.get'
check "the outsider's refused read is recorded" audit_has '.actor == "outsider" and .outcome == "denied"'
"$BULWARK_BIN" audit verify --data "$DATA" -o json >"$T/verify.json" 2>&1
check "audit verify: the trail is intact" run_ok jq -e '.ok == true' "$T/verify.json"

finish
