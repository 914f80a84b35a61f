#!/usr/bin/env bash
# Black-box test of `bulwark admin`: users, projects, members and robot accounts managed from the
# command line against a data directory, with exit codes (0 ok, 2 usage or operational error),
# the listings (-o json through jq), and the secrets rules: passwords never come from a command-line
# argument, generated passwords and robot secrets are printed once and appear in no listing, and
# only argon2id hashes reach the database (read with python3's sqlite3 module). Part of it runs
# while `bulwark serve` holds the same database.
#
# Usage: BULWARK_BIN=build/bulwark bash tests/e2e_admin.sh
# (bulwark only: this is the server's own administration CLI.)
# jq programs and `bash -c` scripts are single-quoted on purpose; predicates run through
# `check ... run_ok` (they are about a command, not an HTTP response).
# shellcheck disable=SC2016,SC2317
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $REGISTRY_IMPL == bulwark ]] || { echo "e2e_admin.sh tests bulwark only"; exit 0; }
[[ -n ${BULWARK_BIN:-} && -x $BULWARK_BIN ]] || die "BULWARK_BIN must name the bulwark executable"

OUT=$T/out
ERR=$T/err
LISTINGS=$T/listings  # every listing printed during the test, to search for leaked secrets
: >"$LISTINGS"
RC=0

# adm ARGS...: runs `bulwark admin ARGS --data $DATA` with stdin from /dev/null; keeps stdout in
# $OUT, stderr in $ERR and the exit code in $RC.
adm() { adm_in /dev/null "$@"; }
# adm_in FILE ARGS...: the same with stdin from FILE.
adm_in() {
  local input=$1
  shift
  RC=0
  "$BULWARK_BIN" admin "$@" --data "$DATA" <"$input" >"$OUT" 2>"$ERR" || RC=$?
  [[ " $* " == *" list "* ]] && cat "$OUT" >>"$LISTINGS"
  return 0
}

rc_is() {
  [[ $RC == "$1" ]] && return 0
  echo "expected exit $1, got $RC"
  echo "stdout: $(head -c 800 "$OUT")"
  echo "stderr: $(head -c 800 "$ERR")"
  return 1
}
# rc_is_with CODE TEXT: exit CODE and stderr mentions TEXT.
rc_is_with() {
  rc_is "$1" || return 1
  grep -q -F -- "$2" "$ERR" && return 0
  echo "expected stderr to mention: $2"
  echo "stderr: $(cat "$ERR")"
  return 1
}
# out_holds FILTER [jq args...]: jq -e FILTER holds on the last stdout.
out_holds() {
  local filter=$1
  shift
  jq -e "$@" "$filter" "$OUT" >/dev/null 2>&1 && return 0
  echo "expected stdout to satisfy: $filter"
  echo "stdout: $(head -c 1500 "$OUT")"
  return 1
}
# sql QUERY: one value from the metadata database (read-only).
sql() {
  python3 -c 'import sys, sqlite3
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
row = con.execute(sys.argv[2]).fetchone()
print("" if row is None else row[0])' "$DATA/metadata.sqlite" "$1"
}
sql_write() {
  python3 -c 'import sys, sqlite3
con = sqlite3.connect(sys.argv[1]); con.execute(sys.argv[2]); con.commit()' "$DATA/metadata.sqlite" "$1"
}
is_argon2id() {
  [[ $1 == '$argon2id$'* ]] && return 0
  echo "expected an argon2id PHC string, got: ${1:0:30}"
  return 1
}
# count_in FILE TEXT: how often TEXT occurs in FILE.
count_in() { grep -o -F -- "$2" "$1" | wc -l; }
differs() {
  [[ $1 != "$2" ]] && return 0
  echo "expected two different values, both are: $1"
  return 1
}

# ==============================================================================================
echo "## data directory"
DATA=$T/missing
adm user list
check "a missing data directory is an error (exit 2), not a new empty registry" run_ok rc_is_with 2 "does not exist"
check "... and nothing is created there" run_ok test ! -e "$T/missing"
DATA=$T/data

# ==============================================================================================
echo "## users"
adm user create alice --generate-password
check "user create --generate-password exits 0" run_ok rc_is 0
ALICE_PW=$(cat "$OUT")
check "the generated password is printed on stdout (one line, >= 32 characters)" run_ok \
  bash -c '[[ $(wc -l <"$1") == 1 && ${#2} -ge 32 ]]' _ "$OUT" "$ALICE_PW"
