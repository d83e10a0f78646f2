#!/usr/bin/env bash
# mergeflow under Slurm, on a one-node cluster started here
# (tests/slurm/slurm_cluster.sh; run as root):
#  - `srun --mpi=pmix -n 3 mergeflow join` gives the rows of one process, and
#    its _SUCCESS says 3 ranks;
#  - a job submitted with sbatch from deploy/mergeflow.sbatch, as a user
#    would, does too;
#  - a pipeline step with the srun launcher does too;
#  - srun with --mpi=none or --mpi=pmi2 (through which Debian's Open MPI
#    cannot join the tasks) stops every task with one line saying what to
#    use, exit status 2, and leaves the existing OUT as it was;
#  - a command that runs as one process (dataset list) under srun -n 2 stops.
#
#   tests/slurm/slurm_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: slurm_test.sh BUILD_DIR}" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
mergeflow=$build/mergeflow

work=$(mktemp -d /tmp/mergeflow-slurm.XXXXXX)
trap '"$repo/tests/slurm/slurm_cluster.sh" stop "$work/cluster"; rm -rf "$work"' EXIT
SLURM_CONF=$("$repo/tests/slurm/slurm_cluster.sh" start "$work/cluster")
export SLURM_CONF
# The tasks run as root, as this script does; Open MPI needs to be told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

fail() {
  echo "slurm_test.sh: $*" >&2
  exit 1
}

# Inputs large enough that every rank reads and receives rows.
"$build/mergeflow-gen" --rows 200000 --key-space 150000 --columns 3 --seed 1 -o "$work/left.tsv"
"$build/mergeflow-gen" --rows 150000 --key-space 150000 --columns 2 --seed 2 -o "$work/right.tsv"
"$mergeflow" join "$work/left.tsv" "$work/right.tsv" --how left -o "$work/one"

# The rows of an output (a file or a directory of parts), header first,
# the rest sorted: ranks write their parts in an order of their own.
rows() {
  local out=$1
  if [[ -d "$out" ]]; then
    local parts=("$out"/part-*)
    head -n 1 "${parts[0]}"
    for part in "${parts[@]}"; do tail -n +2 "$part"; done | LC_ALL=C sort
  else
    head -n 1 "$out"
    tail -n +2 "$out" | LC_ALL=C sort
  fi
}
rows "$work/one" > "$work/one.rows"
[[ $(wc -l < "$work/one.rows") -gt 100000 ]] || fail "the single-process join gave too few rows"

same_as_one_process() {
  local what=$1 out=$2
  rows "$out" > "$work/out.rows"
  cmp -s "$work/one.rows" "$work/out.rows" || fail "$what: rows differ from one process's"
  grep -q '"ranks": 3' "$out/_SUCCESS" || fail "$what: _SUCCESS does not say 3 ranks"
  echo "slurm_test.sh: $what: the rows of one process, on 3 ranks"
}

srun --mpi=pmix -n 3 "$mergeflow" join "$work/left.tsv" "$work/right.tsv" --how left -o "$work/srun" \
  --temp-dir "$work"
same_as_one_process "srun --mpi=pmix -n 3" "$work/srun"

# The batch script as shipped; sbatch's own options override its #SBATCH
# lines for this one-node cluster. -W waits for the job to end.
PATH=$build:$PATH TEMP_DIR=$work sbatch -W --quiet --nodes=1 --ntasks=3 --ntasks-per-node=3 --no-requeue \
  --output="$work/sbatch.log" "$repo/deploy/mergeflow.sbatch" "$work/left.tsv" "$work/right.tsv" "$work/sbatch" \
  --how left || { cat "$work/sbatch.log" >&2; fail "the sbatch job failed"; }
same_as_one_process "sbatch deploy/mergeflow.sbatch" "$work/sbatch"

cat > "$work/pipeline.yaml" << EOF
name: slurm-step
launcher: {srun: {ntasks: 3, args: [--mpi=pmix]}}
steps:
  - name: merge
    join: {left: $work/left.tsv, right: $work/right.tsv, on: id, how: left, output: $work/pipeline}
EOF
"$mergeflow" run "$work/pipeline.yaml" --log-uri "$work/runs" > "$work/run.log" 2>&1 ||
  { cat "$work/run.log" >&2; fail "the pipeline with an srun step failed"; }
same_as_one_process "a pipeline step launched by srun" "$work/pipeline"

# Tasks that cannot form one MPI job stop before touching OUT.
for plugin in none pmi2; do
  before=$(cat "$work/srun/_SUCCESS")
  if srun --mpi="$plugin" -n 3 "$mergeflow" join "$work/left.tsv" "$work/right.tsv" -o "$work/srun" \
    > "$work/refused.out" 2> "$work/refused.err"; then
    fail "srun --mpi=$plugin -n 3 ran"
  fi
  mapfile -t lines < <(grep '^mergeflow' "$work/refused.err")
  [[ ${#lines[@]} -eq 1 ]] || fail "srun --mpi=$plugin: ${#lines[@]} lines from mergeflow, not one: $(cat "$work/refused.err")"
  [[ "${lines[0]}" == *"--mpi=$plugin"*"srun --mpi=pmix"*"mpirun"* ]] ||
    fail "srun --mpi=$plugin: the line does not say what to use: ${lines[0]}"
  grep -q "exit code 2" "$work/refused.err" || fail "srun --mpi=$plugin: tasks did not exit with status 2"
  [[ "$(cat "$work/srun/_SUCCESS")" == "$before" ]] || fail "srun --mpi=$plugin changed the existing OUT"
  same_as_one_process "after the refused srun --mpi=$plugin, OUT" "$work/srun"
done

if srun -n 2 "$mergeflow" dataset list "$work/srun" 2> "$work/refused.err"; then
  fail "dataset list ran as 2 tasks"
fi
grep -q "runs as one process" "$work/refused.err" || fail "dataset list under srun: $(cat "$work/refused.err")"
echo "slurm_test.sh: every check passed"
