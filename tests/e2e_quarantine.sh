#!/usr/bin/env bash
# Quarantine on push and release (issue 7), end to end with the real server and skopeo:
#   - a debootstrap Debian bookworm image with a vulnerable package (a feed written here for a
#     source package the image really has, the installed version from dpkg-query) is pushed to a
#     project whose policy blocks high findings: it is quarantined once scanned;
#   - a guest's pull (skopeo and curl) is refused with 403 DENIED naming the CVE and the policy;
#     its pusher (the administrator) may still pull it;
#   - an exception in a new policy version releases it (the guest's skopeo copy works); an
#     exception that expires a few seconds later stops counting on its own and the pull is
#     refused again;
#   - incident response: one call quarantines every image with a vulnerability, with a package in a
#     version range (dpkg's answer, not Bulwark's), in a repository, or with a digest in any
#     repository; a manual quarantine outranks a policy that allows; callers without delete are
#     skipped, not obeyed; release undoes it; the audit trail answers who pushed and pulled a digest;
#   - every quarantine and release is an audit event with the reasons.
# Needs BULWARK_ROOTFS (CTest fixture scan_bookworm_rootfs), skopeo, jq.
source "$(dirname "$0")/lib.sh"

ROOTFS=${BULWARK_ROOTFS:?set BULWARK_ROOTFS to a debootstrapped bookworm tree}
bash "$TESTS_DIR/make-rootfs.sh" "$ROOTFS" || die "cannot build the root file system"
tar -C "$ROOTFS" --numeric-owner --exclude=./.complete -cf "$T/base.tar" . || die "tar of the rootfs"
bash "$TESTS_DIR/make-oci-layout.sh" tars "$T/oci" deb "$T/base.tar" >/dev/null || die "layout"
rm -f "$T/base.tar"

# The installed source version of bash (dpkg-query, independent of Bulwark) and a fix above it.
BASH_VERSION_SRC=$(dpkg-query --admindir="$ROOTFS/var/lib/dpkg" -W -f '${source:Package}\t${source:Version}\n' |
  awk -F'\t' '$1 == "bash" { print $2; exit }')
[[ -n $BASH_VERSION_SRC ]] || die "bash is not in the image"
FIXED="$BASH_VERSION_SRC+fix1"
dpkg --compare-versions "$FIXED" gt "$BASH_VERSION_SRC" || die "$FIXED is not above $BASH_VERSION_SRC"
CVE=CVE-2099-4242
mkdir -p "$T/feed"
jq -n --arg cve "$CVE" --arg fixed "$FIXED" '{bash: {($cve): {description: "test", scope: "local",
  releases: {bookworm: {status: "resolved", urgency: "high", fixed_version: $fixed,
  repositories: {bookworm: "x"}}}}}}' >"$T/feed/debian.json"
"$BULWARK_BIN" db import --db "$DATA/vulndb.sqlite" "$T/feed" >"$T/import.out" 2>&1 ||
  die "bulwark db import failed: $(cat "$T/import.out")"

export BULWARK_LOG_LEVEL=info
start_registry
# set_policy YAML: a new version of project team's policy.
set_policy() {
  REQ_AUTH=admin req PUT /api/v1/projects/team/policy -H 'Content-Type: application/yaml' \
    --data-binary "$1"
  [[ $STATUS == 200 || $STATUS == 201 ]] || { echo "policy PUT: $STATUS $(body)"; return 1; }
}

GUEST='guest:guest pass phrase 1'
api admin POST /api/v1/projects '{"name":"team"}'
check "project team" status_is 201
api admin POST /api/v1/users '{"name":"guest","password":"guest pass phrase 1"}'
check "user guest" status_is 201
api admin PUT /api/v1/projects/team/members/user/guest '{"role":"guest"}'
check "guest is a guest of team" status_is 200 201
check "team's policy blocks high findings" set_policy $'version: 1\nvulnerabilities:\n  high: {action: block}\n'

write_authfile "$T/auth.json"
write_authfile "$T/guest.json" "$GUEST"
sk_ok copy "oci:$T/oci:deb" "docker://$REGISTRY_HOSTPORT/team/debian:12" || die "push failed"
DIGEST=sha256:$(skopeo inspect --raw --tls-verify=false --authfile "$T/auth.json" \
  "docker://$REGISTRY_HOSTPORT/team/debian:12" | sha256sum | cut -d' ' -f1)
P=/api/v1/repositories/team/debian/manifests/$DIGEST/policy

check "once scanned, the image is quarantined by the project's policy" wait_for "$P" \
  '.quarantined == true and .pending == false and .outcome == "block"'
check "... naming the vulnerability, its package and the policy version" json_true \
  "(.reasons | map(select(contains(\"$CVE\") and contains(\"bash\"))) | length) == 1
   and .policy == \"project:team@1\""