check "... and not on stderr" equals "$(count_in "$ERR" "$ALICE_PW")" 0
ALICE_HASH=$(sql "SELECT password_hash FROM users WHERE name = 'alice'")
check "the stored password is an argon2id hash" run_ok is_argon2id "$ALICE_HASH"
check "... not the password itself" run_ok bash -c '[[ $1 != *"$2"* ]]' _ "$ALICE_HASH" "$ALICE_PW"

printf 'correct horse battery staple\n' >"$T/bob.pw"
adm_in "$T/bob.pw" user create bob --admin --email bob@example.com --password-stdin
check "user create --admin --password-stdin exits 0" run_ok rc_is 0
check "... and prints nothing on stdout" run_ok test ! -s "$OUT"
adm_in "$T/bob.pw" user create bob --password-stdin
check "a duplicate user is refused (exit 2)" run_ok rc_is_with 2 "already exists"
adm user create carol --password hunter2-on-the-command-line
check "--password VALUE is not an option (exit 2)" run_ok rc_is 2
adm user create carol hunter2-on-the-command-line
check "a password as an extra argument is refused (exit 2)" run_ok rc_is 2
adm user create carol
check "without --password-stdin or --generate-password: exit 2" run_ok rc_is_with 2 "--password-stdin"
adm_in "$T/bob.pw" user create carol --password-stdin --generate-password
check "--password-stdin with --generate-password: exit 2" run_ok rc_is 2
adm user create carol --password-stdin
check "an empty password on stdin is refused (exit 2)" run_ok rc_is_with 2 "no password"
adm user create 'robot$x+y' --generate-password
check "an invalid user name is refused (exit 2)" run_ok rc_is_with 2 "invalid user name"
check "... and prints no password" run_ok test ! -s "$OUT"
check "none of the refused users exists" equals "$(sql "SELECT count(*) FROM users WHERE name <> 'alice' AND name <> 'bob'")" 0

adm user list -o json
check "user list -o json shows alice and bob, by name" run_ok out_holds 'map(.name) == ["alice", "bob"]'
check "... with admin, email, disabled and password_set" run_ok out_holds \
  '.[1] | .admin == true and .email == "bob@example.com" and .disabled == false and .password_set == true'
check "... and no field holding a hash or secret" run_ok out_holds \
  'all(.[]; keys == ["admin","created_at","disabled","email","name","password_set","totp_enrolled","updated_at"])'
adm user list
check "user list (table) names both users" run_ok bash -c 'grep -q "^alice " "$1" && grep -q "^bob " "$1"' _ "$OUT"

echo "## user passwd"
printf 'a brand new passphrase\r\n' >"$T/new.pw"
adm_in "$T/new.pw" user passwd alice --password-stdin
check "user passwd --password-stdin exits 0" run_ok rc_is 0
ALICE_HASH2=$(sql "SELECT password_hash FROM users WHERE name = 'alice'")
check "user passwd stores a new argon2id hash" run_ok is_argon2id "$ALICE_HASH2"
check "... different from the old one" run_ok differs "$ALICE_HASH2" "$ALICE_HASH"
adm_in "$T/new.pw" user passwd alice --password-stdin
check "the same password again gets a fresh salt (another hash)" run_ok differs \
  "$(sql "SELECT password_hash FROM users WHERE name = 'alice'")" "$ALICE_HASH2"
adm user passwd alice --generate-password
check "user passwd --generate-password prints the new password once" run_ok \
  bash -c '[[ $(wc -l <"$1") == 1 && $(wc -c <"$1") -ge 33 ]]' _ "$OUT"
ALICE_PW2=$(cat "$OUT")
adm_in "$T/new.pw" user passwd nobody --password-stdin
check "user passwd of an unknown user: exit 2" run_ok rc_is_with 2 "no user nobody"
adm user passwd alice
check "user passwd without a password source: exit 2" run_ok rc_is 2

echo "## TOTP secrets stay hidden"
TOTP=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
sql_write "UPDATE users SET totp_secret = '$TOTP' WHERE name = 'bob'"
adm user list -o json
check "user list reports TOTP enrolment" run_ok out_holds '(.[] | select(.name == "bob") | .totp_enrolled) == true'
adm user list
check "the table shows TOTP yes for bob" run_ok grep -Eq '^bob +yes +no +yes' "$OUT"

