#!/usr/bin/env bash
# Installs what building and testing mergeflow needs on Debian 12 (bookworm)
# and builds it into build/. Safe to run again: installs only what is missing.
#   scripts/setup.sh            build dependencies, then a Release build
#   scripts/setup.sh --test     also the test dependencies (pandas oracle)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libopenmpi-dev openmpi-bin libhwy-dev libxxhash-dev libcli11-dev nlohmann-json3-dev libzstd-dev
  libcurl4-openssl-dev libssl-dev ca-certificates libisal-dev libpugixml-dev libinih-dev
  libyaml-cpp-dev libhdf5-dev hdf5-plugin-lzf liblzf1 libsnappy-dev liblz4-dev libbrotli-dev pybind11-dev python3-dev)
if [[ "${1:-}" == "--test" ]]; then
  # radosgw and the Ceph daemons under it are the tests' S3-compatible
  # server; slurmctld, slurmd and munge their one-node Slurm cluster; npm
  # fetches DuckDB, the tests' reader of Parquet parts.
  packages+=(libgtest-dev zlib1g-dev python3-pytest python3-thrift python3-pandas python3-anndata python3-scipy awscli zstd gzip curl iproute2 procps
    ceph-mon ceph-osd ceph-common radosgw clang libclang-rt-dev openssl slurmctld slurmd slurm-client munge)
  # Debian's Node.js and npm, unless the machine has a Node.js with its own
  # npm already (whose package conflicts with Debian's npm).
  command -v npm > /dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "mergeflow setup: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc)
# The tests are built with --test; a build that has them keeps them.
tests=()
if [[ "${1:-}" == "--test" ]]; then
  tests=(-DMERGEFLOW_TESTS=ON)
elif [[ ! -f build/CMakeCache.txt ]]; then
  tests=(-DMERGEFLOW_TESTS=OFF)
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 "${tests[@]}" >/dev/null
cmake --build build -j "$jobs"
if [[ "${1:-}" == "--test" && ! -d tests/parquet/node_modules/@duckdb/node-api ]]; then
  (cd tests/parquet && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
