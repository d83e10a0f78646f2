#!/usr/bin/env bash
# Sets up and runs every mergeflow test: unit and end-to-end tests (CTest,
# with a real S3-compatible server), runs under a one-node Slurm, SIGKILLs at random moments (joins,
# dataset publish, rollback and gc, pipeline runs and their steps), the
# malformed-input corpus, the pandas, upsert and aggregate oracles,
# a build without MPI, then the tests again under AddressSanitizer with
# UndefinedBehaviorSanitizer (and the fuzzers for 20 s each), and
# under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# The S3 tests run against Ceph's RADOS Gateway on 127.0.0.1, started here
# for the whole run (tests/s3/rgw_server.sh). MERGEFLOW_TEST_S3_SERVER may
# instead name an S3-compatible server command (such as
# "moto_server -H 127.0.0.1 -p") that the tests start for each test, with
# its port as the last argument.
rgw_dir=
nompi_build=
cleanup() {
  if [[ -n $nompi_build ]]; then kill -- -"$nompi_build" 2> /dev/null || true; fi
  if [[ -n $rgw_dir ]]; then tests/s3/rgw_server.sh stop "$rgw_dir"; fi
}
trap cleanup EXIT
if [[ -z "${MERGEFLOW_TEST_S3_SERVER:-}" ]]; then
  rgw_dir=$(mktemp -d /tmp/mergeflow-rgw.XXXXXX)
  echo "== starting the S3 test server (Ceph RADOS Gateway)"
  MERGEFLOW_TEST_S3_ENDPOINT=$(tests/s3/rgw_server.sh start "$rgw_dir")
  export MERGEFLOW_TEST_S3_ENDPOINT
fi
jobs=$(nproc)
# Each stage says how long the run has taken so far (the suite must stay
# well inside CI's time on a 2-core machine).
stage() { echo "== $* (at $((SECONDS / 60)) min $((SECONDS % 60)) s)"; }

stage "optimised build: unit and end-to-end tests"
(cd build && ctest --output-on-failure -j "$jobs")
# The build without MPI (checked further down) compiles meanwhile, on one
# core at low priority: the stages up to the corpus wait mostly on the
# processes they start and kill, and on the S3 server.
nompi_log=$(mktemp /tmp/mergeflow-nompi-build.XXXXXX)
# Unoptimised: this build checks that it compiles and runs, not its speed.
# A session of its own, so that the cleanup can stop all of it.
setsid bash -c 'cmake -S . -B build-nompi -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O0 -DMERGEFLOW_MPI=OFF \
  -DMERGEFLOW_TESTS=OFF && nice -n 10 cmake --build build-nompi -j 1 --target mergeflow' > "$nompi_log" 2>&1 &
nompi_build=$!
stage "optimised build: under Slurm (one node: srun --mpi=pmix, an sbatch job, a pipeline's srun step; launches that cannot form one MPI job refused)"
tests/slurm/slurm_test.sh build
stage "optimised build: SIGKILL at random moments (local, spilling, S3, 3 MPI ranks)"
tests/crash/kill_runs.sh --kills "${MERGEFLOW_TEST_KILLS:-5}" build
stage "optimised build: SIGKILL of dataset publish, rollback, upsert, gc, merge-on-read upsert and compact (local, S3)"
tests/crash/kill_dataset.sh --kills "${MERGEFLOW_TEST_DATASET_KILLS:-3}" build
stage "optimised build: SIGKILL of pipeline runs and of their steps (local, S3)"
tests/crash/kill_pipeline.sh --kills "${MERGEFLOW_TEST_PIPELINE_KILLS:-3}" build
stage "optimised build: malformed-input corpus"
tests/corpus/run_malformed.sh build/mergeflow
stage "optimised build: the Python module (pytest: against pandas and the program, errors, Ctrl-C, a pipeline; the pandas oracle through it)"
PYTHONPATH=build/python MERGEFLOW_BINARY=build/mergeflow MERGEFLOW_GEN_BINARY=build/mergeflow-gen \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
PYTHONPATH=build/python /usr/bin/python3 tests/oracle/pandas_oracle.py build/mergeflow --cases 10 --python
stage "optimised build: Parquet written and read, against DuckDB (every join type, typed inputs, upserted datasets) and Apache Thrift's decoder"
/usr/bin/python3 tests/parquet/parquet_duckdb_test.py build
/usr/bin/python3 tests/parquet/thrift_footer_test.py build
stage "optimised build: pandas oracle"
/usr/bin/python3 tests/oracle/pandas_oracle.py build/mergeflow --cases 25
stage "optimised build: upsert oracle (a reference of the spec, 155 random change streams: in memory, spilled, on 3 MPI ranks, in Parquet, merge-on-read)"
/usr/bin/python3 tests/oracle/upsert_oracle.py build/mergeflow --seeds 40
/usr/bin/python3 tests/oracle/upsert_oracle.py build/mergeflow --seeds 20 --first 1001 --extra "--buckets 1 --threads 1"
# Changes spilled to disk and reduced a bucket group at a time.
/usr/bin/python3 tests/oracle/upsert_oracle.py build/mergeflow --seeds 30 --first 2001 --extra "--memory-limit 4K --buckets 64"
# Buckets shared by 3 ranks (13 buckets: ranks own unequal shares), spilled.
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 /usr/bin/python3 tests/oracle/upsert_oracle.py build/mergeflow \
  --seeds 6 --first 3001 --launch "mpirun --oversubscribe --bind-to none -np 3" --extra "--memory-limit 4K --buckets 13"
