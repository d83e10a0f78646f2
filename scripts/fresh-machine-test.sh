#!/usr/bin/env bash
# Proves the README's two commands on a bare Debian 12: debootstraps a
# minimal bookworm into a temporary folder, clones this repository's
# committed HEAD into it, and runs scripts/example.sh and then
# scripts/test.sh inside a chroot, as a new user on a new machine would.
# Needs root, debootstrap, and Debian's archive (the mirror this machine's
# apt uses). Prints how long each stage took; exits non-zero when either
# command fails.
#   scripts/fresh-machine-test.sh [--keep] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

keep=0
if [[ "${1:-}" == "--keep" ]]; then
  keep=1
  shift
fi
work=${1:-$(mktemp -d /var/tmp/mergeflow-fresh.XXXXXX)}
root="$work/root"
mkdir -p "$work"
[[ $(id -u) -eq 0 ]] || { echo "fresh-machine-test: run as root (debootstrap and chroot)" >&2; exit 2; }
command -v debootstrap > /dev/null || apt-get install -y -qq debootstrap > /dev/null

# The Debian mirror this machine's apt already reaches.
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2> /dev/null |
  grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n 1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2> /dev/null || true; done
  # Daemons the tests started inside the chroot (the S3 server) would keep
  # files open; none should be left, but make sure.
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [[ "$(readlink "/proc/$pid/root" 2> /dev/null)" == "$root" ]] && kill -9 "$pid" 2> /dev/null || true
  done
  if ((keep == 0)); then rm -rf "$work"; else echo "fresh-machine-test: kept $work"; fi
}
trap cleanup EXIT

elapsed() { echo $((SECONDS - $1)); }

start=$SECONDS
echo "== debootstrap bookworm (minbase + git) from $mirror"
debootstrap --variant=minbase --include=git,ca-certificates bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
echo "   $(elapsed $start) s"

# The new root is a mount point of its own (as on a real machine), so that
# `ip netns add` can make its mounts private there (the MPI tests' hosts).
mount --bind "$root" "$root"
mounted+=("$root")
for fs in proc sys dev dev/pts dev/shm run; do
  mkdir -p "$root/$fs"
  case $fs in
    proc) mount -t proc proc "$root/proc" ;;
    sys) mount -t sysfs sys "$root/sys" ;;
    dev/shm | run) mount -t tmpfs tmpfs "$root/$fs" ;;
    *) mount --bind "/$fs" "$root/$fs" ;;
  esac
  mounted+=("$root/$fs")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The same archive sections as this machine (security updates included).
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
  cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
  rm -f "$root/etc/apt/sources.list"
fi
git clone -q "file://$repo" "$root/root/mergeflow"
echo "== cloned $(git -C "$repo" rev-parse --short HEAD) into the new machine"

in_chroot() {
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM=dumb CI="${CI:-}" bash -c "cd /root/mergeflow && $1"
}

status=0
step=$SECONDS
echo "== scripts/example.sh"
if in_chroot scripts/example.sh > "$work/example.log" 2>&1; then
  echo "   passed in $(elapsed $step) s"
else
  status=1
  echo "   FAILED after $(elapsed $step) s; the end of its output:"
  tail -n 30 "$work/example.log"
fi

step=$SECONDS
echo "== scripts/test.sh"
if in_chroot scripts/test.sh > "$work/test.log" 2>&1; then
  echo "   passed in $(elapsed $step) s"
  grep -E "tests passed|passed, [0-9]+ failed" "$work/test.log" | sed 's/^/   /'
else
  status=1
  echo "   FAILED after $(elapsed $step) s; the end of its output:"
  tail -n 60 "$work/test.log"
fi
cp "$work"/*.log /var/tmp/ 2> /dev/null || true
echo "== fresh machine test $([[ $status == 0 ]] && echo passed || echo FAILED) in $(elapsed $start) s" \
  "(logs: /var/tmp/example.log, /var/tmp/test.log)"
exit $status
