// HttpClient: HTTP(S) requests through libcurl, with connection reuse and
// optional AWS Signature Version 4 signing (done by libcurl itself).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mergeflow {

// What signs a request: SigV4 for `service` in `region` with these keys.
struct AwsSigning {
  std::string region;
  std::string service = "s3";
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless the credentials are temporary
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // sent as the request body (PUT/POST)
  // When set, the body of a 2xx answer is handed over piece by piece instead
  // of being collected in HttpResponse::body. Error answers are always
  // collected.
  std::function<void(std::string_view)> on_body;
  // Seconds to wait for a connection; the transfer itself fails when it
  // moves less than one byte per second for `stall_seconds`.
  long connect_timeout_seconds = 10;
  long stall_seconds = 30;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class HttpClient {
 public:
  // `ca_bundle`: a PEM file of trusted certificates, or empty for the
  // system's. Certificates are always verified.
  explicit HttpClient(std::string ca_bundle = "");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request`, signed when `signing` is given. Returns the answer for
  // any HTTP status; fails only when no complete answer arrived: IOError for
  // no connection, a broken connection, a timeout; Untrusted when the
  // server's TLS certificate cannot be verified.
  // Thread-safe: connections are kept in a pool and reused.
  Result<HttpResponse> Send(const HttpRequest& request, const AwsSigning* signing = nullptr);

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> handle);

  std::string ca_bundle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;
};

// Whether this libcurl can sign a request carrying two headers where one
// name extends the other ("x-amz-server-side-encryption" and
// "x-amz-server-side-encryption-aws-kms-key-id"). libcurl before 8.10 sorts
// SigV4's signed headers as "name:value" lines instead of by name, which puts
// such a pair in the wrong order: every server then rejects the signature.
bool LibcurlSignsPrefixedHeaderNames();
// The version of the libcurl in use ("7.88.1").
std::string LibcurlVersion();

// Percent-encodes `text` the way AWS expects in URIs (RFC 3986 unreserved
// characters stay as they are); '/' stays too when keep_slash.
std::string UriEncode(std::string_view text, bool keep_slash);

}  // namespace mergeflow
