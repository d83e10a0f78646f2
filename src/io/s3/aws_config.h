// The AWS configuration chain as the AWS CLI and SDKs read it: environment
// variables first, then the shared files (~/.aws/config, ~/.aws/credentials,
// AWS_PROFILE), then the container and instance-metadata endpoints for
// credentials. Nothing here ever prints or logs a secret.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "io/s3/http_client.h"

namespace mergeflow {

struct S3Settings {
  std::string region;    // AWS_REGION, AWS_DEFAULT_REGION, profile region; else us-east-1
  std::string endpoint;  // "scheme://host[:port]" of a custom endpoint, or empty for AWS
  bool path_style = false;  // bucket in the path (custom endpoints), not the host name
  int max_attempts = 10;    // AWS_MAX_ATTEMPTS or profile max_attempts: tries per request
  std::string ca_bundle;    // AWS_CA_BUNDLE or profile ca_bundle; empty: the system's
};

// Reads the settings from the environment and the selected profile. Fails
// only on a malformed value (a non-numeric max_attempts, say).
Result<S3Settings> LoadS3Settings();

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  // When temporary credentials stop working; max() for long-term keys.
  std::chrono::system_clock::time_point expiration = std::chrono::system_clock::time_point::max();
  std::string source;  // where they came from ("environment", "profile default", ...), for messages
};

// Resolves credentials through the standard chain: environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the profile
// in the shared credentials and config files, ECS container credentials
// (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI), then EC2 instance
// metadata with an IMDSv2 session token (AWS_EC2_METADATA_SERVICE_ENDPOINT,
// AWS_EC2_METADATA_DISABLED).
class AwsCredentialsChain {
 public:
  explicit AwsCredentialsChain(HttpClient* http) : http_(http) {}

  // Current credentials: resolved on first use, refreshed when temporary
  // ones are within five minutes of expiring. Thread-safe.
  Result<AwsCredentials> Get();

 private:
  Result<AwsCredentials> Resolve();

  HttpClient* http_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;
};

}  // namespace mergeflow
