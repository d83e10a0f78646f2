// End-to-end tests of s3:// inputs and outputs against a real S3-compatible
// server on 127.0.0.1, cross-checked with Debian's awscli.
#include <gtest/gtest.h>

#include "e2e/s3_server.h"
#include "io/s3/http_client.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::S3ServerTest;

class S3Test : public S3ServerTest {
 protected:
  // Two inputs with repeated and missing keys, uploaded with awscli.
  void UploadInputs(int rows) {
    ASSERT_EQ(Script("$GEN --rows " + std::to_string(rows) + " --key-space " + std::to_string(rows * 2) +
                     " --seed 1 -o l.tsv\n"
                     "$GEN --rows " +
                     std::to_string(rows) + " --key-space " + std::to_string(rows * 2) +
                     " --seed 2 --columns 3 -o r.tsv\n"
                     "$AWS s3 cp l.tsv s3://$B/in/l.tsv --quiet\n"
                     "$AWS s3 cp r.tsv s3://$B/in/r.tsv --quiet\n"),
              0);
  }
};

TEST_F(S3Test, JoinsFromS3ToS3ExactlyAsLocally) {
  UploadInputs(300000);  // outputs of several multipart parts
  for (const std::string how : {"inner", "left", "right", "outer", "semi", "anti"}) {
    SCOPED_TRACE(how);
    const std::string flags = " --how " + how + " --threads 2 --chunk-size 256K -q";
    ASSERT_EQ(Script("rm -rf local dl\n"
                     "$MERGEFLOW join l.tsv r.tsv -o local" +
                     flags +
                     "\n"
                     "$MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/out/" +
                     how + flags +
                     "\n"
                     "$AWS s3 cp s3://$B/out/" +
                     how +
                     " dl --recursive --quiet\n"
                     "rows local > local.rows\n"
                     "rows dl > dl.rows\n"
                     "test -s local.rows\n"
                     "cmp local.rows dl.rows\n"
                     "head -1 dl/part-00000.tsv > header\n"
                     "test \"$(cat header)\" = \"$(head -1 local/part-00000.tsv)\"\n"
                     "grep -q '\"rows\"' dl/_SUCCESS\n"),
              0)
        << how;
  }
}

TEST_F(S3Test, CompressedInputsAndOutputs) {
  UploadInputs(200000);
  ASSERT_EQ(Script("gzip -c l.tsv > l.tsv.gz; zstd -q -c r.tsv > r.tsv.zst\n"
                   "$AWS s3 cp l.tsv.gz s3://$B/in/l.tsv.gz --quiet\n"
                   "$AWS s3 cp r.tsv.zst s3://$B/in/r.tsv.zst --quiet\n"
                   "$MERGEFLOW join l.tsv r.tsv -o local -q\n"
                   "for c in gzip zstd; do\n"
                   "  $MERGEFLOW join s3://$B/in/l.tsv.gz s3://$B/in/r.tsv.zst -o s3://$B/out-$c "
                   "--compress $c --threads 2 -q\n"
                   "  rm -rf dl; $AWS s3 cp s3://$B/out-$c dl --recursive --quiet\n"
                   "  ext=$([ $c = gzip ] && echo gz || echo zst)\n"
                   "  mkdir plain; for f in dl/part-*.tsv.$ext; do $c -dc $f > plain/$(basename $f .$ext); done\n"
                   "  rows local > local.rows; rows plain > plain.rows; cmp local.rows plain.rows\n"
                   "  rm -rf plain\n"
                   "done\n"),
            0);
}

TEST_F(S3Test, ParquetPartsWrittenToAndReadFromS3AsLocally) {
  UploadInputs(200000);
  // Parquet written to S3 (several row groups), then read back from S3 as
  // an input: the same rows as the same files read locally.
  ASSERT_EQ(Script("export MERGEFLOW_PARQUET_ROW_GROUP_BYTES=200000\n"
                   "$MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/pq --format parquet --threads 2 -q\n"
                   "$AWS s3 cp s3://$B/pq dl --recursive --quiet\n"
                   "$MERGEFLOW join s3://$B/pq/ r.tsv --on id --how semi -q | tail -n +2 | sort > s3.rows\n"
                   "$MERGEFLOW join dl r.tsv --on id --how semi -q | tail -n +2 | sort > local.rows\n"
                   "$MERGEFLOW join l.tsv r.tsv -q | tail -n +2 | sort > text.rows\n"
                   "test -s s3.rows; cmp s3.rows local.rows; cmp s3.rows text.rows\n"),
            0);
}

