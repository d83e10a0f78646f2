// A real S3-compatible server on 127.0.0.1 for end-to-end tests, with a
// bucket of the test's own ($B in scripts, bucket_ in C++). The server is
//  - the one at MERGEFLOW_TEST_S3_ENDPOINT, shared by all tests: scripts/test.sh
//    starts Ceph's RADOS Gateway there (tests/s3/rgw_server.sh); or else
//  - a server started fresh for each test: the command in
//    MERGEFLOW_TEST_S3_SERVER (run with the port as its last argument), or
//    moto's moto_server where it is installed.
// Scripts run by the fixture get a prelude that points both mergeflow and
// Debian's awscli ($AWS) at it.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

#include "e2e/cli_runner.h"

namespace mergeflow::testing {

// A TCP port that was free a moment ago.
inline int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

class S3ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* shared = std::getenv("MERGEFLOW_TEST_S3_ENDPOINT");
    if (shared != nullptr && *shared != '\0') {
      endpoint_ = shared;
      bucket_ = UniqueBucketName();
    } else {
      const int port = FreePort();
      const char* custom = std::getenv("MERGEFLOW_TEST_S3_SERVER");
      const std::string server = custom != nullptr ? custom : "moto_server -H 127.0.0.1 -p";
      ASSERT_EQ(RunScript(dir_, server + " " + std::to_string(port) + " > s3-server.log 2>&1 &\n" +
                                    "echo $! > s3-server.pid\n" + WaitForPort(port)),
                0)
          << "no S3 test server came up (scripts/test.sh starts one; see tests/e2e/s3_server.h): "
          << ReadFile(dir_ / "s3-server.log");
      endpoint_ = "http://127.0.0.1:" + std::to_string(port);
      bucket_ = "mf-test";
    }
    ASSERT_EQ(Script("$AWS s3 mb s3://$B > /dev/null"), 0);
  }

  void TearDown() override {
    RunScript(dir_, "for f in *.pid; do [ -f \"$f\" ] && kill $(cat \"$f\") 2> /dev/null; done; true");
    if (std::getenv("MERGEFLOW_TEST_S3_ENDPOINT") != nullptr) {
      Script("for id in $($AWS s3api list-multipart-uploads --bucket $B --query 'Uploads[].[Key,UploadId]' "
             "--output text | tr '\\t' '|'); do\n"
             "  [ \"$id\" = None ] || $AWS s3api abort-multipart-upload --bucket $B --key \"${id%|*}\" "
             "--upload-id \"${id#*|}\"\n"
             "done\n"
             "$AWS s3 rb s3://$B --force > /dev/null 2>&1 || true");
    }
  }

  // Starts tests/s3/fault_proxy.py in front of the server, with `options`
  // of its own (--chaos, --tls-cert ...); returns its port. Its log of
  // requests is proxy.log.
  int StartProxy(int fault_every, const std::string& options = "") {
    const int port = FreePort();
    const std::string command = std::string("/usr/bin/python3 ") + MERGEFLOW_SOURCE_DIR +
                                "/tests/s3/fault_proxy.py --port " + std::to_string(port) +
                                " --upstream " + endpoint_ + " --log proxy.log --fault-every " +
                                std::to_string(fault_every) + " " + options;
    EXPECT_EQ(RunScript(dir_, command + " 2> proxy.err &\necho $! > proxy.pid\n" + WaitForPort(port)), 0);
    return port;
  }

  // Starts tests/s3/metadata_server.py (instance metadata and container
  // credentials); returns its port. Its log of requests is NAME.log.
  int StartMetadataServer(const std::string& name) {
    const int port = FreePort();
    EXPECT_EQ(RunScript(dir_, std::string("/usr/bin/python3 ") + MERGEFLOW_SOURCE_DIR +
                                  "/tests/s3/metadata_server.py --port " + std::to_string(port) + " --log " + name +
                                  ".log 2> " + name + ".err &\necho $! > " + name + ".pid\n" + WaitForPort(port)),
              0);
    return port;
  }

  // Runs `body` in bash (set -e) after the prelude: AWS_* variables aimed at
  // the server (static test keys, no shared files, no instance metadata),
  // $AWS (awscli), $MERGEFLOW, $GEN (the data generator), and the functions
  // `rows DIR` and `open_uploads`.
  int Script(const std::string& body) {
    return RunScript(dir_,
                     "set -e\n"
                     "export AWS_ACCESS_KEY_ID=mergeflow-test AWS_SECRET_ACCESS_KEY=test-secret-never-printed\n"
                     "export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=5\n"
                     "export AWS_ENDPOINT_URL=" +
                         endpoint_ + "\nexport B=" + bucket_ +
                         "\n"
                         "export AWS_CONFIG_FILE=$PWD/no-config AWS_SHARED_CREDENTIALS_FILE=$PWD/no-credentials\n"
                         "AWS=\"/usr/bin/aws --endpoint-url " +
                         endpoint_ +
                         "\"\n"
                         "GEN='" MERGEFLOW_GEN_BINARY
                         "'\n"
                         // The data rows of a local or downloaded output, sorted.
                         "rows() { for f in \"$1\"/part-*; do tail -n +2 \"$f\"; done | sort; }\n"
                         // How many multipart uploads are open in the bucket.
                         "open_uploads() { $AWS s3api list-multipart-uploads --bucket $B | "
                         "(grep -c UploadId || true); }\n" +
                         body);
  }

  static std::string WaitForPort(int port) {
    return "for i in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) +
           ") 2> /dev/null && exit 0; sleep 0.05; done; exit 1";
  }

  // A bucket name no other test of this run uses: the test's name and the
  // process id, as S3 allows (lower case, at most 63 characters).
  static std::string UniqueBucketName() {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "mf-" + std::to_string(getpid()) + "-";
    for (char c : std::string(test->test_suite_name()) + "-" + test->name()) {
      name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
    }
    name.resize(std::min<size_t>(name.size(), 63));
    while (name.back() == '-') name.pop_back();
    return name;
  }

  TempDir dir_;
  std::string endpoint_;  // http://127.0.0.1:PORT
  std::string bucket_;
};

}  // namespace mergeflow::testing
