#!/usr/bin/env bash
# What an upsert of a random 1% of the keys rewrites and how long it takes,
# copy-on-write (touched buckets rewritten whole) against --merge-on-read
# (deletes files and delta parts). Loads N rows (id, ts and three columns)
# into a dataset of 64 key-hash buckets once (with --merge-on-read, so its
# parts have keys files, as a dataset kept by merge-on-read upserts does),
# then, ROUNDS times in turn,
# upserts the same changes into a fresh copy of it (hard links: parts are
# never written in place) each way, and prints each run's seconds and the
# bytes its version wrote against the dataset's (keys files included), then
# the medians.
#   bench/upsert_merge_on_read.sh [ROWS] [ROUNDS] [WORKDIR]   (default 10000000 3 a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
rounds=${2:-3}
mergeflow=${MERGEFLOW:-build/mergeflow}
work=${3:-}
if [ -z "$work" ]; then
  work=$(mktemp -d /var/tmp/mergeflow-mor-bench.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
if [ ! -e "$work/changes.csv" ]; then
  /usr/bin/python3 - "$work" "$rows" <<'PY'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
r = random.Random(5)
with open(f"{work}/load.csv", "w") as f:
    f.write("id,ts,name,city,amount\n")
    step = 100000
    for start in range(0, n, step):
        f.write("".join(f"{i},1,name{i},city{r.randrange(1000)},{r.randrange(100000)}\n"
                        for i in range(start, min(n, start + step))))
with open(f"{work}/changes.csv", "w") as f:
    f.write("Op,id,ts,name,city,amount\n")
    for k in r.sample(range(n), n // 100):
        f.write(f"U,{k},2,new{k},city{r.randrange(1000)},{r.randrange(100000)}\n")
PY
fi
if [ ! -e "$work/base/_LATEST.json" ]; then
  start=$(date +%s%N)
  "$mergeflow" upsert "$work/base" "$work/load.csv" --key id --order-by ts:int --buckets 64 --merge-on-read -q
  echo "load of $rows rows: $(( ($(date +%s%N) - start) / 1000000 )) ms"
fi
written() {  # bytes the current version of $1 wrote, of all its files' bytes
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
ds = sys.argv[1]
v = json.load(open(f"{ds}/_LATEST.json"))["version"]
m = json.load(open(f"{ds}/_versions/{v}/_SUCCESS"))
files = []
for p in m["parts"]:
    files.append(p)
    for extra in ("deletes", "keys"):
        if extra in p:
            files.append(p[extra])
files += m.get("deltas", []) + m.get("tombstones", [])
new = sum(f["bytes"] for f in files if "version" not in f)
print(new, sum(f["bytes"] for f in files))
PY
}
printf '%-6s %-14s %10s %14s %14s %8s\n' round mode seconds bytes_written dataset_bytes share
declare -A times
for ((round = 1; round <= rounds; round++)); do
  for mode in copy-on-write merge-on-read; do
    rm -rf "$work/copy"
    cp -al "$work/base" "$work/copy"
    sync
    flag=; [ $mode = merge-on-read ] && flag=--merge-on-read
    start=$(date +%s%N)
    "$mergeflow" upsert "$work/copy" "$work/changes.csv" --key id --order-by ts:int -q $flag
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    read -r new total < <(written "$work/copy")
    times[$mode]+="$ms "
    awk -v r=$round -v m=$mode -v ms=$ms -v new=$new -v total=$total \
      'BEGIN {printf "%-6s %-14s %10.2f %14s %14s %7.2f%%\n", r, m, ms / 1000, new, total, 100 * new / total}'
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
cow=$(echo "${times[copy-on-write]}" | median)
mor=$(echo "${times[merge-on-read]}" | median)
awk -v cow=$cow -v mor=$mor \
  'BEGIN {printf "medians: copy-on-write %d ms, merge-on-read %d ms, ratio %.3f\n", cow, mor, mor / cow}'
rm -rf "$work/copy"
