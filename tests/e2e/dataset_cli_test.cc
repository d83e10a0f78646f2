// End-to-end tests of datasets on local disk through the mergeflow binary:
// writing and publishing versions with join, the dataset commands, reading
// DATASET, DATASET@VERSION and DATASET@TIME, racing publishers, and readers
// that must never see a mix of versions. An independent reader
// (tests/dataset/read_dataset.py) and sha256sum check what mergeflow wrote.
#include <gtest/gtest.h>

#include "e2e/cli_runner.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::RunMergeflow;
using testing::RunScript;
using testing::TempDir;

// The prelude of every script: the binaries, the reader and helpers.
std::string Prelude() {
  return std::string("set -e\n[ -n \"$MF_TRACE\" ] && set -x\nGEN='") + MERGEFLOW_GEN_BINARY + "'\nREAD='" +
         MERGEFLOW_SOURCE_DIR +
         "/tests/dataset/read_dataset.py'\n"
         // The sorted data rows of a plain output directory.
         "rows() { for f in \"$1\"/part-*; do tail -n +2 \"$f\"; done | sort; }\n"
         // A field of DATASET's pointer.
         "pointer() { /usr/bin/python3 -c \"import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])\" "
         "\"$1/_LATEST.json\" \"$2\"; }\n"
         "$GEN --rows 20000 --key-space 40000 --seed 1 -o l.tsv\n"
         "$GEN --rows 20000 --key-space 40000 --seed 2 --columns 3 -o r.tsv\n";
}

class DatasetCliTest : public ::testing::Test {
 protected:
  int Script(const std::string& body) { return RunScript(dir_, Prelude() + body); }
  TempDir dir_;
};

TEST_F(DatasetCliTest, JoinWritesAVersionAndPublishesIt) {
  ASSERT_EQ(
      Script("$MERGEFLOW join l.tsv r.tsv --how left -o plain -q --threads 2 --chunk-size 64K\n"
             "$MERGEFLOW join l.tsv r.tsv --how left -o ds --dataset --threads 2 --chunk-size 64K 2> err\n"
             "v=$(pointer ds version)\n"
             "grep -q \"^mergeflow: ds: published version $v (seq 1)$\" err\n"
             "test -f ds/_versions/$v/_SUCCESS\n"
             "test \"$(pointer ds seq)\" = 1\n"
             "test -z \"$(pointer ds previous)\"\n"
             "test \"$(pointer ds manifest_sha256)\" = \"$(sha256sum < ds/_versions/$v/_SUCCESS | cut -d' ' -f1)\"\n"
             "test \"$(pointer ds run_id)\" = \"$v\"\n"
             "test -f ds/_history/00000000000000000001.json\n"
             // An independent reader sees exactly the plain output.
             "rows plain > plain.rows\n"
             "$READ ds > ds.rows\n"
             "cmp plain.rows ds.rows\n"
             // The manifest lists exactly the parts written (however many
             // the threads wrote: a thread that got no chunk writes none).
             "test \"$(ls ds/_versions/$v | grep part-)\" = \"$(/usr/bin/python3 -c \"import json, sys; "
             "print('\\n'.join(sorted(p['name'] for p in json.load(open(sys.argv[1]))['parts'])))\" "
             "ds/_versions/$v/_SUCCESS)\"\n"
             // mergeflow reads the dataset as the parts its manifest lists.
             "touch ds/_versions/$v/part-99999.tsv\n"
             "$MERGEFLOW join ds r.tsv --how left --on id -o again -q\n"
             "$MERGEFLOW join ds/_versions/$v r.tsv --how left --on id -o direct -q\n"
             "rm ds/_versions/$v/part-99999.tsv\n"
             "cmp <(rows again) <(rows direct)\n"),
      0);
}

