#!/usr/bin/env bash
# Kills a 4-step pipeline (join, join into a dataset version, validate,
# publish) with SIGKILL at random moments and checks that `mergeflow run`
# again finishes it: it reruns only the steps the killed run had not
# finished, and the final outputs equal those of a clean run. Each kill hits,
# in turn:
#  - runner: the `mergeflow run` process itself (its step then gets SIGTERM);
#  - step: the step's process that runs at that moment (a node lost: the
#    runner retries it, so the killed run itself must succeed).
# After the run again: the merged output and the dataset's current version
# hold the clean run's rows, the lock is released, and no staging
# directory, run marker or temporary directory is left.
# Modes: local (data and records on local disk), s3 (data, outputs and
# records under s3://, read back with awscli; needs MERGEFLOW_TEST_S3_ENDPOINT).
#
#   tests/crash/kill_pipeline.sh [--kills N] [--modes local,s3] [--rows N] BUILD_DIR
#
# Prints a table: per mode and target, kills, and how many hit a step's process.
set -euo pipefail

kills=5
modes=local,s3
rows=100000
reader=$(cd "$(dirname "$0")/../dataset" && pwd)/read_dataset.py
source "$(dirname "$0")/harness.sh" "$@"

cat > p.yaml <<'YAML'
name: crash
params: {data: ., out: .}
retry: [{on: [transient, node_lost], max_attempts: 2, interval: 0s}]
steps:
  - name: merge
    join: {left: "${data}/l.tsv", right: "${data}/r.tsv", on: id, how: left, output: "${out}/merged",
           threads: "2", chunk-size: 512K}
  - name: enrich
    needs: [merge]
    join: {left: "${steps.merge.output}", right: "${data}/r.tsv", on: id, how: inner,
           output: {dataset: "${out}/ds"}, threads: "2", chunk-size: 512K}
  - name: check
    needs: [enrich]
    validate: {input: "${out}/ds@${steps.enrich.version}", min_rows: 1, columns: [id]}
  - name: publish
    needs: [check]
    publish: {dataset: "${out}/ds", version: "${steps.enrich.version}"}
YAML

fail() {
  echo "kill_pipeline.sh: $mode $target, kill $k: $*" >&2
  exit 1
}

# The rows of the merged output and of the dataset's current version, sorted.
read_outputs() {
  local root=$1
  if [[ $mode == s3 ]]; then
    rm -rf copy
    aws_s3 s3 cp "$root" copy --recursive --quiet
    root=copy
  fi
  cat "$root"/merged/part-* | grep -v '^id' | sort
  echo "--"
  "$reader" "$root/ds"
}

# A run record, read back as a user would (awscli on S3).
run_record() {
  if [[ $mode == s3 ]]; then aws_s3 s3 cp "$logs/$1/run.json" - ; else cat "$logs/$1/run.json"; fi
}

# The status of each step in a run record: "name status" lines.
step_statuses() { python3 -c 'import json,sys; [print(s["name"], s["status"]) for s in json.load(sys.stdin)["steps"]]'; }

leftovers() {
  if [[ $mode == s3 ]]; then
    aws_s3 s3 ls --recursive "$out/" | grep -E '/\.|\.owner-|mergeflow-run-' || true
    aws_s3 s3 ls "$logs/" | grep '\.lock' || true
    aws_s3 s3api list-multipart-uploads --bucket "$bucket" --query 'Uploads[].Key' --output text | grep -v None || true
  else
    find "$out" -name '.*' || true
    ls "$logs" | grep '\.lock' || true
  fi
  ls "$TMPDIR" | grep mergeflow- || true
}

# Kills a `mergeflow run` after a random part of 1.3 x `duration_ms`: the
# runner, or the step it runs then. Sets $run_id (empty when the runner
# died before saying it) and $hit (1 when a step's process was killed).
run_and_kill() {
  local delay_ms=$((RANDOM * RANDOM % ($1 * 13 / 10 + 1)))
  $mergeflow run p.yaml -p data="$data" -p out="$out" --log-uri "$logs" > killed.out 2> killed.err &
  local pid=$! children=""
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  hit=0
  if [[ $target == runner ]]; then
    kill -9 "$pid" 2> /dev/null || true
  else
    # The step running then, or the next to start (between steps the
    # runner has none).
    for ((wait = 0; wait < 100; wait++)); do
      children=$(pgrep -P "$pid" || true)
      [[ -z $children ]] && kill -0 "$pid" 2> /dev/null && { sleep 0.02; continue; }
      break
    done
    if [[ -n $children ]] && kill -9 $children 2> /dev/null; then hit=1; fi
  fi
  local status=0
  wait "$pid" 2> /dev/null || status=$?
  if [[ $target == step && $status != 0 ]]; then
    fail "the run whose step was killed failed (status $status): $(cat killed.err)"
  fi
  run_id=$(sed -n 's/^run \([^ ]*\) of pipeline.*/\1/p' killed.out | head -n 1)
}

printf '%-6s %-7s %6s %6s\n' mode target kills hits
for mode in ${modes//,/ }; do
  if [[ $mode == s3 ]]; then
    use_test_s3
    bucket=mf-crash-pipeline-$$
    aws_s3 s3 mb "s3://$bucket" > /dev/null
    aws_s3 s3 cp l.tsv "s3://$bucket/data/l.tsv" --quiet
    aws_s3 s3 cp r.tsv "s3://$bucket/data/r.tsv" --quiet
    data=s3://$bucket/data root=s3://$bucket
  else
    data=$work root=$work
  fi
  # A clean run first, for the rows every run must end with.
  out=$root/clean logs=$root/clean-logs
  start=$(date +%s%N)
  $mergeflow run p.yaml -p data="$data" -p out="$out" --log-uri "$logs" > /dev/null
  run_ms=$((($(date +%s%N) - start) / 1000000))
  read_outputs "$out" > clean.rows
  for target in runner step; do
    hits=0
    for ((k = 1; k <= kills; k++)); do
      out=$root/out-$target-$k logs=$root/logs-$target-$k
      run_and_kill "$run_ms"
      hits=$((hits + hit))
      $mergeflow run p.yaml -p data="$data" -p out="$out" --log-uri "$logs" > rerun.out 2> rerun.err ||
        fail "the run after the kill failed: $(cat rerun.err)"
      read_outputs "$out" > after.rows
      cmp -s after.rows clean.rows || fail "the outputs differ from a clean run's"
      # What the killed run finished, the run after it skips.
      if [[ -n $run_id ]] && run_record "$run_id" > killed.json 2> /dev/null; then
        rerun_id=$(sed -n 's/^run \([^ ]*\) of pipeline.*/\1/p' rerun.out | head -n 1)
        run_record "$rerun_id" | step_statuses > rerun.steps
        while read -r step status; do
          [[ $status == succeeded && $step != check ]] || continue
          grep -qx "$step skipped" rerun.steps || fail "$step, done before the kill, ran again: $(cat rerun.steps)"
        done < <(step_statuses < killed.json)
      fi
      left=$(leftovers)
      [[ -z $left ]] || fail "left over: $left"
    done
    printf '%-6s %-7s %6d %6d\n' "$mode" "$target" "$kills" "$hits"
  done
  if [[ $mode == s3 ]]; then aws_s3 s3 rb "s3://$bucket" --force > /dev/null; fi
done
