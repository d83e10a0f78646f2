// Fuzzes the AWS shared config and credentials files as mergeflow reads
// them (settings and the credentials chain, with no network: instance
// metadata is off and no container endpoint is set). Input: the config
// file, a 0xff byte, the credentials file.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "io/s3/aws_config.h"

namespace {

std::string WriteTemp(const char* pattern, std::string_view contents) {
  std::string path = pattern;
  const int fd = mkstemp(path.data());
  if (fd < 0) std::abort();
  if (write(fd, contents.data(), contents.size()) != static_cast<ssize_t>(contents.size())) std::abort();
  close(fd);
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\xff');
  const std::string config = WriteTemp("/tmp/mergeflow-config-fuzz-XXXXXX", input.substr(0, split));
  const std::string credentials = WriteTemp("/tmp/mergeflow-credentials-fuzz-XXXXXX",
                                            split == std::string_view::npos ? "" : input.substr(split + 1));
  for (const char* name :
       {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_MAX_ATTEMPTS", "AWS_CA_BUNDLE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"})
    unsetenv(name);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  setenv("AWS_CONFIG_FILE", config.c_str(), 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", credentials.c_str(), 1);
  for (const char* profile : {"default", "batch"}) {
    setenv("AWS_PROFILE", profile, 1);
    (void)mergeflow::LoadS3Settings();
    mergeflow::HttpClient http;
    mergeflow::AwsCredentialsChain chain(&http);
    (void)chain.Get();
  }
  unlink(config.c_str());
  unlink(credentials.c_str());
  return 0;
}
