#!/usr/bin/env bash
# What RFC 4180 quoting costs a join: the same ROWS x ROWS inner join of
# mergeflow-gen data (two value columns a side) written as TSV and as CSV
# with every value in double quotes (--quoted-csv: the same values), run in
# turn ROUNDS times, each to an output directory. Prints each run's
# seconds, then the medians and the ratio quoted / TSV; the joins must give
# the same number of rows.
#   bench/quoted_csv.sh [ROWS] [ROUNDS] [WORKDIR]   (default 10000000 5 a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
rounds=${2:-5}
mergeflow=${MERGEFLOW:-build/mergeflow}
gen=${MERGEFLOW_GEN:-build/mergeflow-gen}
work=${3:-}
if [ -z "$work" ]; then
  work=$(mktemp -d /var/tmp/mergeflow-quoted-bench.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
for format in tsv csv; do
  flag=; [ $format = csv ] && flag=--quoted-csv
  for side in 1 2; do
    file=$work/$side.$format
    [ -e "$file" ] || "$gen" --rows "$rows" --key-space $((rows * 2)) --columns 3 --seed $side $flag -o "$file"
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
declare -A times counts
printf '%-6s %-6s %10s %12s\n' round format seconds rows
for ((round = 1; round <= rounds; round++)); do
  for format in tsv csv; do
    rm -rf "$work/out"
    start=$(date +%s%N)
    "$mergeflow" join "$work/1.$format" "$work/2.$format" --on id -o "$work/out" -q
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    out_rows=$(tail -q -n +2 "$work"/out/part-* | wc -l)
    counts[$format]=$out_rows
    times[$format]+="$ms "
    awk -v r=$round -v f=$format -v ms=$ms -v n=$out_rows 'BEGIN {printf "%-6s %-6s %10.2f %12d\n", r, f, ms / 1000, n}'
  done
done
[ "${counts[tsv]}" = "${counts[csv]}" ] || { echo "the joins differ in rows: ${counts[tsv]} and ${counts[csv]}" >&2; exit 1; }
tsv=$(echo "${times[tsv]}" | median)
csv=$(echo "${times[csv]}" | median)
awk -v t=$tsv -v c=$csv 'BEGIN {printf "medians: tsv %d ms, quoted csv %d ms, ratio %.3f\n", t, c, c / t}'