guest_pull() {
  timeout 120 skopeo --insecure-policy copy --src-tls-verify=false --src-authfile "$T/guest.json" \
    "docker://$REGISTRY_HOSTPORT/team/debian:12" "oci:$T/pulled-$1:x" >"$T/guest.out" 2>&1
}
refused_for() {  # the guest's skopeo pull fails, saying why
  if guest_pull "$1"; then echo "the guest's pull succeeded"; return 1; fi
  grep -q "$CVE" "$T/guest.out" || { echo "skopeo's error does not name $CVE:"; cat "$T/guest.out"; return 1; }
}
# The gate reuses an answer for up to a second: the refusal names the finding once it has seen it.
check "the guest's skopeo pull is refused, naming $CVE" eventually refused_for 1
REQ_AUTH=$GUEST req GET /v2/team/debian/manifests/12 -H 'Accept: application/vnd.oci.image.manifest.v1+json'
check "... with 403 DENIED in the OCI error format" error_is 403 DENIED
check "... whose message names the policy and the finding" json_true \
  ".errors[0].message | contains(\"project:team@1\") and contains(\"$CVE\")"
check "its pusher may still pull it" sk_ok copy "docker://$REGISTRY_HOSTPORT/team/debian:12" "oci:$T/pusher:x"

# ---- an exception releases it --------------------------------------------------------------
check "an exception for $CVE (version 2)" set_policy "version: 1
vulnerabilities:
  high: {action: block}
exceptions:
  - vulnerability: $CVE
    justification: bash is not reachable from the network in this service
    approver: security-team
    expires: 2099-01-01T00:00:00Z
"
check "the image is released" wait_for "$P" '.quarantined == false and .policy == "project:team@2"'
check "... the finding shows the exception that waived it" json_true \
  "[.decision.findings[] | select(.vulnerability == \"$CVE\")][0].exception.approver == \"security-team\""
pull_works() { guest_pull "$1" || { cat "$T/guest.out"; return 1; }; }
# The gate caches an answer for at most a second: poll until the guest's pull goes through.
check "the guest's skopeo pull now works" eventually pull_works 2

# ---- an exception that expires stops counting on its own ----------------------------------
EXPIRES=$(date -u -d '@'$(( $(date +%s) + 4 )) +%Y-%m-%dT%H:%M:%SZ)
check "an exception expiring at $EXPIRES (version 3)" set_policy "version: 1
vulnerabilities:
  high: {action: block}
exceptions:
  - vulnerability: $CVE
    justification: until the patched build ships
    approver: security-team
    expires: $EXPIRES
"
check "released under version 3" wait_for "$P" '.quarantined == false and .policy == "project:team@3"'
check "... until the exception's expiry" json_true ".decision.validUntil == $(date -u -d "$EXPIRES" +%s)"
guest_refused() { REQ_AUTH=$GUEST req GET /v2/team/debian/manifests/12 -H 'Accept: application/vnd.oci.image.manifest.v1+json'; [[ $STATUS == 403 ]]; }
check "after it expires, the guest's pull is refused again without any change" eventually guest_refused
check "... by the project's policy, naming $CVE" json_true \
  ".errors[0].code == \"DENIED\" and (.errors[0].message | contains(\"$CVE\"))"
check "and skopeo says so too" refused_for 3

# ---- incident response: quarantine in one call ---------------------------------------------
check "a permanent exception (version 4)" set_policy "version: 1
vulnerabilities:
  high: {action: block}
exceptions:
  - vulnerability: $CVE
    justification: accepted risk
    approver: security-team
    expires: 2099-01-01T00:00:00Z
"
check "released under version 4" wait_for "$P" '.quarantined == false and .policy == "project:team@4"'
export BULWARK_REGISTRY_AUTH=admin:$ADMIN_PW
OTHER=$(push_image admin team/other v1) || die "push to team/other failed"
COPY=$(push_image admin team/copy v1) || die "push to team/copy failed"
# The same bytes in a second repository (a digest held twice).
cp "$T/man.json" "$T/copy-man.json"
REQ_AUTH=admin req PUT /v2/team/copy2/manifests/v1 -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary "@$T/copy-man.json"
check "the same manifest in team/copy2 (blobs mounted first)" status_is 201 400 404
if [[ $STATUS != 201 ]]; then
  for b in $(jq -r '.config.digest, .layers[].digest' "$T/copy-man.json"); do
    REQ_AUTH=admin req POST "/v2/team/copy2/blobs/uploads/?mount=$b&from=team/copy"
  done
  REQ_AUTH=admin req PUT /v2/team/copy2/manifests/v1 -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "@$T/copy-man.json"
  check "... pushed after mounting its blobs" status_is 201
fi

quarantine() { api admin POST /api/v1/quarantine "$1"; status_is 200; }
selected() {  # JQ list of "repo@digest" the last answer quarantined (sorted) equals $1
  local got
  got=$(jq -c '[.quarantined[] | "\(.repository)@\(.digest)"] | sort' "$T/resp.body")
  [[ $got == "$1" ]] || { echo "expected $1, got $got"; return 1; }
}
release_all() { api admin POST /api/v1/quarantine/release "$1"; status_is 200; }