echo "## disable, enable, delete"
adm user disable alice
check "user disable exits 0" run_ok rc_is 0
adm user list -o json
check "alice is disabled" run_ok out_holds '(.[] | select(.name == "alice") | .disabled) == true'
adm user enable alice
adm user list -o json
check "user enable enables her again" run_ok out_holds '(.[] | select(.name == "alice") | .disabled) == false'
adm user disable nobody
check "user disable of an unknown user: exit 2" run_ok rc_is_with 2 "no user nobody"
adm user delete bob
check "deleting the last enabled administrator is refused (exit 2)" run_ok rc_is_with 2 "last enabled administrator"
adm user disable bob
check "disabling the last enabled administrator is refused (exit 2)" run_ok rc_is_with 2 "last enabled administrator"
adm user create root2 --admin --generate-password
ROOT2_PW=$(cat "$OUT")
adm user disable bob
check "with a second administrator bob can be disabled" run_ok rc_is 0

# ==============================================================================================
echo "## projects"
adm project create team --public --environment staging
check "project create --public --environment staging exits 0" run_ok rc_is 0
adm project create quiet
check "project create with defaults exits 0" run_ok rc_is 0
adm project create team
check "a duplicate project is refused (exit 2)" run_ok rc_is_with 2 "already exists"
adm project create Team/x
check "an invalid project name is refused (exit 2)" run_ok rc_is_with 2 "invalid project name"
adm project create odd --environment moon
check "an unknown environment is refused (exit 2)" run_ok rc_is 2
adm project list -o json
check "project list -o json shows both with visibility and environment" run_ok out_holds \
  '. == [{"name":"quiet","visibility":"private","environment":"development","allowed_networks":[],"created_at":.[0].created_at},
         {"name":"team","visibility":"public","environment":"staging","allowed_networks":[],"created_at":.[1].created_at}]'
adm project update quiet --public --environment production
check "project update exits 0" run_ok rc_is 0
adm project list -o json
check "... and changes visibility and environment" run_ok out_holds \
  '(.[] | select(.name == "quiet") | [.visibility, .environment]) == ["public", "production"]'
adm project update quiet --private
adm project list -o json
check "project update --private keeps the environment" run_ok out_holds \
  '(.[] | select(.name == "quiet") | [.visibility, .environment]) == ["private", "production"]'
adm project update quiet
check "project update with nothing to change: exit 2" run_ok rc_is_with 2 "nothing to change"
adm project update quiet --public --private
check "project update --public --private: exit 2" run_ok rc_is 2
adm project update ghost --public
check "project update of an unknown project: exit 2" run_ok rc_is_with 2 "no project ghost"
adm project delete ghost
check "project delete of an unknown project: exit 2" run_ok rc_is_with 2 "no project ghost"

# ==============================================================================================
echo "## members"
adm member set team --user alice --role developer
check "member set --user exits 0" run_ok rc_is 0
adm member set team --group ops --role maintainer
check "member set --group exits 0" run_ok rc_is 0
adm member list team -o json
check "member list shows the group then the user, with roles" run_ok out_holds \
  'map([.kind, .name, .role]) == [["group","ops","maintainer"],["user","alice","developer"]]'
adm member set team --user alice --role project_admin
adm member list team -o json
check "member set again changes the role" run_ok out_holds \
  '(.[] | select(.name == "alice") | .role) == "project_admin"'
adm member set team --user alice --role owner
check "a bad role is refused (exit 2)" run_ok rc_is 2
adm member set ghost --user alice --role guest
check "member set on an unknown project: exit 2" run_ok rc_is_with 2 "no project ghost"
adm member set team --role guest
check "member set without --user or --group: exit 2" run_ok rc_is 2
adm member set team --user alice --group ops --role guest
check "member set with both --user and --group: exit 2" run_ok rc_is 2
adm member remove team --group ops
check "member remove exits 0" run_ok rc_is 0
adm member remove team --group ops
check "removing a non-member: exit 2" run_ok rc_is_with 2 "not a member"
adm member list team -o json
check "member list after the removal" run_ok out_holds 'map(.name) == ["alice"]'
adm member list ghost
check "member list of an unknown project: exit 2" run_ok rc_is_with 2 "no project ghost"
adm user delete alice
adm member list team -o json
check "deleting a user removes its memberships" run_ok out_holds '. == []'

