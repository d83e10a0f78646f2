// The join on several MPI processes (Open MPI's mpirun, oversubscribed on
// this machine) gives exactly the rows of the single-process run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "e2e/cli_runner.h"
#include "e2e/s3_server.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::RunScript;
using testing::TempDir;

// A bash prelude: $MPIRUN starts N copies of a command, and `rows DIR`
// prints the data rows of an output, sorted.
const char kPrelude[] =
    "set -e\n"
    "export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1\n"
    "MPIRUN='mpirun --oversubscribe --bind-to none -np'\n"
    "GEN='" MERGEFLOW_GEN_BINARY
    "'\n"
    "rows() { for f in \"$1\"/part-*; do tail -n +2 \"$f\"; done | sort; }\n";

int Mpi(const TempDir& dir, const std::string& script) { return RunScript(dir, kPrelude + script); }

nlohmann::json Manifest(const TempDir& dir, const std::string& output) {
  return nlohmann::json::parse(ReadFile(dir / (output + "/_SUCCESS")));
}

// Joins l.tsv and r.tsv `how` in one process and on `np` processes (with
// `flags` added there) and compares their rows; returns the script's status.
int OneAndMany(const TempDir& dir, const std::string& how, int np, const std::string& flags = "") {
  return Mpi(dir,
             "rm -rf one many\n"
             "$MERGEFLOW join l.tsv r.tsv --how " +
                 how +
                 " -q -o one\n"
                 "$MPIRUN " +
                 std::to_string(np) + " $MERGEFLOW join l.tsv r.tsv --how " + how + " -q -o many " + flags +
                 "\n"
                 "rows one > one.rows; rows many > many.rows\n"
                 "test -s one.rows || [ " +
                 how +
                 " = anti ]\n"
                 "cmp one.rows many.rows\n");
}

// Inputs with duplicate keys on both sides, keys on one side only, and
// empty (NULL) keys.
void WriteInputs(const TempDir& dir, const std::string& gen_flags, int rows = 30000,
                 const std::string& right_gen_flags = "") {
  const std::string left = std::to_string(rows), right = std::to_string(rows * 2 / 3);
  ASSERT_EQ(Mpi(dir, "$GEN --rows " + left + " --key-space " + right + " --seed 1 " + gen_flags +
                         " -o l.tsv\n"
                         "$GEN --rows " +
                         right + " --key-space " + right + " --seed 2 " + right_gen_flags +
                         " -o r.tsv\n"
                         "printf '\\tnull-left\\n' >> l.tsv; printf '\\tnull-right\\n' >> r.tsv\n"),
            0);
}

TEST(MpiTest, EveryJoinTypeOnTwoToFourRanksEqualsOneProcess) {
  TempDir dir;
  WriteInputs(dir, "");
  for (const char* how : {"inner", "left", "right", "outer", "semi", "anti"}) {
    for (int np : {1, 2, 3, 4}) EXPECT_EQ(OneAndMany(dir, how, np), 0) << how << " on " << np << " ranks";
    const nlohmann::json m = Manifest(dir, "many");
    EXPECT_EQ(m["distributed"]["ranks"], 4);
    EXPECT_EQ(m["rows"]["left"], 30001);
    EXPECT_EQ(m["rows"]["right"], 20001);
    EXPECT_EQ(m["rows"]["output"], Manifest(dir, "one")["rows"]["output"]);
  }
}

TEST(MpiTest, RanksSpillUnderATinyMemoryLimitAndStillAgree) {
  TempDir dir;
  WriteInputs(dir, "", 600000);
  for (const char* how : {"inner", "left", "right", "outer", "semi", "anti"}) {
    EXPECT_EQ(OneAndMany(dir, how, 3, "--memory-limit 8M --chunk-size 64K --threads 2 --temp-dir ."), 0) << how;
    EXPECT_EQ(Mpi(dir, "test -z \"$(ls -d mergeflow-* 2> /dev/null)\"\n"), 0) << "temporary files left";
    EXPECT_GT(Manifest(dir, "many")["memory"]["spilled_bytes"].get<uint64_t>(), 0u) << how;
  }
}

