#!/usr/bin/env bash
# make-rootfs.sh DIR: builds a real Debian bookworm root file system in DIR with
# `debootstrap --variant=minbase` (about a minute; needs root and Debian's mirror), once: when
# DIR/.complete exists it returns at once, so tests can share one tree per build directory.
# Concurrent callers wait on DIR.lock; a failed build leaves nothing behind but the lock file.
set -euo pipefail
dir=${1:?usage: make-rootfs.sh DIR}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ -e "$dir/.complete" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || {
  echo "make-rootfs: debootstrap is not installed (scripts/install-deps)" >&2; exit 1; }

mkdir -p "$(dirname "$dir")"
dir="$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")"
exec 9>"$dir.lock"
flock 9
[ -e "$dir/.complete" ] && exit 0

tmp="$dir.partial"
cleanup() {
  # debootstrap mounts proc/sys inside the target while it works: unmount whatever is left
  # (deepest first) and never let rm cross into another file system.
  { grep -o " $tmp/[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r m; do
    $SUDO umount -l "$m" 2>/dev/null || true
  done
  $SUDO rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
cleanup
PATH=$PATH:/usr/sbin:/sbin $SUDO debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$dir.log" 2>&1 || {
  echo "make-rootfs: debootstrap failed, last lines of $dir.log:" >&2
  tail -n 20 "$dir.log" >&2
  exit 1
}
$SUDO rm -rf --one-file-system "$dir"
$SUDO mv "$tmp" "$dir"
$SUDO touch "$dir/.complete"
