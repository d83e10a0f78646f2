// End-to-end tests of `mergeflow upsert`: the hard cases of CDC merges (after
// the cases Hudi's AWS DMS payload tests and Delta's MERGE INTO suite cover,
// as DESIGN.md section 6 decides them), bad input, replays, buckets, and S3.
// tests/oracle/upsert_oracle.py checks random change streams against a
// reference; these pin down each rule by name.
#include <gtest/gtest.h>

#include "e2e/cli_runner.h"
#include "e2e/s3_server.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::RunScript;
using testing::S3ServerTest;
using testing::TempDir;

// The prelude: `up FILES... [FLAGS]` upserts into ds by id ordered by ts:int,
// `rows` prints the current rows (an independent reader), `count NAME` one
// manifest count of the current version.
std::string Prelude() {
  return std::string("set -e\nREAD='") + MERGEFLOW_SOURCE_DIR +
         "/tests/dataset/read_dataset.py'\n"
         "up() { $MERGEFLOW upsert ds \"$@\" --key id --order-by ts:int -q; }\n"
         "rows() { $READ ds; }\n"
         "count() { /usr/bin/python3 -c \"import json,sys; d=sys.argv[1]; "
         "v=json.load(open(d+'/_LATEST.json'))['version']; "
         "print(json.load(open(d+'/_versions/'+v+'/_SUCCESS'))['counts'][sys.argv[2]])\" ds \"$1\"; }\n";
}

class UpsertTest : public ::testing::Test {
 protected:
  int Script(const std::string& body) { return RunScript(dir_, Prelude() + body); }
  TempDir dir_;
};

TEST_F(UpsertTest, DmsInsertsUpdatesAndDeletesApplyInOrder) {
  ASSERT_EQ(
      Script("printf 'Op,id,ts,name\\nI,1,1,a\\nI,2,1,b\\nI,3,1,c\\n' > c1.csv\n"
             "printf 'Op,id,ts,name\\nU,1,2,A\\nD,2,2,\\nI,4,2,d\\n' > c2.csv\n"
             "up c1.csv\n"
             "test \"$(count inserted)\" = 3\n"
             "up c2.csv\n"
             "test \"$(rows)\" = \"$(printf '1,2,A\\n3,1,c\\n4,2,d')\"\n"
             "for n in inserted:1 updated:1 deleted:1 unchanged:1 stale_ignored:0 delete_missing:0; do\n"
             "  test \"$(count ${n%:*})\" = ${n#*:}\n"
             "done\n"
             // The op column is not stored.
             "head -1 ds/_versions/*/part-*.csv | grep -v '==>' | grep -v '^$' | sort -u | grep -qx 'id,ts,name'\n"),
      0);
}

TEST_F(UpsertTest, WithinACallTheGreatestOrderWinsAndTiesGoToTheLaterFileThenLine) {
  ASSERT_EQ(Script("printf 'Op,id,ts,name\\nI,1,5,first\\nU,1,9,newest\\nU,1,3,older\\nU,2,4,x\\nU,2,4,y\\n' > a.csv\n"
                   "printf 'Op,id,ts,name\\nU,2,4,z\\n' > b.csv\n"
                   "up a.csv b.csv\n"
                   "test \"$(rows)\" = \"$(printf '1,9,newest\\n2,4,z')\"\n"
                   "test \"$(count inserted)\" = 2\n"),
            0);
}

TEST_F(UpsertTest, ADeleteNewerThanAnUpdateInTheSameCallWinsAndAnOlderOneLoses) {
  ASSERT_EQ(Script("printf 'Op,id,ts,name\\nI,1,1,a\\nI,2,1,b\\n' > c1.csv\n"
                   "printf 'Op,id,ts,name\\nU,1,2,A\\nD,1,3,\\nD,2,2,\\nU,2,3,B\\n' > c2.csv\n"
                   "up c1.csv; up c2.csv\n"
                   "test \"$(rows)\" = '2,3,B'\n"
                   "test \"$(count deleted)\" = 1\n"
                   "test \"$(count updated)\" = 1\n"),
            0);
}

