#include "dataset/part_keys.h"

#include <algorithm>
#include <cstring>

namespace mergeflow {
namespace {

constexpr std::string_view kKeysMagic = "mergeflow keys 2\n";
constexpr size_t kHeaderBytes = 32;  // the magic line, W, zero bytes to 24, N

void PutLittleEndian(std::string* out, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetLittleEndian(const char* at, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(at[i])) << (8 * i);
  return v;
}

}  // namespace

std::string EncodePartKeys(std::vector<KeyAt> rows) {
  std::sort(rows.begin(), rows.end());
  uint64_t largest = 0;
  for (const KeyAt& row : rows) largest = std::max(largest, row.offset);
  const int width = largest > UINT32_MAX ? 8 : 4;
  std::string out(kKeysMagic);
  out.push_back(static_cast<char>(width));
  out.append(24 - out.size(), '\0');
  PutLittleEndian(&out, rows.size(), 8);
  out.reserve(kHeaderBytes + rows.size() * (4 + width));
  for (const KeyAt& row : rows) PutLittleEndian(&out, row.hash, 4);
  for (const KeyAt& row : rows) PutLittleEndian(&out, row.offset, width);
  return out;
}

Result<PartKeys> PartKeys::Parse(std::string_view bytes, const std::string& path) {
  if (bytes.size() < kHeaderBytes || !bytes.starts_with(kKeysMagic))
    return Status::BadInput(path + ": not a mergeflow keys file");
  const int width = bytes[kKeysMagic.size()];
  const uint64_t rows = GetLittleEndian(bytes.data() + 24, 8);
  if ((width != 4 && width != 8) || rows > bytes.size() || bytes.size() - kHeaderBytes != rows * (4 + width))
    return Status::BadInput(path + ": a keys file cut short or of a bad offset width");
  const char* hashes = bytes.data() + kHeaderBytes;
  return PartKeys(hashes, hashes + 4 * rows, rows, width, path);
}

uint32_t PartKeys::HashAt(uint64_t i) const { return static_cast<uint32_t>(GetLittleEndian(hashes_ + 4 * i, 4)); }

KeyAt PartKeys::row(uint64_t i) const { return {HashAt(i), GetLittleEndian(offsets_ + width_ * i, width_)}; }

Result<std::vector<uint64_t>> PartKeys::OffsetsOf(const std::vector<uint32_t>& hashes) const {
  std::vector<uint64_t> offsets;
  uint64_t at = 0;       // every row before `at` has a smaller hash than the next wanted
  uint32_t floor = 0;    // the hash of row at - 1 (of row low - 1 while searching)
  bool in_order = true;  // whether every hash read lies between its neighbours read before
  auto read = [&](uint64_t i, uint32_t ceiling) {
    const uint32_t hash = HashAt(i);
    in_order &= floor <= hash && hash <= ceiling;
    return hash;
  };
  for (uint32_t hash : hashes) {
    // Gallop to a row at or past the hash, then search back within the last step.
    uint64_t step = 1;
    uint64_t low = at;
    uint32_t ceiling = UINT32_MAX;  // the hash of row `at` once found
    while (at < rows_) {
      const uint32_t here = read(at, UINT32_MAX);
      if (here >= hash) {
        ceiling = here;
        break;
      }
      floor = here;
      low = at + 1;
      at = std::min(rows_, at + step);
      step *= 2;
    }
    uint64_t high = at;
    while (low < high) {
      const uint64_t mid = low + (high - low) / 2;
      const uint32_t here = read(mid, ceiling);
      if (here < hash) {
        low = mid + 1;
        floor = here;
      } else {
        high = mid;
        ceiling = here;
      }
    }
    for (at = low; at < rows_ && read(at, UINT32_MAX) == hash; ++at) {
      floor = hash;
      offsets.push_back(row(at).offset);
    }
  }
  if (!in_order) return Status::BadInput(path_ + ": a keys file's hashes must be in order");
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  return offsets;
}

Result<std::unique_ptr<PartKeysFile>> ReadPartKeys(FileSystem* fs, const std::string& path) {
  auto file = std::make_unique<PartKeysFile>();
  MF_ASSIGN_OR_RETURN(file->mapped, fs->MapForRead(path));
  std::string_view bytes;
  if (file->mapped != nullptr) {
    bytes = std::string_view(file->mapped->data(), file->mapped->size());
  } else {
    MF_ASSIGN_OR_RETURN(file->contents, ReadWholeFile(fs, path));
    bytes = file->contents;
  }
  MF_ASSIGN_OR_RETURN(PartKeys keys, PartKeys::Parse(bytes, path));
  file->keys = std::make_unique<PartKeys>(keys);
  return file;
}

}  // namespace mergeflow
