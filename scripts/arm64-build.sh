#!/usr/bin/env bash
# Inside a Debian 12 amd64 machine (scripts/arm64-check.sh runs it in a
# fresh chroot): installs the arm64 cross compiler, the arm64 -dev packages
# and qemu-user, cross-compiles mergeflow for 64-bit ARM (without MPI) into
# build-arm64/, and runs there, under qemu-aarch64-static:
#  - the unit tests of the parts with SIMD or byte-level code (every Highway
#    target the emulated CPU supports, against scalar references);
#  - the pandas oracle's join cases (25) with the arm64 binary;
#  - a 1M x 1M row join, leaving its sorted rows' checksum in
#    build-arm64/join-1m.sha256 for the caller to compare with x86's.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
dpkg --add-architecture arm64
apt-get update -qq
arm64=(libhwy-dev libxxhash-dev libzstd-dev libcurl4-openssl-dev libssl-dev libisal-dev libpugixml-dev libinih-dev
  libyaml-cpp-dev libhdf5-dev hdf5-plugin-lzf liblzf1 libsnappy-dev liblz4-dev libbrotli-dev libgtest-dev zlib1g-dev)
apt-get install -y -qq --no-install-recommends build-essential cmake pkg-config g++-aarch64-linux-gnu qemu-user-static \
  libcli11-dev nlohmann-json3-dev python3-pandas "${arm64[@]/%/:arm64}" > /dev/null

echo "== cross-compiling for arm64"
cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release -DMERGEFLOW_PYTHON=OFF \
  -DMERGEFLOW_MPI=OFF -DMERGEFLOW_TESTS=ON > /dev/null
cmake --build build-arm64 -j "$(nproc)" --target mergeflow mergeflow-gen mergeflow_tests
aarch64-linux-gnu-readelf -h build-arm64/mergeflow | grep -q "AArch64" || { echo "build-arm64/mergeflow is not an arm64 program" >&2; exit 1; }

echo "== unit tests under qemu-aarch64"
qemu-aarch64-static build-arm64/mergeflow_tests \
  --gtest_filter='ByteClassifier*:RowScanner*:FileChunker*:KeyEncoder*:HashPartition*:NumberFormat*:GroupStates*:CompensatedSum*:SizeParser*'

echo "== pandas oracle with the arm64 binary"
runner=$PWD/build-arm64/mergeflow-qemu
printf '#!/bin/sh\nexec qemu-aarch64-static %s "$@"\n' "$PWD/build-arm64/mergeflow" > "$runner"
chmod +x "$runner"
/usr/bin/python3 tests/oracle/pandas_oracle.py "$runner" --cases 25

echo "== 1M x 1M join under qemu-aarch64"
work=$(mktemp -d)
qemu-aarch64-static build-arm64/mergeflow-gen --rows 1000000 --key-space 2000000 --seed 1 -o "$work/l.tsv"
qemu-aarch64-static build-arm64/mergeflow-gen --rows 1000000 --key-space 2000000 --seed 2 -o "$work/r.tsv"
sha256sum "$work/l.tsv" "$work/r.tsv" | awk '{print $1}' > build-arm64/inputs-1m.sha256
"$runner" join "$work/l.tsv" "$work/r.tsv" --how outer > "$work/out.tsv"
LC_ALL=C sort "$work/out.tsv" | sha256sum | awk '{print $1}' > build-arm64/join-1m.sha256
rm -rf "$work"
echo "arm64 build and checks passed"
