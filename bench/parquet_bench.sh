#!/usr/bin/env bash
# A join written as Parquet: mergeflow's `--format parquet` against DuckDB's
# COPY ... (FORMAT parquet, COMPRESSION zstd), both zstd, both with every
# column as text, on the same generated files, alternating round by round:
# median seconds, bytes written, and the rows each wrote (counted by DuckDB).
#   bench/parquet_bench.sh [ROWS [ROUNDS [THREADS]]]     (10000000 5 2)
# Needs build/mergeflow, build/mergeflow-gen and (cd bench && npm install).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
rounds=${2:-5}
threads=${3:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/mergeflow-parquet-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed 1 -o "$work/l.tsv"
build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed 2 -o "$work/r.tsv"
run() {
  local tool=$1 start
  rm -rf "$work/out-$tool"
  start=$(date +%s.%N)
  if [[ $tool == mergeflow ]]; then
    build/mergeflow join "$work/l.tsv" "$work/r.tsv" -o "$work/out-$tool" --format parquet --threads "$threads" -q
  else
    node bench/peers/duckdb_join.mjs "$work/l.tsv" "$work/r.tsv" "$work/out-$tool" "$threads" inner - text parquet
  fi
  echo "$(date +%s.%N) - $start" | bc
}
declare -A times
for ((round = 1; round <= rounds; round++)); do
  for tool in mergeflow duckdb; do times[$tool]+="$(run $tool) "; done
done
echo "### $rows x $rows rows, inner join to Parquet (zstd), $threads threads, medians of $rounds rounds"
echo
echo "| tool | median s | bytes written | rows (read back by DuckDB) |"
echo "|---|---:|---:|---:|"
for tool in mergeflow duckdb; do
  median=$(printf '%s\n' ${times[$tool]} | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  bytes=$(find "$work/out-$tool" -name '*.parquet' -printf '%s\n' | awk '{ s += $1 } END { print s }')
  counted=$(node tests/parquet/duckdb_query.mjs "select count(*) as n from '$work/out-$tool/*.parquet'" |
    sed 's/.*"n":"\([0-9]*\)".*/\1/')
  printf '| %s | %.2f | %s | %s |\n' "$tool" "$median" "$bytes" "$counted"
done
