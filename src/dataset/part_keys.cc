#include "dataset/part_keys.h"

#include <algorithm>

#include "common/varint.h"

namespace mergeflow {
namespace {

constexpr std::string_view kMagic = "mergeflow keys 1\n";

}  // namespace

std::string EncodePartKeys(std::vector<KeyAt> rows) {
  std::sort(rows.begin(), rows.end());
  std::string out(kMagic);
  out.reserve(out.size() + rows.size() * 6);
  AppendVarint(&out, rows.size());
  uint32_t previous = 0;
  for (const KeyAt& row : rows) {
    AppendVarint(&out, row.hash - previous);
    AppendVarint(&out, row.offset);
    previous = row.hash;
  }
  return out;
}

Result<std::vector<KeyAt>> DecodePartKeys(std::string_view contents, const std::string& path) {
  if (!contents.starts_with(kMagic)) return Status::BadInput(path + ": not a mergeflow keys file");
  size_t pos = kMagic.size();
  const std::optional<uint64_t> count = ReadVarint(contents, &pos);
  // Each row takes at least two bytes: a larger count is a lie.
  if (!count || *count > (contents.size() - pos) / 2) return Status::BadInput(path + ": truncated keys file");
  std::vector<KeyAt> rows(*count);
  uint64_t hash = 0;  // wider than a hash, to catch steps past 2^32
  for (KeyAt& row : rows) {
    const std::optional<uint64_t> step = ReadVarint(contents, &pos);
    const std::optional<uint64_t> offset = step ? ReadVarint(contents, &pos) : std::nullopt;
    if (!offset) return Status::BadInput(path + ": truncated keys file");
    hash += *step;
    if (hash > UINT32_MAX) return Status::BadInput(path + ": a keys file's hashes must be in order");
    row = {static_cast<uint32_t>(hash), *offset};
  }
  if (pos != contents.size()) return Status::BadInput(path + ": bytes after the last row of a keys file");
  return rows;
}

Result<std::vector<KeyAt>> ReadPartKeys(FileSystem* fs, const std::string& path) {
  MF_ASSIGN_OR_RETURN(std::shared_ptr<const MappedFile> mapped, fs->MapForRead(path));
  if (mapped != nullptr) return DecodePartKeys(std::string_view(mapped->data(), mapped->size()), path);
  MF_ASSIGN_OR_RETURN(std::string contents, ReadWholeFile(fs, path));
  return DecodePartKeys(contents, path);
}

std::vector<uint64_t> OffsetsOfHashes(const std::vector<KeyAt>& rows, const std::vector<uint32_t>& hashes) {
  std::vector<uint64_t> offsets;
  auto row = rows.begin();
  for (uint32_t hash : hashes) {
    row = std::lower_bound(row, rows.end(), KeyAt{hash, 0});
    for (auto at = row; at != rows.end() && at->hash == hash; ++at) offsets.push_back(at->offset);
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  return offsets;
}

}  // namespace mergeflow