// Joins of every type on 4 ranks equal one process's, with the heavy keys
// spread and the busiest rank near the mean.
void ExpectHeavyKeysSpread(const TempDir& dir, const std::vector<std::string>& types) {
  for (const std::string& how : types) {
    EXPECT_EQ(OneAndMany(dir, how, 4), 0) << how;
    const nlohmann::json d = Manifest(dir, "many")["distributed"];
    EXPECT_GE(d["heavy_keys_spread"].get<int>(), 1) << how;
    EXPECT_LT(d["max_over_mean"].get<double>(), 1.25) << how << ": " << d.dump();
  }
}

TEST(MpiTest, AHeavyKeyIsSpreadOverEveryRank) {
  TempDir dir;
  // Zipf(1.1) keys on the left: the most frequent key holds about a tenth of
  // its rows, more than a fifth of one rank's share. For right and outer
  // joins, the right side's rows of it reach every rank and are output as
  // unmatched by none (they match somewhere).
  WriteInputs(dir, "--zipf 1.1");
  ExpectHeavyKeysSpread(dir, {"inner", "left", "semi", "anti", "right", "outer"});
}

TEST(MpiTest, AHeavyKeyOnTheRightIsSpreadToo) {
  TempDir dir;
  // Zipf(1.1) keys on the right; the left's rows of them reach every rank.
  // (Semi and anti joins, which output each left row once, spread nothing
  // here: of the right's rows of a heavy key, each rank sends the owner the
  // first only.)
  WriteInputs(dir, "", 30000, "--zipf 1.1");
  ExpectHeavyKeysSpread(dir, {"inner", "left", "right", "outer", "semi", "anti"});
}

TEST(MpiTest, ABroadcastRowIsOutputOnceWhenSomeRanksHaveNoPartnerForIt) {
  TempDir dir;
  // Key a holds 3 of the left's 8 rows: heavy, and spread over 3 of the 4
  // ranks, so one rank gets right rows of a but no left row to match them.
  ASSERT_EQ(Mpi(dir,
                "printf 'id\\tv\\na\\t1\\nb\\t2\\na\\t3\\nc\\t4\\na\\t5\\nd\\t6\\ne\\t7\\nf\\t8\\n' > l.tsv\n"
                "printf 'id\\tw\\na\\tx\\na\\ty\\nb\\tz\\ng\\tu\\n' > r.tsv\n"),
            0);
  for (const std::string how : {"right", "outer", "left", "inner"}) {
    EXPECT_EQ(OneAndMany(dir, how, 4), 0) << how;
    EXPECT_GE(Manifest(dir, "many")["distributed"]["heavy_keys_spread"].get<int>(), 1) << how;
  }
}

TEST(MpiTest, QuotedNewlinesWithMultilineGiveWholeFilesToRanks) {
  TempDir dir;
  ASSERT_EQ(Mpi(dir,
                "mkdir l\n"
                "for p in 0 1 2 3 4; do { echo 'id,text'; for i in $(seq $((p * 200)) $((p * 200 + 199))); do "
                "printf '%d,\"line one\\nline \"\"two\"\" of %d\"\\n' $((i % 300)) $i; done; } > l/part-$p.csv; "
                "done\n"
                "{ echo 'id,w'; seq 0 299 | awk '{print $1 \",w\" $1}'; } > r.csv\n"
                "$MERGEFLOW join l r.csv -q -o one\n"
                "$MPIRUN 3 $MERGEFLOW join l r.csv -q -o many --multiline\n"
                "rows one > one.rows; rows many > many.rows; cmp one.rows many.rows\n"
                "test $(grep -c 'line one' one.rows) -eq 1000\n"),
            0);
}

