#!/usr/bin/env bash
# Kills mergeflow with SIGKILL at random moments and checks that nothing is
# lost and nothing is left over:
#  - after each kill, OUT is exactly the old output or, for a kill during
#    the commit's last steps, the new one (on S3 a kill between the removal
#    of the old _SUCCESS and the writing of the new one leaves OUT without
#    _SUCCESS: absent to readers, who trust only _SUCCESS);
#  - the next run succeeds, gives exactly the new output, and leaves no
#    staging directory, run marker, spill or shuffle directory, or (on S3)
#    open multipart upload behind.
# Modes: local (in memory), spill (a memory limit that forces the grace
# join), s3 (in and out of S3: needs MERGEFLOW_TEST_S3_ENDPOINT and the test
# keys), mpi (3 ranks under mpirun; a random rank is killed).
#
#   tests/crash/kill_runs.sh [--kills N] [--modes local,spill,s3,mpi] [--rows N] BUILD_DIR
#
# Prints a table: per mode, kills, and what OUT held after them.
set -euo pipefail

kills=10
modes=local,spill,s3,mpi
rows=300000
source "$(dirname "$0")/harness.sh" "$@"

fail() {
  echo "kill_runs.sh: $mode, kill $k: $*" >&2
  exit 1
}

# The sorted data rows of a local output directory.
rows_of() { for f in "$1"/part-*; do tail -n +2 "$f"; done | sort; }

# Sets $in_l, $in_r, $out and $launch for mode $1.
setup_mode() {
  launch=""
  in_l=l.tsv
  in_r=r.tsv
  extra=""
  case $1 in
    local) out=$work/out-local ;;
    spill) out=$work/out-spill; extra="--memory-limit 12M --threads 2 --chunk-size 256K" ;;
    mpi)
      out=$work/out-mpi
      launch="mpirun --oversubscribe --bind-to none -np 3"
      [[ $(id -u) -eq 0 ]] && launch="$launch --allow-run-as-root"
      ;;
    s3)
      use_test_s3
      bucket=mf-crash-$$
      aws_s3 s3 mb "s3://$bucket" > /dev/null
      aws_s3 s3 cp l.tsv "s3://$bucket/in/l.tsv" --quiet
      aws_s3 s3 cp r.tsv "s3://$bucket/in/r.tsv" --quiet
      in_l=s3://$bucket/in/l.tsv
      in_r=s3://$bucket/in/r.tsv
      out=s3://$bucket/out
      extra="--chunk-size 1M"
      ;;
  esac
}

# Runs the join of mode $mode with `how` $1 (old: inner, new: left).
join_cmd() { echo "$launch $mergeflow join $in_l $in_r --how $1 -q -o $out $extra"; }

# Copies OUT here as $1 (a local directory); prints "absent" when OUT has no _SUCCESS.
fetch() {
  rm -rf "$1"
  if [[ $mode == s3 ]]; then
    aws_s3 s3 cp "$out" "$1" --recursive --quiet 2> /dev/null || mkdir -p "$1"
  else
    if [[ -d $out ]]; then cp -a "$out" "$1"; else mkdir -p "$1"; fi
  fi
  [[ -f $1/_SUCCESS ]] || echo absent
}

# What is left beside OUT and in TMPDIR that a finished run should not leave.
leftovers() {
  if [[ $mode == s3 ]]; then
    aws_s3 s3 ls "s3://$bucket/" | grep -o '\.out\.mergeflow-run-.*' || true
    aws_s3 s3api list-multipart-uploads --bucket "$bucket" --query 'Uploads[].Key' --output text | grep -v None || true
  else
    ls -a "$(dirname "$out")" | grep -F ".$(basename "$out").mergeflow-" || true
  fi
  ls "$TMPDIR" | grep mergeflow- || true
}

printf '%-6s %6s %6s %6s %8s %10s\n' mode kills old new absent reclaimed
for mode in ${modes//,/ }; do
  setup_mode "$mode"
  # The new output, and how long a clean run of it takes.
  start=$(date +%s%N)
  eval "$(join_cmd left)"
  duration_ms=$((($(date +%s%N) - start) / 1000000))
  fetch ref-new > /dev/null
  rows_of ref-new > new.rows
  eval "$(join_cmd inner)"
  fetch ref-old > /dev/null
  rows_of ref-old > old.rows
  cmp -s old.rows new.rows && { echo "kill_runs.sh: the old and new outputs do not differ" >&2; exit 1; }
  n_old=0 n_new=0 n_absent=0 n_reclaimed=0
  for ((k = 1; k <= kills; k++)); do
    # Kill somewhere in [0, 1.3 x a clean run's time).
    delay_ms=$((RANDOM * RANDOM % (duration_ms * 13 / 10 + 1)))
    eval "$(join_cmd left) 2> killed.err &"
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if [[ $mode == mpi ]]; then
      victim=$(pgrep -f -- "$mergeflow join $in_l" | grep -vx "$pid" | shuf -n 1 || true)
      [[ -n $victim ]] && kill -9 "$victim" 2> /dev/null || true
    else
      kill -9 "$pid" 2> /dev/null || true
    fi
    wait "$pid" 2> /dev/null || true
    state=$(fetch after)
    if [[ $state == absent ]]; then
      [[ $mode == s3 ]] || fail "OUT has no _SUCCESS after the kill"
      ((n_absent += 1))
    elif cmp -s <(rows_of after) old.rows; then
      ((n_old += 1))
    elif cmp -s <(rows_of after) new.rows; then
      ((n_new += 1))
    else
      fail "OUT is neither the old nor the new output after the kill"
    fi
    # The next run finishes the job and leaves nothing behind.
    eval "$(join_cmd left) 2> rerun.err" || fail "the run after the kill failed: $(cat rerun.err)"
    n_reclaimed=$((n_reclaimed + $(grep -c '^mergeflow: \(removed\|aborted\)' rerun.err || true)))
    [[ $(fetch after) != absent ]] || fail "no _SUCCESS after the rerun"
    cmp -s <(rows_of after) new.rows || fail "the rerun's output differs from a clean run's"
    left=$(leftovers)
    [[ -z $left ]] || fail "left over after the rerun: $left"
    # Back to the old output for the next kill.
    eval "$(join_cmd inner) > restore.log 2>&1" || fail "restoring the old output failed: $(cat restore.log)"
  done
  printf '%-6s %6d %6d %6d %8d %10d\n' "$mode" "$kills" "$n_old" "$n_new" "$n_absent" "$n_reclaimed"
  if [[ $mode == s3 ]]; then aws_s3 s3 rb "s3://$bucket" --force > /dev/null; fi
done