TEST_F(UpsertTest, EventTimeIgnoresOlderChangesAndCommitTimeAppliesThem) {
  ASSERT_EQ(Script("printf 'Op,id,ts,name\\nI,1,10,new\\n' > c1.csv\n"
                   "printf 'Op,id,ts,name\\nU,1,9,old\\n' > c2.csv\n"
                   "printf 'Op,id,ts,name\\nU,1,10,same\\n' > c3.csv\n"
                   "up c1.csv; up c2.csv\n"
                   "test \"$(rows)\" = '1,10,new'\n"
                   "test \"$(count stale_ignored)\" = 1\n"
                   // An equal order value applies (>=).
                   "up c3.csv\n"
                   "test \"$(rows)\" = '1,10,same'\n"
                   "printf 'Op,id,ts,name\\nU,1,9,older\\n' > c4.csv\n"
                   "$MERGEFLOW upsert ds c4.csv --key id --order-by ts:int --merge-mode commit-time -q\n"
                   "test \"$(rows)\" = '1,9,older'\n"),
            0);
}

TEST_F(UpsertTest, ATombstoneKeepsALateOlderUpdateFromBringingADeletedRowBack) {
  ASSERT_EQ(Script("printf 'Op,id,ts,name\\nI,1,1,a\\n' > c1.csv\n"
                   "printf 'Op,id,ts,name\\nD,1,5,\\n' > c2.csv\n"
                   "printf 'Op,id,ts,name\\nU,1,4,late\\n' > c3.csv\n"
                   "printf 'Op,id,ts,name\\nI,1,6,back\\n' > c4.csv\n"
                   "up c1.csv; up c2.csv; up c3.csv\n"
                   "test -z \"$(rows)\"\n"
                   "test \"$(count stale_ignored)\" = 1\n"
                   // A newer insert after the delete brings it back.
                   "up c4.csv\n"
                   "test \"$(rows)\" = '1,6,back'\n"),
            0);
}

TEST_F(UpsertTest, TombstonesExpireAfterTombstoneVersions) {
  ASSERT_EQ(Script("printf 'Op,id,ts,name\\nI,1,1,a\\nI,2,1,b\\n' > c1.csv\n"
                   "printf 'Op,id,ts,name\\nD,1,5,\\n' > c2.csv\n"
                   "printf 'Op,id,ts,name\\nU,2,2,x\\n' > c3.csv\n"
                   "printf 'Op,id,ts,name\\nU,1,4,late\\n' > c4.csv\n"
                   "T='--tombstone-versions 1'\n"
                   "up c1.csv $T; up c2.csv $T; up c3.csv $T; up c4.csv $T\n"
                   "test \"$(rows)\" = \"$(printf '1,4,late\\n2,2,x')\"\n"),
            0);
}

TEST_F(UpsertTest, MissingKeysUpdatesInsertDeletesCountAndStrictRefuses) {
  ASSERT_EQ(Script("printf 'Op,id,ts,name\\nU,7,1,new\\nD,8,1,\\n' > c1.csv\n"
                   "up c1.csv\n"
                   "test \"$(rows)\" = '7,1,new'\n"
                   "test \"$(count delete_missing)\" = 1\n"
                   "cp ds/_LATEST.json before\n"
                   "printf 'Op,id,ts,name\\nU,7,2,ok\\nU,9,1,missing\\n' > c2.csv\n"
                   "set +e; up c2.csv --strict 2> err; echo $? > rc; set -e\n"
                   "test $(cat rc) = 1\n"
                   "grep -qx 'mergeflow: error: c2.csv:3: update of a key that is not in the dataset (--strict)' err\n"
                   "cmp before ds/_LATEST.json\n"),
            0);
}