TEST_F(S3Test, ReadsAPrefixOfMoreThan1000ObjectsAndGlobs) {
  // 1,100 objects (ListObjectsV2 pages hold 1,000) plus the '_'- and
  // '.'-prefixed files that a directory read skips.
  ASSERT_EQ(Script("mkdir many\n"
                   "for i in $(seq 1 1100); do printf 'id\\tv\\n%d\\tleft%d\\n' $i $i > many/part-$i.tsv; done\n"
                   "echo junk > many/_SUCCESS; echo junk > many/.hidden\n"
                   "$AWS s3 cp many s3://$B/many --recursive --quiet\n"
                   "printf 'id\\tw\\n' > r.tsv; seq 1 2 2200 | awk '{print $1 \"\\tright\" $1}' >> r.tsv\n"
                   "$MERGEFLOW join s3://$B/many/ r.tsv -q > all.tsv\n"
                   "test $(tail -n +2 all.tsv | wc -l) -eq 550\n"
                   "$MERGEFLOW join many r.tsv -q | tail -n +2 | sort > local.rows\n"
                   "tail -n +2 all.tsv | sort | cmp - local.rows\n"
                   "$MERGEFLOW join \"s3://$B/many/part-1?.tsv\" r.tsv -q > glob.tsv\n"
                   "test \"$(tail -n +2 glob.tsv | cut -f1 | sort -n | tr '\\n' ' ')\" = '11 13 15 17 19 '\n"),
            0);
}

TEST_F(S3Test, OverwriteReplacesTheWholeOutputAndKeepsNothingStale) {
  UploadInputs(20000);
  ASSERT_EQ(Script("$MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/out -q\n"
                   "echo stale > stale; $AWS s3 cp stale s3://$B/out/part-00042.tsv --quiet\n"
                   "$AWS s3 ls s3://$B/out/ | grep -c part- > first.count\n"
                   "$MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/out --how left "
                   "--threads 1 -q\n"
                   "$AWS s3 ls s3://$B/out/ | awk '{print $4}' > listing\n"
                   "$AWS s3 cp s3://$B/out/_SUCCESS success --quiet\n"
                   "open_uploads > uploads\n"),
            0);
  EXPECT_NE(ReadFile(dir_ / "first.count"), "1\n");
  EXPECT_EQ(ReadFile(dir_ / "listing"), "_SUCCESS\npart-00000.tsv\n");
  EXPECT_NE(ReadFile(dir_ / "success").find("\"how\": \"left\""), std::string::npos);
  EXPECT_EQ(ReadFile(dir_ / "uploads"), "0\n");
}

TEST_F(S3Test, AFailedRunLeavesTheOldOutputAndNoOpenUploads) {
  UploadInputs(300000);
  // The left input's last row is malformed: by the time the probe reaches
  // it, multipart uploads of the new output are under way.
  ASSERT_EQ(Script("$MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/out -q\n"
                   "$AWS s3 cp s3://$B/out old --recursive --quiet\n"
                   "cp l.tsv bad.tsv; printf 'only-one-field\\n' >> bad.tsv\n"
                   "$AWS s3 cp bad.tsv s3://$B/in/bad.tsv --quiet\n"
                   "set +e\n"
                   "$MERGEFLOW join s3://$B/in/r.tsv s3://$B/in/bad.tsv -o s3://$B/out "
                   "--threads 1 -q 2> err\n"
                   "echo $? > rc\n"
                   "set -e\n"
                   "$AWS s3 cp s3://$B/out now --recursive --quiet\n"
                   "diff -r old now\n"
                   "open_uploads > uploads\n"),
            0);
  EXPECT_EQ(ReadFile(dir_ / "rc"), "1\n");
  EXPECT_NE(ReadFile(dir_ / "err").find("s3://" + bucket_ + "/in/bad.tsv:300002: "), std::string::npos)
      << ReadFile(dir_ / "err");
  EXPECT_EQ(ReadFile(dir_ / "uploads"), "0\n");
}

