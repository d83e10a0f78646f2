#!/usr/bin/env bash
# The distributed join on 1-4 MPI processes of this machine: time, bytes
# shuffled per rank against input bytes, and the load (rows joined) of the
# busiest rank against the mean, with uniform and Zipf(1.1) keys.
#   bench/mpi_scaling.sh [ROWS]      (default 10000000 rows a side)
# Needs: build/mergeflow built with MPI, build/mergeflow-gen, Open MPI's mpirun.
# Prints Markdown tables. Several processes on one machine share its cores:
# this measures the cost of the distributed machinery, not a cluster's speed.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/mergeflow-mpibench-XXXXXX")
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cores=$(nproc)

seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; return 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

for keys in uniform zipf; do
  flags=""
  [[ $keys == zipf ]] && flags="--zipf 1.1"
  build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed 1 $flags -o "$work/l.tsv"
  build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed 2 -o "$work/r.tsv"
  input=$(($(stat -c %s "$work/l.tsv") + $(stat -c %s "$work/r.tsv")))
  echo
  echo "### $keys keys: $rows x $rows rows, $((input / 1048576)) MiB of input, $cores cores"
  echo
  echo "| processes | threads each | seconds | heavy keys spread | max/mean rows joined | shuffled MiB per rank (sent, mean) | sent / input bytes |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for np in 1 2 3 4 4-outer; do
    how=inner
    if [[ $np == 4-outer ]]; then  # outer joins spread no key: the load without spreading
      np=4
      how=outer
    fi
    threads=$(( cores / np > 0 ? cores / np : 1 ))
    rm -rf "$work/out"
    if [[ $np == 1 ]]; then
      s=$(seconds build/mergeflow join "$work/l.tsv" "$work/r.tsv" -q -o "$work/out" --threads "$threads")
      echo "| 1 (inner) | $threads | $s | - | 1.00 | 0 | 0 |"
      continue
    fi
    s=$(seconds mpirun --oversubscribe --bind-to none -np "$np" build/mergeflow join "$work/l.tsv" "$work/r.tsv" \
      -q -o "$work/out" --threads "$threads" --how "$how")
    /usr/bin/python3 - "$work/out/_SUCCESS" "$np ($how)" "$threads" "$s" "$input" << 'PY'
import json, sys
m = json.load(open(sys.argv[1]))
d = m["distributed"]
sent = [r["sent_bytes"] for r in d["per_rank"]]
mean_sent = sum(sent) / len(sent)
print(f"| {sys.argv[2]} | {sys.argv[3]} | {sys.argv[4]} | {d['heavy_keys_spread']} | {d['max_over_mean']:.2f} "
      f"| {mean_sent / 1048576:.0f} | {sum(sent) / int(sys.argv[5]):.2f} |")
PY
  done
done
