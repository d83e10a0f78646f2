#!/usr/bin/env bash
# Proves the README's two commands on a bare Debian 12: debootstraps a
# minimal bookworm into a temporary folder, clones this repository's
# committed HEAD into it, and runs scripts/example.sh and then
# scripts/test.sh inside a chroot, as a new user on a new machine would
# (scripts/lib/debian_chroot.sh). Needs root, debootstrap, and Debian's
# archive (the mirror this machine's apt uses). Prints how long each stage
# took; exits non-zero when either command fails.
#   scripts/fresh-machine-test.sh [--keep] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--keep" ]]; then
  chroot_keep=1
  shift
fi
source scripts/lib/debian_chroot.sh

elapsed() { echo $((SECONDS - $1)); }

start=$SECONDS
chroot_create "${1:-$(mktemp -d /var/tmp/mergeflow-fresh.XXXXXX)}"
echo "   $(elapsed $start) s"
work=$chroot_work

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