# ==============================================================================================
echo "## robots"
NOW=$(date +%s)
adm robot create team ci --expires 90d --kind ci --rule 'team/*=pull,push' --rule 'team/apps/**=pull' -o json
check "robot create -o json exits 0" run_ok rc_is 0
check "it prints name, secret and expires_at" run_ok out_holds \
  'keys == ["expires_at","name","secret"] and .name == "robot$team+ci" and (.secret | length) >= 32'
check "expires_at is 90 days from now" run_ok out_holds \
  '.expires_at >= $now + 90*86400 and .expires_at <= $now + 90*86400 + 60' --argjson now "$NOW"
CI_SECRET=$(jq -r .secret "$OUT")
check "the secret is printed exactly once" equals "$(count_in "$OUT" "$CI_SECRET")" 1
check "... and not on stderr" equals "$(count_in "$ERR" "$CI_SECRET")" 0
CI_HASH=$(sql "SELECT secret_hash FROM robots WHERE name = 'robot\$team+ci'")
check "only an argon2id hash of the secret is stored" run_ok is_argon2id "$CI_HASH"
check "the stored permissions are canonical JSON" equals \
  "$(sql "SELECT permissions FROM robots WHERE name = 'robot\$team+ci'")" \
  '{"kind":"ci","rules":[{"repository":"team/*","actions":["pull","push"]},{"repository":"team/apps/**","actions":["pull"]}]}'
adm robot create team reader --expires 12h --rule 'team/*=pull'
check "robot create (table) exits 0" run_ok rc_is 0
check "the table shows name and secret" run_ok \
  bash -c 'grep -q "^name: *robot\$team+reader$" "$1" && grep -Eq "^secret: *[A-Za-z0-9_-]{32,}$" "$1"' _ "$OUT"
READER_SECRET=$(sed -n 's/^secret: *//p' "$OUT")

adm robot create team bad --expires 90d --rule 'team/*=pull,fly'
check "an unknown action is refused with a clear message (exit 2)" run_ok rc_is_with 2 'unknown action "fly"'
adm robot create team bad --expires 90d --rule 'team/*'
check "a rule without actions is refused (exit 2)" run_ok rc_is_with 2 "PATTERN=ACTION"
adm robot create team bad --expires 90d --rule 'other/*=pull'
check "a rule outside the robot's project is refused (exit 2)" run_ok rc_is_with 2 "outside project team"
adm robot create team bad --expires 90d
check "a robot without rules is refused (exit 2)" run_ok rc_is_with 2 "--rule"
adm robot create team bad --rule 'team/*=pull'
check "--expires is mandatory (exit 2)" run_ok rc_is 2
adm robot create team bad --expires forever --rule 'team/*=pull'
check "a malformed --expires is refused (exit 2)" run_ok rc_is_with 2 "invalid duration"
adm robot create team bad --expires 0d --rule 'team/*=pull'
check "--expires 0 is refused (exit 2)" run_ok rc_is 2
adm robot create team bad --expires 1d --kind superuser --rule 'team/*=pull'
check "an unknown --kind is refused (exit 2)" run_ok rc_is 2
adm robot create ghost bad --expires 1d --rule 'ghost/*=pull'
check "a robot of an unknown project is refused (exit 2)" run_ok rc_is_with 2 "no project ghost"
adm robot create team ci --expires 1d --rule 'team/*=pull'
check "a duplicate robot is refused (exit 2)" run_ok rc_is_with 2 "already exists"
check "... and prints no secret" run_ok test ! -s "$OUT"
check "no refused robot was stored" equals "$(sql 'SELECT count(*) FROM robots')" 2

adm robot list -o json
check "robot list -o json shows both robots with kind, rules and status" run_ok out_holds \
  'map([.name, .project, .kind, .status]) == [["robot$team+ci","team","ci","active"],["robot$team+reader","team","generic","active"]]
   and .[0].rules == [{"repository":"team/*","actions":["pull","push"]},{"repository":"team/apps/**","actions":["pull"]}]'
