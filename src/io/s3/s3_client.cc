#include "io/s3/s3_client.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "io/s3/s3_responses.h"

namespace mergeflow {
namespace {

// Code and message of an S3 error document, or empty strings.
std::pair<std::string, std::string> ErrorCodeAndMessage(const HttpResponse& response) {
  S3ErrorAnswer error = ParseErrorAnswer(response.body);
  return {std::move(error.code), std::move(error.message)};
}

// `code` is the S3 error code of the answer (ErrorCodeAndMessage).
bool IsRetryable(long status, const std::string& code) {
  if (status == 500 || status == 502 || status == 503 || status == 504 || status == 429) return true;
  return status == 400 && (code == "RequestTimeout" || code == "SlowDown");
}

// The object's size from a Content-Range header ("bytes FIRST-LAST/SIZE" or
// "bytes */SIZE"), or `otherwise` when there is none.
uint64_t ObjectSize(const HttpResponse& response, uint64_t otherwise) {
  const auto range = response.headers.find("content-range");
  if (range == response.headers.end()) return otherwise;
  const size_t slash = range->second.rfind('/');
  if (slash == std::string::npos) return otherwise;
  return std::strtoull(range->second.c_str() + slash + 1, nullptr, 10);
}

// Exponential backoff with jitter: half of min(20 s, 100 ms * 2^retry),
// plus a random share of the other half.
std::chrono::milliseconds BackoffDelay(int retry) {
  static thread_local std::mt19937 random{std::random_device{}()};
  const double cap = std::min(20000.0, 100.0 * static_cast<double>(1u << std::min(retry, 20)));
  std::uniform_real_distribution<double> jitter(0.0, cap / 2);
  return std::chrono::milliseconds(static_cast<long>(cap / 2 + jitter(random)));
}

std::string Query(std::vector<std::pair<std::string, std::string>> params) {
  // Sorted and encoded as SigV4's canonical query string, so that what is
  // sent is what is signed.
  std::sort(params.begin(), params.end());
  std::string query;
  for (const auto& [name, value] : params) {
    query += query.empty() ? "" : "&";
    query += UriEncode(name, false) + "=" + UriEncode(value, false);
  }
  return query;
}

}  // namespace

Result<S3Location> ParseS3Uri(std::string_view uri) {
  if (!uri.starts_with("s3://")) return Status::InvalidArgument("not an s3:// URI: " + std::string(uri));
  std::string_view rest = uri.substr(5);
  const size_t slash = rest.find('/');
  S3Location location;
  location.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) location.key = std::string(rest.substr(slash + 1));
  if (location.bucket.empty()) return Status::InvalidArgument("no bucket in " + std::string(uri));
  return location;
}

struct S3Client::Call {
  std::string operation;  // for messages: "GET", "PUT", "list", ...
  S3Location where;
  HttpRequest request;
  // Adjusts the request before each attempt (a resumed range, say).
  std::function<void(HttpRequest*)> before_attempt;
};

S3Client::S3Client(S3Settings settings, S3WriteOptions write_options)
    : settings_(std::move(settings)),
      write_options_(std::move(write_options)),
      http_(settings_.ca_bundle),
      credentials_(&http_) {}

