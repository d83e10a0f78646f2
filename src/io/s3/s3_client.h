// S3Client: the S3 REST calls mergeflow makes, each retried the AWS way
// (exponential backoff with jitter on 5xx, throttling and broken
// connections) and signed with credentials from the standard chain.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "io/s3/aws_config.h"
#include "io/s3/http_client.h"
#include "io/s3/s3_responses.h"

namespace mergeflow {

// "s3://bucket/key" split into its parts (key may be empty).
struct S3Location {
  std::string bucket;
  std::string key;
  std::string Uri() const { return "s3://" + bucket + "/" + key; }
};
Result<S3Location> ParseS3Uri(std::string_view uri);


struct S3Listing {
  std::vector<S3Object> objects;      // sorted by key
  std::vector<std::string> prefixes;  // common prefixes (with delimiter), sorted
};


// A whole object and its ETag (as S3 sent it, in quotes).
struct S3ObjectContents {
  std::string body;
  std::string etag;
};

// Server-side encryption of written objects.
struct S3WriteOptions {
  std::string sse;             // "", "AES256" or "aws:kms"
  std::string sse_kms_key_id;  // with aws:kms only; empty: the account's default key
};

class S3Client {
 public:
  S3Client(S3Settings settings, S3WriteOptions write_options);

  // The object's size and ETag, or nullopt if there is none at `key`.
  Result<std::optional<S3Object>> HeadObject(const S3Location& where);

  // Delivers bytes [offset, offset + length) of the object to `sink` in
  // order (length may run past the end: delivery stops there). A transfer
  // broken midway resumes from the byte it reached. Sets *object_size to the
  // object's size when known. Returns the count delivered.
  Result<uint64_t> GetRange(const S3Location& where, uint64_t offset, uint64_t length,
                            const std::function<void(std::string_view)>& sink, uint64_t* object_size);

  // Every object under `prefix` (all pages, or only the first `max_keys`
  // when that is not 0); with a delimiter, keys past the next delimiter are
  // rolled up into prefixes.
  Result<S3Listing> List(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                         size_t max_keys = 0);

  Status PutObject(const S3Location& where, std::string_view body);
  // The whole of a (small) object, or nullopt if there is none at `key`.
  Result<std::optional<S3ObjectContents>> GetObject(const S3Location& where);
  // A conditional PUT: with an empty `if_match`, only if no object is at
  // `key` (If-None-Match: *); else only if the object's ETag is `if_match`
  // (sent as given). Conflict when the store refuses (412, or 409 for a
  // concurrent conditional write). A refused PUT reads the object back:
  // when it holds exactly `body`, an earlier send of this PUT did succeed
  // (its answer was lost and the request resent) and this returns OK, so
  // `body` must differ from what any other writer would write (a run id in
  // it does that).
  Status PutObjectIf(const S3Location& where, std::string_view body, const std::string& if_match);
  // With a `run_id`, the object carries it as metadata "mergeflow-run".
  Result<std::string> CreateMultipartUpload(const S3Location& where, const std::string& run_id = "");
  // Returns the part's ETag. Part numbers run from 1.
  Result<std::string> UploadPart(const S3Location& where, const std::string& upload_id, int part_number,
                                 std::string_view body);
  Status CompleteMultipartUpload(const S3Location& where, const std::string& upload_id,
                                 const std::vector<std::string>& etags);
  Status AbortMultipartUpload(const S3Location& where, const std::string& upload_id);
  // Every open multipart upload of a key under `prefix` (all pages).
  Result<std::vector<S3OpenUpload>> ListMultipartUploads(const std::string& bucket, const std::string& prefix);
  Status DeleteObject(const S3Location& where);

  const S3Settings& settings() const { return settings_; }

 private:
  struct Call;
  // Sends the call, retrying what is worth retrying; returns the final
  // answer (whatever its status) or the last transport error.
  Result<HttpResponse> Execute(const Call& call);
  // An error naming the object, the operation and what S3 said.
  Status ErrorFor(const Call& call, const HttpResponse& response) const;
  std::string Url(const std::string& bucket, const std::string& key, const std::string& query) const;

  S3Settings settings_;
  S3WriteOptions write_options_;
  HttpClient http_;
  AwsCredentialsChain credentials_;
};

}  // namespace mergeflow