TEST_F(S3Test, AnInterruptedRunAbortsItsUploads) {
  UploadInputs(20000);
  // The probe side trickles in through standard input: the run is held
  // midway, with a multipart upload open, when SIGTERM comes.
  ASSERT_EQ(Script("mkfifo left.fifo\n"
                   "$MERGEFLOW join - s3://$B/in/l.tsv -o s3://$B/out --threads 1 "
                   "--chunk-size 1M -q < left.fifo 2> err &\n"
                   "pid=$!\n"
                   "exec 3> left.fifo\n"
                   "cat l.tsv l.tsv l.tsv l.tsv l.tsv l.tsv l.tsv l.tsv l.tsv l.tsv >&3\n"
                   "for i in $(seq 1 100); do\n"
                   "  test $(open_uploads) -gt 0 && break\n"
                   "  cat l.tsv >&3\n"
                   "done\n"
                   "test $(open_uploads) -gt 0\n"
                   "kill -TERM $pid\n"
                   "set +e; wait $pid; echo $? > rc; set -e\n"
                   "exec 3>&-\n"
                   "open_uploads > uploads\n"
                   "$AWS s3 ls s3://$B/out/ > listing || true\n"),
            0);
  EXPECT_EQ(ReadFile(dir_ / "rc"), "143\n");
  EXPECT_EQ(ReadFile(dir_ / "err"), "mergeflow: error: interrupted; output left unchanged\n");
  EXPECT_EQ(ReadFile(dir_ / "uploads"), "0\n");
  EXPECT_EQ(ReadFile(dir_ / "listing"), "");
}

TEST_F(S3Test, AServerKilledMidRunEndsWithACleanError) {
  UploadInputs(20000);
  // The server is reached through a proxy, and the proxy is what dies: to
  // mergeflow the endpoint is gone mid-run, and a shared server lives on.
  const int proxy = StartProxy(0);
  ASSERT_EQ(Script("mkfifo left.fifo\n"
                   "AWS_ENDPOINT_URL=http://127.0.0.1:" +
                   std::to_string(proxy) +
                   " AWS_MAX_ATTEMPTS=2 $MERGEFLOW join left.fifo s3://$B/in/l.tsv -o s3://$B/out -q "
                   "2> err &\n"
                   "pid=$!\n"
                   "exec 3> left.fifo\n"
                   "cat l.tsv >&3\n"
                   "kill -9 $(cat proxy.pid)\n"
                   "cat l.tsv >&3\n"
                   "exec 3>&-\n"
                   "set +e; wait $pid; echo $? > rc\n"),
            0);
  EXPECT_EQ(ReadFile(dir_ / "rc"), "1\n");
  const std::string err = ReadFile(dir_ / "err");
  EXPECT_EQ(err.rfind("mergeflow: error: s3://" + bucket_ + "/out/", 0), std::string::npos) << err;
  EXPECT_NE(err.find("mergeflow: error: s3://" + bucket_ + "/"), std::string::npos) << err;
  EXPECT_NE(err.find("failed after 2 attempts"), std::string::npos) << err;
  EXPECT_EQ(err.find("test-secret-never-printed"), std::string::npos);
}

TEST_F(S3Test, RetriesThroughInjectedFaults) {
  UploadInputs(50000);
  // Every 3rd request fails: 503 SlowDown, 500, a GET cut off halfway, a
  // connection closed without an answer, in turn. The left side is eight
  // objects, so that there are requests enough for every kind of fault.
  const int proxy = StartProxy(3);
  ASSERT_EQ(
      Script("mkdir copies; for i in 1 2 3 4 5 6 7 8; do cp l.tsv copies/l$i.tsv; done\n"
             "$AWS s3 cp copies s3://$B/copies --recursive --quiet\n"
             "$MERGEFLOW join 'copies/l*.tsv' r.tsv -o local --threads 2 -q\n"
             "AWS_ENDPOINT_URL=http://127.0.0.1:" +
             std::to_string(proxy) +
             " AWS_MAX_ATTEMPTS=6 "
             "$MERGEFLOW join \"s3://$B/copies/l*.tsv\" s3://$B/in/r.tsv -o s3://$B/out "
             "--threads 2 -q 2> err\n"
             "$AWS s3 cp s3://$B/out dl --recursive --quiet\n"
             "rows local > local.rows; rows dl > dl.rows; cmp local.rows dl.rows\n"
             "for f in slowdown internal cut-body drop; do grep -q \"\\\"fault\\\": \\\"$f\\\"\" proxy.log; done\n"
             "open_uploads > uploads\n"),
      0)
      << ReadFile(dir_ / "err") << ReadFile(dir_ / "proxy.log");
  EXPECT_NE(ReadFile(dir_ / "err").find("retrying"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_ / "uploads"), "0\n");
}

