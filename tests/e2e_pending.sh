#!/usr/bin/env bash
# What a pull gets while an image's scan is pending (issue 7), with the real server and curl. The
# server runs without scan workers, so pushed images stay unscanned (pending) for good:
#   - in a development project the default lets pending images through (flagged), in a
#     production project the default refuses them (the safe default where it matters);
#   - `pending: block` refuses a guest at once, saying the scan is not finished;
#   - `pending: {wait: 2s}` holds the pull for the wait and then refuses it;
#   - `pending: allow` lets it through;
#   - the pusher is never held back.
source "$(dirname "$0")/lib.sh"

export BULWARK_SCAN_WORKERS=0 BULWARK_LOG_LEVEL=info
start_registry
set_policy() {  # PROJECT YAML
  REQ_AUTH=admin req PUT "/api/v1/projects/$1/policy" -H 'Content-Type: application/yaml' --data-binary "$2"
  [[ $STATUS == 200 || $STATUS == 201 ]] || { echo "policy PUT: $STATUS $(body)"; return 1; }
}
GUEST='guest:guest pass phrase 1'
api admin POST /api/v1/users '{"name":"guest","password":"guest pass phrase 1"}'
check "user guest" status_is 201
for p in dev prod; do
  env=development; [[ $p == prod ]] && env=production
  api admin POST /api/v1/projects "{\"name\":\"$p\",\"environment\":\"$env\"}"
  check "project $p ($env)" status_is 201
  api admin PUT "/api/v1/projects/$p/members/user/guest" '{"role":"guest"}'
  check "guest is a guest of $p" status_is 200 201
done

DIGEST=$(push_image admin dev/app v1) || die "push to dev/app failed"
P=/api/v1/repositories/dev/app/manifests/$DIGEST/policy
guest_get() {
  REQ_AUTH=$GUEST req GET "/v2/$1/manifests/$2" -H 'Accept: application/vnd.oci.image.manifest.v1+json'
}
check "the unscanned image is pending" wait_for "$P" '.pending == true'
guest_get dev/app v1
check "development default: a pending image is let through" status_is 200
check "... and its decision says the scan is pending" wait_for "$P" \
  '.quarantined == false and ([.decision.rules[] | select(.rule == "pending")] | length) == 1'

check "pending: block" set_policy dev $'version: 1\npending: block\n'
check "the decision follows the new policy" wait_for "$P" '.quarantined == true and .policy == "project:dev@1"'
refused_pending() { guest_get dev/app v1; [[ $STATUS == 403 ]] && jq -e '.errors[0].code == "DENIED" and (.errors[0].message | test("pending|not finished"))' "$T/resp.body" >/dev/null; }
check "a guest's pull is refused at once, saying the scan is not finished" eventually refused_pending
REQ_AUTH=admin req GET /v2/dev/app/manifests/v1 -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "its pusher is not held back" status_is 200

check "pending: {wait: 2s}" set_policy dev $'version: 1\npending: {wait: 2s}\n'
check "the decision carries the wait" wait_for "$P" '.policy == "project:dev@2" and .decision.waitSeconds == 2'
waited_then_refused() {
  local start=$SECONDS
  refused_pending || return 1
  ((SECONDS - start >= 2)) || { echo "answered after $((SECONDS - start)) s, before the 2 s wait"; return 1; }
}
check "a guest's pull is held for the wait, then refused" eventually waited_then_refused

# Production: only release robots push there.
api admin POST /api/v1/projects/prod/robots '{"name":"rel","expires":"1d","kind":"release","rules":[{"repository":"prod/*","actions":["pull","push"]}]}'
check "a release robot for prod" status_is 201
REL="robot\$prod+rel:$(jq -r .secret "$T/resp.body")"
PROD=$(push_image "$REL" prod/app v1) || die "push to prod/app failed"
check "production default: a pending image is refused" wait_for \
  "/api/v1/repositories/prod/app/manifests/$PROD/policy" '.pending == true and .quarantined == true'
guest_get prod/app v1
check "... a guest's pull gets 403 DENIED" error_is 403 DENIED
# A scanner pulls with a token issued for pull only (as skopeo asks): its own rights count.
api admin POST /api/v1/projects/prod/robots '{"name":"scanner","expires":"1d","kind":"generic","rules":[{"repository":"prod/*","actions":["pull","scan"]}]}'
check "a scanner robot for prod" status_is 201
SCANNER="robot\$prod+scanner:$(jq -r .secret "$T/resp.body")"
STOKEN=$(token_get "$SCANNER" "repository:prod/app:pull") || die "scanner token"
check "... its token carries pull only" equals "$(claims_of "$STOKEN" | jq -c '[.access[].actions[]]')" '["pull"]'
breq "$STOKEN" GET /v2/prod/app/manifests/v1 -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "... and still pulls the held image (who may scan it may pull it)" status_is 200
GTOKEN=$(token_get "$GUEST" "repository:prod/app:pull") || die "guest token"
breq "$GTOKEN" GET /v2/prod/app/manifests/v1 -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "a guest's pull-scoped token does not" error_is 403 DENIED

check "pending: allow" set_policy dev $'version: 1\npending: allow\n'
allowed() { guest_get dev/app v1; [[ $STATUS == 200 ]]; }
check "a guest's pull is let through" eventually allowed

finish