std::string S3Client::Url(const std::string& bucket, const std::string& key, const std::string& query) const {
  std::string url;
  const std::string path = UriEncode(key, true);
  if (settings_.path_style) {
    url = settings_.endpoint + "/" + bucket + "/" + path;
  } else if (bucket.find('.') != std::string::npos) {
    // Dotted bucket names break the wildcard certificate of virtual hosts.
    url = "https://s3." + settings_.region + ".amazonaws.com/" + bucket + "/" + path;
  } else {
    url = "https://" + bucket + ".s3." + settings_.region + ".amazonaws.com/" + path;
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

Result<HttpResponse> S3Client::Execute(const Call& call) {
  for (int attempt = 1;; ++attempt) {
    MF_ASSIGN_OR_RETURN(AwsCredentials credentials, credentials_.Get());
    AwsSigning signing{settings_.region, "s3", credentials.access_key_id, credentials.secret_access_key,
                       credentials.session_token};
    HttpRequest request = call.request;
    if (call.before_attempt) call.before_attempt(&request);
    Result<HttpResponse> response = http_.Send(request, &signing);
    std::string problem;
    if (!response.ok()) {
      if (response.status().code() == Status::Code::kUntrusted)
        return Status::Untrusted(call.where.Uri() + ": " + call.operation + " failed: " + response.status().message());
      problem = response.status().message();
    } else {
      const long status = response.value().status;
      const std::string code = status >= 400 ? ErrorCodeAndMessage(response.value()).first : std::string();
      if (!IsRetryable(status, code)) return response;
      problem = "HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code);
    }
    if (attempt >= settings_.max_attempts) {
      if (!response.ok())
        return Status::IOError(call.where.Uri() + ": " + call.operation + " failed after " + std::to_string(attempt) +
                               " attempts: " + problem);
      return response;  // the caller turns the last answer into an error
    }
    std::fprintf(stderr, "mergeflow: warning: %s %s: %s; retrying (attempt %d of %d)\n", call.operation.c_str(),
                 call.where.Uri().c_str(), problem.c_str(), attempt + 1, settings_.max_attempts);
    std::this_thread::sleep_for(BackoffDelay(attempt - 1));
  }
}

Status S3Client::ErrorFor(const Call& call, const HttpResponse& response) const {
  auto [code, message] = ErrorCodeAndMessage(response);
  if (code.empty() && response.status == 404) code = call.where.key.empty() ? "NoSuchBucket" : "NoSuchKey";
  std::string text = call.where.Uri() + ": " + call.operation + " failed: HTTP " + std::to_string(response.status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += " (" + message + ")";
  if (response.status == 404) return Status::NotFound(text);
  return Status::IOError(text);
}

Result<std::optional<S3Object>> S3Client::HeadObject(const S3Location& where) {
  Call call{"HEAD", where, {}, nullptr};
  call.request.method = "HEAD";
  call.request.url = Url(where.bucket, where.key, "");
  MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (response.status == 404) return std::optional<S3Object>();
  if (response.status != 200) return ErrorFor(call, response);
  return std::optional<S3Object>(S3Object{where.key,
                                          std::strtoull(response.headers["content-length"].c_str(), nullptr, 10),
                                          UnquotedETag(response.headers["etag"])});
}

Result<uint64_t> S3Client::GetRange(const S3Location& where, uint64_t offset, uint64_t length,
                                    const std::function<void(std::string_view)>& sink, uint64_t* object_size) {
  if (length == 0) return uint64_t{0};
  uint64_t delivered = 0;
  Call call{"GET", where, {}, nullptr};
  call.request.url = Url(where.bucket, where.key, "");
  call.request.on_body = [&](std::string_view data) {
    data = data.substr(0, std::min<uint64_t>(data.size(), length - delivered));
    sink(data);
    delivered += data.size();
  };
  call.before_attempt = [&](HttpRequest* request) {
    request->headers.push_back("Range: bytes=" + std::to_string(offset + delivered) + "-" +
                               std::to_string(offset + length - 1));
  };
  for (;;) {
    const uint64_t before = delivered;
    MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
    if (response.status == 416) {  // the range starts at or past the end
      if (object_size != nullptr) *object_size = ObjectSize(response, offset + delivered);
      return delivered;
    }
    if (response.status == 404 && ErrorCodeAndMessage(response).first != "NoSuchBucket")
      return Status::NotFound("cannot open " + where.Uri() + ": No such file or directory");
    if (response.status != 206 && !(response.status == 200 && offset + before == 0)) return ErrorFor(call, response);
    const uint64_t size = ObjectSize(response, std::strtoull(response.headers["content-length"].c_str(), nullptr, 10));
    if (object_size != nullptr) *object_size = size;
    const uint64_t wanted = std::min(length, size > offset ? size - offset : 0);
    if (delivered >= wanted) return delivered;
    // The answer ended early (a connection cut without a transport error):
    // resume from the byte reached, unless nothing moved at all.
    if (delivered == before)
      return Status::IOError(where.Uri() + ": GET ended at byte " + std::to_string(offset + delivered) + " of " +
                             std::to_string(size));
  }
}

Result<S3Listing> S3Client::List(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                                 size_t max_keys) {
  S3Listing listing;
  std::string continuation;
  do {
    std::vector<std::pair<std::string, std::string>> params = {{"list-type", "2"}, {"prefix", prefix}};
    if (!delimiter.empty()) params.emplace_back("delimiter", delimiter);
    if (!continuation.empty()) params.emplace_back("continuation-token", continuation);
    if (max_keys != 0) params.emplace_back("max-keys", std::to_string(max_keys));
    Call call{"list", S3Location{bucket, prefix}, {}, nullptr};
    call.request.url = Url(bucket, "", Query(params));
    MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
    if (response.status != 200) return ErrorFor(call, response);
    Result<S3ObjectsPage> page = ParseListObjectsV2(response.body);
    if (!page.ok()) return page.status().WithPrefix(call.where.Uri() + ": list: ");
    for (S3Object& object : page.value().objects) listing.objects.push_back(std::move(object));
    for (std::string& sub : page.value().prefixes) listing.prefixes.push_back(std::move(sub));
    continuation = std::move(page.value().next_continuation);
  } while (!continuation.empty() && max_keys == 0);
  auto by_key = [](const S3Object& a, const S3Object& b) { return a.key < b.key; };
  std::sort(listing.objects.begin(), listing.objects.end(), by_key);
  std::sort(listing.prefixes.begin(), listing.prefixes.end());
  return listing;
}

namespace {

void AddEncryptionHeaders(const S3WriteOptions& options, HttpRequest* request) {
  if (options.sse.empty()) return;
  request->headers.push_back("x-amz-server-side-encryption: " + options.sse);
  if (!options.sse_kms_key_id.empty())
    request->headers.push_back("x-amz-server-side-encryption-aws-kms-key-id: " + options.sse_kms_key_id);
}

}  // namespace

Status S3Client::PutObject(const S3Location& where, std::string_view body) {
  Call call{"PUT", where, {}, nullptr};
  call.request.method = "PUT";
  call.request.url = Url(where.bucket, where.key, "");
  call.request.body = body;
  AddEncryptionHeaders(write_options_, &call.request);
  MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (response.status != 200) return ErrorFor(call, response);
  return Status::OK();
}

Result<std::optional<S3ObjectContents>> S3Client::GetObject(const S3Location& where) {
  Call call{"GET", where, {}, nullptr};
  call.request.url = Url(where.bucket, where.key, "");
  MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (response.status == 404 && ErrorCodeAndMessage(response).first != "NoSuchBucket")
    return std::optional<S3ObjectContents>();
  if (response.status != 200) return ErrorFor(call, response);
  return std::optional<S3ObjectContents>(S3ObjectContents{std::move(response.body), response.headers["etag"]});
}

Status S3Client::PutObjectIf(const S3Location& where, std::string_view body, const std::string& if_match) {
  Call call{"conditional PUT", where, {}, nullptr};
  call.request.method = "PUT";
  call.request.url = Url(where.bucket, where.key, "");
  call.request.body = body;
  call.request.headers.push_back(if_match.empty() ? "If-None-Match: *" : "If-Match: " + if_match);
  AddEncryptionHeaders(write_options_, &call.request);
  MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (response.status == 200) return Status::OK();
  if (response.status != 412 && response.status != 409) return ErrorFor(call, response);
  // Refused: but the refusal may be of a resend (by Execute, or by libcurl
  // on a connection that died) of a PUT that did succeed.
  MF_ASSIGN_OR_RETURN(std::optional<S3ObjectContents> now, GetObject(where));
  if (now.has_value() && now->body == body) return Status::OK();
  return Status::Conflict(where.Uri() + (if_match.empty() ? " already exists" : " was changed by another writer"));
}

Result<std::string> S3Client::CreateMultipartUpload(const S3Location& where, const std::string& run_id) {
  Call call{"start upload", where, {}, nullptr};
  call.request.method = "POST";
  call.request.url = Url(where.bucket, where.key, "uploads=");
  if (!run_id.empty()) call.request.headers.push_back("x-amz-meta-mergeflow-run: " + run_id);
  AddEncryptionHeaders(write_options_, &call.request);
  MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (response.status != 200) return ErrorFor(call, response);
  Result<std::string> upload_id = ParseInitiateMultipartUpload(response.body);
  if (!upload_id.ok()) return upload_id.status().WithPrefix(where.Uri() + ": start upload: ");
  return upload_id;
}

Result<std::string> S3Client::UploadPart(const S3Location& where, const std::string& upload_id, int part_number,
                                         std::string_view body) {
  Call call{"upload part " + std::to_string(part_number), where, {}, nullptr};
  call.request.method = "PUT";
  call.request.url =
      Url(where.bucket, where.key, Query({{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}}));
  call.request.body = body;
  MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (response.status != 200) return ErrorFor(call, response);
  std::string etag = response.headers["etag"];
  if (etag.empty()) return Status::IOError(call.where.Uri() + ": " + call.operation + ": no ETag in the answer");
  return etag;
}

Status S3Client::CompleteMultipartUpload(const S3Location& where, const std::string& upload_id,
                                         const std::vector<std::string>& etags) {
  const std::string body = CompleteMultipartUploadBody(etags);
  Call call{"complete upload", where, {}, nullptr};
  call.request.method = "POST";
  call.request.url = Url(where.bucket, where.key, Query({{"uploadId", upload_id}}));
  call.request.body = body;
  MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  // S3 may report a failure inside a 200 answer.
  if (response.status != 200 || response.body.find("<Error>") != std::string::npos) return ErrorFor(call, response);
  return Status::OK();
}

Status S3Client::AbortMultipartUpload(const S3Location& where, const std::string& upload_id) {
  Call call{"abort upload", where, {}, nullptr};
  call.request.method = "DELETE";
  call.request.url = Url(where.bucket, where.key, Query({{"uploadId", upload_id}}));
  MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (response.status != 204 && response.status != 200 && response.status != 404) return ErrorFor(call, response);
  return Status::OK();
}

Result<std::vector<S3OpenUpload>> S3Client::ListMultipartUploads(const std::string& bucket, const std::string& prefix) {
  std::vector<S3OpenUpload> uploads;
  std::string key_marker;
  std::string upload_id_marker;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> params = {{"uploads", ""}, {"prefix", prefix}};
    if (!key_marker.empty()) params.emplace_back("key-marker", key_marker);
    if (!upload_id_marker.empty()) params.emplace_back("upload-id-marker", upload_id_marker);
    Call call{"list uploads", S3Location{bucket, prefix}, {}, nullptr};
    call.request.url = Url(bucket, "", Query(params));
    MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
    if (response.status != 200) return ErrorFor(call, response);
    Result<S3UploadsPage> page = ParseListMultipartUploads(response.body);
    if (!page.ok()) return page.status().WithPrefix(call.where.Uri() + ": list uploads: ");
    for (S3OpenUpload& upload : page.value().uploads) uploads.push_back(std::move(upload));
    if (!page.value().truncated) return uploads;
    key_marker = std::move(page.value().next_key_marker);
    upload_id_marker = std::move(page.value().next_upload_id_marker);
  }
}

Status S3Client::DeleteObject(const S3Location& where) {
  Call call{"DELETE", where, {}, nullptr};
  call.request.method = "DELETE";
  call.request.url = Url(where.bucket, where.key, "");
  MF_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (response.status != 204 && response.status != 200 && response.status != 404) return ErrorFor(call, response);
  return Status::OK();
}

}  // namespace mergeflow
