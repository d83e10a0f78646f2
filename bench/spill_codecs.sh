#!/usr/bin/env bash
# How spilled partitions are best stored: the same spilling join with
# --spill-compression none, lz4 and zstd, in alternating rounds. Prints a
# Markdown table of median seconds, the bytes written to temporary files,
# and peak memory.
#   bench/spill_codecs.sh [ROWS_PER_SIDE] [MEMORY_LIMIT] [ROUNDS] [DATA]   (default 10000000 256M 3 random)
# DATA: random (mergeflow-gen: random letters, the worst case for a codec)
# or records (ids, a city of 500, a date, an amount, a status: like the
# tables people join).
# Needs: build/mergeflow, build/mergeflow-gen, GNU time, awk.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
limit=${2:-256M}
rounds=${3:-3}
data=${4:-random}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mergeflow-spillbench-XXXXXX")
trap 'rm -rf "$work"' EXIT
for side in l r; do
  seed=$([[ $side == l ]] && echo 1 || echo 2)
  if [[ "$data" == records ]]; then
    awk -v seed="$seed" -v rows="$rows" 'BEGIN { srand(seed); print "id\tcity\tday\tamount\tstatus"
      for (i = 0; i < rows; i++)
        printf "%d\tcity%d\t2024-%02d-%02d\t%.2f\tstatus_%s\n", int(rand() * rows * 2), int(rand() * 500),
          1 + int(rand() * 12), 1 + int(rand() * 28), rand() * 1000, rand() < 0.5 ? "open" : "closed" }' > "$work/$side.tsv"
  else
    build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --columns 3 --seed "$seed" -o "$work/$side.tsv"
  fi
done
codecs=(none lz4 zstd)
for round in $(seq 1 "$rounds"); do
  for codec in "${codecs[@]}"; do
    /usr/bin/time -f "%e %M" -o "$work/time" build/mergeflow join "$work/l.tsv" "$work/r.tsv" --on id --how inner \
      --memory-limit "$limit" --spill-compression "$codec" --temp-dir "$work" -o "$work/out" -q
    spilled=$(grep -o '"spilled_bytes": *[0-9]*' "$work/out/_SUCCESS" | grep -o '[0-9]*$')
    echo "$codec $(cat "$work/time") $spilled" >> "$work/results"
    rm -rf "$work/out"
  done
done
echo "$rows x $rows rows ($data), --memory-limit $limit, $(nproc) cores, medians of $rounds alternating rounds"
echo
echo "| --spill-compression | seconds | spilled MB | peak RSS MB |"
echo "|---|---:|---:|---:|"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for codec in "${codecs[@]}"; do
  seconds=$(awk -v c="$codec" '$1 == c { print $2 }' "$work/results" | median)
  rss=$(awk -v c="$codec" '$1 == c { print $3 }' "$work/results" | median)
  spilled=$(awk -v c="$codec" '$1 == c { print $4 }' "$work/results" | median)
  awk -v c="$codec" -v t="$seconds" -v s="$spilled" -v m="$rss" \
    'BEGIN { printf "| %s | %.2f | %.0f | %.0f |\n", c, t, s / 1e6, m / 1024 }'
done
