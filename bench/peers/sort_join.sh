#!/usr/bin/env bash
# GNU coreutils peer: sort both inputs on the key, then join(1).
# usage: sort_join.sh LEFT RIGHT OUT THREADS   (inner join on the first column)
set -euo pipefail
left=$1 right=$2 out=$3 threads=$4
export LC_ALL=C
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sortjoin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tail -n +2 "$left" | sort -t $'\t' -k1,1 --parallel="$threads" -S 25% -T "$tmp" > "$tmp/l" &
tail -n +2 "$right" | sort -t $'\t' -k1,1 --parallel="$threads" -S 25% -T "$tmp" > "$tmp/r" &
wait
{ printf 'id\tv1_x\tv1_y\n'; join -t $'\t' -j 1 "$tmp/l" "$tmp/r"; } > "$out/part-0.tsv"