TEST_F(DatasetCliTest, UnpublishedVersionsPublishRollBackAndTravelInTime) {
  ASSERT_EQ(Script("$MERGEFLOW join l.tsv r.tsv -o ds --dataset -q\n"
                   "a=$(pointer ds version)\n"
                   "$READ ds > a.rows\n"
                   "b=$($MERGEFLOW join l.tsv r.tsv --how outer -o ds --dataset --no-publish -q)\n"
                   "test \"$(pointer ds version)\" = \"$a\"\n"
                   // The unpublished version can be read (and validated) before publishing.
                   "$READ ds --version $b > b.rows\n"
                   "! cmp -s a.rows b.rows\n"
                   "printf 'id\\tnothing\\n' > none.tsv\n"
                   "$MERGEFLOW join ds@$b none.tsv --how left --on id -o check -q\n"
                   "test $(rows check | wc -l) -eq $(wc -l < b.rows)\n"
                   "sleep 1.1; t=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ); sleep 0.1\n"
                   "$MERGEFLOW dataset publish ds $b > out\n"
                   "grep -q \"published $b (seq 2\" out\n"
                   "$READ ds | cmp - b.rows\n"
                   // Time travel: the version current at t was a.
                   "$MERGEFLOW join \"ds@$t\" none.tsv --how left --on id -o then -q\n"
                   "test $(rows then | wc -l) -eq $(wc -l < a.rows)\n"
                   "$MERGEFLOW dataset rollback ds > out\n"
                   "grep -q \"rolled back to $a (seq 3\" out\n"
                   "$READ ds | cmp - a.rows\n"
                   "$MERGEFLOW dataset rollback ds --to $b > /dev/null\n"
                   "$READ ds | cmp - b.rows\n"
                   "$MERGEFLOW dataset log ds > log\n"
                   "test $(wc -l < log) -eq 5\n"
                   "sed -n 2p log | grep -q \"^4 .* rollback  $b\"\n"
                   "sed -n 5p log | grep -q \"^1 .* publish   $a\"\n"
                   "$MERGEFLOW dataset list ds > list\n"
                   "grep -q \"^$b .* yes      no\" list\n"
                   "$MERGEFLOW dataset pin ds $a > /dev/null\n"
                   "grep -q \"^$a .* no       yes\" <($MERGEFLOW dataset list ds)\n"),
            0);
}

TEST_F(DatasetCliTest, MistakesAreOneLineErrorsAndChangeNothing) {
  ASSERT_EQ(Script("$MERGEFLOW join l.tsv r.tsv -o ds --dataset -q\n"
                   "cp ds/_LATEST.json pointer.before\n"
                   "set +e\n"
                   "$MERGEFLOW dataset publish ds latest 2> e1; echo $? > rc1\n"
                   "$MERGEFLOW dataset publish ds 20200101T000000Z-00000000 2> e2; echo $? > rc2\n"
                   "$MERGEFLOW dataset rollback ds 2> e3; echo $? > rc3\n"
                   "mkdir plain; cp l.tsv plain/\n"
                   "$MERGEFLOW join l.tsv r.tsv -o plain --dataset 2> e4; echo $? > rc4\n"
                   "$MERGEFLOW join l.tsv r.tsv --no-publish -o x 2> e5; echo $? > rc5\n"
                   "$MERGEFLOW dataset log plain 2> e6; echo $? > rc6\n"
                   "$MERGEFLOW join ds@20200101T000000Z-00000000 r.tsv 2> e7; echo $? > rc7\n"
                   "$MERGEFLOW dataset unpin ds $(pointer ds version) 2> e8; echo $? > rc8\n"
                   "set -e\n"
                   "test $(cat rc1) = 2; grep -q \"not a version id: 'latest'\" e1\n"
                   "test $(cat rc2) = 1; grep -q 'ds has no version 20200101T000000Z-00000000' e2\n"
                   "test $(cat rc3) = 1; grep -q 'no previous version to roll back to' e3\n"
                   "test $(cat rc4) = 2; grep -q 'plain holds files but is not a mergeflow dataset' e4\n"
                   "test $(cat rc5) = 2; grep -q 'needs --dataset' e5\n"
                   "test $(cat rc6) = 2; grep -q 'plain holds files but is not a mergeflow dataset' e6\n"
                   "test $(cat rc7) = 1; grep -q 'has no version' e7\n"
                   "test $(cat rc8) = 2; grep -q 'is not pinned' e8\n"
                   "for e in e1 e2 e3 e4 e5 e6 e7 e8; do test $(wc -l < $e) = 1; done\n"
                   "cmp ds/_LATEST.json pointer.before\n"
                   // A corrupt history entry: the log says which, the data still reads.
                   "echo '{\"seq\": 1,' > ds/_history/00000000000000000001.json\n"
                   "set +e; $MERGEFLOW dataset log ds 2> e9; echo $? > rc9; set -e\n"
                   "test $(cat rc9) = 1; grep -q '00000000000000000001.json: not a history entry' e9\n"
                   "$READ ds > /dev/null\n"),
            0);
}

