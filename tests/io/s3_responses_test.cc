#include "io/s3/s3_responses.h"

#include <gtest/gtest.h>

namespace mergeflow {
namespace {

TEST(S3ResponsesTest, ListingPagesAndTheirWayOn) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t=/+</NextContinuationToken>"
      "<Contents><Key>p/a.tsv</Key><Size>12</Size></Contents><Contents><Key>p/b.tsv</Key><Size>7</Size>"
      "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></Contents>"
      "<CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page.value().objects.size(), 2u);
  EXPECT_EQ(page.value().objects[1].key, "p/b.tsv");
  EXPECT_EQ(page.value().objects[1].size, 7u);
  EXPECT_EQ(page.value().objects[1].etag, "9b2cf535f27731c974343645a3985328");
  EXPECT_EQ(page.value().objects[0].etag, "");
  EXPECT_EQ(page.value().prefixes, std::vector<std::string>{"p/d/"});
  EXPECT_EQ(page.value().next_continuation, "t=/+");
  auto last = ParseListObjectsV2("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last.value().next_continuation, "");
}

// A page that says more follows but not how to get it would end the listing
// early and silently drop inputs: it is an error.
TEST(S3ResponsesTest, ATruncatedListingWithoutAWayOnIsAnError) {
  auto page = ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().message(), "a truncated listing without a continuation token");
  auto uploads = ParseListMultipartUploads(
      "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>"
      "</ListMultipartUploadsResult>");
  ASSERT_FALSE(uploads.ok());
  EXPECT_EQ(uploads.status().message(), "a truncated answer without a next marker");
}

TEST(S3ResponsesTest, AnythingElseIsUnreadable) {
  for (const char* body : {"", "not xml", "<Error><Code>x</Code></Error>", "<ListBucketResult", "\xff\xfe<"}) {
    auto page = ParseListObjectsV2(body);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.status().message(), "unreadable answer");
  }
  EXPECT_FALSE(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").ok());
}

TEST(S3ResponsesTest, UploadsErrorsAndTheCompleteBody) {
  auto page = ParseListMultipartUploads(
      "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>k</NextKeyMarker>"
      "<NextUploadIdMarker>u</NextUploadIdMarker><Upload><Key>out/p</Key><UploadId>2~a</UploadId></Upload>"
      "</ListMultipartUploadsResult>");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page.value().uploads.size(), 1u);
  EXPECT_EQ(page.value().uploads[0].upload_id, "2~a");
  EXPECT_TRUE(page.value().truncated);
  EXPECT_EQ(page.value().next_key_marker, "k");
  EXPECT_EQ(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult><UploadId>id-1</UploadId>"
                                         "</InitiateMultipartUploadResult>")
                .value(),
            "id-1");
  const S3ErrorAnswer error = ParseErrorAnswer("<Error><Code>SlowDown</Code><Message>Reduce</Message></Error>");
  EXPECT_EQ(error.code, "SlowDown");
  EXPECT_EQ(error.message, "Reduce");
  EXPECT_EQ(ParseErrorAnswer("<html>503</html>").code, "");
  EXPECT_EQ(CompleteMultipartUploadBody({"\"e1\"", "\"e2\""}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part></CompleteMultipartUpload>");
}

}  // namespace
}  // namespace mergeflow