TEST(MpiTest, ABadRowStopsEveryRankWithItsFileAndLine) {
  TempDir dir;
  WriteInputs(dir, "");
  ASSERT_EQ(Mpi(dir,
                "$MERGEFLOW join l.tsv r.tsv -q -o out\n"
                "cp -r out before\n"
                "awk 'NR == 25000 { print \"broken\" } { print }' l.tsv > bad.tsv\n"
                "! $MPIRUN 3 $MERGEFLOW join bad.tsv r.tsv -q -o out 2> err\n"
                "diff -r before out\n"
                "test -z \"$(ls -a | grep mergeflow-staging)\"\n"),
            0);
  const std::string err = ReadFile(dir / "err");
  EXPECT_NE(err.find("mergeflow: error: rank 2 of 3: bad.tsv:25000: expected 2 fields, found 1\n"), std::string::npos)
      << err;
  EXPECT_NE(err.find("stopped because rank 2 failed"), std::string::npos) << err;
}

TEST(MpiTest, SkippedBadRowsAreCountedOverEveryRank) {
  TempDir dir;
  WriteInputs(dir, "");
  // Three bad rows, one in each third of the left input.
  ASSERT_EQ(Mpi(dir,
                "awk 'NR % 10000 == 5 { print \"broken\" } { print }' l.tsv > bad.tsv\n"
                "$MERGEFLOW join bad.tsv r.tsv -q -o one --bad-rows skip 2> one.err\n"
                "$MPIRUN 3 $MERGEFLOW join bad.tsv r.tsv -q -o many --bad-rows skip 2> many.err\n"
                "rows one > one.rows; rows many > many.rows; cmp one.rows many.rows\n"),
            0);
  const nlohmann::json one = Manifest(dir, "one")["bad_rows"];
  const nlohmann::json many = Manifest(dir, "many")["bad_rows"];
  EXPECT_EQ(one["skipped"], 3);
  EXPECT_EQ(many["skipped"], 3);
  std::set<uint64_t> lines;
  for (const auto& b : many["first"]) lines.insert(b["line"].get<uint64_t>());
  EXPECT_EQ(lines, (std::set<uint64_t>{5, 10006, 20007}));
  EXPECT_NE(ReadFile(dir / "many.err").find("skipped 3 bad row(s)"), std::string::npos) << ReadFile(dir / "many.err");
}

TEST(MpiTest, AKilledRankEndsTheJobAndLeavesTheOutputAsItWas) {
  TempDir dir;
  ASSERT_EQ(
      Mpi(dir,
          "$GEN --rows 3000000 --key-space 3000000 --seed 1 -o victim-l.tsv\n"
          "$GEN --rows 3000000 --key-space 3000000 --seed 2 -o victim-r.tsv\n"
          "$MERGEFLOW join victim-l.tsv victim-r.tsv -q -o out --threads 1\n"
          "cp -r out before\n"
          "$MPIRUN 3 $MERGEFLOW join victim-l.tsv victim-r.tsv -q -o out --memory-limit 64M --temp-dir . > log 2>&1 &\n"
          "job=$!\n"
          // Kill one rank (a process running the binary itself) once all three run.
          "ranks() { pgrep -f \"^$MERGEFLOW join victim-l.tsv\" || true; }\n"
          "for i in $(seq 200); do [ $(ranks | wc -l) -ge 3 ] && break; sleep 0.05; done\n"
          "sleep 0.5\n"
          "kill -9 $(ranks | tail -1)\n"
          "! wait $job\n"
          "diff -r before out\n"
          "test -z \"$(ranks)\"\n"
          // The other ranks were stopped by the launcher and removed the staged output.
          "test -z \"$(ls -a | grep mergeflow-staging || true)\"\n"
          "grep -q 'exited on signal 9' log\n"),
      0)
      << ReadFile(dir / "log");
}