check "robot list has no secret or hash field" run_ok out_holds 'all(.[]; has("secret") or has("secret_hash") | not)'
check "created_by names the local operator" run_ok out_holds 'all(.[]; .created_by | startswith("cli:"))'
adm robot list --project quiet -o json
check "robot list --project filters" run_ok out_holds '. == []'

echo "## rotate and revoke"
adm robot rotate 'robot$team+ci' --expires 1d -o json
check "robot rotate exits 0" run_ok rc_is 0
CI_SECRET2=$(jq -r .secret "$OUT")
check "rotate prints a new secret once" run_ok \
  bash -c '[[ ${#1} -ge 32 && $1 != "$2" && $(grep -o -F -- "$1" "$3" | wc -l) == 1 ]]' _ "$CI_SECRET2" "$CI_SECRET" "$OUT"
check "rotate --expires 1d sets the new expiry" run_ok out_holds \
  '.expires_at >= $now + 86400 and .expires_at <= $now + 86400 + 60' --argjson now "$NOW"
check "rotate replaces the stored hash" run_ok differs "$(sql "SELECT secret_hash FROM robots WHERE name = 'robot\$team+ci'")" "$CI_HASH"
adm robot revoke 'robot$team+ci'
check "robot revoke exits 0" run_ok rc_is 0
adm robot list -o json
check "the revoked robot is listed as revoked with revoked_at" run_ok out_holds \
  '(.[] | select(.name == "robot$team+ci") | .status == "revoked" and (.revoked_at | type) == "number")'
adm robot rotate 'robot$team+ci'
check "a revoked robot cannot be rotated (exit 2)" run_ok rc_is_with 2 "revoked"
check "... and no secret is printed" run_ok test ! -s "$OUT"
adm robot revoke 'robot$team+nope'
check "revoking an unknown robot: exit 2" run_ok rc_is_with 2 'no robot robot$team+nope'
sql_write "UPDATE robots SET expires_at = 1 WHERE name = 'robot\$team+reader'"
adm robot list -o json
check "an expired robot is listed as expired" run_ok out_holds \
  '(.[] | select(.name == "robot$team+reader") | .status) == "expired"'
adm robot rotate 'robot$team+reader'
check "rotating an expired robot needs --expires (exit 2)" run_ok rc_is_with 2 "--expires"
adm robot rotate 'robot$team+reader' --expires 2h
check "rotate --expires revives an expired robot" run_ok rc_is 0
READER_SECRET2=$(sed -n 's/^secret: *//p' "$OUT")

# ==============================================================================================
echo "## while bulwark serve holds the database"
start_registry
adm_in "$T/bob.pw" user create dave --password-stdin
check "user create works while the server runs" run_ok rc_is 0
adm project create live --environment production
check "project create works while the server runs" run_ok rc_is 0
adm robot create live deploy --expires 7d --kind release --rule 'live/**=pull,push' -o json
check "robot create works while the server runs" run_ok rc_is 0
LIVE_SECRET=$(jq -r .secret "$OUT")
adm user list -o json
check "user list sees the new user" run_ok out_holds 'any(.[]; .name == "dave")'
req GET /v2/
check "the server still answers after the CLI wrote to its database" status_below_500
stop_registry
adm robot list --project live -o json
check "the robot is still there after the server stopped" run_ok out_holds 'map(.name) == ["robot$live+deploy"]'

echo "## project delete"
adm project delete team
check "project delete exits 0" run_ok rc_is 0
adm robot list --project team -o json
check "deleting a project deletes its robots" run_ok out_holds '. == []'
adm project list -o json
check "the project is gone" run_ok out_holds 'map(.name) == ["live", "quiet"]'

# ==============================================================================================
echo "## client network allow-lists"
adm project update live --allow-network 10.0.0.0/8 --allow-network 2001:db8::/32
check "project update --allow-network (repeatable) exits 0" run_ok rc_is 0
adm project list -o json
check "... and stores the allow-list" run_ok out_holds \
  '(.[] | select(.name == "live") | .allowed_networks) == ["10.0.0.0/8", "2001:db8::/32"]'
adm project update live --allow-network 10.1.2.3/8
check "a network with host bits set is refused (exit 2)" run_ok rc_is 2
adm project update live --allow-network 10.0.0.0/8 --any-network
check "--allow-network with --any-network: exit 2" run_ok rc_is 2
adm project update live --any-network
check "project update --any-network exits 0" run_ok rc_is 0
adm project list -o json
check "... and clears the allow-list" run_ok out_holds \
  '(.[] | select(.name == "live") | .allowed_networks) == []'
