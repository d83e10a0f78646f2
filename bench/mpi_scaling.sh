#!/usr/bin/env bash
# The distributed join on 1-4 MPI processes of this machine: time, bytes
# shuffled per rank against input bytes, and the load (rows joined) of the
# busiest rank against the mean, with uniform keys and with Zipf(1.1) keys on
# the left or on the right side: inner joins on 1-4 processes, every other
# join type on 4.
#   bench/mpi_scaling.sh [ROWS [KEYS...]]   (default 10000000 rows a side;
#                                           KEYS: uniform zipf-left zipf-right)
# Needs: build/mergeflow built with MPI, build/mergeflow-gen, Open MPI's mpirun.
# Prints Markdown tables. Several processes on one machine share its cores:
# this measures the cost of the distributed machinery, not a cluster's speed.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
shift || true
distributions=("$@")
((${#distributions[@]} > 0)) || distributions=(uniform zipf-left zipf-right)
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

for keys in "${distributions[@]}"; do
  left_flags="" right_flags=""
  [[ $keys == zipf-left ]] && left_flags="--zipf 1.1"
  [[ $keys == zipf-right ]] && right_flags="--zipf 1.1"
  build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed 1 $left_flags -o "$work/l.tsv"
  build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed 2 $right_flags -o "$work/r.tsv"
  input=$(($(stat -c %s "$work/l.tsv") + $(stat -c %s "$work/r.tsv")))
  echo
  echo "### $keys keys: $rows x $rows rows, $((input / 1048576)) MiB of input, $cores cores"
  echo
  echo "| processes | threads each | seconds | heavy keys spread | max/mean rows joined | shuffled MiB per rank (sent, mean) | sent / input bytes |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for run in 1-inner 2-inner 3-inner 4-inner 4-left 4-right 4-outer 4-semi 4-anti; do
    np=${run%%-*}
    how=${run#*-}
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