TEST(MpiTest, RanksInSeparateNetworkNamespacesJoinOverTcp) {
  if (geteuid() != 0) GTEST_SKIP() << "making network namespaces needs root";
  TempDir dir;
  WriteInputs(dir, "");
  // Three hosts of their own (network namespaces on a bridge, 10.213.N.2-4),
  // which mpirun reaches through an rsh agent that enters the namespace
  // named after the host; the ranks can only talk over TCP.
  ASSERT_EQ(Mpi(dir,
                "# A subnet no interface of this machine is in (one left by a killed run\n"
                "# would make the ranks' addresses ambiguous).\n"
                "n=$(($$ % 250)); while ip -br addr | grep -q \" 10\\.213\\.$n\\.\"; do n=$(((n + 1) % 250)); done\n"
                "net=10.213.$n\n"
                "ns=mf$$\n"
                "cleanup() { for i in 2 3 4; do ip netns del $ns-$i 2> /dev/null; done; "
                "ip link del ${ns}br 2> /dev/null; true; }\n"
                "trap cleanup EXIT\n"
                "ip link add ${ns}br type bridge\n"
                "ip addr add $net.1/24 dev ${ns}br\n"
                "ip link set ${ns}br up\n"
                "for i in 2 3 4; do\n"
                "  ip netns add $ns-$i\n"
                "  ip link add ${ns}v$i type veth peer name eth0 netns $ns-$i\n"
                "  ip link set ${ns}v$i master ${ns}br up\n"
                "  ip netns exec $ns-$i ip addr add $net.$i/24 dev eth0\n"
                "  ip netns exec $ns-$i ip link set eth0 up\n"
                "  ip netns exec $ns-$i ip link set lo up\n"
                "  echo \"$net.$i slots=1\" >> hosts\n"
                "  mkdir tmp-$i\n"
                "done\n"
                // Each host has a temporary directory of its own, as real hosts do
                // (Open MPI keeps its session files there).
                "printf '#!/bin/sh\\nhost=$1; shift\\nexec ip netns exec %s-${host##*.} env TMPDIR=%s/tmp-${host##*.} "
                "/bin/sh -c \"$*\"\\n' $ns $PWD > rsh\n"
                "chmod +x rsh\n"
                "$MERGEFLOW join l.tsv r.tsv --how outer -q -o one\n"
                "mkdir tmp-1; TMPDIR=$PWD/tmp-1 mpirun --hostfile hosts -np 3 --mca plm_rsh_agent $PWD/rsh --mca btl "
                "tcp,self "
                "--mca oob_tcp_if_include $net.0/24 --mca btl_tcp_if_include $net.0/24 "
                "$MERGEFLOW join $PWD/l.tsv $PWD/r.tsv --how outer -q -o $PWD/many > mpirun.log 2>&1\n"
                "rows one > one.rows; rows many > many.rows; cmp one.rows many.rows\n"),
            0)
      << ReadFile(dir / "mpirun.log");
  const nlohmann::json manifest = Manifest(dir, "many");
  for (const auto& rank : manifest["distributed"]["per_rank"]) {
    EXPECT_GT(rank["received_bytes"].get<uint64_t>(), 0u);
  }
}

class MpiS3Test : public testing::S3ServerTest {};

TEST_F(MpiS3Test, RanksReadAndWriteS3LikeOneProcess) {
  ASSERT_EQ(Script(std::string(kPrelude) +
                   "$GEN --rows 200000 --key-space 100000 --seed 1 -o l.tsv\n"
                   "$GEN --rows 100000 --key-space 100000 --seed 2 -o r.tsv\n"
                   "$AWS s3 cp l.tsv s3://$B/in/l.tsv --quiet; $AWS s3 cp r.tsv s3://$B/in/r.tsv --quiet\n"
                   "$MERGEFLOW join l.tsv r.tsv --how left -q -o local\n"
                   "$MPIRUN 3 $MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv --how left -q "
                   "-o s3://$B/out\n"
                   "$AWS s3 cp s3://$B/out remote --recursive --quiet\n"
                   "rows local > local.rows; rows remote > remote.rows; cmp local.rows remote.rows\n"
                   "test \"$(open_uploads)\" = 0\n"),
            0);
  const nlohmann::json m = nlohmann::json::parse(ReadFile(dir_ / "remote/_SUCCESS"));
  EXPECT_EQ(m["distributed"]["ranks"], 3);
  for (const auto& rank : m["distributed"]["per_rank"]) EXPECT_GT(rank["input_bytes"].get<uint64_t>(), 0u);
}

