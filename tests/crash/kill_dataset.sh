#!/usr/bin/env bash
# Kills dataset commands with SIGKILL at random moments and checks that
# readers never see anything but a whole version and that the next command
# succeeds and leaves nothing behind. In turn, each kill hits:
#  - publish: `join -o DATASET --dataset` writing and publishing a new version;
#  - rollback: `dataset rollback --to OLD` from the new version;
#  - upsert: `upsert` of a change file (updates, deletes, inserts) into it;
#  - gc: `dataset gc --keep 1 --apply` over a pile of versions;
#  - merge-on-read: `upsert --merge-on-read` of more changes into the
#    upserted (bucketed) version;
#  - compact: `dataset compact` of that merge-on-read version.
# After each kill an independent reader (tests/dataset/read_dataset.py, after
# a download with awscli on S3) must read DATASET as exactly the old or the
# new version (gc: exactly the current one; upsert: the old or the upserted
# one); the command is then run again
# and must succeed, and `dataset gc --apply` must leave no staging
# directory, run marker, temporary file or open upload behind.
# Modes: local, s3 (needs MERGEFLOW_TEST_S3_ENDPOINT and the test keys).
#
#   tests/crash/kill_dataset.sh [--kills N] [--modes local,s3] [--rows N] BUILD_DIR
#
# Prints a table: per mode and command, kills, and what readers saw after them.
set -euo pipefail

kills=10
modes=local,s3
rows=100000
reader=$(cd "$(dirname "$0")/../dataset" && pwd)/read_dataset.py
source "$(dirname "$0")/harness.sh" "$@"

fail() {
  echo "kill_dataset.sh: $mode $op, kill $k: $*" >&2
  exit 1
}

setup_mode() {
  case $1 in
    local) ds=$work/ds-local ;;
    s3)
      use_test_s3
      bucket=mf-crash-dataset-$$
      aws_s3 s3 mb "s3://$bucket" > /dev/null
      ds=s3://$bucket/ds
      ;;
  esac
}

# The sorted rows a reader sees in DATASET now (its current version).
read_current() {
  if [[ $mode == s3 ]]; then
    rm -rf copy
    aws_s3 s3 cp "$ds" copy --recursive --quiet
    "$reader" copy
  else
    "$reader" "$ds"
  fi
}

# What a finished command should not leave in DATASET.
leftovers() {
  if [[ $mode == s3 ]]; then
    aws_s3 s3 ls --recursive "$ds/" | grep -E '/\.|mergeflow-run-' || true
    aws_s3 s3api list-multipart-uploads --bucket "$bucket" --query 'Uploads[].Key' --output text | grep -v None || true
  else
    find "$ds" -name '.*' || true
  fi
  ls "$TMPDIR" | grep mergeflow- || true
}

write_version() { $mergeflow join l.tsv r.tsv --how "$1" -q --threads 2 --chunk-size 512K -o "$ds" --dataset "${@:2}"; }

