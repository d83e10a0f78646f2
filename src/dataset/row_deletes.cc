#include "dataset/row_deletes.h"

#include <algorithm>

#include "common/varint.h"

namespace mergeflow {
namespace {

constexpr std::string_view kDeletesMagic = "mergeflow deletes 1\n";

}  // namespace

std::string EncodeRowDeletes(const std::vector<ByteRange>& ranges) {
  std::string out(kDeletesMagic);
  uint64_t previous_end = 0;
  for (const ByteRange& r : ranges) {
    AppendVarint(&out, r.begin - previous_end);
    AppendVarint(&out, r.end - r.begin);
    previous_end = r.end;
  }
  return out;
}

Result<std::vector<ByteRange>> DecodeRowDeletes(std::string_view contents, const std::string& path) {
  if (!contents.starts_with(kDeletesMagic)) return Status::BadInput(path + ": not a mergeflow deletes file");
  std::vector<ByteRange> ranges;
  size_t pos = kDeletesMagic.size();
  uint64_t previous_end = 0;
  while (pos < contents.size()) {
    const std::optional<uint64_t> gap = ReadVarint(contents, &pos);
    const std::optional<uint64_t> length = gap ? ReadVarint(contents, &pos) : std::nullopt;
    if (!length) return Status::BadInput(path + ": truncated deletes file");
    const uint64_t begin = previous_end + *gap;
    if (*length == 0 || begin < previous_end || begin + *length < begin || (!ranges.empty() && *gap == 0))
      return Status::BadInput(path + ": a deletes file's ranges must be non-empty, apart and in order");
    ranges.push_back({begin, begin + *length});
    previous_end = begin + *length;
  }
  return ranges;
}

Result<std::vector<ByteRange>> ReadRowDeletes(FileSystem* fs, const std::string& path) {
  MF_ASSIGN_OR_RETURN(std::string contents, ReadWholeFile(fs, path));
  return DecodeRowDeletes(contents, path);
}

std::vector<ByteRange> UniteRanges(const std::vector<ByteRange>& a, const std::vector<ByteRange>& b) {
  std::vector<ByteRange> all;
  all.reserve(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(all),
             [](const ByteRange& x, const ByteRange& y) { return x.begin < y.begin; });
  std::vector<ByteRange> united;
  for (const ByteRange& r : all) {
    if (!united.empty() && r.begin <= united.back().end) {
      united.back().end = std::max(united.back().end, r.end);
    } else {
      united.push_back(r);
    }
  }
  return united;
}

}  // namespace mergeflow
