// Datasets on a real S3-compatible server: publishing by conditional writes
// (checked in the requests a proxy saw), reading back with awscli as the
// independent client, racing publishers, answers lost after the store acted,
// and a store that ignores conditional writes.
#include <gtest/gtest.h>

#include "e2e/s3_server.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::S3ServerTest;

class S3DatasetTest : public S3ServerTest {
 protected:
  // Inputs, and `pointer FILE FIELD` to read a downloaded _LATEST.json.
  int DatasetScript(const std::string& body) {
    return Script(
        std::string("READ='") + MERGEFLOW_SOURCE_DIR +
        "/tests/dataset/read_dataset.py'\n"
        "pointer() { /usr/bin/python3 -c \"import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])\" "
        "\"$1\" \"$2\"; }\n"
        "$GEN --rows 30000 --key-space 60000 --seed 1 -o l.tsv\n"
        "$GEN --rows 30000 --key-space 60000 --seed 2 --columns 3 -o r.tsv\n" +
        body);
  }
};

TEST_F(S3DatasetTest, PublishesWithConditionalWritesAndReadsBackWithAwsCli) {
  const int proxy = StartProxy(0);
  ASSERT_EQ(DatasetScript("P=http://127.0.0.1:" + std::to_string(proxy) +
                          "\n"
                          "$MERGEFLOW join l.tsv r.tsv --how left -o plain -q --threads 2 --chunk-size 128K\n"
                          "AWS_ENDPOINT_URL=$P $MERGEFLOW join l.tsv r.tsv --how left -o s3://$B/ds --dataset -q "
                          "--threads 2 --chunk-size 128K\n"
                          "$AWS s3 cp s3://$B/ds dl --recursive --quiet\n"
                          "v=$(pointer dl/_LATEST.json version)\n"
                          "test \"$(pointer dl/_LATEST.json manifest_sha256)\" = "
                          "\"$(sha256sum < dl/_versions/$v/_SUCCESS | cut -d' ' -f1)\"\n"
                          "$READ dl > dl.rows\n"
                          "rows plain | cmp - dl.rows\n"
                          // History by If-None-Match: *, the first pointer too.
                          "grep '\"PUT\"' proxy.log | grep '_history/00000000000000000001.json' | "
                          "grep -q '\"if_none_match\": \"\\*\"'\n"
                          "grep '\"PUT\"' proxy.log | grep '_LATEST.json' | grep -q '\"if_none_match\": \"\\*\"'\n"
                          // A second version: the pointer moves by If-Match.
                          "AWS_ENDPOINT_URL=$P $MERGEFLOW join l.tsv r.tsv -o s3://$B/ds --dataset -q\n"
                          "grep '\"PUT\"' proxy.log | grep '_LATEST.json' | grep -q '\"if_match\": \"[^n]'\n"
                          "$MERGEFLOW join s3://$B/ds r.tsv --how semi --on id -o semi -q\n"
                          "$MERGEFLOW join l.tsv r.tsv --how inner -o inner -q\n"
                          "$MERGEFLOW join inner r.tsv --how semi --on id -o semi2 -q\n"
                          "cmp <(rows semi) <(rows semi2)\n"
                          "$MERGEFLOW dataset rollback s3://$B/ds > out\n"
                          "grep -q \"rolled back to $v (seq 3\" out\n"
                          "$AWS s3 cp s3://$B/ds/_LATEST.json latest.json --quiet\n"
                          "test \"$(pointer latest.json version)\" = $v\n"
                          "$MERGEFLOW dataset log s3://$B/ds | tail -n +2 | wc -l | grep -qx 3\n"
                          // Nothing hidden is left: no probe, no marker, no open upload.
                          "test -z \"$($AWS s3 ls --recursive s3://$B/ds/ | grep '/\\.')\"\n"
                          "test $(open_uploads) = 0\n"),
            0);
}

TEST_F(S3DatasetTest, OfPublishersRacingOneWins) {
  ASSERT_EQ(
      DatasetScript("$MERGEFLOW join l.tsv r.tsv -o s3://$B/ds --dataset -q\n"
                    "for how in left outer semi; do\n"
                    "  $MERGEFLOW join l.tsv r.tsv --how $how -o s3://$B/ds --dataset --no-publish -q >> "
                    "versions\n"
                    "done\n"
                    "wins=0\n"
                    "for round in 1 2 3 4; do\n"
                    "  i=0; rm -f rc.*\n"
                    "  for v in $(cat versions); do\n"
                    "    i=$((i + 1))\n"
                    "    (set +e; $MERGEFLOW dataset publish s3://$B/ds $v > out.$i 2> err.$i; echo $? > rc.$i) &\n"
                    "  done\n"
                    "  wait\n"
                    "  for i in 1 2 3; do\n"
                    "    if [ $(cat rc.$i) = 0 ]; then wins=$((wins + 1)); else\n"
                    "      grep -q 'another publisher changed' err.$i; fi\n"
                    "  done\n"
                    "done\n"
                    "echo $wins > wins\n"
                    "test $($MERGEFLOW dataset log s3://$B/ds | tail -n +2 | wc -l) -eq $((wins + 1))\n"
                    "$AWS s3 cp s3://$B/ds dl --recursive --quiet\n"
                    "$READ dl > /dev/null\n"),
      0);
  std::cout << "publishes that won, of 12: " << ReadFile(dir_ / "wins");
}

TEST_F(S3DatasetTest, AConditionalPutWhoseAnswerIsLostStillPublishesOnce) {
  const int proxy = StartProxy(0, "--lose-conditional-answers");
  ASSERT_EQ(DatasetScript("AWS_ENDPOINT_URL=http://127.0.0.1:" + std::to_string(proxy) +
                          " $MERGEFLOW join l.tsv r.tsv -o s3://$B/ds --dataset -q\n"
                          "AWS_ENDPOINT_URL=http://127.0.0.1:" +
                          std::to_string(proxy) +
                          " $MERGEFLOW join l.tsv r.tsv --how left -o s3://$B/ds --dataset -q\n"
                          "test $(grep -c lost-answer proxy.log) -ge 3\n"
                          "$MERGEFLOW dataset log s3://$B/ds | tail -n +2 | wc -l | grep -qx 2\n"
                          "$AWS s3 cp s3://$B/ds dl --recursive --quiet\n"
                          "$READ dl > /dev/null\n"),
            0);
}

TEST_F(S3DatasetTest, AStoreThatIgnoresConditionalWritesIsRefused) {
  const int proxy = StartProxy(0, "--ignore-conditions");
  ASSERT_EQ(DatasetScript("$MERGEFLOW join l.tsv r.tsv -o s3://$B/ds --dataset -q\n"
                          "$AWS s3 cp s3://$B/ds/_LATEST.json before.json --quiet\n"
                          "set +e\n"
                          "AWS_ENDPOINT_URL=http://127.0.0.1:" +
                          std::to_string(proxy) +
                          " $MERGEFLOW join l.tsv r.tsv --how left -o s3://$B/ds --dataset -q 2> err\n"
                          "echo $? > rc\n"
                          "set -e\n"
                          "test $(cat rc) = 1\n"
                          "grep -q 'this store ignores conditional writes' err\n"
                          "grep -q \"publish it with 'mergeflow dataset publish s3://$B/ds \" err\n"
                          "test $(wc -l < err) = 1\n"
                          "$AWS s3 cp s3://$B/ds/_LATEST.json after.json --quiet\n"
                          "cmp before.json after.json\n"),
            0);
}

}  // namespace
}  // namespace mergeflow