TEST_F(DatasetCliTest, CleanAndGcRemoveWhatAKilledWriterOfAVersionLeft) {
  ASSERT_EQ(
      Script("$MERGEFLOW join l.tsv r.tsv -o ds --dataset -q\n"
             // A writer killed while it reads its input (a pipe that stays open).
             "mkfifo left.fifo\n"
             "$MERGEFLOW join left.fifo r.tsv -o ds --dataset -q --chunk-size 64K 2> /dev/null &\n"
             "pid=$!\n"
             "exec 3> left.fifo\n"
             "cat l.tsv >&3\n"
             "for i in $(seq 1 100); do ls -a ds/_versions | grep -q mergeflow-staging && break; sleep 0.05; done\n"
             "kill -9 $pid; wait $pid || true\n"
             "exec 3>&-\n"
             "test -n \"$(ls -a ds/_versions | grep '^\\.')\"\n"
             "$MERGEFLOW clean ds > out 2>&1\n"
             "grep -q 'removed .*mergeflow-staging' out\n"
             "test -z \"$(ls -a ds/_versions | grep '^\\.[^.]')\"\n"
             "$READ ds > /dev/null\n"),
      0);
}

TEST_F(DatasetCliTest, OfPublishersRacingOneWinsAndTheLogHoldsExactlyTheWinners) {
  ASSERT_EQ(
      Script("$MERGEFLOW join l.tsv r.tsv -o ds --dataset -q\n"
             "for how in left right outer semi; do\n"
             "  $MERGEFLOW join l.tsv r.tsv --how $how -o ds --dataset --no-publish -q >> versions\n"
             "done\n"
             "wins=0; losses=0\n"
             "for round in 1 2 3 4 5 6 7 8; do\n"
             "  i=0; rm -f rc.*\n"
             "  for v in $(cat versions); do\n"
             "    i=$((i + 1)); (set +e; $MERGEFLOW dataset publish ds $v > out.$i 2> err.$i; echo $? > rc.$i) &\n"
             "  done\n"
             "  wait\n"
             "  round_wins=0\n"
             "  for i in 1 2 3 4; do\n"
             "    if [ $(cat rc.$i) = 0 ]; then round_wins=$((round_wins + 1)); else\n"
             "      grep -q 'another publisher changed ds at the same time; nothing was published' err.$i\n"
             "      losses=$((losses + 1)); fi\n"
             "  done\n"
             "  test $round_wins -ge 1\n"
             "  wins=$((wins + round_wins))\n"
             "done\n"
             "echo \"wins $wins losses $losses\" > tally\n"
             // Every win, and nothing else, is in the log; the pointer is its newest entry.
             "test $($MERGEFLOW dataset log ds | tail -n +2 | wc -l) -eq $((wins + 1))\n"
             "$MERGEFLOW dataset log ds | sed -n 2p | grep -q \" $(pointer ds version) \"\n"
             "$READ ds > /dev/null\n"
             "test -z \"$(find ds -name '.*')\"\n"),
      0);
  std::cout << "racing publishers: " << ReadFile(dir_ / "tally");
}

TEST_F(DatasetCliTest, ReadersNeverSeeAMixOfVersions) {
  ASSERT_EQ(Script("a=$($MERGEFLOW join l.tsv r.tsv -o ds --dataset --no-publish -q --threads 2 --chunk-size 32K)\n"
                   "b=$($MERGEFLOW join l.tsv r.tsv --how outer -o ds --dataset --no-publish -q --threads 2 "
                   "--chunk-size 32K)\n"
                   "$MERGEFLOW dataset publish ds $a > /dev/null\n"
                   "$MERGEFLOW join ds l.tsv --how semi --on id -q -o ra; rows ra > a.rows\n"
                   "$MERGEFLOW join ds@$b l.tsv --how semi --on id -q -o rb; rows rb > b.rows\n"
                   "! cmp -s a.rows b.rows\n"
                   "(for i in $(seq 1 40); do\n"
                   "   $MERGEFLOW dataset publish ds $b > /dev/null; $MERGEFLOW dataset rollback ds > /dev/null\n"
                   " done; touch writer.done) &\n"
                   "reads=0\n"
                   "while [ ! -f writer.done ]; do\n"
                   "  $MERGEFLOW join ds l.tsv --how semi --on id -q -o read\n"
                   "  rows read > read.rows\n"
                   "  cmp -s read.rows a.rows || cmp -s read.rows b.rows\n"
                   "  reads=$((reads + 1))\n"
                   "done\n"
                   "wait\n"
                   "test $reads -ge 5\n"
                   "echo $reads > reads\n"),
            0);
  std::cout << "consistent reads during 80 publishes: " << ReadFile(dir_ / "reads");
}

}  // namespace
}  // namespace mergeflow