adm robot create live net --expires 1d --rule 'live/*=pull' --allow-network 192.0.2.0/24 -o json
check "robot create --allow-network exits 0" run_ok rc_is 0
NET_SECRET=$(jq -r .secret "$OUT")
adm robot list --project live -o json
check "... and the robot lists its allow-list" run_ok out_holds \
  '(.[] | select(.name == "robot$live+net") | .allowed_networks) == ["192.0.2.0/24"]'
adm robot create live bad --expires 1d --rule 'live/*=pull' --allow-network somewhere
check "robot create with an invalid network is refused (exit 2)" run_ok rc_is 2
adm robot networks 'robot$live+net' --allow-network 198.51.100.7 --allow-network ::1
check "robot networks --allow-network exits 0" run_ok rc_is 0
adm robot list --project live -o json
check "... and replaces the allow-list" run_ok out_holds \
  '(.[] | select(.name == "robot$live+net") | .allowed_networks) == ["198.51.100.7", "::1"]'
adm robot networks 'robot$live+net' --any-network
adm robot list --project live -o json
check "robot networks --any-network clears it" run_ok out_holds \
  '(.[] | select(.name == "robot$live+net") | .allowed_networks) == []'
adm robot networks 'robot$live+net'
check "robot networks without --allow-network or --any-network: exit 2" run_ok rc_is_with 2 "--any-network"
adm robot networks 'robot$live+none' --any-network
check "robot networks of an unknown robot: exit 2" run_ok rc_is_with 2 'no robot robot$live+none'

echo "## TOTP enrolment"
adm user totp enrol dave -o json
check "user totp enrol exits 0" run_ok rc_is 0
check "... and prints the secret and the otpauth:// URI once" run_ok out_holds \
  '(.secret | test("^[A-Z2-7]{32}$")) and (.uri | startswith("otpauth://totp/Bulwark:dave?secret="))'
DAVE_TOTP=$(jq -r .secret "$OUT")
check "the stored TOTP secret is the printed one" equals "$(sql "SELECT totp_secret FROM users WHERE name = 'dave'")" "$DAVE_TOTP"
adm user list -o json
check "user list shows dave enrolled" run_ok out_holds '(.[] | select(.name == "dave") | .totp_enrolled) == true'
adm user totp enrol dave
check "enrolling again is refused (exit 2)" run_ok rc_is_with 2 "already has TOTP"
adm user totp enrol ghost
check "enrolling an unknown user: exit 2" run_ok rc_is_with 2 "no user ghost"
adm user totp remove dave
check "user totp remove exits 0" run_ok rc_is 0
check "... and clears the stored secret" equals "$(sql "SELECT totp_secret FROM users WHERE name = 'dave'")" ""
adm user totp remove dave
check "removing it again: exit 2" run_ok rc_is_with 2 "no TOTP"

# ==============================================================================================
echo "## no secret in any listing"
no_secret_listed() {
  local s bad=0
  for s in "$@"; do
    [[ -n $s ]] || { echo "a secret to look for is empty"; bad=1; continue; }
    if grep -q -F -- "$s" "$LISTINGS"; then
      echo "a listing shows the secret or hash starting ${s:0:12}..."
      bad=1
    fi
  done
  return "$bad"
}
check "listings ($(wc -l <"$LISTINGS") lines) show no password, robot secret, hash or TOTP secret" \
  run_ok no_secret_listed "$ALICE_PW" "$ALICE_PW2" "$ROOT2_PW" "correct horse battery staple" \
  "a brand new passphrase" "$CI_SECRET" "$CI_SECRET2" "$READER_SECRET" "$READER_SECRET2" \
  "$LIVE_SECRET" "$NET_SECRET" "$DAVE_TOTP" "$ALICE_HASH" "$CI_HASH" '$argon2id$' "$TOTP"

# ==============================================================================================
echo "## every change is in the audit trail"
"$BULWARK_BIN" audit export --data "$DATA" >"$T/audit.jsonl" 2>"$T/audit.err"
check "audit export exits 0" run_ok test -s "$T/audit.jsonl"
check "user create alice is recorded with the local actor" run_ok jq -e -s \
  'map(.event | select(.action == "user.create" and .reason == "targets: alice"
       and .outcome == "allowed" and (.actor | startswith("cli:")))) | length == 1' "$T/audit.jsonl"
