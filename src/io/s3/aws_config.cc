#include "io/s3/aws_config.h"

#include <INIReader.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

namespace mergeflow {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string HomePath(const char* relative) {
  const std::string home = Env("HOME");
  return home.empty() ? std::string() : home + "/" + relative;
}

std::string ProfileName() {
  std::string profile = Env("AWS_PROFILE");
  return profile.empty() ? "default" : profile;
}

// One of the shared files, parsed; an absent file reads as empty.
struct SharedFile {
  explicit SharedFile(const std::string& path) : reader(path), present(!path.empty() && reader.ParseError() >= 0) {}
  INIReader reader;
  bool present;
  std::string Get(const std::string& section, const std::string& key) const {
    return present ? reader.Get(section, key, "") : "";
  }
};

std::string ConfigFilePath() {
  std::string path = Env("AWS_CONFIG_FILE");
  return path.empty() ? HomePath(".aws/config") : path;
}

std::string CredentialsFilePath() {
  std::string path = Env("AWS_SHARED_CREDENTIALS_FILE");
  return path.empty() ? HomePath(".aws/credentials") : path;
}

// The config file names profiles "[profile NAME]", except "[default]".
std::string ConfigSection(const std::string& profile) { return profile == "default" ? profile : "profile " + profile; }

// "2026-11-21T12:00:00Z" as a time point; nullopt if it is not one.
std::optional<std::chrono::system_clock::time_point> ParseIso8601(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// Credentials from a container or instance-metadata JSON document.
Result<AwsCredentials> ParseCredentialsDocument(const std::string& body, const std::string& source) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("AccessKeyId") || !doc.contains("SecretAccessKey") ||
      !doc["AccessKeyId"].is_string() || !doc["SecretAccessKey"].is_string())
    return Status::IOError("unusable AWS credentials from " + source + ": not a credentials document");
  AwsCredentials credentials;
  credentials.access_key_id = doc["AccessKeyId"].get<std::string>();
  credentials.secret_access_key = doc["SecretAccessKey"].get<std::string>();
  if (doc.contains("Token") && doc["Token"].is_string()) credentials.session_token = doc["Token"].get<std::string>();
  if (doc.contains("Expiration") && doc["Expiration"].is_string()) {
    auto expiration = ParseIso8601(doc["Expiration"].get<std::string>());
    if (expiration) credentials.expiration = *expiration;
  }
  credentials.source = source;
  return credentials;
}

std::optional<AwsCredentials> FromEnvironment() {
  AwsCredentials credentials;
  credentials.access_key_id = Env("AWS_ACCESS_KEY_ID");
  credentials.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) return std::nullopt;
  credentials.session_token = Env("AWS_SESSION_TOKEN");
  credentials.source = "environment";
  return credentials;
}

std::optional<AwsCredentials> FromSharedFiles(const std::string& profile) {
  const SharedFile files[] = {SharedFile(CredentialsFilePath()), SharedFile(ConfigFilePath())};
  const std::string sections[] = {profile, ConfigSection(profile)};
  for (int i = 0; i < 2; ++i) {
    AwsCredentials credentials;
    credentials.access_key_id = files[i].Get(sections[i], "aws_access_key_id");
    credentials.secret_access_key = files[i].Get(sections[i], "aws_secret_access_key");
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) continue;
    credentials.session_token = files[i].Get(sections[i], "aws_session_token");
    credentials.source = "profile " + profile;
    return credentials;
  }
  return std::nullopt;
}

HttpRequest MetadataRequest(std::string method, std::string url) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.connect_timeout_seconds = 2;
  request.stall_seconds = 5;
  return request;
}

Result<std::optional<AwsCredentials>> FromContainer(HttpClient* http) {
  std::string url = Env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  const std::string relative = Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  if (!relative.empty()) url = "http://169.254.170.2" + relative;
  if (url.empty()) return std::optional<AwsCredentials>();
  HttpRequest request = MetadataRequest("GET", url);
  // EKS Pod Identity gives the token in a file, read afresh each time (it rotates).
  std::string token = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  if (const std::string file = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); !file.empty()) {
    std::ifstream in(file);
    if (!std::getline(in, token)) return Status::IOError("cannot read container credentials token file " + file);
  }
  if (!token.empty()) request.headers.push_back("Authorization: " + token);
  MF_ASSIGN_OR_RETURN(HttpResponse response, http->Send(request));
  if (response.status != 200)
    return Status::IOError("cannot get container credentials from " + url + ": HTTP " +
                           std::to_string(response.status));
  MF_ASSIGN_OR_RETURN(AwsCredentials credentials, ParseCredentialsDocument(response.body, "container credentials"));
  return std::optional<AwsCredentials>(std::move(credentials));
}