# Merge-on-read: buckets kept as deletes files and delta parts (read back by
# the independent reader), compacted at the default share, kept for every
# call, spilled, and on 3 ranks.
/usr/bin/python3 tests/oracle/upsert_oracle.py build/mergeflow --seeds 20 --first 5001 --new-columns 0.05 \
  --extra="--merge-on-read"
/usr/bin/python3 tests/oracle/upsert_oracle.py build/mergeflow --seeds 20 --first 6001 --new-columns 0.05 \
  --extra "--merge-on-read --delta-share 100 --memory-limit 4K --buckets 4"
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 /usr/bin/python3 tests/oracle/upsert_oracle.py build/mergeflow \
  --seeds 4 --first 8001 --new-columns 0.05 --launch "mpirun --oversubscribe --bind-to none -np 3" \
  --extra "--merge-on-read --delta-share 100 --memory-limit 4K --buckets 7"
# Parquet datasets (the parts read back by DuckDB).
/usr/bin/python3 tests/oracle/upsert_oracle.py build/mergeflow --seeds 15 --first 4001 --extra "--format parquet"

stage "optimised build: aggregate oracle (pandas: every statistic and layout, text and .h5ad; in memory, in feature blocks, on 3 MPI ranks)"
/usr/bin/python3 tests/oracle/aggregate_oracle.py build/mergeflow --seeds 25
/usr/bin/python3 tests/oracle/aggregate_oracle.py build/mergeflow --seeds 12 --first 201 --h5ad
/usr/bin/python3 tests/oracle/aggregate_oracle.py build/mergeflow --seeds 2 --first 501 --wide --expect-blocks \
  --extra "--memory-limit 12M --chunk-size 64K --threads 2"
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 /usr/bin/python3 tests/oracle/aggregate_oracle.py build/mergeflow \
  --seeds 3 --first 901 --launch "mpirun --oversubscribe --bind-to none -np 3"
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 /usr/bin/python3 tests/oracle/aggregate_oracle.py build/mergeflow \
  --seeds 2 --first 951 --h5ad --launch "mpirun --oversubscribe --bind-to none -np 3"

stage "build without MPI: still builds, joins as one process, and says why it cannot run as several"
wait "$nompi_build" || { cat "$nompi_log"; echo "the build without MPI failed" >&2; exit 1; }
rm -f "$nompi_log"
nompi=$(mktemp -d)
printf 'id\tv\n1\ta\n2\tb\n' > "$nompi/l.tsv"
printf 'id\tw\n2\ty\n' > "$nompi/r.tsv"
test "$(build-nompi/mergeflow join "$nompi/l.tsv" "$nompi/r.tsv")" = "$(printf 'id\tv\tw\n2\tb\ty')"
if OMPI_COMM_WORLD_SIZE=2 build-nompi/mergeflow join "$nompi/l.tsv" "$nompi/r.tsv" 2> "$nompi/err"; then
  echo "a build without MPI ran as one of 2 processes" >&2
  exit 1