# Runs `$@` in the background and kills it after a random part of 1.3 x `duration_ms`.
run_and_kill() {
  local delay_ms=$((RANDOM * RANDOM % ($1 * 13 / 10 + 1)))
  shift
  "$@" > killed.out 2> killed.err &
  local pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

elapsed_ms() {
  local start
  start=$(date +%s%N)
  "$@" > /dev/null
  echo $((($(date +%s%N) - start) / 1000000))
}

# The version DATASET's pointer names now (that of the newest history entry).
current_version() { $mergeflow dataset log "$ds" | awk 'NR == 2 { print $4 }'; }

# Back to version $1 after a kill and the rerun: a rollback, a full gc, and
# nothing left behind.
back_to() {
  $mergeflow dataset rollback "$ds" --to "$1" > /dev/null 2> rerun.err ||
    fail "the rollback after the kill failed: $(cat rerun.err)"
  $mergeflow dataset gc "$ds" --keep 1 --apply > /dev/null 2> rerun.err || fail "gc failed: $(cat rerun.err)"
  left=$(leftovers)
  [[ -z $left ]] || fail "left over: $left"
}

# Kills an `upsert --merge-on-read` (deletes files and delta parts beside
# the bucketed version `upserted`): readers see one version or the other,
# the run again gives the same rows as an unkilled one.
kill_merge_on_read() {
  op=merge-on-read
  "${upsert_cmd[@]}"
  local base
  base=$(current_version)
  { printf 'Op\t%s\n' "$($mergeflow join l.tsv r.tsv -q | head -n 1)"
    sed -n '1,700p' upserted.rows | awk -F'\t' -v OFS='\t' '{ $NF = "moved"; print "U", $0 }'
    sed -n '3001,3200p' upserted.rows | awk -v OFS='\t' '{ print "D", $0 }'
  } > changes2.tsv
  mor_cmd=($mergeflow upsert "$ds" changes2.tsv --key id --order-by id --merge-mode commit-time
                 --merge-on-read -q)
  "${mor_cmd[@]}"
  read_current > mor.rows
  cmp -s mor.rows upserted.rows && fail "the merge-on-read upsert changed nothing"
  $mergeflow dataset rollback "$ds" --to "$base" > /dev/null
  local mor_ms
  mor_ms=$(elapsed_ms "${mor_cmd[@]}")
  $mergeflow dataset rollback "$ds" --to "$base" > /dev/null
  n_old=0 n_new=0
  for ((k = 1; k <= kills; k++)); do
    run_and_kill "$mor_ms" "${mor_cmd[@]}"
    read_current > after.rows 2> reader.err || fail "a reader cannot read the dataset: $(cat reader.err)"
    if cmp -s after.rows upserted.rows; then
      ((n_old += 1))
    elif cmp -s after.rows mor.rows; then
      ((n_new += 1))
    else
      fail "a reader sees neither the old nor the new version"
    fi
    "${mor_cmd[@]}" 2> rerun.err || fail "the upsert after the kill failed: $(cat rerun.err)"
    read_current > after.rows && cmp -s after.rows mor.rows || fail "the upsert after the kill differs"
    back_to "$base"
    read_current > after.rows && cmp -s after.rows upserted.rows || fail "not back at the upserted version"
  done
  printf '%-6s %-13s %6d %6d %6d\n' "$mode" "$op" "$kills" "$n_old" "$n_new"
}

# Kills a `dataset compact` of the merge-on-read version (made current
# here by kill_merge_on_read's upsert): readers see the same rows either
# way, and the pointer names the merge-on-read version or a version without
# deltas; compact again must succeed and leave none.
kill_compact() {
  op=compact
  "${mor_cmd[@]}"
  local mor_version compact_cmd=($mergeflow dataset compact "$ds")
  mor_version=$(current_version)
  local compact_ms
  compact_ms=$(elapsed_ms "${compact_cmd[@]}")
  $mergeflow dataset rollback "$ds" --to "$mor_version" > /dev/null
  n_old=0 n_new=0
  for ((k = 1; k <= kills; k++)); do
    run_and_kill "$compact_ms" "${compact_cmd[@]}"
    read_current > after.rows 2> reader.err || fail "a reader cannot read the dataset: $(cat reader.err)"
    cmp -s after.rows mor.rows || fail "a reader sees other rows than the merge-on-read version's"
    if [[ $(current_version) == "$mor_version" ]]; then
      ((n_old += 1))
    else
      ((n_new += 1))
    fi
    "${compact_cmd[@]}" > /dev/null 2> rerun.err || fail "the compact after the kill failed: $(cat rerun.err)"
    read_current > after.rows && cmp -s after.rows mor.rows || fail "the compact after the kill changed the rows"
    [[ $(current_manifest | grep -c '"deltas"') == 0 ]] || fail "the compacted version still lists deltas"
    back_to "$mor_version"
  done
  printf '%-6s %-13s %6d %6d %6d\n' "$mode" "$op" "$kills" "$n_old" "$n_new"
}

# The manifest of DATASET's current version.
current_manifest() {
  local version
  version=$(current_version)
  if [[ $mode == s3 ]]; then
    aws_s3 s3 cp "$ds/_versions/$version/_SUCCESS" -
  else
    cat "$ds/_versions/$version/_SUCCESS"
  fi
}

printf '%-6s %-13s %6s %6s %6s\n' mode command kills old new
for mode in ${modes//,/ }; do
  setup_mode "$mode"
  old=$(write_version inner --no-publish)
  new=$(write_version left --no-publish)
  $mergeflow dataset pin "$ds" "$old" > /dev/null
  $mergeflow dataset pin "$ds" "$new" > /dev/null
  $mergeflow dataset publish "$ds" "$new" > /dev/null
  read_current > new.rows
  $mergeflow dataset publish "$ds" "$old" > /dev/null
  read_current > old.rows
  cmp -s old.rows new.rows && { echo "kill_dataset.sh: the old and new versions do not differ" >&2; exit 1; }
  publish_ms=$(elapsed_ms write_version left)
  rollback_ms=$(elapsed_ms $mergeflow dataset rollback "$ds" --to "$old")
  # A change file for the old version: updates, deletes and inserts.
  { printf 'Op\t%s\n' "$($mergeflow join l.tsv r.tsv -q | head -n 1)"
    head -n 2000 old.rows | awk -F'\t' -v OFS='\t' '{ $NF = "changed"; print "U", $0 }'
    sed -n '2001,2500p' old.rows | awk -v OFS='\t' '{ print "D", $0 }'
    head -n 300 old.rows | awk -F'\t' -v OFS='\t' '{ $1 = $1 "new"; print "I", $0 }'
  } > changes.tsv
  upsert_cmd=($mergeflow upsert "$ds" changes.tsv --key id --order-by id --merge-mode commit-time -q)
  "${upsert_cmd[@]}"
  read_current > upserted.rows
  $mergeflow dataset rollback "$ds" --to "$old" > /dev/null
  upsert_ms=$(elapsed_ms "${upsert_cmd[@]}")
  $mergeflow dataset rollback "$ds" --to "$old" > /dev/null
  for op in publish rollback upsert gc; do
    n_old=0 n_new=0
    for ((k = 1; k <= kills; k++)); do
      case $op in
        publish) run_and_kill "$publish_ms" write_version left ;;
        rollback)
          $mergeflow dataset publish "$ds" "$new" > /dev/null
          run_and_kill "$rollback_ms" $mergeflow dataset rollback "$ds" --to "$old"
          ;;
        upsert) run_and_kill "$upsert_ms" "${upsert_cmd[@]}" ;;
        gc)
          write_version left --no-publish > /dev/null
          gc_ms=$(elapsed_ms $mergeflow dataset gc "$ds" --keep 1)
          run_and_kill "$((gc_ms * 3))" $mergeflow dataset gc "$ds" --keep 1 --apply
          ;;
      esac
      read_current > after.rows 2> reader.err || fail "a reader cannot read the dataset: $(cat reader.err)"
      if cmp -s after.rows old.rows; then
        ((n_old += 1))
      elif [[ $op == upsert ]] && cmp -s after.rows upserted.rows; then
        ((n_new += 1))
      elif cmp -s after.rows new.rows && [[ $op != gc && $op != upsert ]]; then
        ((n_new += 1))
      else
        fail "a reader sees neither the old nor the new version"
      fi
      # The command again, then back to the old version, then a full gc.
      case $op in
        publish) write_version left 2> rerun.err || fail "the publish after the kill failed: $(cat rerun.err)" ;;
        rollback)
          $mergeflow dataset publish "$ds" "$new" > /dev/null 2> rerun.err ||
            fail "publishing after the kill failed: $(cat rerun.err)"
          ;;
        upsert)
          "${upsert_cmd[@]}" 2> rerun.err || fail "the upsert after the kill failed: $(cat rerun.err)"
          read_current > after.rows && cmp -s after.rows upserted.rows || fail "the upsert after the kill differs"
          ;;
        gc) $mergeflow dataset gc "$ds" --keep 1 --apply > /dev/null 2> rerun.err || fail "gc after the kill failed: $(cat rerun.err)" ;;
      esac
      $mergeflow dataset rollback "$ds" --to "$old" > /dev/null 2> rerun.err ||
        { [[ $op == gc ]] || fail "the rollback after the kill failed: $(cat rerun.err)"; }
      read_current > after.rows && cmp -s after.rows old.rows || fail "not back at the old version"
      $mergeflow dataset log "$ds" > /dev/null 2> rerun.err || fail "the log is broken: $(cat rerun.err)"
      $mergeflow dataset gc "$ds" --keep 1 --apply > /dev/null 2> rerun.err || fail "gc failed: $(cat rerun.err)"
      left=$(leftovers)
      [[ -z $left ]] || fail "left over: $left"
    done
    printf '%-6s %-13s %6d %6d %6d\n' "$mode" "$op" "$kills" "$n_old" "$n_new"
  done
  kill_merge_on_read
  kill_compact
  if [[ $mode == s3 ]]; then aws_s3 s3 rb "s3://$bucket" --force > /dev/null; fi
done