// Chaos between mergeflow and the store: about one request in eight meets a
// 503 SlowDown, a 500, a connection reset, a body cut off halfway or a
// stall of up to 2.5 s, at random, during a 1M-row join read from S3 and
// written to it. The rows equal a clean local run's (or the run fails with
// one line), and no upload is left open either way.
TEST_F(S3Test, AJoinThroughChaosGivesTheSameRowsOrOneLineAndNoOpenUploads) {
  UploadInputs(1000000);
  const int proxy = StartProxy(0, "--chaos 0.12 --seed 7");
  ASSERT_EQ(Script("$MERGEFLOW join l.tsv r.tsv --how left -o local -q\n"
                   "set +e\n"
                   "AWS_ENDPOINT_URL=http://127.0.0.1:" +
                   std::to_string(proxy) +
                   " AWS_MAX_ATTEMPTS=10 $MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv --how left "
                   "-o s3://$B/out -q --chunk-size 1M 2> err; echo $? > rc\n"
                   "set -e\n"
                   "if [ \"$(cat rc)\" = 0 ]; then\n"
                   "  $AWS s3 cp s3://$B/out dl --recursive --quiet\n"
                   "  rows local > local.rows; rows dl > dl.rows; cmp local.rows dl.rows\n"
                   "fi\n"
                   "open_uploads > uploads\n"
                   "grep -o '\"fault\": \"[a-z-]*\"' proxy.log | sort -u > kinds\n"),
            0)
      << ReadFile(dir_ / "err");
  const std::string rc = ReadFile(dir_ / "rc");
  const std::string err = ReadFile(dir_ / "err");
  if (rc != "0\n") {
    // Retries warn as they go; the failure itself is one error line.
    EXPECT_EQ(rc, "1\n");
    size_t errors = 0;
    for (size_t at = err.find("mergeflow: error: "); at != std::string::npos; at = err.find("mergeflow: error: ", at + 1))
      ++errors;
    EXPECT_EQ(errors, 1u) << err;
  }
  EXPECT_EQ(ReadFile(dir_ / "uploads"), "0\n");
  // The chaos did happen: at least four kinds of fault met the run.
  const std::string kinds = ReadFile(dir_ / "kinds");
  EXPECT_GE(std::count(kinds.begin(), kinds.end(), '\n'), 4) << kinds;
}

TEST_F(S3Test, CredentialsAndRegionComeFromTheProfileFiles) {
  UploadInputs(1000);
  const int proxy = StartProxy(0);
  ASSERT_EQ(Script("printf '[default]\\naws_access_key_id = AKIADEFAULT\\naws_secret_access_key = s1\\n"
                   "[batch]\\naws_access_key_id = AKIABATCHPROFILE\\naws_secret_access_key = profile-secret-xyz\\n' "
                   "> credentials\n"
                   "printf '[profile batch]\\nregion = eu-west-3\\n' > config\n"
                   "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_REGION AWS_PROFILE=batch "
                   "AWS_SHARED_CREDENTIALS_FILE=$PWD/credentials AWS_CONFIG_FILE=$PWD/config "
                   "AWS_ENDPOINT_URL=http://127.0.0.1:" +
                   std::to_string(proxy) +
                   " $MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/out --sse AES256 "
                   "2> err\n"
                   "$AWS s3 cp s3://$B/out/_SUCCESS success --quiet\n"),
            0)
      << ReadFile(dir_ / "err");
  const std::string log = ReadFile(dir_ / "proxy.log");
  EXPECT_NE(log.find("\"access_key_id\": \"AKIABATCHPROFILE\", \"region\": \"eu-west-3\""), std::string::npos) << log;
  EXPECT_EQ(log.find("AKIADEFAULT"), std::string::npos);
  EXPECT_NE(log.find("\"sse\": \"AES256\""), std::string::npos) << log;
  EXPECT_EQ(ReadFile(dir_ / "err").find("profile-secret-xyz"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_ / "success").find("profile-secret-xyz"), std::string::npos);
}