TEST_F(UpsertTest, ColumnsMatchByNameNewOnesAreAddedAndLoadFilesAreInserts) {
  ASSERT_EQ(Script("printf 'id,ts,name\\n1,1,a\\n2,1,b\\n' > LOAD00000001.csv\n"
                   "printf 'name,Op,ts,id,email\\nB,u,2,2,b@x\\n' > c1.csv\n"
                   "up LOAD00000001.csv --buckets 4\n"
                   "up c1.csv\n"
                   "test \"$(rows)\" = \"$(printf '1,1,a,\\n2,2,B,b@x')\"\n"
                   // Every bucket got the new column, so none was kept by reference.
                   "! grep -q '\"version\"' ds/_versions/$(/usr/bin/python3 -c \"import json; "
                   "print(json.load(open('ds/_LATEST.json'))['version'])\")/_SUCCESS\n"),
            0);
}

TEST_F(UpsertTest, BadChangeRowsNameFileAndLineAndPublishNothingUnlessSkipped) {
  ASSERT_EQ(
      Script("printf 'Op,id,ts,name\\nI,1,1,a\\n' > c1.csv\n"
             "up c1.csv\n"
             "cp ds/_LATEST.json before\n"
             "printf 'Op,id,ts,name\\nI,2,1,b\\nX,3,1,c\\n' > op.csv\n"
             "printf 'Op,id,ts,name\\nI,,1,b\\n' > key.csv\n"
             "printf 'Op,id,ts,name\\nI,2,,b\\n' > empty.csv\n"
             "printf 'Op,id,ts,name\\nI,2,1.5,b\\n' > order.csv\n"
             "printf 'Op,id,ts,name\\nI,2,1\\n' > fields.csv\n"
             "set +e\n"
             "for f in op key empty order fields; do up $f.csv 2> $f.err; echo $? > $f.rc; done\n"
             "set -e\n"
             "grep -qx \"mergeflow: error: op.csv:3: unknown op 'X' in column Op (I, U or D)\" op.err\n"
             "grep -qx \"mergeflow: error: key.csv:2: empty key column 'id'\" key.err\n"
             "grep -q \"^mergeflow: error: empty.csv:2: bad --order-by value '' in column ts\" empty.err\n"
             "grep -q \"^mergeflow: error: order.csv:2: bad --order-by value '1.5' in column ts: not an integer\" "
             "order.err\n"
             "grep -q '^mergeflow: error: fields.csv:2: expected 4 fields, found 3' fields.err\n"
             "for f in op key empty order fields; do test $(cat $f.rc) = 1; test $(wc -l < $f.err) = 1; done\n"
             "cmp before ds/_LATEST.json\n"
             "up op.csv --bad-rows skip\n"
             "test \"$(count rejected)\" = 1\n"
             "test \"$(rows)\" = \"$(printf '1,1,a\\n2,1,b')\"\n"),
      0);
}

TEST_F(UpsertTest, ReplayedChangeFilesAreSkipped) {
  ASSERT_EQ(Script("printf 'Op,id,ts,name\\nI,1,1,a\\n' > c1.csv\n"
                   "printf 'Op,id,ts,name\\nU,1,2,b\\n' > c2.csv\n"
                   "up c1.csv; up c2.csv\n"
                   "cp ds/_LATEST.json before\n"
                   "$MERGEFLOW upsert ds c1.csv c2.csv --key id --order-by ts:int 2> err\n"
                   "grep -q 'nothing to apply: every change file was applied before' err\n"
                   "cmp before ds/_LATEST.json\n"
                   // A copy under another name is the same change file.
                   "cp c1.csv again.csv; printf 'Op,id,ts,name\\nI,5,1,e\\n' > c3.csv\n"
                   "up again.csv c3.csv\n"
                   "test \"$(rows)\" = \"$(printf '1,2,b\\n5,1,e')\"\n"),
            0);
}