// Upserts on 3 ranks write the dataset one process writes: a first load
// (its changes spilled by group of buckets under a small memory limit),
// then updates, deletes and inserts that touch some buckets, and the same
// onto a dataset made by a join (not in buckets yet: every rank reads all
// of it); the counts match too.
TEST(MpiTest, UpsertsOnThreeRanksEqualOneProcess) {
  TempDir dir;
  const std::string read = std::string("READ='") + MERGEFLOW_SOURCE_DIR + "/tests/dataset/read_dataset.py'\n";
  ASSERT_EQ(Mpi(dir, read + R"sh(
    manifest() { /usr/bin/python3 -c "import json,sys; d=sys.argv[1]; v=json.load(open(d+'/_LATEST.json'))['version']; m=json.load(open(d+'/_versions/'+v+'/_SUCCESS')); print(json.dumps([m['counts'], m['upsert']['buckets_rewritten'], m['upsert']['processes']]))" "$1"; }
    $GEN --rows 30000 --key-space 40000 --seed 1 -o base.tsv
    awk 'BEGIN{FS=OFS="\t"} NR==1{print "id","ts","v1"; next} {print $1, NR, $2}' base.tsv > load.tsv
    $GEN --rows 40 --key-space 60000 --seed 3 -o c.tsv
    awk 'BEGIN{FS=OFS="\t"} NR==1{print "Op","id","ts","v1"; next} {print (NR%3==0 ? "D" : "U"), $1, 100000+NR, "new" $2}' c.tsv > changes.tsv
    $GEN --rows 2000 --key-space 40000 --seed 4 -o r.tsv
    up() { local target=$1; shift; $launch $MERGEFLOW upsert $target "$@" --key id --order-by ts:int -q; }
    for ds in one many; do
      if [ $ds = many ]; then launch="$MPIRUN 3"; else launch=""; fi
      up $ds load.tsv --buckets 64 --memory-limit 64K
      up $ds changes.tsv
      manifest $ds > $ds.manifest
      $READ $ds > $ds.rows
      $launch $MERGEFLOW join load.tsv r.tsv --how left -q -o $ds-joined --dataset
      up $ds-joined changes.tsv --buckets 5
      manifest $ds-joined > $ds-joined.manifest
      $READ $ds-joined > $ds-joined.rows
    done
    test $(wc -l < one.rows) -gt 20000
    cmp one.rows many.rows
    cmp one-joined.rows many-joined.rows
    sed 's/, 1\]$/, 3]/' one.manifest | cmp - many.manifest
    sed 's/, 1\]$/, 3]/' one-joined.manifest | cmp - many-joined.manifest
  )sh"),
            0);
  // Some buckets were kept, so the ranks decided rewrites bucket by bucket.
  const nlohmann::json m = nlohmann::json::parse(ReadFile(dir / "many.manifest"));
  EXPECT_LT(m[1].get<int>(), 64);
  EXPECT_GT(m[0]["deleted"].get<int>(), 0);
  EXPECT_GT(m[0]["updated"].get<int>(), 0);
  EXPECT_GT(m[0]["inserted"].get<int>(), 0);
}

