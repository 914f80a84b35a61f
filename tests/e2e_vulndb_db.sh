#!/usr/bin/env bash
# `bulwark db import|status` end to end (issue 5), against figures computed here from the sample
# files themselves (python over the feeds, and the independent tests/vulndb/*_expect.py readers):
#   - several shared feed samples imported into a fresh database: `db status --json` counts each
#     source's records and affected entries as the feeds say;
#   - a re-import changes nothing and keeps the generation; an unrecognized or missing path exits
#     2 naming it and changes nothing;
#   - `--from URL` with the bundle served by a real nginx: a tar.gz of feed directories with the
#     right --sha256 is imported (origin = the URL), a wrong --sha256 is refused and changes
#     nothing, a single feed file and a zstd bundle work too; hostile bundles ("../x", a symlink
#     leading out, a device node) are refused, nothing lands outside, no scratch dir is left;
#   - the default database path, for `db import`, `db status` and `bulwark scan`: --db, else
#     $BULWARK_VULNDB, else <data>/vulndb.sqlite with --data, else $BULWARK_DATA, else ./var (the
#     data directory is created by `db import`; nothing is written under $HOME).
source "$(dirname "$0")/lib.sh"

[[ -n ${BULWARK_BIN:-} && -x ${BULWARK_BIN:-} ]] || die "BULWARK_BIN must name the bulwark executable"
V=${BULWARK_SHARED:?set BULWARK_SHARED to the shared data folder}/data/vulndb
[[ -d $V ]] || die "no feed samples at $V"
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || die "nginx (Debian package) is not installed"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
unset BULWARK_VULNDB BULWARK_DATA

DB=$T/db/vulndb.sqlite
OUT=$T/out.txt
ERR=$T/err.txt

# db ARGS...: runs `bulwark db ARGS`; stdout in $OUT, stderr in $ERR, exit code in $RC.
db() {
  RC=0
  "$BULWARK_BIN" db "$@" >"$OUT" 2>"$ERR" || RC=$?
}
rc_is() {
  [[ $RC == "$1" ]] && return 0
  echo "expected exit $1, got $RC"
  echo "stdout:"; head -c 2000 "$OUT"
  echo "stderr:"; head -c 2000 "$ERR"
  return 1
}
contains() { # FILE TEXT
  grep -qF -- "$2" "$1" && return 0
  echo "expected $1 to contain: $2"
  head -c 2000 "$1"
  return 1
}
status_json() { "$BULWARK_BIN" db status --db "$1" --json; }
# src FILTER DBFILE: jq FILTER over `db status --json`.
js() { status_json "$2" | jq -r "$1"; }
no_scratch_left() {
  local left
  left=$(find "$1" -maxdepth 1 -name '.bulwark-import-*' | head -n 3)
  [[ -z $left ]] && return 0
  echo "scratch directories left behind: $left"
  return 1
}