check "a refused change is recorded as an error" run_ok jq -e -s \
  'map(select(.event.outcome == "error")) | length >= 1' "$T/audit.jsonl"
check "listings are not recorded" run_ok jq -e -s \
  'map(select(.event.action | endswith(".list"))) | length == 0' "$T/audit.jsonl"
cp "$T/audit.jsonl" "$LISTINGS"
check "the audit trail holds no password, robot secret or hash" \
  run_ok no_secret_listed "$ALICE_PW" "$ALICE_PW2" "$ROOT2_PW" "$CI_SECRET" "$CI_SECRET2" \
  "$READER_SECRET" "$READER_SECRET2" "$LIVE_SECRET" "$NET_SECRET" "$DAVE_TOTP" "$ALICE_HASH" \
  "$CI_HASH" '$argon2id$'
check "the new commands are recorded too" run_ok jq -e -s \
  '[.[].event.action] as $a | all(("project.update", "robot.networks", "user.totp.enrol", "user.totp.remove"); . as $x | $a | index($x))' \
  "$T/audit.jsonl"
"$BULWARK_BIN" audit verify --data "$DATA" -o json >"$T/verify.json" 2>&1
check "audit verify: the trail is intact and every record is under a signed checkpoint" run_ok jq -e \
  '.ok == true' "$T/verify.json"
python3 - "$DATA/metadata.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")
db.commit()
PY
rc=0; "$BULWARK_BIN" audit verify --data "$DATA" >"$T/verify2.txt" 2>&1 || rc=$?
check "deleting the newest admin record is detected (exit 1)" equals "$rc" 1

echo "## audit query"
# aq ARGS...: runs `bulwark audit query ARGS --data $DATA`; stdout in $OUT, stderr in $ERR, exit in $RC.
aq() {
  RC=0
  "$BULWARK_BIN" audit query "$@" --data "$DATA" </dev/null >"$OUT" 2>"$ERR" || RC=$?
}
aq --action user.create -o json
check "audit query --action -o json exits 0" run_ok rc_is 0
check "... prints only that action, one JSON object per line with seq and an RFC 3339 time" run_ok \
  jq -e -s 'length >= 3 and all(.[]; .action == "user.create"
            and (.seq | type) == "number" and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")))' "$OUT"
check "... including the creation of alice" run_ok jq -e -s 'any(.[]; .reason == "targets: alice")' "$OUT"
ACTOR=$(jq -r -s '.[0].actor' "$OUT")
aq --actor "$ACTOR" --action project.create --limit 2 -o json
check "--actor, --action and --limit combine (a full page of 2)" run_ok jq -e -s \
  --arg a "$ACTOR" 'length == 2 and all(.[]; .actor == $a and .action == "project.create")' "$OUT"
CURSOR=$(jq -r -s '.[1].seq' "$OUT")
check "a full page prints the next --after cursor" run_ok grep -q -F -- "--after $CURSOR" "$ERR"
aq --actor "$ACTOR" --action project.create --after "$CURSOR" -o json
check "--after pages on past the cursor" run_ok jq -e -s \
  --argjson c "$CURSOR" 'length >= 1 and all(.[]; .seq > $c and .action == "project.create")' "$OUT"
aq --action project.create
check "the table has aligned columns with a header" run_ok \
  bash -c 'head -n 1 "$1" | grep -Eq "^SEQ +TIME +ACTOR +ACTION +OUTCOME +RESOURCE +REASON$" &&
           grep -Eq "^[0-9]+ +[0-9T:.-]+Z +cli:[^ ]+ +project\.create +(allowed|error) " "$1"' _ "$OUT"
aq --since 2999-01-01T00:00:00Z -o json
check "--since in the future matches nothing" run_ok bash -c '[[ $2 == 0 && ! -s $1 ]]' _ "$OUT" "$RC"
aq --limit 1001
check "--limit above 1000 is refused (exit 2)" run_ok rc_is 2
aq --until yesterday
check "a malformed --until is refused (exit 2)" run_ok rc_is_with 2 "RFC 3339"

finish
