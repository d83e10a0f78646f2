#!/usr/bin/env bash
# Runs mergeflow on every case of the malformed-input corpus
# (tests/corpus/make_malformed.py) as LEFT, joined with a good RIGHT into an
# output that already holds an older result, and checks the golden answer:
# the exit status and the exact standard error (one line naming the file and
# line where there is one), and, when the run fails, the old output intact.
#   tests/corpus/run_malformed.sh MERGEFLOW_BINARY
# Prints "N passed, M failed"; exits non-zero if any failed.
set -euo pipefail
mergeflow=$(realpath "${1:?usage: run_malformed.sh MERGEFLOW_BINARY}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/mergeflow-corpus.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
/usr/bin/python3 "$here/make_malformed.py" cases > /dev/null
# zstd frames, made with the zstd tool.
printf 'id\tv\n' > plain.tsv
seq 1 20000 | awk '{print $1 "\tvalue"}' >> plain.tsv
zstd -q -c plain.tsv > z.zst
head -c $(($(stat -c %s z.zst) / 2)) z.zst > cases/truncated.tsv.zst
printf 'truncated.tsv.zst\t1\tmergeflow: error: truncated.tsv.zst: truncated zstd data\\n\n' >> cases/expected.tsv
printf 'id\tv\n1\ta\n2\n' | zstd -q -c > cases/zstd-ragged.tsv.zst
printf 'zstd-ragged.tsv.zst\t1\tmergeflow: error: zstd-ragged.tsv.zst:3: expected 2 fields, found 1\\n\n' >> cases/expected.tsv

printf 'id\tw\n1\tright\n' > cases/good.tsv
mkdir -p old
printf 'id\tv\tw\nold\trow\there\n' > old/part-00000.tsv
echo '{"old": true}' > old/_SUCCESS

passed=0
failed=0
cd cases
while IFS=$'\t' read -r name code err; do
  rm -rf out
  cp -a ../old out
  set +e
  "$mergeflow" join "$name" good.tsv -q -o out > /dev/null 2> ../stderr
  rc=$?
  set -e
  expected_err=$(printf '%b' "$err")
  got_err=$(cat ../stderr)
  problem=""
  [[ $rc == "$code" ]] || problem="exit $rc, expected $code"
  [[ $got_err == "$expected_err" ]] || problem="$problem; stderr: $got_err; expected: $expected_err"
  if [[ $code != 0 ]] && ! diff -r -q ../old out > /dev/null; then problem="$problem; the old output changed"; fi
  if [[ -z $problem ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED $name: $problem"
  fi
done < expected.tsv
echo "malformed-input corpus: $passed passed, $failed failed"
[[ $failed == 0 ]]