# --- independent figures ----------------------------------------------------------------------
KEV_FILE=$V/kev/known_exploited_vulnerabilities.json
EPSS_DIR=$V/epss/EPSS_CVE_data
RUSTSEC_DIR=$V/rustsec/crates
RUBYSEC_DIR=$V/rubysec/gems
kev_records=$(python3 -c 'import json,sys; print(len({e["cveID"] for e in json.load(open(sys.argv[1]))["vulnerabilities"]}))' "$KEV_FILE")
epss_records=$(python3 "$TESTS_DIR/vulndb/epss_expect.py" "$EPSS_DIR"/*.csv | cut -f1 | sort -u | wc -l)
rustsec_records=$(python3 "$TESTS_DIR/vulndb/rustsec_expect.py" "$RUSTSEC_DIR" | awk -F'\t' '$1=="COUNT"{print $2}')
rustsec_affected=$(python3 "$TESTS_DIR/vulndb/rustsec_expect.py" "$RUSTSEC_DIR" | grep -c '^AFFECTED')
rubysec_records=$(python3 "$TESTS_DIR/vulndb/rubysec_expect.py" "$RUBYSEC_DIR" | awk -F'\t' '$1=="COUNT"{print $2}')
rubysec_affected=$(python3 "$TESTS_DIR/vulndb/rubysec_expect.py" "$RUBYSEC_DIR" | grep -c '^AFFECTED')
for n in "$kev_records" "$epss_records" "$rustsec_records" "$rustsec_affected" "$rubysec_records" "$rubysec_affected"; do
  [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "could not compute the expected figures ($n)"
done

# --- a missing database ------------------------------------------------------------------------
db status --db "$DB"
check "status of a missing database exits 2" rc_is 2
check "status of a missing database says how to create it" contains "$ERR" "bulwark db import"
check "status does not create the database" run_ok test ! -e "$DB"

# --- import of local samples -----------------------------------------------------------------
db import --db "$DB" "$KEV_FILE" "$EPSS_DIR" "$RUSTSEC_DIR" "$RUBYSEC_DIR" "$V/alpine-secdb"
check "import of five samples succeeds" rc_is 0
check "import reports rustsec's additions" contains "$OUT" "rustsec: $rustsec_records added, 0 updated, 0 unchanged"
check "import reports kev's additions" contains "$OUT" "kev: $kev_records added, 0 updated, 0 unchanged"
check "import says it changed the database" contains "$OUT" "generation 1 (changed)"
check "status: kev records" equals "$(js '.sources[] | select(.source=="kev") | .records' "$DB")" "$kev_records"
check "status: epss records" equals "$(js '.sources[] | select(.source=="epss") | .records' "$DB")" "$epss_records"
check "status: rustsec records" equals "$(js '.sources[] | select(.source=="rustsec") | .records' "$DB")" "$rustsec_records"
check "status: rustsec affected" equals "$(js '.sources[] | select(.source=="rustsec") | .affected' "$DB")" "$rustsec_affected"
check "status: rubysec records" equals "$(js '.sources[] | select(.source=="rubysec") | .records' "$DB")" "$rubysec_records"
check "status: rubysec affected" equals "$(js '.sources[] | select(.source=="rubysec") | .affected' "$DB")" "$rubysec_affected"
check "status: alpine present with records" run_ok test "$(js '.sources[] | select(.source=="alpine") | .records' "$DB")" -gt 0
check "status: generation 1" equals "$(js .generation "$DB")" 1
check "status: origin is the path" equals "$(js '.sources[] | select(.source=="kev") | .origin' "$DB")" "$KEV_FILE"
check "status: path" equals "$(js .path "$DB")" "$DB"
db status --db "$DB"
check "status table exits 0" rc_is 0
check "status table has its header" run_ok grep -qE '^SOURCE +RECORDS +AFFECTED +IMPORTED +ORIGIN' "$OUT"
check "status table has the kev row" run_ok grep -qE "^kev +$kev_records +0 +[0-9]+s ago +$KEV_FILE\$" "$OUT"
check "status table names the generation" contains "$OUT" "generation 1"
status_json "$DB" >"$T/status1.json"

# --- re-import: nothing changes ------------------------------------------------------------------
db import --db "$DB" "$KEV_FILE" "$EPSS_DIR" "$RUSTSEC_DIR" "$RUBYSEC_DIR" "$V/alpine-secdb"
check "re-import succeeds" rc_is 0
check "re-import: rustsec unchanged" contains "$OUT" "rustsec: 0 added, 0 updated, $rustsec_records unchanged"
check "re-import: epss unchanged" contains "$OUT" "epss: 0 added, 0 updated, $epss_records unchanged"
check "re-import says unchanged" contains "$OUT" "generation 1 (unchanged)"
check "re-import keeps the generation" equals "$(js .generation "$DB")" 1
check "re-import keeps changed_at" equals "$(js '[.sources[].changed_at]|join(",")' "$DB")" "$(jq -r '[.sources[].changed_at]|join(",")' "$T/status1.json")"

# --- bad paths change nothing --------------------------------------------------------------------
status_json "$DB" >"$T/status1b.json"  # the re-import recorded its time
echo "just some notes" >"$T/notes.txt"
db import --db "$DB" "$V/friendsofphp" "$T/notes.txt"
check "an unrecognized path exits 2" rc_is 2
check "the error names the unrecognized path" contains "$ERR" "$T/notes.txt"
db import --db "$DB" "$T/does-not-exist"
check "a missing path exits 2" rc_is 2
check "the error names the missing path" contains "$ERR" "does-not-exist"
db import --db "$DB"
check "import without paths or --from exits 2" rc_is 2
status_json "$DB" >"$T/status2.json"
check "refused imports changed nothing" run_ok cmp "$T/status1b.json" "$T/status2.json"

# --- bundles over HTTP from nginx ----------------------------------------------------------------
WWW=$T/www
NG=$T/nginx
mkdir -p "$WWW" "$NG/tmp" "$T/feeds/kev" "$T/feeds/rustsec"
cp "$KEV_FILE" "$T/feeds/kev/"
cp -r "$RUSTSEC_DIR" "$T/feeds/rustsec/crates"
cp -r "$V/friendsofphp" "$T/feeds/friendsofphp"
tar czf "$WWW/bundle.tgz" -C "$T/feeds" .
tar --zstd -cf "$WWW/bundle.tar.zst" -C "$T/feeds" kev
cp "$KEV_FILE" "$WWW/kev.json"
python3 - "$WWW" <<'EOF' || die "cannot write the hostile bundles"
# Hostile bundles: each has one harmless feed file and one entry that must be refused.
import io, json, sys, tarfile
www = sys.argv[1]
feed = json.dumps({"catalogVersion": "1", "vulnerabilities": []}).encode()
def bundle(name, evil):
    with tarfile.open(f"{www}/{name}", "w:gz") as t:
        info = tarfile.TarInfo("kev/kev.json"); info.size = len(feed)
        t.addfile(info, io.BytesIO(feed))
        evil(t)
def climb(t):
    data = b"escaped\n"
    info = tarfile.TarInfo("../x"); info.size = len(data)
    t.addfile(info, io.BytesIO(data))
def link_out(t):
    info = tarfile.TarInfo("kev/etc"); info.type = tarfile.SYMTYPE; info.linkname = "../../.."
    t.addfile(info)
def device(t):
    info = tarfile.TarInfo("kev/null"); info.type = tarfile.CHRTYPE; info.devmajor = 1; info.devminor = 3
    t.addfile(info)
bundle("climb.tgz", climb)
bundle("link.tgz", link_out)
bundle("device.tgz", device)
EOF
port=$(free_port)
cat >"$NG/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 64; }
http {
  access_log $NG/access.log;
  client_body_temp_path $NG/tmp/body;
  proxy_temp_path $NG/tmp/proxy;
  fastcgi_temp_path $NG/tmp/fastcgi;
  uwsgi_temp_path $NG/tmp/uwsgi;
  scgi_temp_path $NG/tmp/scgi;
  types { application/octet-stream tgz zst; application/json json; }
  server {
    listen 127.0.0.1:$port;
    root $WWW;
  }
}
EOF
"$NGINX" -e "$NG/error.log" -p "$NG" -c "$NG/nginx.conf" >>"$NG/error.log" 2>&1 &
track_pid $!
BASE=http://127.0.0.1:$port
for ((i = 0; i < 100; i++)); do
  curl -sf -o /dev/null "$BASE/kev.json" && break
  sleep 0.1
done
curl -sf -o /dev/null "$BASE/kev.json" || { cat "$NG/error.log"; die "nginx did not start"; }

sum=$(sha256sum "$WWW/bundle.tgz" | cut -d' ' -f1)
FROM_DB=$T/from/vulndb.sqlite
db import --db "$FROM_DB" --from "$BASE/bundle.tgz" --sha256 "$sum"
check "--from bundle with the right sha256 succeeds" rc_is 0
check "--from: kev records" equals "$(js '.sources[] | select(.source=="kev") | .records' "$FROM_DB")" "$kev_records"
check "--from: rustsec records" equals "$(js '.sources[] | select(.source=="rustsec") | .records' "$FROM_DB")" "$rustsec_records"
check "--from: friendsofphp imported" run_ok test "$(js '.sources[] | select(.source=="friendsofphp") | .records' "$FROM_DB")" -gt 0
check "--from: origin is the URL" equals "$(js '[.sources[].origin]|unique|join(",")' "$FROM_DB")" "$BASE/bundle.tgz"
check "--from: no scratch directory left" no_scratch_left "$T/from"

status_json "$DB" >"$T/status3.json"
db import --db "$DB" --from "$BASE/bundle.tgz" --sha256 "$(printf '%064d' 0)"
check "--from with a wrong sha256 exits 2" rc_is 2
check "--from with a wrong sha256 says so" contains "$ERR" "sha256"
check "--from with a wrong sha256 names the actual digest" contains "$ERR" "$sum"
status_json "$DB" >"$T/status4.json"
check "a refused bundle changed nothing" run_ok cmp -s "$T/status3.json" "$T/status4.json"
check "a refused bundle leaves no scratch directory" no_scratch_left "$T/db"

db import --db "$DB" --from "$BASE/kev.json"
check "--from a single feed file succeeds" rc_is 0
check "--from a single feed file: kev unchanged" contains "$OUT" "kev: 0 added, 0 updated, $kev_records unchanged"
check "--from a single feed file: origin recorded" equals "$(js '.sources[] | select(.source=="kev") | .origin' "$DB")" "$BASE/kev.json"
check "--from a single feed file: generation kept" equals "$(js .generation "$DB")" 1

db import --db "$DB" --from "$BASE/bundle.tar.zst" --sha256 "sha256:$(sha256sum "$WWW/bundle.tar.zst" | cut -d' ' -f1)"
check "--from a zstd bundle succeeds" rc_is 0
check "--from a zstd bundle: kev unchanged" contains "$OUT" "kev: 0 added, 0 updated, $kev_records unchanged"

db import --db "$DB" --from "$BASE/missing.tgz"
check "--from a 404 exits 2" rc_is 2
check "--from a 404 says so" contains "$ERR" "404"

status_json "$DB" >"$T/status5.json"
for evil in climb link device; do
  mkdir -p "$T/evil-$evil"
  db import --db "$T/evil-$evil/vulndb.sqlite" --from "$BASE/$evil.tgz"
  check "hostile bundle ($evil) exits 2" rc_is 2
  check "hostile bundle ($evil) is refused with a reason" contains "$ERR" "refusing the bundle"
  check "hostile bundle ($evil) leaves no scratch directory" no_scratch_left "$T/evil-$evil"
  check "hostile bundle ($evil) imported nothing" equals "$(js '.sources|length' "$T/evil-$evil/vulndb.sqlite")" 0
  db import --db "$DB" --from "$BASE/$evil.tgz"
  check "hostile bundle ($evil) into the main database exits 2" rc_is 2
done
check "the climbing entry landed nowhere" run_ok test ! -e "$T/evil-climb/x" -a ! -e "$T/x" -a ! -e "$T/db/x"
status_json "$DB" >"$T/status6.json"
check "hostile bundles changed nothing" run_ok cmp -s "$T/status5.json" "$T/status6.json"

# --- the default database path -------------------------------------------------------------------
# import_here DIR ARGS...: `bulwark db import ARGS` run in DIR with HOME and XDG_CACHE_HOME there too.
import_here() {
  local dir=$1
  shift
  mkdir -p "$dir"
  RC=0
  (cd "$dir" && HOME=$dir/home XDG_CACHE_HOME=$dir/xdg "$BULWARK_BIN" db import "$@") >"$OUT" 2>"$ERR" || RC=$?
}
import_here "$T/p1" "$KEV_FILE"
check "default: import succeeds" rc_is 0
check "default: the database is ./var/vulndb.sqlite" run_ok test -s "$T/p1/var/vulndb.sqlite"
check "default: the import names it" contains "$OUT" "var/vulndb.sqlite: generation 1"
check "default: nothing under HOME or XDG_CACHE_HOME" run_ok test ! -e "$T/p1/home" -a ! -e "$T/p1/xdg"
check "default: kev imported" equals "$(js '.sources[] | select(.source=="kev") | .records' "$T/p1/var/vulndb.sqlite")" "$kev_records"
RC=0
(cd "$T/p1" && "$BULWARK_BIN" db status --json) >"$OUT" 2>"$ERR" || RC=$?
check "default: status finds ./var/vulndb.sqlite" rc_is 0
check "default: status counts kev" equals "$(jq -r '.sources[] | select(.source=="kev") | .records' "$OUT")" "$kev_records"

import_here "$T/p2" --data "$T/p2/data dir/nested" "$KEV_FILE"
check "--data: import succeeds" rc_is 0
check "--data: the data directory is created and holds vulndb.sqlite" run_ok test -s "$T/p2/data dir/nested/vulndb.sqlite"
check "--data: no ./var" run_ok test ! -e "$T/p2/var"
db status --data "$T/p2/data dir/nested" --json
check "--data: status finds it" rc_is 0
check "--data: status names it" equals "$(jq -r .path "$OUT")" "$T/p2/data dir/nested/vulndb.sqlite"

BULWARK_DATA=$T/p3/envdata import_here "$T/p3" "$KEV_FILE"
check "\$BULWARK_DATA: import succeeds" rc_is 0
check "\$BULWARK_DATA: the database is in it" run_ok test -s "$T/p3/envdata/vulndb.sqlite"
check "\$BULWARK_DATA: no ./var" run_ok test ! -e "$T/p3/var"
BULWARK_DATA=$T/p3/envdata import_here "$T/p3" --data "$T/p3/flagdata" "$KEV_FILE"
check "--data over \$BULWARK_DATA: import succeeds" rc_is 0
check "--data over \$BULWARK_DATA: the flag wins" run_ok test -s "$T/p3/flagdata/vulndb.sqlite"

BULWARK_VULNDB=$T/p4/env/vulndb.sqlite BULWARK_DATA=$T/p4/envdata import_here "$T/p4" --data "$T/p4/data" "$KEV_FILE"
check "\$BULWARK_VULNDB: import succeeds" rc_is 0
check "\$BULWARK_VULNDB wins over --data and \$BULWARK_DATA" run_ok test -s "$T/p4/env/vulndb.sqlite"
check "\$BULWARK_VULNDB: nothing in the data directories" run_ok test ! -e "$T/p4/data/vulndb.sqlite" -a ! -e "$T/p4/envdata/vulndb.sqlite" -a ! -e "$T/p4/var"
RC=0
BULWARK_VULNDB=$T/p4/env/vulndb.sqlite "$BULWARK_BIN" db status --data "$T/p4/data" --json >"$OUT" 2>"$ERR" || RC=$?
check "\$BULWARK_VULNDB: status reads it" rc_is 0
check "\$BULWARK_VULNDB: status names it" equals "$(jq -r .path "$OUT")" "$T/p4/env/vulndb.sqlite"
BULWARK_VULNDB=$T/p4/env/vulndb.sqlite import_here "$T/p4" --db "$T/p4/flag/vulndb.sqlite" "$KEV_FILE"
check "--db over \$BULWARK_VULNDB: the flag wins" run_ok test -s "$T/p4/flag/vulndb.sqlite"

import_here "$T/p5" --data "$T/p5/data" --from "$BASE/bundle.tgz" --sha256 "$sum"
check "--data with --from: import succeeds" rc_is 0
check "--data with --from: the database is in the data directory" run_ok test -s "$T/p5/data/vulndb.sqlite"
check "--data with --from: no scratch directory left" no_scratch_left "$T/p5/data"

RC=0
(cd "$T/p5" && env -u HOME "$BULWARK_BIN" db status --data "$T/p5/none" --json) >"$OUT" 2>"$ERR" || RC=$?
check "status of a data directory without a database exits 2" rc_is 2
check "... naming <data>/vulndb.sqlite" contains "$ERR" "$T/p5/none/vulndb.sqlite"
check "... and creating nothing" run_ok test ! -e "$T/p5/none"
RC=0
"$BULWARK_BIN" scan --data "$T/p5/none" "oci:$T/no-such-layout" >"$OUT" 2>"$ERR" || RC=$?
check "scan without a database in --data exits 2" rc_is 2
check "scan names <data>/vulndb.sqlite" contains "$ERR" "$T/p5/none/vulndb.sqlite"
RC=0
BULWARK_DATA=$T/p5/data "$BULWARK_BIN" scan "oci:$T/no-such-layout" >"$OUT" 2>"$ERR" || RC=$?
check "scan finds the database of \$BULWARK_DATA (and fails on the image instead)" rc_is 2
check "... its error is about the image, not the database" run_ok bash -c '! grep -q vulndb.sqlite "$1"' _ "$ERR"

finish