// A bad change row stops every rank with one error that names the file and
// line, and the dataset stays as it was.
TEST(MpiTest, ABadChangeRowStopsAnUpsertOnEveryRank) {
  TempDir dir;
  const std::string read = std::string("READ='") + MERGEFLOW_SOURCE_DIR + "/tests/dataset/read_dataset.py'\n";
  ASSERT_EQ(Mpi(dir, read + R"sh(
    printf 'id\tts\tv\n1\t1\ta\n2\t1\tb\n' > load.tsv
    printf 'Op\tid\tts\tv\nU\t1\t2\tc\nX\t2\t2\td\n' > bad.tsv
    $MPIRUN 3 $MERGEFLOW upsert ds load.tsv --key id --order-by ts:int -q
    $READ ds > before.rows
    set +e
    $MPIRUN 3 $MERGEFLOW upsert ds bad.tsv --key id --order-by ts:int -q > out 2> err; echo $? > rc
    set -e
    $READ ds | cmp - before.rows
    ls ds/_versions | wc -l > versions
  )sh"),
            0);
  EXPECT_EQ(ReadFile(dir / "rc"), "1\n");
  EXPECT_EQ(ReadFile(dir / "versions"), "1\n");
  const std::string err = ReadFile(dir / "err");
  EXPECT_NE(err.find("mergeflow: error: rank 0 of 3: bad.tsv:3: unknown op 'X'"), std::string::npos) << err;
}

// Pipeline steps through `launcher: mpirun`: a rank killed is a node lost
// (nothing recorded, the launcher failed) and is retried; a bad row is bad
// input (the ranks' error records say so) and is not.
TEST(MpiTest, PipelineStepsOnRanksAreClassedByWhatTheRanksRecorded) {
  TempDir dir;
  WriteInputs(dir, "");
  testing::WriteFile(dir / "p.yaml",
                     "name: ranks\n"
                     "retry: [{on: [node_lost], max_attempts: 1, interval: 0s}]\n"
                     "launcher: {mpirun: {np: 3, args: [--oversubscribe, --bind-to, none]}}\n"
                     "steps:\n"
                     "  - name: flaky\n"
                     "    launcher: {mpirun: {np: 2, args: [--oversubscribe]}}\n"
                     "    command: [sh, -c, 'if [ $OMPI_COMM_WORLD_RANK = 1 ] && [ ! -e killed ]; then touch killed;"
                     " kill -9 $$$$; fi; sleep 1']\n"
                     "  - name: merge\n"
                     "    needs: [flaky]\n"
                     "    join: {left: l.tsv, right: r.tsv, on: id, how: outer, output: many}\n");
  ASSERT_EQ(Mpi(dir,
                "$MERGEFLOW run p.yaml > run.log 2>&1\n"
                "$MERGEFLOW join l.tsv r.tsv --how outer -q -o one\n"
                "rows one > one.rows; rows many > many.rows; cmp one.rows many.rows\n"),
            0)
      << ReadFile(dir / "run.log");
  const auto runs = std::filesystem::directory_iterator(dir / ".mergeflow/runs");
  nlohmann::json run;
  for (const auto& entry : runs) {
    if (entry.is_directory()) run = nlohmann::json::parse(ReadFile(entry.path() / "run.json"));
  }
  const nlohmann::json& flaky = run.at("steps")[0];
  ASSERT_EQ(flaky.at("attempts").size(), 2u) << flaky.dump(2);
  EXPECT_EQ(flaky.at("attempts")[0].at("error_class"), "node_lost");
  EXPECT_EQ(flaky.at("attempts")[1].at("outcome"), "succeeded");
  EXPECT_EQ(run.at("steps")[1].at("status"), "succeeded");
  EXPECT_NE(
      ReadFile(dir / ".mergeflow/runs/" + run.at("run_id").get<std::string>() + "/merge.1.log").find("mpirun -np 3"),
      std::string::npos);

  // A bad row: every rank stops, and the class is the rank's own, not a guess.
  testing::WriteFile(dir / "bad.tsv", "id\tv\n1\ta\n2\n");
  testing::WriteFile(dir / "p.yaml",
                     "name: ranks\n"
                     "retry: [{on: [all], max_attempts: 2, interval: 0s}]\n"
                     "launcher: {mpirun: {np: 3, args: [--oversubscribe, --bind-to, none]}}\n"
                     "steps:\n"
                     "  - name: merge\n"
                     "    join: {left: bad.tsv, right: r.tsv, on: id, output: bad}\n");
  EXPECT_EQ(Mpi(dir, "$MERGEFLOW run p.yaml > run.log 2>&1 || exit 7"), 7) << ReadFile(dir / "run.log");
  EXPECT_NE(ReadFile(dir / "run.log").find("failed at step merge: "), std::string::npos) << ReadFile(dir / "run.log");
  EXPECT_NE(ReadFile(dir / "run.log").find("bad.tsv:3"), std::string::npos) << ReadFile(dir / "run.log");
  EXPECT_NE(ReadFile(dir / "run.log").find("(bad_input)"), std::string::npos) << ReadFile(dir / "run.log");
}