// SSE-KMS with a named key: the server stores the object under that key
// (checked with awscli), or, where libcurl cannot sign the key's header
// (before 8.10), mergeflow refuses before doing anything.
TEST_F(S3Test, KmsKeyIdIsSentOrRefusedUpFront) {
  UploadInputs(1000);
  ASSERT_EQ(Script("set +e\n"
                   "$MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/out --sse aws:kms "
                   "--sse-kms-key-id mergeflow-test-key -q 2> err; echo $? > rc\n"
                   "$AWS s3api head-object --bucket $B --key out/part-00000.tsv --query SSEKMSKeyId "
                   "--output text > key 2> /dev/null; true\n"),
            0);
  if (LibcurlSignsPrefixedHeaderNames()) {
    EXPECT_EQ(ReadFile(dir_ / "rc"), "0\n") << ReadFile(dir_ / "err");
    EXPECT_NE(ReadFile(dir_ / "key").find("mergeflow-test-key"), std::string::npos);
  } else {
    EXPECT_EQ(ReadFile(dir_ / "rc"), "2\n");
    EXPECT_EQ(ReadFile(dir_ / "err"), "mergeflow: error: --sse-kms-key-id needs libcurl 8.10 or newer (this is " +
                                          LibcurlVersion() +
                                          ", which signs the key's header wrongly); make the key the bucket's "
                                          "default encryption and give --sse aws:kms alone\n");
    EXPECT_EQ(ReadFile(dir_ / "key"), "");
  }
}

TEST_F(S3Test, CredentialsComeFromInstanceMetadataWithAnImdsV2Token) {
  UploadInputs(1000);
  const int proxy = StartProxy(0);
  const int imds = StartMetadataServer("imds");
  ASSERT_EQ(Script("env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_EC2_METADATA_DISABLED "
                   "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:" +
                   std::to_string(imds) + " AWS_ENDPOINT_URL=http://127.0.0.1:" + std::to_string(proxy) +
                   " $MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/out -q 2> err\n"),
            0)
      << ReadFile(dir_ / "err");
  EXPECT_EQ(ReadFile(dir_ / "imds.log"),
            "PUT /latest/api/token no-token\n"
            "GET /latest/meta-data/iam/security-credentials/ token\n"
            "GET /latest/meta-data/iam/security-credentials/mergeflow-test-role token\n");
  const std::string log = ReadFile(dir_ / "proxy.log");
  EXPECT_NE(log.find("\"access_key_id\": \"ASIAFROMINSTANCEROLE\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"session_token\": \"instance-session-token\""), std::string::npos) << log;
  EXPECT_EQ(log.find("mergeflow-test\""), std::string::npos) << "the environment's keys were used";
}

TEST_F(S3Test, CredentialsComeFromAContainerEndpointWithATokenFile) {
  UploadInputs(1000);
  const int proxy = StartProxy(0);
  const int endpoint = StartMetadataServer("pod");
  ASSERT_EQ(Script("echo pod-identity-token > token\n"
                   "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "
                   "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:" +
                   std::to_string(endpoint) +
                   "/v1/credentials AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$PWD/token"
                   " AWS_ENDPOINT_URL=http://127.0.0.1:" +
                   std::to_string(proxy) +
                   " $MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/out -q 2> err\n"),
            0)
      << ReadFile(dir_ / "err");
  EXPECT_EQ(ReadFile(dir_ / "pod.log"), "GET /v1/credentials token\n");
  const std::string log = ReadFile(dir_ / "proxy.log");
  EXPECT_NE(log.find("\"access_key_id\": \"ASIAFROMPODIDENTITY\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"session_token\": \"pod-session-token\""), std::string::npos) << log;
}

TEST_F(S3Test, MissingObjectsAndCredentialsAreClearErrors) {
  UploadInputs(100);
  ASSERT_EQ(
      Script("set +e\n"
             "$MERGEFLOW join s3://$B/nothing.tsv s3://$B/nothing.tsv 2> err1; echo $? > rc1\n"
             "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY $MERGEFLOW join s3://$B/a s3://$B/b "
             "2> err2; echo $? > rc2\n"
             "$MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv -o s3://$B/ 2> err3; echo $? > rc3\n"),
      0);
  EXPECT_EQ(ReadFile(dir_ / "rc1"), "1\n");
  EXPECT_EQ(ReadFile(dir_ / "err1"),
            "mergeflow: error: cannot open s3://" + bucket_ + "/nothing.tsv: No such file or directory\n");
  EXPECT_EQ(ReadFile(dir_ / "rc2"), "1\n");
  EXPECT_NE(ReadFile(dir_ / "err2").find("mergeflow: error: no AWS credentials found"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_ / "rc3"), "2\n");
  EXPECT_EQ(ReadFile(dir_ / "err3"),
            "mergeflow: error: output s3://" + bucket_ + "/ is a bucket root; give a prefix such as s3://" + bucket_ +
                "/output\n");
}

}  // namespace
}  // namespace mergeflow
