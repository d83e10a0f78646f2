#!/usr/bin/env bash
# Throughput of mergeflow's S3 reads and writes against a local S3-compatible
# server, next to `aws s3 cp` on the same object, and of its gzip and zstd
# decoding next to `gzip -dc` and `zstd -dc`. Prints a Markdown table.
#   bench/s3_and_codecs.sh [SIZE_MB]     (default 1024)
# Needs: build/mergeflow, build/mergeflow-gen, moto_server, awscli, gzip, zstd.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
work=$(mktemp -d "${TMPDIR:-/tmp}/mergeflow-s3bench-XXXXXX")
port=$((20000 + RANDOM % 20000))
moto_server -H 127.0.0.1 -p "$port" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2> /dev/null; rm -rf "$work"' EXIT
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
aws=(/usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL")
for _ in $(seq 1 100); do (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break; sleep 0.1; done
"${aws[@]}" s3 mb s3://bench > /dev/null

rows=$((size_mb * 1024 * 1024 / 24))
build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed 7 -o "$work/big.tsv"
printf 'id\tw\n-1\tnone\n' > "$work/tiny.tsv"
bytes=$(stat -c %s "$work/big.tsv")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }')

# Seconds taken by a command (its output discarded).
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}
row() {  # name seconds
  awk -v n="$1" -v s="$2" -v mb="$mb" 'BEGIN { printf "| %s | %.2f | %.0f |\n", n, s, mb / s }'
}

echo "object: $mb MiB, $rows rows; server: moto_server on 127.0.0.1; $(nproc) cores"
echo
echo "| operation | seconds | MiB/s |"
echo "|---|---:|---:|"
row "aws s3 cp (upload)" "$(seconds "${aws[@]}" s3 cp "$work/big.tsv" s3://bench/big.tsv --quiet)"
row "aws s3 cp (download to /dev/null)" "$(seconds "${aws[@]}" s3 cp s3://bench/big.tsv - --quiet)"
row "mergeflow read: join s3://big with a 1-row file" \
  "$(seconds build/mergeflow join s3://bench/big.tsv "$work/tiny.tsv" -q)"
row "mergeflow read + write: left join s3://big -> s3:// (same size out)" \
  "$(seconds build/mergeflow join s3://bench/big.tsv "$work/tiny.tsv" --how left -o s3://bench/out -q)"
row "mergeflow local: left join big -> local dir (reference)" \
  "$(seconds build/mergeflow join "$work/big.tsv" "$work/tiny.tsv" --how left -o "$work/out" -q)"

gzip -1 -c "$work/big.tsv" > "$work/big.tsv.gz"
zstd -q -3 -c "$work/big.tsv" > "$work/big.tsv.zst"
row "gzip -dc (sizes: uncompressed)" "$(seconds gzip -dc "$work/big.tsv.gz")"
row "mergeflow read .gz: join with a 1-row file" "$(seconds build/mergeflow join "$work/big.tsv.gz" "$work/tiny.tsv" -q)"
row "zstd -dc" "$(seconds zstd -q -dc "$work/big.tsv.zst")"
row "mergeflow read .zst: join with a 1-row file" "$(seconds build/mergeflow join "$work/big.tsv.zst" "$work/tiny.tsv" -q)"
row "gzip -1 (compress, sizes: uncompressed)" "$(seconds gzip -1 -c "$work/big.tsv")"
row "mergeflow --compress gzip: left join big -> .gz parts" \
  "$(seconds build/mergeflow join "$work/big.tsv" "$work/tiny.tsv" --how left -o "$work/outgz" --compress gzip -q)"
row "zstd -3 (compress)" "$(seconds zstd -q -3 -c "$work/big.tsv")"
row "mergeflow --compress zstd: left join big -> .zst parts" \
  "$(seconds build/mergeflow join "$work/big.tsv" "$work/tiny.tsv" --how left -o "$work/outzst" --compress zstd -q)"

# Many compressed files: one decoding thread per file, up to --threads.
mkdir "$work/parts"
split -n l/8 -d --additional-suffix=.tsv "$work/big.tsv" "$work/parts/part-"
for f in "$work"/parts/*.tsv; do gzip -1 "$f"; done
row "gzip -dc of 8 .gz parts, one after another" "$(seconds sh -c "cat $work/parts/*.gz | gzip -dc")"
row "gzip -dc of 8 .gz parts, $(nproc) at a time (xargs -P)" \
  "$(seconds sh -c "ls $work/parts/*.gz | xargs -P $(nproc) -n 1 gzip -dc")"
row "mergeflow read 8 .gz parts, --threads 1" \
  "$(seconds build/mergeflow join "$work/parts" "$work/tiny.tsv" --no-header -q --threads 1)"
row "mergeflow read 8 .gz parts, all cores" \
  "$(seconds build/mergeflow join "$work/parts" "$work/tiny.tsv" --no-header -q)"