// IMDSv2: a session token first, then the role name, then its credentials.
// Returns nullopt when no metadata service answers (not on EC2).
Result<std::optional<AwsCredentials>> FromInstanceMetadata(HttpClient* http) {
  if (Env("AWS_EC2_METADATA_DISABLED") == "true") return std::optional<AwsCredentials>();
  std::string endpoint = Env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint.empty()) endpoint = "http://169.254.169.254";
  while (endpoint.ends_with('/')) endpoint.pop_back();

  HttpRequest token_request = MetadataRequest("PUT", endpoint + "/latest/api/token");
  token_request.connect_timeout_seconds = 1;
  token_request.headers.push_back("X-aws-ec2-metadata-token-ttl-seconds: 21600");
  auto token = http->Send(token_request);
  if (!token.ok()) return std::optional<AwsCredentials>();  // nothing listening: not an instance
  if (token.value().status != 200)
    return Status::IOError("instance metadata at " + endpoint + " refused a session token: HTTP " +
                           std::to_string(token.value().status));
  const std::string token_header = "X-aws-ec2-metadata-token: " + token.value().body;
  const std::string roles_url = endpoint + "/latest/meta-data/iam/security-credentials/";

  HttpRequest role_request = MetadataRequest("GET", roles_url);
  role_request.headers.push_back(token_header);
  MF_ASSIGN_OR_RETURN(HttpResponse roles, http->Send(role_request));
  if (roles.status == 404) return std::optional<AwsCredentials>();  // an instance without a role
  if (roles.status != 200)
    return Status::IOError("cannot list instance roles at " + endpoint + ": HTTP " + std::to_string(roles.status));
  std::string role = roles.body.substr(0, roles.body.find('\n'));
  if (role.empty()) return std::optional<AwsCredentials>();

  HttpRequest credentials_request = MetadataRequest("GET", roles_url + role);
  credentials_request.headers.push_back(token_header);
  MF_ASSIGN_OR_RETURN(HttpResponse response, http->Send(credentials_request));
  if (response.status != 200)
    return Status::IOError("cannot get credentials of instance role " + role + ": HTTP " +
                           std::to_string(response.status));
  MF_ASSIGN_OR_RETURN(AwsCredentials credentials, ParseCredentialsDocument(response.body, "instance role " + role));
  return std::optional<AwsCredentials>(std::move(credentials));
}

}  // namespace

Result<S3Settings> LoadS3Settings() {
  const SharedFile config(ConfigFilePath());
  const std::string section = ConfigSection(ProfileName());
  S3Settings settings;
  settings.region = Env("AWS_REGION");
  if (settings.region.empty()) settings.region = Env("AWS_DEFAULT_REGION");
  if (settings.region.empty()) settings.region = config.Get(section, "region");
  if (settings.region.empty()) settings.region = "us-east-1";

  settings.endpoint = Env("AWS_ENDPOINT_URL_S3");
  if (settings.endpoint.empty()) settings.endpoint = Env("AWS_ENDPOINT_URL");
  if (settings.endpoint.empty()) settings.endpoint = config.Get(section, "endpoint_url");
  while (settings.endpoint.ends_with('/')) settings.endpoint.pop_back();
  if (!settings.endpoint.empty() && settings.endpoint.find("://") == std::string::npos)
    return Status::InvalidArgument("S3 endpoint '" + settings.endpoint + "' needs a scheme (http:// or https://)");
  settings.path_style = !settings.endpoint.empty();

  std::string attempts = Env("AWS_MAX_ATTEMPTS");
  if (attempts.empty()) attempts = config.Get(section, "max_attempts");
  if (!attempts.empty()) {
    char* end = nullptr;
    const long value = std::strtol(attempts.c_str(), &end, 10);
    if (*end != '\0' || value < 1 || value > 100)
      return Status::InvalidArgument("AWS_MAX_ATTEMPTS must be a whole number from 1 to 100, not '" + attempts + "'");
    settings.max_attempts = static_cast<int>(value);
  }
  settings.ca_bundle = Env("AWS_CA_BUNDLE");
  if (settings.ca_bundle.empty()) settings.ca_bundle = config.Get(section, "ca_bundle");
  return settings;
}

Result<AwsCredentials> AwsCredentialsChain::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto refresh_at = std::chrono::system_clock::now() + std::chrono::minutes(5);
  if (!cached_ || cached_->expiration <= refresh_at) {
    MF_ASSIGN_OR_RETURN(AwsCredentials credentials, Resolve());
    cached_ = std::move(credentials);
  }
  return *cached_;
}

Result<AwsCredentials> AwsCredentialsChain::Resolve() {
  if (auto credentials = FromEnvironment()) return *credentials;
  const std::string profile = ProfileName();
  if (auto credentials = FromSharedFiles(profile)) return *credentials;
  if (!Env("AWS_PROFILE").empty())
    return Status::IOError("AWS profile '" + profile + "' has no credentials in " + CredentialsFilePath() + " or " +
                           ConfigFilePath());
  MF_ASSIGN_OR_RETURN(std::optional<AwsCredentials> container, FromContainer(http_));
  if (container) return *container;
  MF_ASSIGN_OR_RETURN(std::optional<AwsCredentials> instance, FromInstanceMetadata(http_));
  if (instance) return *instance;
  return Status::IOError(
      "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, add a profile to " +
      CredentialsFilePath() + ", or run with a container or instance role");
}

}  // namespace mergeflow
