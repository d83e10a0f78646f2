// Fuzzes the parsers of S3's XML answers (listings, open uploads, upload
// ids, error documents): any body gives a value or a clean error, never a
// crash. A listing that parses keeps its promise: a page that is not the
// last has a way on.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "io/s3/s3_responses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto objects = mergeflow::ParseListObjectsV2(body);
  auto uploads = mergeflow::ParseListMultipartUploads(body);
  if (uploads.ok() && uploads.value().truncated && uploads.value().next_key_marker.empty() &&
      uploads.value().next_upload_id_marker.empty())
    std::abort();
  (void)mergeflow::ParseInitiateMultipartUpload(body);
  (void)mergeflow::ParseErrorAnswer(body);
  (void)objects;
  return 0;
}