TEST_F(UpsertTest, OrderTypesCompareAsValues) {
  ASSERT_EQ(
      Script("printf 'Op,id,ts,name\\nI,1,2026-01-01 10:00:00,a\\nI,2,9.5,b\\n' > c1.csv\n"
             // 09:30 at -02:00 is 11:30 UTC: newer. 10.25 > 9.5 as decimals, not as text.
             "printf 'Op,id,ts,name\\nU,1,2026-01-01T09:30:00-02:00,tz\\n' > t.csv\n"
             "$MERGEFLOW upsert ts c1.csv --key id --order-by ts:string -q\n"
             "printf 'Op,id,ts,name\\nI,1,9,a\\nI,2,10,b\\n' > i1.csv\n"
             "printf 'Op,id,ts,name\\nU,1,10,int\\nU,2,9,no\\n' > i2.csv\n"
             "$MERGEFLOW upsert n i1.csv --key id --order-by ts:int -q\n"
             "$MERGEFLOW upsert n i2.csv --key id --order-by ts:int -q\n"
             "test \"$($READ n)\" = \"$(printf '1,10,int\\n2,10,b')\"\n"
             "printf 'Op,id,ts,name\\nI,1,2026-01-01 10:00:00,a\\n' > t1.csv\n"
             "$MERGEFLOW upsert t t1.csv --key id --order-by ts:timestamp -q\n"
             "$MERGEFLOW upsert t t.csv --key id --order-by ts:timestamp -q\n"
             "test \"$($READ t)\" = '1,2026-01-01T09:30:00-02:00,tz'\n"
             "printf 'Op,id,ts,name\\nI,1,9.5,a\\n' > d1.csv; printf 'Op,id,ts,name\\nU,1,10.25,dec\\n' > d2.csv\n"
             "$MERGEFLOW upsert d d1.csv --key id --order-by ts:decimal -q\n"
             "$MERGEFLOW upsert d d2.csv --key id --order-by ts:decimal -q\n"
             "test \"$($READ d)\" = '1,10.25,dec'\n"),
      0);
}

TEST_F(UpsertTest, OnlyTouchedBucketsAreRewrittenAndTheRestAreKeptByReference) {
  ASSERT_EQ(Script("(echo 'Op,id,ts,name'; for i in $(seq 1 2000); do echo \"I,$i,1,v$i\"; done) > load.csv\n"
                   "up load.csv --buckets 16\n"
                   "printf 'Op,id,ts,name\\nU,7,2,seven\\n' > one.csv\n"
                   "$MERGEFLOW upsert ds one.csv --key id --order-by ts:int 2> err\n"
                   "grep -q '1 updated, 0 deleted, 1999 unchanged, .*; 1 of 16 buckets rewritten' err\n"
                   "v=$(/usr/bin/python3 -c \"import json; print(json.load(open('ds/_LATEST.json'))['version'])\")\n"
                   "test $(ls ds/_versions/$v | grep -c '^part-') = 1\n"
                   "test $(/usr/bin/python3 -c \"import json, sys; m = json.load(open(sys.argv[1])); "
                   "print(sum('version' in p for p in m['parts']))\" ds/_versions/$v/_SUCCESS) = 15\n"
                   "test $(rows | wc -l) = 2000\n"
                   "rows | grep -qx '7,2,seven'\n"
                   // gc keeps the parts the current version still lists.
                   "$MERGEFLOW dataset gc ds --keep 1 --apply > /dev/null\n"
                   "test $(rows | wc -l) = 2000\n"),
            0);
}

