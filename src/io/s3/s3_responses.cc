#include "io/s3/s3_responses.h"

#include <pugixml.hpp>
#include <sstream>

namespace mergeflow {
namespace {

std::string XmlText(const pugi::xml_node& node, const char* child) { return node.child(child).text().as_string(); }

// The root element `root` of `body`, or an empty node.
pugi::xml_node Root(std::string_view body, const char* root, pugi::xml_document* doc) {
  if (body.empty() || doc->load_buffer(body.data(), body.size()).status != pugi::status_ok) return {};
  return doc->child(root);
}

bool IsTrue(const pugi::xml_node& node, const char* child) { return XmlText(node, child) == "true"; }

}  // namespace

std::string UnquotedETag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

Result<S3ObjectsPage> ParseListObjectsV2(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node result = Root(body, "ListBucketResult", &doc);
  if (!result) return Status::IOError("unreadable answer");
  S3ObjectsPage page;
  for (pugi::xml_node item : result.children("Contents"))
    page.objects.push_back(
        S3Object{XmlText(item, "Key"), item.child("Size").text().as_ullong(), UnquotedETag(XmlText(item, "ETag"))});
  for (pugi::xml_node item : result.children("CommonPrefixes")) page.prefixes.push_back(XmlText(item, "Prefix"));
  if (IsTrue(result, "IsTruncated")) {
    page.next_continuation = XmlText(result, "NextContinuationToken");
    if (page.next_continuation.empty()) return Status::IOError("a truncated listing without a continuation token");
  }
  return page;
}

Result<S3UploadsPage> ParseListMultipartUploads(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node result = Root(body, "ListMultipartUploadsResult", &doc);
  if (!result) return Status::IOError("unreadable answer");
  S3UploadsPage page;
  for (pugi::xml_node item : result.children("Upload"))
    page.uploads.push_back(S3OpenUpload{XmlText(item, "Key"), XmlText(item, "UploadId")});
  page.truncated = IsTrue(result, "IsTruncated");
  if (page.truncated) {
    page.next_key_marker = XmlText(result, "NextKeyMarker");
    page.next_upload_id_marker = XmlText(result, "NextUploadIdMarker");
    if (page.next_key_marker.empty() && page.next_upload_id_marker.empty())
      return Status::IOError("a truncated answer without a next marker");
  }
  return page;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  std::string upload_id = XmlText(Root(body, "InitiateMultipartUploadResult", &doc), "UploadId");
  if (upload_id.empty()) return Status::IOError("no upload id in the answer");
  return upload_id;
}

S3ErrorAnswer ParseErrorAnswer(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node error = Root(body, "Error", &doc);
  return {XmlText(error, "Code"), XmlText(error, "Message")};
}

std::string CompleteMultipartUploadBody(const std::vector<std::string>& etags) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  for (size_t i = 0; i < etags.size(); ++i) {
    pugi::xml_node part = root.append_child("Part");
    part.append_child("PartNumber").text().set(static_cast<unsigned>(i + 1));
    part.append_child("ETag").text().set(etags[i].c_str());
  }
  std::ostringstream xml;
  doc.save(xml, "", pugi::format_raw | pugi::format_no_declaration);
  return xml.str();
}

}  // namespace mergeflow
