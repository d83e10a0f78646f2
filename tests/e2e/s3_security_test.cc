// S3 over TLS is always verified, and no secret reaches what mergeflow
// prints or writes, whether the run succeeds or fails.
#include <gtest/gtest.h>

#include <algorithm>

#include "e2e/s3_server.h"

namespace mergeflow {
namespace {

using testing::ReadFile;

class S3SecurityTest : public testing::S3ServerTest {
 protected:
  // A CA and a certificate for 127.0.0.1 signed by it (Debian's openssl).
  void MakeCertificates() {
    ASSERT_EQ(Script("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mergeflow-test-ca "
                     "-keyout ca.key -out ca.pem 2> /dev/null\n"
                     "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr "
                     "2> /dev/null\n"
                     "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext\n"
                     "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
                     "-extfile san.ext -out server.pem 2> /dev/null\n"),
              0);
  }
};

// An HTTPS endpoint whose certificate no trusted CA signed is refused with
// one line; naming its CA in AWS_CA_BUNDLE makes it trusted.
TEST_F(S3SecurityTest, TlsIsVerifiedUnlessTheCaIsNamed) {
  MakeCertificates();
  const int proxy = StartProxy(0, "--tls-cert server.pem --tls-key server.key");
  ASSERT_EQ(Script("printf 'id\\tv\\n1\\ta\\n' > l.tsv; $AWS s3 cp l.tsv s3://$B/l.tsv --quiet\n"
                   "export AWS_ENDPOINT_URL=https://127.0.0.1:" +
                   std::to_string(proxy) +
                   " AWS_MAX_ATTEMPTS=2\n"
                   "set +e\n"
                   "$MERGEFLOW join s3://$B/l.tsv l.tsv > untrusted.out 2> untrusted.err; echo $? > untrusted.rc\n"
                   "AWS_CA_BUNDLE=$PWD/ca.pem $MERGEFLOW join s3://$B/l.tsv l.tsv > trusted.out 2> trusted.err; "
                   "echo $? > trusted.rc\n"),
            0);
  EXPECT_EQ(ReadFile(dir_ / "untrusted.rc"), "1\n");
  const std::string err = ReadFile(dir_ / "untrusted.err");
  // At once, without retries: a certificate does not get better.
  EXPECT_TRUE(err.starts_with("mergeflow: error: s3://" + bucket_ + "/l.tsv: HEAD failed: ")) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find("SSL certificate problem"), std::string::npos) << err;
  EXPECT_NE(err.find("AWS_CA_BUNDLE"), std::string::npos) << err;
  EXPECT_EQ(err.find("test-secret-never-printed"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_ / "untrusted.out"), "");
  EXPECT_EQ(ReadFile(dir_ / "trusted.rc"), "0\n") << ReadFile(dir_ / "trusted.err");
  EXPECT_EQ(ReadFile(dir_ / "trusted.out"), "id\tv_x\tv_y\n1\ta\ta\n");
}

// Everything a succeeding and a failing S3 run print or write (standard
// output and error, the output's parts and manifest, markers, progress
// reports, bad-row samples) holds neither the secret key nor the session
// token.
TEST_F(S3SecurityTest, NoSecretInAnythingARunPrintsOrWrites) {
  ASSERT_EQ(Script("export AWS_SESSION_TOKEN=session-token-never-printed\n"
                   "$GEN --rows 50000 --key-space 100000 --seed 1 -o l.tsv\n"
                   "printf 'id\\tv\\n1\\ta\\n2\\n' > bad.tsv\n"
                   "$AWS s3 cp l.tsv s3://$B/in/l.tsv --quiet; $AWS s3 cp bad.tsv s3://$B/in/bad.tsv --quiet\n"
                   "set +e\n"
                   "$MERGEFLOW join s3://$B/in/l.tsv l.tsv -o s3://$B/out --progress-interval 0.01 "
                   "> ok.out 2> ok.err\n"
                   "$MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/bad.tsv -o s3://$B/out2 --bad-rows skip "
                   "> skip.out 2> skip.err\n"
                   "$MERGEFLOW join s3://$B/in/bad.tsv l.tsv -o local > bad.out 2> bad.err\n"
                   "AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_MAX_ATTEMPTS=1 $MERGEFLOW join s3://$B/in/l.tsv l.tsv "
                   "> down.out 2> down.err\n"
                   "$MERGEFLOW clean s3://$B/out > clean.out 2> clean.err\n"
                   "$AWS s3 cp s3://$B/ everything --recursive --quiet\n"
                   "set -e\n"
                   "test -s ok.err; test -s bad.err; test -s down.err; test -f everything/out/_SUCCESS\n"
                   "if grep -r -l -e test-secret-never-printed -e session-token-never-printed "
                   "--exclude=l.tsv --exclude=bad.tsv . > leaks; then exit 1; fi\n"),
            0)
      << ReadFile(dir_ / "leaks");
}

}  // namespace
}  // namespace mergeflow