TEST_F(UpsertTest, MergeOnReadKeepsPartsAndEveryCommandReadsTheirDeletesAndDeltas) {
  ASSERT_EQ(
      Script("(echo 'Op,id,ts,name'; for i in $(seq 1 2000); do echo \"I,$i,1,\\\"v$i\nline\\\"\"; done) > load.csv\n"
             "up load.csv --buckets 4\n"
             "(echo 'Op,id,ts,name'; for i in $(seq 5 5 400); do echo \"U,$i,2,u$i\"; done;\n"
             " for i in $(seq 3 50 2000); do echo \"D,$i,2,\"; done; echo 'I,5000,2,new') > c1.csv\n"
             "(echo 'Op,id,ts,name'; for i in $(seq 10 10 800); do echo \"U,$i,3,w$i\"; done; echo 'D,5000,3,') > c2.csv\n"
             "up c1.csv --merge-on-read\n"
             "v=$(/usr/bin/python3 -c \"import json; print(json.load(open('ds/_LATEST.json'))['version'])\")\n"
             // The parts stay where they were: the version holds deletes files and deltas.
             "test $(ls ds/_versions/$v | grep -c '^part-') = 0\n"
             "test $(ls ds/_versions/$v | grep -c '^deletes-') = 4\n"
             "test $(ls ds/_versions/$v | grep -c '^delta-') = 4\n"
             "test \"$(count updated)\" = 80; test \"$(count deleted)\" = 40; test \"$(count inserted)\" = 1\n"
             "up c2.csv --merge-on-read\n"
             "test $(rows | grep -c ',3,w') = 80\n"
             // Every command reads the version through them: a join's output
             // is that of the same rows in a plain file (made by the reader).
             "plain() { /usr/bin/python3 -c \"import json, sys; sys.path.insert(0, sys.argv[1]); import read_dataset as r; "
             "d = sys.argv[2]; v = json.load(open(d + '/_LATEST.json'))['version']; "
             "m = json.load(open(d + '/_versions/' + v + '/_SUCCESS')); sys.stdout.buffer.write(b'id,ts,name\\\\n' + "
             "b''.join(data.split(b'\\\\n', 1)[1] for _, data in r.current_files(d, v, m)))\" \"$(dirname $READ)\" ds; }\n"
             "plain > plain.csv\n"
             "(echo 'id,flag'; for i in $(seq 1 5000); do echo \"$i,f$i\"; done) > keys.csv\n"
             "$MERGEFLOW join ds keys.csv --on id -o from_ds -q --threads 2\n"
             "$MERGEFLOW join plain.csv keys.csv --on id -o from_plain -q\n"
             "test \"$(tail -q -n +2 from_ds/part-* | sort)\" = \"$(tail -q -n +2 from_plain/part-* | sort)\"\n"
             "test $(cat from_ds/part-* | grep -c '^[0-9]') -gt 1900\n"
             // A plain upsert rewrites the buckets it touches whole again.
             "printf 'Op,id,ts,name\\nU,10,4,x\\n' > c3.csv\n"
             "up c3.csv\n"
             "v=$(/usr/bin/python3 -c \"import json; print(json.load(open('ds/_LATEST.json'))['version'])\")\n"
             "test $(ls ds/_versions/$v | grep -c '^part-') = 1\n"
             "test $(grep -c '\"deletes\"' ds/_versions/$v/_SUCCESS) = 3\n"
             "records() { plain | /usr/bin/python3 -c 'import csv, sys; print(sorted(csv.reader(sys.stdin)))'; }\n"
             "records > before\n"
             // gc keeps the deletes files and deltas the current version lists.
             "$MERGEFLOW dataset gc ds --keep 1 --apply > /dev/null\n"
             "records | cmp - before\n"
             "test $(plain | /usr/bin/python3 -c 'import csv, sys; print(len(list(csv.reader(sys.stdin))))') = 1961\n"
             // A compaction leaves the parts alone holding the rows.
             "$MERGEFLOW dataset compact ds > out\n"
             "grep -q 'published version .*: 3 of 4 buckets rewritten whole, 1960 rows' out\n"
             "v=$(/usr/bin/python3 -c \"import json; print(json.load(open('ds/_LATEST.json'))['version'])\")\n"
             "! grep -q '\"deletes\"\\|\"deltas\"' ds/_versions/$v/_SUCCESS\n"
             "records | cmp - before\n"
             "$MERGEFLOW dataset log ds | grep -q \"compact  *$v\"\n"
             "$MERGEFLOW dataset compact ds | grep -q 'nothing to compact'\n"),
      0);
}