// A step on ranks that runs past its timeout is stopped with all its ranks
// (the timeout leaves mpirun time to start them on a loaded machine).
TEST(MpiTest, APipelineStepOnRanksPastItsTimeoutStopsEveryRank) {
  TempDir dir;
  testing::WriteFile(dir / "p.yaml",
                     "name: slow\n"
                     "steps:\n"
                     "  - name: hang\n"
                     "    timeout: 8s\n"
                     "    launcher: {mpirun: {np: 3, args: [--oversubscribe, --bind-to, none]}}\n"
                     "    command: [sh, -c, 'echo $$$$ >> ranks.pid; exec sleep 300']\n");
  ASSERT_EQ(Mpi(dir,
                "! $MERGEFLOW run p.yaml > run.log 2>&1\n"
                "grep -q 'timed out after 8 s (timeout)' run.log\n"
                "test $(wc -l < ranks.pid) = 3\n"
                "sleep 1\n"
                // Every rank is gone (or a zombie no one has reaped yet).
                "for p in $(cat ranks.pid); do ! kill -0 $p 2>/dev/null || grep -q ') Z ' /proc/$p/stat; done\n"),
            0)
      << ReadFile(dir / "run.log");
}

// Aggregate on 1 to 4 ranks: each reads its byte ranges of the matrix and
// rank 0 merges the partial states; the tables are the same bytes, values
// of many rows summed in any split included.
TEST(MpiTest, AggregatesOnOneToFourRanksWriteTheSameBytes) {
  TempDir dir;
  ASSERT_EQ(Mpi(dir, R"sh(
    awk 'BEGIN{srand(5); OFS="\t"; printf "cell"; for (f = 0; f < 40; f++) printf "\tG%d", f; print ""
         for (r = 0; r < 20000; r++) { printf "c%d", r
           for (f = 0; f < 40; f++) printf "\t%s", (rand() < 0.5 ? "0" : (rand() < 0.05 ? "NA" : sprintf("%.6g", (rand() - 0.3) * 10 ^ (f % 7))))
           print "" } }' > m.tsv
    awk 'BEGIN{OFS="\t"; print "cell", "cluster", "batch"; for (r = 0; r < 20000; r++) if (r % 97) print "c" r, "k" (r * 7 % 23), (r % 3 ? "a" : "")}' > meta.tsv
    stats=count,sum,mean,var,std,min,max,nnz,frac_nnz,count_ge:1,count_gt:0
    $MERGEFLOW aggregate m.tsv --meta meta.tsv --by cluster,batch --stats $stats -q -o one
    for np in 2 3 4; do
      $MPIRUN $np $MERGEFLOW aggregate m.tsv --meta meta.tsv --by cluster,batch --stats $stats -q -o many$np --chunk-size 64K
      for s in $(echo $stats | tr , ' '); do cmp one/$s/part-00000.tsv many$np/$s/part-00000.tsv; done
    done
    test $(wc -l < one/mean/part-00000.tsv) -eq 24
  )sh"),
            0);
  const nlohmann::json m = Manifest(dir, "many4");
  EXPECT_EQ(m.at("processes"), 4);
  EXPECT_EQ(m.at("rows").at("matrix"), 20000);
  EXPECT_EQ(m.at("rows").at("unmatched_rows"), Manifest(dir, "one").at("rows").at("unmatched_rows"));
}

}  // namespace
}  // namespace mergeflow
