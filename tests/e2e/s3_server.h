// A real S3-compatible server on 127.0.0.1 for end-to-end tests: moto's
// moto_server (or the command in MERGEFLOW_TEST_S3_SERVER, run with the port
// as its last argument), started fresh for each test, with one bucket
// "mf-test". Scripts run by the fixture get a prelude that points both
// mergeflow and Debian's awscli ($AWS) at it.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
    s3_port_ = FreePort();
    const char* custom = std::getenv("MERGEFLOW_TEST_S3_SERVER");
    const std::string server = custom != nullptr ? custom : "moto_server -H 127.0.0.1 -p";
    ASSERT_EQ(RunScript(dir_, server + " " + std::to_string(s3_port_) + " > s3-server.log 2>&1 &\n" +
                                  "echo $! > s3-server.pid\n" + WaitForPort(s3_port_)),
              0)
        << "no S3 test server came up: " << ReadFile(dir_ / "s3-server.log");
    ASSERT_EQ(Script("$AWS s3 mb s3://mf-test > /dev/null"), 0);
  }

  void TearDown() override {
    RunScript(dir_, "for f in *.pid; do [ -f \"$f\" ] && kill $(cat \"$f\") 2> /dev/null; done; true");
  }

  // Starts tests/s3/fault_proxy.py in front of the server; returns its port.
  // Its log of requests is proxy.log.
  int StartProxy(int fault_every) {
    const int port = FreePort();
    const std::string command = std::string("/usr/bin/python3 ") + MERGEFLOW_SOURCE_DIR +
                                "/tests/s3/fault_proxy.py --port " + std::to_string(port) +
                                " --upstream http://127.0.0.1:" + std::to_string(s3_port_) +
                                " --log proxy.log --fault-every " + std::to_string(fault_every);
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
    const std::string endpoint = "http://127.0.0.1:" + std::to_string(s3_port_);
    return RunScript(dir_,
                     "set -e\n"
                     "export AWS_ACCESS_KEY_ID=mergeflow-test AWS_SECRET_ACCESS_KEY=test-secret-never-printed\n"
                     "export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=5\n"
                     "export AWS_ENDPOINT_URL=" +
                         endpoint +
                         "\n"
                         "export AWS_CONFIG_FILE=$PWD/no-config AWS_SHARED_CREDENTIALS_FILE=$PWD/no-credentials\n"
                         "AWS=\"/usr/bin/aws --endpoint-url " +
                         endpoint +
                         "\"\n"
                         "GEN='" MERGEFLOW_GEN_BINARY
                         "'\n"
                         // The data rows of a local or downloaded output, sorted.
                         "rows() { for f in \"$1\"/part-*; do tail -n +2 \"$f\"; done | sort; }\n"
                         // How many multipart uploads are open in the bucket.
                         "open_uploads() { $AWS s3api list-multipart-uploads --bucket mf-test | "
                         "(grep -c UploadId || true); }\n" +
                         body);
  }

  static std::string WaitForPort(int port) {
    return "for i in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) +
           ") 2> /dev/null && exit 0; sleep 0.05; done; exit 1";
  }

  TempDir dir_;
  int s3_port_ = 0;
};

}  // namespace mergeflow::testing