TEST_F(UpsertTest, MergeOnReadReadsOnlyTheRowsOfChangedKeysByThePartsKeysFiles) {
  ASSERT_EQ(
      Script("(echo 'Op,id,ts,name'; for i in $(seq 1 3000); do echo \"I,$i,1,v$i\"; done) > load.csv\n"
             "latest() { /usr/bin/python3 -c \"import json; print(json.load(open('ds/_LATEST.json'))['version'])\"; }\n"
             "keys_listed() { grep -c '\"keys\"' ds/_versions/$1/_SUCCESS || true; }\n"
             // Copy-on-write upserts write no keys files ...
             "up load.csv --buckets 2\n"
             "v=$(latest); test $(ls ds/_versions/$v | grep -c '^keys-') = 0\n"
             // ... a merge-on-read upsert writes them for the parts it reads whole,
             "(echo 'Op,id,ts,name'; for i in $(seq 1 20); do echo \"U,$i,2,u$i\"; done) > c0.csv\n"
             "up c0.csv --merge-on-read\n"
             "v=$(latest); test $(ls ds/_versions/$v | grep -c '^keys-') = 2; test $(keys_listed $v) = 2\n"
             // and a load with --merge-on-read for the parts it writes.
             "$MERGEFLOW upsert loaded load.csv --key id --order-by ts:int --buckets 2 --merge-on-read -q\n"
             "test $(ls loaded/_versions/*/ | grep -c '^keys-') = 2\n"
             // Spoil an unchanged row of a part in place (same size): a row
             // of one field. Merge-on-read goes by the keys file and never
             // reads it; a rewrite does.
             "part=$(grep -l '^77,1,v77$' ds/_versions/*/part-*)\n"
             "sed -i 's/^77,1,v77$/77;1;v77/' $part\n"
             "printf 'Op,id,ts,name\\nU,5,2,five\\nD,6,2,\\nI,9000,2,new\\n' > c1.csv\n"
             "up c1.csv --merge-on-read\n"
             "test \"$(count updated)\" = 1; test \"$(count deleted)\" = 1; test \"$(count inserted)\" = 1\n"
             "test \"$(count unchanged)\" = 2998\n"
             "rows | grep -qx '5,2,five'; ! rows | grep -q '^6,'; rows | grep -qx '9000,2,new'; rows | grep -qx '1,2,u1'\n"
             // The version lists the parts by reference with their keys files.
             "w=$(latest); test $(ls ds/_versions/$w | grep -c '^keys-') = 0; test $(keys_listed $w) = 2\n"
             // gc keeps the keys files the current version lists.
             "$MERGEFLOW dataset gc ds --keep 1 --apply > /dev/null\n"
             "test $(ls ds/_versions/$v | grep -c '^keys-') = 2\n"
             // Rewriting the spoiled part's bucket reads every row: the bad one is named.
             "printf 'Op,id,ts,name\\nU,77,3,x\\n' > c2.csv\n"
             "! up c2.csv 2> err\n"
             "grep -q \"$part:\" err\n"),
      0);
}

TEST_F(UpsertTest, MergeOnReadIsRefusedOnParquetDatasets) {
  ASSERT_EQ(Script("printf 'Op,id,ts,name\\nI,1,1,a\\n' > c1.csv\n"
                   "printf 'Op,id,ts,name\\nU,1,2,b\\n' > c2.csv\n"
                   "up c1.csv --format parquet\n"
                   "! up c2.csv --merge-on-read 2> err\n"
                   "grep -q 'merge-on-read needs a text dataset' err\n"),
            0);
}

TEST_F(UpsertTest, AnUpsertIntoADatasetWrittenByJoinBucketsIt) {
  ASSERT_EQ(Script("printf 'id\\tts\\tname\\n1\\t1\\ta\\n2\\t1\\tb\\n' > l.tsv\n"
                   "printf 'id\\tzone\\n1\\teu\\n2\\tus\\n' > r.tsv\n"
                   "$MERGEFLOW join l.tsv r.tsv -o ds --dataset -q\n"
                   "printf 'Op\\tid\\tts\\tname\\tzone\\nU\\t2\\t2\\tB\\tasia\\n' > c.tsv\n"
                   "up c.tsv\n"
                   "test \"$(rows)\" = \"$(printf '1\\t1\\ta\\teu\\n2\\t2\\tB\\tasia')\"\n"),
            0);
}

