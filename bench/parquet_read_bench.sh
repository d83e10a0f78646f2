#!/usr/bin/env bash
# Parquet inputs: the same join read from TSV and from Parquet files (written
# by DuckDB from the TSV, every column a string, zstd), by mergeflow and by
# DuckDB, each writing tab-separated parts, alternating round by round:
# median seconds and peak memory.
#   bench/parquet_read_bench.sh [ROWS [ROUNDS [THREADS]]]     (10000000 5 2)
# Needs build/mergeflow, build/mergeflow-gen, GNU time and (cd bench && npm install).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
rounds=${2:-5}
threads=${3:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/mergeflow-parquet-read-XXXXXX")
trap 'rm -rf "$work"' EXIT
for side in l r; do
  build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed "$([[ $side == l ]] && echo 1 || echo 2)" \
    -o "$work/$side.tsv"
  node tests/parquet/duckdb_query.mjs "copy (select * from read_csv('$work/$side.tsv', delim='\t', header=true,
    all_varchar=true)) to '$work/$side.parquet' (format parquet, compression zstd)" > /dev/null
done
run() {  # name: prints "seconds peak_kb"
  rm -rf "$work/out"
  case $1 in
    mergeflow-tsv) set -- build/mergeflow join "$work/l.tsv" "$work/r.tsv" -o "$work/out" --threads "$threads" -q ;;
    mergeflow-parquet) set -- build/mergeflow join "$work/l.parquet" "$work/r.parquet" -o "$work/out" --threads "$threads" -q ;;
    duckdb-parquet) set -- node bench/peers/duckdb_join.mjs "$work/l.parquet" "$work/r.parquet" "$work/out" "$threads" inner ;;
  esac
  /usr/bin/time -f "%e %M" -o "$work/time" "$@"
  cat "$work/time"
}
tools=(mergeflow-tsv mergeflow-parquet duckdb-parquet)
declare -A seconds memory
for ((round = 1; round <= rounds; round++)); do
  for tool in "${tools[@]}"; do
    read -r s m < <(run "$tool")
    seconds[$tool]+="$s "
    memory[$tool]+="$m "
  done
done
median() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "### $rows x $rows rows, inner join to TSV parts, $threads threads, medians of $rounds rounds"
echo "(inputs: $(stat -c %s "$work/l.tsv") bytes of TSV, $(stat -c %s "$work/l.parquet") of Parquet a side)"
echo
echo "| reader | inputs | median s | peak RSS MB |"
echo "|---|---|---:|---:|"
for tool in "${tools[@]}"; do
  printf '| %s | %s | %.2f | %.0f |\n' "${tool%%-*}" "${tool#*-}" "$(median "${seconds[$tool]}")" \
    "$(echo "$(median "${memory[$tool]}") / 1024" | bc -l)"
done