fi
grep -q "built without MPI" "$nompi/err"
rm -rf "$nompi"

stage "AddressSanitizer + UndefinedBehaviorSanitizer build (clang: the same build holds the libFuzzer targets)"
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMERGEFLOW_FUZZ=ON -DMERGEFLOW_TESTS=ON >/dev/null
cmake --build build-asan -j "$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Left to the optimised build: tests whose time goes to awscli, to
# processes started and killed, or to rows by the hundred thousand, where
# smaller tests under the sanitizers take the same code paths (S3 fault
# injection and listing pages, credentials from profiles, publishers
# racing, pipelines on S3, reader loops, a fault at every operation of a
# commit or a spill, interrupts at every moment, heavy keys, every join
# type on 2 to 4 spilling ranks, killed ranks and timed-out steps).
asan_left=(S3FaultTest FaultTest.EveryOperation CliTest.InterruptsAtAnyMoment S3Test.ReadsAPrefixOfMoreThan1000ObjectsAndGlobs
  S3Test.Credentials S3SecurityTest S3PipelineTest S3DatasetTest.OfPublishersRacingOneWins
  DatasetCliTest.ReadersNeverSeeAMixOfVersions SpillTest.AHeavyKeyIsJoinedInBlocks
  MpiTest.RanksSpillUnderATinyMemoryLimit MpiTest.EveryJoinTypeOnTwoToFourRanks MpiTest.AKilledRank
  MpiTest.APipelineStepOnRanksPastItsTimeout)
(cd build-asan && ctest --output-on-failure -j "$jobs" -E "$(IFS='|'; echo "${asan_left[*]}")")
/usr/bin/python3 tests/oracle/pandas_oracle.py build-asan/mergeflow --cases 10
/usr/bin/python3 tests/oracle/aggregate_oracle.py build-asan/mergeflow --seeds 10
/usr/bin/python3 tests/oracle/aggregate_oracle.py build-asan/mergeflow --seeds 5 --first 201 --h5ad
tests/corpus/run_malformed.sh build-asan/mergeflow
stage "libFuzzer targets, 20 s each (the sanitizer build)"
scripts/fuzz.sh --build build-asan 20

stage "ThreadSanitizer build (tests of files and processes rather than threads, and the largest spill, upsert and MPI tests, run in the builds above only)"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMERGEFLOW_TSAN=ON -DMERGEFLOW_TESTS=ON >/dev/null
cmake --build build-tsan -j "$jobs"
# An interrupted run ends with _exit while its threads still run, on purpose:
# that is no leak worth a report.
export TSAN_OPTIONS="halt_on_error=1 report_thread_leaks=0 suppressions=$PWD/tests/tsan.supp"
# Also left to the builds above: the largest spill, upsert and MPI tests,
# and tests of processes (usage errors, pipeline runs and their steps on
# ranks), whose threads the smaller tests here run as well.
tsan_left=(FaultTest InterruptsAtAnyMoment S3 SpillTest.AHeavyKeyIsJoinedInBlocks SpillTest.EverySpillCompression
  PipelineRunTest.TheExamplePipelinesRun
  SpillTest.EveryJoinTypeGivesTheInMemoryRows DatasetCliTest UpsertTest.OfTwoUpserts UpsertTest.ChangesLargerThanMemory
  SpillTest.PipedInputsSpillToo MpiTest.RanksSpillUnderATinyMemoryLimit MpiTest.EveryJoinTypeOnTwoToFourRanks
  MpiTest.AKilledRank MpiTest.AHeavyKey MpiTest.ABroadcastRow MpiTest.PipelineSteps MpiTest.APipelineStep
  PipelineRunTest.ARunSkipsWhatIsDoneAndRerunsWhatChanged CliTest.UsageErrors)
(cd build-tsan && ctest --output-on-failure -j "$jobs" -E "$(IFS='|'; echo "${tsan_left[*]}")")
stage "all tests passed"