check "quarantine by vulnerability" quarantine "{\"vulnerability\":\"$CVE\",\"reason\":\"incident 7: $CVE exploited\"}"
check "... selects exactly the image with an open finding of it" selected "[\"team/debian@$DIGEST\"]"
# The gate's cached answer is dropped by the quarantine itself: refused on the very next pull.
check "the guest's pull is refused at once, with the operator's reason" guest_refused
check "... naming who quarantined it and why" json_true \
  '.errors[0].message | contains("quarantined by admin") and contains("incident 7")'
check "the policy status shows the manual quarantine outranking the allowing policy" wait_for "$P" \
  '.quarantined == true and .manual.actor == "admin" and .outcome == "allow"'
check "release by the same selector" release_all "{\"vulnerability\":\"$CVE\"}"
check "... the image is pullable again" eventually pull_works 4

# dpkg decides which versions the range holds, independently of Bulwark.
BASH_BIN_VERSION=$(dpkg-query --admindir="$ROOTFS/var/lib/dpkg" -W -f '${Version}' bash)
dpkg --compare-versions "$BASH_BIN_VERSION" lt "$BASH_BIN_VERSION+1" || die "version arithmetic"
check "quarantine by package bash in range <$BASH_BIN_VERSION+1" quarantine \
  "{\"package\":{\"name\":\"bash\",\"type\":\"deb\",\"range\":\"<$BASH_BIN_VERSION+1\"},\"reason\":\"bash advisory\"}"
check "... selects the Debian image" selected "[\"team/debian@$DIGEST\"]"
check "a range the installed version is not in selects nothing" quarantine \
  "{\"package\":{\"name\":\"bash\",\"type\":\"deb\",\"range\":\"<$BASH_BIN_VERSION\"},\"reason\":\"older bash\"}"
check "... (empty)" selected "[]"
check "release it" release_all '{"package":{"name":"bash","type":"deb"}}'

check "quarantine a repository" quarantine '{"repository":"team/other","reason":"compromised CI job"}'
check "... selects its image" selected "[\"team/other@$OTHER\"]"
check "quarantine a digest in every repository holding it" quarantine "{\"digest\":\"$COPY\",\"reason\":\"leaked secret in layer\"}"
check "... selects both copies" selected "[\"team/copy2@$COPY\",\"team/copy@$COPY\"]"
api admin GET /api/v1/quarantine
check "the manual quarantines are listed with actor and reason" json_true \
  "([.quarantines[] | select(.actor == \"admin\")] | length) == 3 and
   ([.quarantines[] | select(.digest == \"$OTHER\")][0].reason == \"compromised CI job\")"
api "$GUEST" POST /api/v1/quarantine/release "{\"digest\":\"$COPY\"}"
check "a guest's release is not obeyed: every image skipped (no delete)" json_true \
  '(.released | length) == 0 and (.skipped | length) == 2 and (.skipped[0].reason | contains("delete"))'
api admin POST /api/v1/quarantine '{"reason":"x"}'
check "a request without a selector is refused" error_is 400 BAD_REQUEST
api admin POST /api/v1/quarantine '{"digest":"sha256:zz","reason":"x"}'
check "a malformed digest is refused" status_is 400
api admin PUT "/api/v1/repositories/team/other/manifests/$OTHER/quarantine" '{}'
check "a quarantine without a reason is refused" error_is 400 BAD_REQUEST
api admin DELETE "/api/v1/repositories/team/other/manifests/$OTHER/quarantine"
check "release one image" status_is 200
api admin DELETE "/api/v1/repositories/team/other/manifests/$OTHER/quarantine"
check "... twice: not quarantined any more" error_is 404 MANIFEST_UNKNOWN

# Who pushed and who pulled it: the audit trail by digest.
pulled_by_admin_and_guest() {
  api admin GET "/api/v1/audit?digest=$DIGEST&action=manifest.pull"
  json_true '([.events[].actor] | unique) as $a | ($a | index("admin")) != null and ($a | index("guest")) != null'
}
check "the audit query by digest names who pulled it (admin and guest)" eventually pulled_by_admin_and_guest
api admin GET "/api/v1/audit?digest=$DIGEST&action=manifest.push"
check "... and who pushed it" json_true '[.events[].actor] | unique == ["admin"]'

# ---- the audit trail ---------------------------------------------------------------------------
EXPORT=$T/audit.jsonl
# audit_has FILTER: a fresh export holds a matching event (pulls are queued: poll briefly).
audit_has() {
  "$BULWARK_BIN" audit export --data "$DATA" >"$EXPORT" 2>"$T/export.err" || { cat "$T/export.err"; return 1; }
  has_event "$1"
}
check "quarantine is audited with the reason" eventually audit_has \
  ".action == \"image.quarantine\" and .resource.digest == \"$DIGEST\" and (.reason | contains(\"$CVE\"))"
check "release is audited" eventually audit_has ".action == \"image.release\" and .resource.digest == \"$DIGEST\""
check "the refused pull is audited as denied" eventually audit_has \
  ".action == \"manifest.pull\" and .outcome == \"denied\" and .actor == \"guest\""

finish
