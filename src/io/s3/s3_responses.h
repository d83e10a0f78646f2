// S3's XML answers, read and written (pugixml). The parsers take a body as
// it came over the network and trust nothing in it: anything that is not the
// expected document is an error ("unreadable answer", or what is missing),
// never a crash; callers put the object and operation before the message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mergeflow {

// An ETag without the double quotes S3 puts around it.
std::string UnquotedETag(std::string_view etag);

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // without its quotes
};

// A multipart upload begun and neither completed nor aborted.
struct S3OpenUpload {
  std::string key;
  std::string upload_id;
};

// One page of ListObjectsV2.
struct S3ObjectsPage {
  std::vector<S3Object> objects;
  std::vector<std::string> prefixes;  // common prefixes (with a delimiter)
  std::string next_continuation;      // empty on the last page
};
// Fails when the page says it is truncated but gives no continuation token.
Result<S3ObjectsPage> ParseListObjectsV2(std::string_view body);

// One page of ListMultipartUploads.
struct S3UploadsPage {
  std::vector<S3OpenUpload> uploads;
  bool truncated = false;
  std::string next_key_marker;        // with truncated
  std::string next_upload_id_marker;  // with truncated
};
// Fails when the page says it is truncated but gives no marker to go on from.
Result<S3UploadsPage> ParseListMultipartUploads(std::string_view body);

// The upload id of an InitiateMultipartUpload answer.
Result<std::string> ParseInitiateMultipartUpload(std::string_view body);

// The code and message of an S3 error document; both empty when the body
// is not one.
struct S3ErrorAnswer {
  std::string code;
  std::string message;
};
S3ErrorAnswer ParseErrorAnswer(std::string_view body);

// The body of CompleteMultipartUpload for parts 1..N with these ETags.
std::string CompleteMultipartUploadBody(const std::vector<std::string>& etags);

}  // namespace mergeflow
