#!/usr/bin/env bash
# Sets up and runs every mergeflow test: unit and end-to-end tests (CTest),
# the pandas oracle, then all of it again under AddressSanitizer and
# UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
jobs=$(nproc)

echo "== optimised build: unit and end-to-end tests"
(cd build && ctest --output-on-failure -j "$jobs")
echo "== optimised build: pandas oracle"
/usr/bin/python3 tests/oracle/pandas_oracle.py build/mergeflow --cases 25

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMERGEFLOW_SANITIZE=ON -DMERGEFLOW_TESTS=ON >/dev/null
cmake --build build-asan -j "$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$jobs")
/usr/bin/python3 tests/oracle/pandas_oracle.py build-asan/mergeflow --cases 10
