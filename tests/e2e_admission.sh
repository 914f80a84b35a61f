#!/usr/bin/env bash
# The Kubernetes admission webhook (issue 7), end to end over TLS with the real server:
#   - images pushed with skopeo; one left to the policy (allowed once evaluated), one quarantined
#     by hand through the incident-response API;
#   - AdmissionReview v1 requests shaped as kube-apiserver sends them (src/admission/testdata: Pod,
#     Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, an
#     ephemeral container) POSTed with curl over https: allowed when every image is, denied with
#     each denied image and its reasons otherwise (quarantined, unknown tag, missing digest,
#     foreign registry);
#   - /admission/mutate answers a JSONPatch pinning each tag to the digest skopeo reports;
#   - admitted images are recorded (GET /api/v1/deployments?digest=), dry runs are not;
#   - a body that is not an AdmissionReview is a 400 with a text reason.
# Needs skopeo, openssl, jq.
source "$(dirname "$0")/lib.sh"

for tool in skopeo openssl; do command -v "$tool" >/dev/null || die "missing tool: $tool"; done
FIXTURES=$TESTS_DIR/../src/admission/testdata

# ---- a TLS server with the webhook on
TLS=$T/tls
mkdir -p "$TLS"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TLS/key.pem" -out "$TLS/cert.pem" -subj /CN=127.0.0.1 \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$TLS/openssl.out" 2>&1 ||
  die "openssl could not make a certificate: $(cat "$TLS/openssl.out")"
cat >"$T/config.yml" <<YAML
tls:
  cert: $TLS/cert.pem
  key: $TLS/key.pem
admission:
  enabled: true
  cluster: e2e-cluster
YAML
# A vulnerability database (one advisory about a package the test images do not have), so that
# scans finish and the default policy reaches a final decision.
mkdir -p "$T/feed"
jq -n '{zlib: {"CVE-2099-0001": {description: "test", scope: "local", releases: {bookworm: {
  status: "resolved", urgency: "low", fixed_version: "1:1.2.13.dfsg-1", repositories: {bookworm: "x"}}}}}}' \
  >"$T/feed/debian.json"
"$BULWARK_BIN" db import --db "$DATA/vulndb.sqlite" "$T/feed" >"$T/import.out" 2>&1 ||
  die "bulwark db import failed: $(cat "$T/import.out")"
