// A pipeline whose data, dataset and records are on S3: records and logs
// read back with awscli, a step's log uploaded while it runs, and the run
// history listed from the bucket.
#include <gtest/gtest.h>

#include "e2e/s3_server.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::S3ServerTest;

using S3PipelineTest = S3ServerTest;

TEST_F(S3PipelineTest, RecordsAndLogsLiveBesideTheData) {
  ASSERT_EQ(Script("$GEN --rows 20000 --key-space 30000 --seed 1 -o l.tsv\n"
                   "$GEN --rows 20000 --key-space 30000 --seed 2 --columns 3 -o r.tsv\n"
                   "$AWS s3 cp l.tsv s3://$B/in/l.tsv --quiet; $AWS s3 cp r.tsv s3://$B/in/r.tsv --quiet\n"
                   "cat > p.yaml <<YAML\n"
                   "name: cloud\n"
                   "params: {b: s3://$B}\n"
                   "log_uri: s3://$B/logs/cloud\n"
                   "steps:\n"
                   "  - name: merge\n"
                   "    join: {left: '\\${b}/in/l.tsv', right: '\\${b}/in/r.tsv', on: id, how: left,"
                   " output: {dataset: '\\${b}/lake/merged'}}\n"
                   "  - name: slow\n"
                   "    needs: [merge]\n"
                   "    command: [sh, -c, 'echo first line; touch slow-started; while [ ! -e go ]; do sleep 0.1; done; echo done']\n"
                   "  - name: publish\n"
                   "    needs: [slow]\n"
                   "    publish: {dataset: '\\${b}/lake/merged', version: '\\${steps.merge.version}'}\n"
                   "YAML\n"
                   "MERGEFLOW_LOG_UPLOAD_SECONDS=1 $MERGEFLOW run p.yaml > run.out 2> run.err &\n"
                   "job=$!\n"
                   "while [ ! -e slow-started ]; do sleep 0.1; done\n"
                   "sleep 2\n"
                   "id=$(sed -n 's/^run \\([^ ]*\\) of pipeline.*/\\1/p' run.out)\n"
                   // While it runs: the lock is there, the log holds what the step printed so far.
                   "$AWS s3 ls s3://$B/logs/cloud/ | grep -q cloud.lock\n"
                   "$AWS s3 cp s3://$B/logs/cloud/$id/slow.1.log - > partial.log\n"
                   "grep -q 'first line' partial.log\n"
                   "! grep -q '^done' partial.log\n"
                   "$AWS s3 cp s3://$B/logs/cloud/$id/run.json - | grep -q '\"status\": \"running\"'\n"
                   "touch go\n"
                   "wait $job\n"
                   "$AWS s3 cp s3://$B/logs/cloud/$id/slow.1.log - | grep -q '^done'\n"
                   "$AWS s3 cp s3://$B/logs/cloud/$id/run.json run.json\n"
                   "grep -q '\"status\": \"succeeded\"' run.json\n"
                   "! $AWS s3 ls s3://$B/logs/cloud/ | grep -q cloud.lock\n"
                   "$AWS s3 cp s3://$B/lake/merged/_LATEST.json - | grep -q \"$($AWS s3 cp s3://$B/logs/cloud/$id/run.json - "
                   "| /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[\"steps\"][0][\"version\"])')\"\n"
                   "$MERGEFLOW runs p.yaml > runs.out\n"
                   "grep -q \"$id.*succeeded\" runs.out\n"
                   // A second run skips the merge and the publish.
                   "$MERGEFLOW run p.yaml > again.out\n"
                   "grep -q 'merge  *skip  done in run '$id again.out\n"
                   "grep -q 'publish  *skip  version .* is already current' again.out\n"),
            0)
      << ReadFile(dir_ / "run.err") << ReadFile(dir_ / "run.out") << ReadFile(dir_ / "runs.out")
      << ReadFile(dir_ / "again.out");
}

}  // namespace
}  // namespace mergeflow
