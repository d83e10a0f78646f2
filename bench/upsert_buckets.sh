#!/usr/bin/env bash
# How much of a dataset an upsert rewrites: loads N rows (id, ts and three
# columns) into a dataset with B key-hash buckets, then upserts updates of
# a random 1% of the keys, and prints the share of buckets and bytes the
# new version rewrote and the times of both upserts.
#   bench/upsert_buckets.sh [ROWS] [BUCKETS...]      (default 2000000 64 4096)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000000}
shift || true
buckets=("$@")
((${#buckets[@]})) || buckets=(64 4096)
work=$(mktemp -d /tmp/mergeflow-upsert-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" "$rows" <<'PY'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
r = random.Random(5)
with open(f"{work}/load.csv", "w") as f:
    f.write("id,ts,name,city,amount\n")
    for i in range(n):
        f.write(f"{i},1,name{i},city{r.randrange(1000)},{r.randrange(100000)}\n")
with open(f"{work}/changes.csv", "w") as f:
    f.write("Op,id,ts,name,city,amount\n")
    for k in r.sample(range(n), n // 100):
        f.write(f"U,{k},2,new{k},city{r.randrange(1000)},{r.randrange(100000)}\n")
PY
printf '%-8s %10s %12s %12s %14s %12s\n' buckets rows load_s upsert_s buckets_rewr bytes_rewr
for b in "${buckets[@]}"; do
  ds=$work/ds$b
  start=$(date +%s%N)
  "${MERGEFLOW:-build/mergeflow}" upsert "$ds" "$work/load.csv" --key id --order-by ts:int --buckets "$b" -q
  load_ms=$((($(date +%s%N) - start) / 1000000))
  start=$(date +%s%N)
  "${MERGEFLOW:-build/mergeflow}" upsert "$ds" "$work/changes.csv" --key id --order-by ts:int -q
  upsert_ms=$((($(date +%s%N) - start) / 1000000))
  /usr/bin/python3 - "$ds" "$b" "$rows" "$load_ms" "$upsert_ms" <<'PY'
import json, sys
ds, b, n, load_ms, upsert_ms = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
v = json.load(open(f"{ds}/_LATEST.json"))["version"]
m = json.load(open(f"{ds}/_versions/{v}/_SUCCESS"))
written = sum(p["bytes"] for p in m["parts"] if "version" not in p)
total = sum(p["bytes"] for p in m["parts"])
u = m["upsert"]
print("%-8s %10s %12.2f %12.2f %8d/%-5d %11.1f%%" % (b, n, load_ms / 1000, upsert_ms / 1000,
      u["buckets_rewritten"], u["buckets"], 100 * written / total))
PY
done