export CURL_CA_BUNDLE=$TLS/cert.pem  # every curl verifies the server against this certificate
BULWARK_CONFIG=$T/config.yml start_bulwark
R=${R/http:/https:}
REGISTRY_HOSTPORT=${R#https://}
for ((i = 0; i < 100; i++)); do
  curl -s -o /dev/null --max-time 2 "$R/v2/" && break
  sleep 0.1
done
req GET /v2/
check "the registry answers over https (verified against its certificate)" status_is 200

# ---- images
REQ_AUTH=admin req POST /api/v1/projects -H 'Content-Type: application/json' --data-binary '{"name":"shop"}'
check "project shop" status_is 201
write_authfile "$T/auth.json"
bash "$TESTS_DIR/make-oci-layout.sh" image "$T/oci" one 1 >/dev/null || die "layout one"
bash "$TESTS_DIR/make-oci-layout.sh" image "$T/oci" two 1 >/dev/null || die "layout two"
push() {
  timeout 120 skopeo --insecure-policy copy --dest-cert-dir "$TLS/certs" --authfile "$T/auth.json" \
    "oci:$T/oci:$1" "docker://$REGISTRY_HOSTPORT/shop/$2" >"$T/sk.out" 2>&1 ||
    { echo "skopeo push of $1 failed:"; cat "$T/sk.out"; return 1; }
}
mkdir -p "$TLS/certs" && cp "$TLS/cert.pem" "$TLS/certs/ca.crt"
check "skopeo pushes shop/web:1 over TLS" push one web:1
check "skopeo pushes shop/web:2" push two web:2
digest_via_skopeo() {
  timeout 60 skopeo inspect --raw --cert-dir "$TLS/certs" --authfile "$T/auth.json" \
    "docker://$REGISTRY_HOSTPORT/shop/$1" | sha256sum | cut -d' ' -f1
}
GOOD=sha256:$(digest_via_skopeo web:1)
BAD=sha256:$(digest_via_skopeo web:2)
[[ $GOOD != "$BAD" && ${#GOOD} == 71 ]] || die "could not read the pushed digests ($GOOD, $BAD)"
IMG_GOOD=$REGISTRY_HOSTPORT/shop/web:1
IMG_BAD=$REGISTRY_HOSTPORT/shop/web:2

check "shop/web:1 gets a final policy decision that lets it run" wait_for \
  "/api/v1/repositories/shop/web/manifests/$GOOD/policy" '.pending == false and .quarantined == false'
REQ_AUTH=admin req PUT "/api/v1/repositories/shop/web/manifests/$BAD/quarantine" \
  -H 'Content-Type: application/json' --data-binary '{"reason":"incident 42"}'
check "shop/web:2 is quarantined by hand" status_is 200 201 204

# ---- reviews
# review PATH FILE: POSTs an AdmissionReview (no registry credentials) and keeps the answer.
review() { REQ_AUTH=none req POST "$1" -H 'Content-Type: application/json' --data-binary "@$2"; }
# with_images FIXTURE IMAGE OUT: the fixture with every container image replaced by IMAGE.
with_images() {
  jq --arg img "$2" '(.request.object | .. | objects | select(has("image") and (.image | type) == "string") | .image) |= $img' \
    "$FIXTURES/$1" >"$3"
}
uid_of() { jq -r .request.uid "$FIXTURES/$1"; }
# patch_values: the decoded JSONPatch of the last answer as "path value" lines.
patch_values() { jq -r '.response.patch | @base64d | fromjson | .[] | "\(.op) \(.path) \(.value)"' "$T/resp.body"; }
answered_allowed() {
  json_is .response.uid "$1" && json_is .response.allowed true && json_is .apiVersion admission.k8s.io/v1 &&
    json_is .kind AdmissionReview
}
answered_denied() {  # answered_denied UID SUBSTRING...
  json_is .response.uid "$1" && json_is .response.allowed false && json_is .response.status.code 403 || return 1
  local s
  for s in "${@:2}"; do
    json_true ".response.status.message | contains(\"$s\")" || return 1
  done
}

echo "## every kind that runs pods, allowed and denied"
for f in pod_create deployment_create statefulset_update daemonset_create replicaset_create \
  replicationcontroller_create job_create cronjob_create pod_ephemeral_update; do
  with_images "$f.json" "$IMG_GOOD" "$T/$f-good.json"
  review /admission/validate "$T/$f-good.json"
  check "$f: allowed when every image is allowed" answered_allowed "$(uid_of "$f.json")"
  with_images "$f.json" "$IMG_BAD" "$T/$f-bad.json"
  review /admission/validate "$T/$f-bad.json"
  check "$f: denied, naming the quarantined image and why" answered_denied "$(uid_of "$f.json")" \
    "$IMG_BAD" "quarantined by admin: incident 42"
done

echo "## per-image verdicts in one workload"
jq --arg good "$IMG_GOOD" --arg bad "$IMG_BAD" --arg missing "$REGISTRY_HOSTPORT/shop/web@sha256:$(printf '0%.0s' {1..64})" \
  '.request.object.spec.template.spec.containers[0].image = $good |
   .request.object.spec.template.spec.containers[1].image = $bad |
   .request.object.spec.template.spec.initContainers[0].image = $missing' \
  "$FIXTURES/deployment_create.json" >"$T/mixed.json"
review /admission/validate "$T/mixed.json"
check "a workload with one quarantined and one missing image is denied" answered_denied \
  "$(uid_of deployment_create.json)" "2 images of Deployment/web denied" "$IMG_BAD: quarantined by admin: incident 42" \
  "not found in this registry"
check "... and the allowed image is not listed" json_true ".response.status.message | contains(\"$IMG_GOOD:\") | not"

jq --arg good "$IMG_GOOD" --arg tag "$REGISTRY_HOSTPORT/shop/web:nope" \
  '.request.object.spec.containers[0].image = $good | .request.object.spec.containers[1].image = $tag |
   .request.object.spec.initContainers[0].image = $good' "$FIXTURES/pod_create.json" >"$T/tag.json"
review /admission/validate "$T/tag.json"
check "an unknown tag is denied" answered_denied "$(uid_of pod_create.json)" "tag nope of shop/web not found in this registry"

with_images replicationcontroller_create.json "nginx:1.25" "$T/foreign.json"
review /admission/validate "$T/foreign.json"
check "an image of another registry is denied (foreign_images: deny)" answered_denied \
  "$(uid_of replicationcontroller_create.json)" "nginx:1.25: not from this registry (docker.io)"

review /admission/validate "$FIXTURES/configmap_create.json"
check "a ConfigMap is allowed with a message" json_true \
  '.response.allowed == true and (.response.status.message | contains("carries no pod template"))'

echo "## mutate pins tags to digests"
with_images cronjob_create.json "$IMG_GOOD" "$T/cron-good.json"
review /admission/mutate "$T/cron-good.json"
check "mutate admits the CronJob" answered_allowed "$(uid_of cronjob_create.json)"
check "mutate answers a JSONPatch" json_is .response.patchType JSONPatch
expected_patch() {
  printf 'replace /spec/jobTemplate/spec/template/spec/containers/0/image %s@%s\n' "$IMG_GOOD" "$GOOD"
  printf 'replace /spec/jobTemplate/spec/template/spec/initContainers/0/image %s@%s\n' "$IMG_GOOD" "$GOOD"
}
check "the patch pins both containers to the digest skopeo reports" equals "$(patch_values)" "$(expected_patch)"
jq --arg img "$REGISTRY_HOSTPORT/shop/web@$GOOD" '(.request.object | .. | objects | select(has("image")) | .image) |= $img' \
  "$FIXTURES/pod_create.json" >"$T/pinned.json"
review /admission/mutate "$T/pinned.json"
check "digest references need no patch" json_true '.response.allowed == true and (.response | has("patch") | not)'
review /admission/mutate "$T/pod_create-bad.json"
check "mutate denies a quarantined image too" answered_denied "$(uid_of pod_create.json)" "incident 42"

echo "## deployment records"
dep_jq="[.deployments[] | select(.workload == \"Deployment/web\" and .namespace == \"shop\" and .cluster == \"e2e-cluster\" and .image == \"$IMG_GOOD\" and .repository == \"shop/web\" and .digest == \"$GOOD\")] | length == 1"
req GET "/api/v1/deployments?digest=$GOOD"
check "the admitted Deployment is recorded with cluster, namespace, workload and digest" json_true "$dep_jq"
check "... and the CronJob, Pod and others (one row per workload)" json_true \
  '[.deployments[].workload] | (index("CronJob/nightly") != null) and (index("Pod/web-7d9f8b6c5-") != null) and (index("StatefulSet/db") != null)'
check "... with RFC 3339 admission times" json_true '.deployments | all(.first_admitted | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))'
req GET "/api/v1/deployments?digest=$BAD"
check "a denied image is not recorded" json_is '.deployments | length' 0
jq '.request.object.metadata.name = "dry" | .request.name = "dry"' "$T/deployment_create-good.json" >"$T/dry.json"
sed -i 's/"dryRun": false/"dryRun": true/' "$T/dry.json"
jq -e '.request.dryRun == true' "$T/dry.json" >/dev/null || die "could not make the dry run"
review /admission/validate "$T/dry.json"
check "a dry run is allowed" answered_allowed "$(uid_of deployment_create.json)"
req GET "/api/v1/deployments?digest=$GOOD"
check "... and not recorded" json_true '[.deployments[].workload] | index("Deployment/dry") == null'
REQ_AUTH=none req GET "/api/v1/deployments?digest=$GOOD"
check "deployments need credentials" status_is 401
req GET "/api/v1/deployments?digest=nope"
check "a bad digest is a 400" status_is 400

echo "## bad requests"
printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":' >"$T/cut.json"
review /admission/validate "$T/cut.json"
check "a truncated review is a 400" status_is 400
check "... with a text reason" run_ok grep -q "not valid JSON" "$T/resp.body"
jq '.apiVersion = "admission.k8s.io/v1beta1"' "$FIXTURES/pod_create.json" >"$T/beta.json"
review /admission/validate "$T/beta.json"
check "v1beta1 is a 400 naming v1" status_is 400
check "... saying which version to configure" run_ok grep -q "admission.k8s.io/v1" "$T/resp.body"
REQ_AUTH=none req GET /admission/validate
check "GET /admission/validate is not allowed" status_is 405
req GET /v2/
check "the server is still up" status_is 200

# Denials are audit events (queued: poll the export briefly).
EXPORT=$T/audit.jsonl
denial_audited() {
  "$BULWARK_BIN" audit export --data "$DATA" >"$EXPORT" 2>"$T/export.err" || { cat "$T/export.err"; return 1; }
  has_event '.action == "admission.deny" and .outcome == "denied" and (.actor | startswith("admission:")) and (.reason | contains("incident 42"))'
}
check "a denied review is in the audit trail with the workload and the reasons" eventually denial_audited

finish