TEST_F(UpsertTest, ChangesLargerThanMemorySpillByBucketGroupAndGiveTheSameVersion) {
  ASSERT_EQ(
      Script(
          "/usr/bin/python3 - <<'PY'\n"
          "import random\n"
          "r = random.Random(3)\n"
          "with open('load.csv', 'w') as f:\n"
          "    f.write('id,ts,name,city\\n')\n"
          "    for i in range(100000): f.write(f'{i},1,n{i},c{r.randrange(100)}\\n')\n"
          "with open('changes.csv', 'w') as f:\n"
          "    f.write('Op,id,ts,name,city\\n')\n"
          "    for i in range(80000):\n"
          "        f.write(f'{r.choice(\"IUUD\")},{r.randrange(150000)},{r.randrange(5)},x{i},c{r.randrange(9)}\\n')\n"
          "PY\n"
          "for m in memory spill; do\n"
          "  limit=; [ $m = spill ] && limit='--memory-limit 4M'\n"
          "  $MERGEFLOW upsert $m load.csv --key id --order-by ts:int -q $limit\n"
          "  $MERGEFLOW upsert $m changes.csv --key id --order-by ts:int $limit 2> $m.err\n"
          "  $READ $m > $m.rows\n"
          "  sed 's/.*version [^:]*: //' $m.err > $m.counts\n"
          "done\n"
          "cmp memory.rows spill.rows\n"
          "cmp memory.counts spill.counts\n"
          "grep -q '\"bucket_groups\": 1,' memory/_versions/*/_SUCCESS\n"
          "! grep -q '\"bucket_groups\": 1,' spill/_versions/*/_SUCCESS\n"
          "test -z \"$(ls ${TMPDIR:-/tmp} | grep mergeflow-upsert- || true)\"\n"),
      0);
}

TEST_F(UpsertTest, OfTwoUpsertsRacingTheLoserPublishesNothingAndAppliesOnTopWhenRunAgain) {
  ASSERT_EQ(Script("(echo 'Op,id,ts,name'; for i in $(seq 1 3000); do echo \"I,$i,1,v$i\"; done) > load.csv\n"
                   "up load.csv\n"
                   "for round in 1 2 3 4 5 6; do\n"
                   "  printf 'Op,id,ts,name\\nU,%d,2,a%d\\n' $round $round > a$round.csv\n"
                   "  printf 'Op,id,ts,name\\nU,%d,2,b%d\\n' $((round + 100)) $round > b$round.csv\n"
                   "  (set +e; up a$round.csv 2> a.err; echo $? > a.rc) &\n"
                   "  (set +e; up b$round.csv 2> b.err; echo $? > b.rc) &\n"
                   "  wait\n"
                   "  for s in a b; do\n"
                   "    if [ $(cat $s.rc) != 0 ]; then\n"
                   "      grep -q 'another publisher changed ds.*run the upsert again' $s.err\n"
                   "      up $s$round.csv\n"
                   "    fi\n"
                   "  done\n"
                   "  rows | grep -qx \"$round,2,a$round\"\n"
                   "  rows | grep -qx \"$((round + 100)),2,b$round\"\n"
                   "done\n"
                   "test $(rows | wc -l) = 3000\n"),
            0);
}

class S3UpsertTest : public S3ServerTest {};

