#!/usr/bin/env bash
# Proves that mergeflow builds and runs on 64-bit ARM (AWS Graviton): in a
# fresh Debian 12 chroot (scripts/lib/debian_chroot.sh), cross-compiles it
# with Debian's g++-aarch64-linux-gnu and arm64 -dev packages and checks the
# arm64 programs under qemu-aarch64-static (scripts/arm64-build.sh: unit
# tests on every SIMD target qemu's CPU has, the pandas oracle, a 1M x 1M
# join); then checks that this machine's x86 build (build/, from
# scripts/setup.sh) generates the same inputs and joins them to the same
# rows. Needs root. Prints how long each stage took.
#   scripts/arm64-check.sh [--keep] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
if [[ "${1:-}" == "--keep" ]]; then
  chroot_keep=1
  shift
fi
source scripts/lib/debian_chroot.sh
[[ -x build/mergeflow && -x build/mergeflow-gen ]] || { echo "arm64-check: build/ first (scripts/setup.sh)" >&2; exit 2; }

start=$SECONDS
chroot_create "${1:-$(mktemp -d /var/tmp/mergeflow-arm64.XXXXXX)}"
echo "   $((SECONDS - start)) s"
step=$SECONDS
echo "== scripts/arm64-build.sh"
if ! in_chroot scripts/arm64-build.sh > "$chroot_work/arm64.log" 2>&1; then
  echo "   FAILED after $((SECONDS - step)) s; the end of its output:"
  tail -n 40 "$chroot_work/arm64.log"
  exit 1
fi
echo "   passed in $((SECONDS - step)) s"
grep -E "SIMD targets|PASSED|cases passed" "$chroot_work/arm64.log" | sed 's/^/   /'

echo "== the same inputs and rows on x86"
work=$(mktemp -d)
trap 'rm -rf "$work"; chroot_cleanup' EXIT
build/mergeflow-gen --rows 1000000 --key-space 2000000 --seed 1 -o "$work/l.tsv"
build/mergeflow-gen --rows 1000000 --key-space 2000000 --seed 2 -o "$work/r.tsv"
sha256sum "$work/l.tsv" "$work/r.tsv" | awk '{print $1}' > "$work/inputs.sha256"
cmp -s "$work/inputs.sha256" "$chroot_root/root/mergeflow/build-arm64/inputs-1m.sha256" ||
  { echo "arm64-check: mergeflow-gen wrote other inputs on arm64" >&2; exit 1; }
build/mergeflow join "$work/l.tsv" "$work/r.tsv" --how outer > "$work/out.tsv"
LC_ALL=C sort "$work/out.tsv" | sha256sum | awk '{print $1}' > "$work/join.sha256"
cmp -s "$work/join.sha256" "$chroot_root/root/mergeflow/build-arm64/join-1m.sha256" ||
  { echo "arm64-check: the 1M x 1M outer join gave other rows on arm64" >&2; exit 1; }
echo "   the same inputs and the same $(wc -l < "$work/out.tsv") output lines"
echo "== arm64 check passed in $((SECONDS - start)) s"
