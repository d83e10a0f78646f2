#!/usr/bin/env bash
# Builds mergeflow's libFuzzer targets (fuzz/*_fuzzer.cc, with Debian's clang,
# AddressSanitizer and UndefinedBehaviorSanitizer) and runs each for SECONDS
# (default 60; one target per core at a time) on its corpus in
# fuzz/corpus/TARGET. Inputs that reach new
# code are merged back into that corpus with --keep; a crash stops the run,
# leaving the input as BUILD/crash-*. BUILD is build-fuzz, configured here
# for the fuzzers alone, unless --build names a build already configured
# with clang and -DMERGEFLOW_FUZZ=ON (the test suite's sanitizer build).
#   scripts/fuzz.sh [--keep] [--build BUILD] [SECONDS] [TARGET...]
# Prints, per target: runs, executions per second, coverage and corpus size.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
keep=0
if [[ "${1:-}" == "--keep" ]]; then
  keep=1
  shift
fi
build=
if [[ "${1:-}" == "--build" ]]; then
  build=$(cd "$2" && pwd)
  shift 2
fi
seconds=${1:-60}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  for source in fuzz/*_fuzzer.cc; do targets+=("$(basename "$source" .cc)"); done
fi

if [[ -z "$build" ]]; then
  build=$PWD/build-fuzz
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMERGEFLOW_FUZZ=ON \
    -DMERGEFLOW_TESTS=OFF -DMERGEFLOW_MPI=OFF > /dev/null
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

# One target per core at a time (each fuzzer runs on one thread).
run_target() {
  local target=$1 name=${1%_fuzzer}
  local corpus=fuzz/corpus/$name work
  work=$(mktemp -d)
  mkdir -p "$corpus"
  if ! (cd "$build" && "./$target" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$build/" \
    "$work" "$root/$corpus") > "$build/$name.log" 2>&1; then
    echo "$target FAILED; its log: $build/$name.log" >&2
    grep -E "check failed|ERROR|SUMMARY" "$build/$name.log" >&2 || true
    rm -rf "$work"
    return 1
  fi
  ls "$work" | wc -l > "$build/$name.new"
  if ((keep)); then "$build/$target" -merge=1 "$corpus" "$work" > /dev/null 2>&1; fi
  rm -rf "$work"
}
failed=0
pids=()
for target in "${targets[@]}"; do
  run_target "$target" &
  pids+=($!)
  if ((${#pids[@]} >= $(nproc))); then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
((failed == 0)) || exit 1

printf '%-22s %10s %10s %8s %8s\n' target runs exec/s cov new
for target in "${targets[@]}"; do
  name=${target%_fuzzer}
  runs=$(grep -oP 'stat::number_of_executed_units: \K[0-9]+' "$build/$name.log")
  cov=$(grep -oP 'DONE +cov: \K[0-9]+' "$build/$name.log" || grep -oP 'cov: \K[0-9]+' "$build/$name.log" | tail -1)
  printf '%-22s %10s %10s %8s %8s\n' "$target" "$runs" "$((runs / seconds))" "$cov" "$(cat "$build/$name.new")"
done