TEST_F(S3UpsertTest, UpsertsIntoS3AndAwsCliReadsTheResult) {
  ASSERT_EQ(Script(std::string("READ='") + MERGEFLOW_SOURCE_DIR +
                   "/tests/dataset/read_dataset.py'\n"
                   "printf 'Op,id,ts,name\\nI,1,1,a\\nI,2,1,b\\nI,3,1,c\\n' > c1.csv\n"
                   "printf 'Op,id,ts,name\\nU,1,2,A\\nD,2,2,\\n' > c2.csv\n"
                   "$AWS s3 cp c2.csv s3://$B/changes/c2.csv --quiet\n"
                   "$MERGEFLOW upsert s3://$B/ds c1.csv --key id --order-by ts:int --buckets 4 -q\n"
                   "$MERGEFLOW upsert s3://$B/ds s3://$B/changes/c2.csv --key id --order-by ts:int -q\n"
                   "$AWS s3 cp s3://$B/ds dl --recursive --quiet\n"
                   "test \"$($READ dl)\" = \"$(printf '1,2,A\\n3,1,c')\"\n"
                   "$MERGEFLOW dataset log s3://$B/ds | grep -c upsert | grep -qx 2\n"
                   "test $(open_uploads) = 0\n"),
            0);
}

TEST_F(S3UpsertTest, MergeOnReadDatasetsOnS3AreReadThroughTheirDeletesAndDeltas) {
  ASSERT_EQ(Script(std::string("READ='") + MERGEFLOW_SOURCE_DIR +
                   "/tests/dataset/read_dataset.py'\n"
                   "(echo 'Op,id,ts,name'; for i in $(seq 1 3000); do echo \"I,$i,1,v$i\"; done) > load.csv\n"
                   "(echo 'Op,id,ts,name'; for i in $(seq 7 7 3000); do echo \"U,$i,2,u$i\"; done;\n"
                   " for i in $(seq 3 7 3000); do echo \"D,$i,2,\"; done) > c1.csv\n"
                   "$MERGEFLOW upsert s3://$B/ds load.csv --key id --order-by ts:int --buckets 3 -q\n"
                   "$MERGEFLOW upsert s3://$B/ds c1.csv --key id --order-by ts:int --merge-on-read -q\n"
                   "$AWS s3 cp s3://$B/ds dl --recursive --quiet\n"
                   "$READ dl > rows\n"
                   "test $(grep -c ',2,u' rows) = $(grep -c '^U' c1.csv)\n"
                   "ls dl/_versions/*/ | grep -q '^deletes-00002$'\n"
                   "(echo 'id,ts,name'; cat rows) > plain.csv\n"
                   "(echo 'id,k'; seq 1 3000 | sed 's/$/,k/') > keys.csv\n"
                   "$MERGEFLOW join s3://$B/ds keys.csv --on id -o out -q\n"
                   "$MERGEFLOW join plain.csv keys.csv --on id -o want -q\n"
                   "test \"$(tail -q -n +2 out/part-* | sort)\" = \"$(tail -q -n +2 want/part-* | sort)\"\n"
                   "test $(open_uploads) = 0\n"
                   // It wrote keys files for the parts it read whole; the next
                   // merge-on-read upsert reads only the rows they place at its
                   // changed keys (by ranged GETs): an unchanged row spoiled on
                   // the store (same size) is never read, until a rewrite.
                   "test $(ls dl/_versions/*/ | grep -c '^keys-') = 3\n"
                   "part=$(grep -l '^1,1,v1$' dl/_versions/*/part-*); key=${part#dl/}\n"
                   "sed 's/^1,1,v1$/1;1;v1/' $part > spoiled; $AWS s3 cp spoiled s3://$B/ds/$key --quiet\n"
                   "printf 'Op,id,ts,name\\nU,2,2,two\\n' > c2.csv\n"
                   "$MERGEFLOW upsert s3://$B/ds c2.csv --key id --order-by ts:int --merge-on-read -q\n"
                   "printf 'Op,id,ts,name\\nU,1,3,x\\n' > c3.csv\n"
                   "! $MERGEFLOW upsert s3://$B/ds c3.csv --key id --order-by ts:int -q 2> err\n"
                   "grep -q \"s3://$B/ds/$key:\" err\n"),
            0);
}

}  // namespace
}  // namespace mergeflow
