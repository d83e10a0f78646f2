#include "io/s3/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace mergeflow {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  CURL* curl;
  const HttpRequest* request;
  HttpResponse* response;
};

bool IsSuccess(CURL* curl) {
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return status >= 200 && status < 300;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (transfer->request->on_body && IsSuccess(transfer->curl)) {
    transfer->request->on_body(std::string_view(data, n));
    return n;
  }
  transfer->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new answer (after 100 Continue or a redirect)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  response->headers[name] = std::string(value);
  return n;
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = curl_easy_init();
  ~Handle() { curl_easy_cleanup(curl); }
};

HttpClient::HttpClient(std::string ca_bundle) : ca_bundle_(std::move(ca_bundle)) { InitCurlOnce(); }

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Handle> HttpClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Handle> handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  return std::make_unique<Handle>();
}

void HttpClient::Release(std::unique_ptr<Handle> handle) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(handle));
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request, const AwsSigning* signing) {
  std::unique_ptr<Handle> handle = Acquire();
  if (handle->curl == nullptr) return Status::IOError("cannot start an HTTP transfer: libcurl failed to initialise");
  CURL* curl = handle->curl;
  curl_easy_reset(curl);  // keeps the connection cache

  HttpResponse response;
  Transfer transfer{curl, &request, &response};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, request.connect_timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, request.stall_seconds);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (!ca_bundle_.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_bundle_.c_str());

  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "DELETE" || !request.body.empty()) {
      // POSTFIELDS sends the bytes as they are, with their exact length.
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    }
  }

  curl_slist* headers = nullptr;
  for (const std::string& header : request.headers) headers = curl_slist_append(headers, header.c_str());
  // POSTFIELDS implies a form content type, which S3 would store. Every
  // header given here is signed, an empty one ("Name:", which tells libcurl
  // not to send it) included: so no header is removed that way, or the
  // server computes another signature. (For bodies over 1 MiB libcurl adds
  // an unsigned "Expect: 100-continue", which S3 answers at once.)
  if (request.method == "PUT" || request.method == "POST")
    headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
  std::string user;
  std::string provider;
  if (signing != nullptr) {
    provider = "aws:amz:" + signing->region + ":" + signing->service;
    user = signing->access_key_id + ":" + signing->secret_access_key;
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, provider.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, user.c_str());
    // libcurl signs this header's value as the payload hash.
    headers = curl_slist_append(headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    if (!signing->session_token.empty())
      headers = curl_slist_append(headers, ("x-amz-security-token: " + signing->session_token).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  // Forget the secret before the handle goes back to the pool.
  curl_easy_setopt(curl, CURLOPT_USERPWD, nullptr);
  Release(std::move(handle));
  if (code != CURLE_OK) {
    const std::string what = request.method + " " + request.url + ": " + (error[0] ? error : curl_easy_strerror(code));
    if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM)
      return Status::Untrusted(what + " (give the endpoint's CA in AWS_CA_BUNDLE if it is a private one)");
    return Status::IOError(what);
  }
  return response;
}

bool LibcurlSignsPrefixedHeaderNames() {
  InitCurlOnce();
  return curl_version_info(CURLVERSION_NOW)->version_num >= 0x080a00;
}

std::string LibcurlVersion() {
  InitCurlOnce();
  return curl_version_info(CURLVERSION_NOW)->version;
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  InitCurlOnce();
  std::string out;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t slash = keep_slash ? text.find('/', begin) : std::string_view::npos;
    const size_t end = slash == std::string_view::npos ? text.size() : slash;
    if (end > begin) {
      char* escaped = curl_easy_escape(nullptr, text.data() + begin, static_cast<int>(end - begin));
      out += escaped;
      curl_free(escaped);
    }
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    begin = slash + 1;
  }
  return out;
}

}  // namespace mergeflow
