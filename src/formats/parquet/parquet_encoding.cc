#include "formats/parquet/parquet_encoding.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "formats/parquet/thrift_compact.h"

namespace mergeflow {

void PutU32(std::string* out, uint32_t v) {
  const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 24)};
  out->append(b, 4);
}

void PutPlain(std::string* out, std::string_view value) {
  PutU32(out, static_cast<uint32_t>(value.size()));
  out->append(value);
}

void PutIndexes(std::string* out, const uint32_t* indexes, size_t n, int width) {
  out->push_back(static_cast<char>(width));
  constexpr size_t kGroupsPerRun = 1 << 20;  // keeps the run header's varint small
  for (size_t start = 0; start < n; start += 8 * kGroupsPerRun) {
    const size_t values = std::min(n - start, 8 * kGroupsPerRun);
    AppendVarint(out, ((values + 7) / 8) << 1 | 1);
    uint64_t bits = 0;
    int filled = 0;
    for (size_t i = 0; i < (values + 7) / 8 * 8; ++i) {
      bits |= static_cast<uint64_t>(i < values ? indexes[start + i] : 0) << filled;
      filled += width;
      while (filled >= 8) {
        out->push_back(static_cast<char>(bits & 0xFF));
        bits >>= 8;
        filled -= 8;
      }
    }
  }
}

void PutDefinitionLevels(std::string* out, const std::vector<bool>& defined, size_t start, size_t count) {
  std::string levels;
  for (size_t i = start; i < start + count;) {
    size_t j = i;
    while (j < start + count && defined[j] == defined[i]) ++j;
    AppendVarint(&levels, (j - i) << 1);
    levels.push_back(defined[i] ? 1 : 0);
    i = j;
  }
  PutU32(out, static_cast<uint32_t>(levels.size()));
  out->append(levels);
}

bool ParseNumber(std::string_view text, ColumnType type, char bytes[8]) {
  const char* end = text.data() + text.size();
  if (type == ColumnType::kInt64) {
    int64_t v = 0;
    const auto [ptr, error] = std::from_chars(text.data(), end, v);
    if (error != std::errc() || ptr != end) return false;
    std::memcpy(bytes, &v, 8);
  } else {
    double v = 0;
    const auto [ptr, error] = std::from_chars(text.data(), end, v);
    if (error != std::errc() || ptr != end) return false;
    std::memcpy(bytes, &v, 8);
  }
  return true;
}

Result<size_t> DecodeHybrid(std::string_view data, int width, size_t count, uint32_t* out) {
  if (width < 0 || width > 32) return Status::BadInput("a bit width of " + std::to_string(width));
  const size_t value_bytes = (static_cast<size_t>(width) + 7) / 8;
  const uint64_t mask = width == 32 ? 0xFFFFFFFFu : (uint64_t{1} << width) - 1;
  size_t pos = 0, done = 0;
  while (done < count) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      if (pos >= data.size() || shift > 35) return Status::BadInput("levels or indexes end early");
      const uint8_t b = static_cast<uint8_t>(data[pos++]);
      header |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) break;
    }
    if ((header & 1) == 0) {  // an RLE run: one value, repeated
      const uint64_t run = header >> 1;
      if (value_bytes > data.size() - pos) return Status::BadInput("levels or indexes end early");
      uint32_t value = 0;
      for (size_t i = 0; i < value_bytes; ++i) value |= static_cast<uint32_t>(static_cast<uint8_t>(data[pos + i])) << (8 * i);
      pos += value_bytes;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(run, count - done));
      std::fill(out + done, out + done + n, value);
      done += n;
      continue;
    }
    const uint64_t groups = header >> 1;  // of 8 values
    if (groups * static_cast<uint64_t>(width) > data.size() - pos)
      return Status::BadInput("levels or indexes end early");
    const char* bits = data.data() + pos;
    const uint64_t values = groups * 8;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(values, count - done));
    uint64_t buffer = 0;
    int have = 0;
    size_t at = 0;
    for (size_t i = 0; i < n; ++i) {
      while (have < width) {
        buffer |= static_cast<uint64_t>(static_cast<uint8_t>(bits[at++])) << have;
        have += 8;
      }
      out[done + i] = static_cast<uint32_t>(buffer & mask);
      buffer >>= width;
      have -= width;
    }
    pos += static_cast<size_t>(groups * width);
    done += n;
  }
  return pos;
}

namespace {

Result<uint64_t> ReadDeltaVarint(std::string_view data, size_t* pos) {
  const std::optional<uint64_t> v = ReadVarint(data, pos);
  if (!v.has_value()) return Status::BadInput("delta-encoded values end early");
  return *v;
}

Result<uint64_t> ReadZigZag(std::string_view data, size_t* pos) {
  MF_ASSIGN_OR_RETURN(const uint64_t v, ReadDeltaVarint(data, pos));
  return (v >> 1) ^ (~(v & 1) + 1);
}

}  // namespace

Result<size_t> DecodeDeltaBinaryPacked(std::string_view data, size_t count, std::vector<int64_t>* out) {
  size_t pos = 0;
  MF_ASSIGN_OR_RETURN(const uint64_t block_size, ReadDeltaVarint(data, &pos));
  MF_ASSIGN_OR_RETURN(const uint64_t miniblocks, ReadDeltaVarint(data, &pos));
  MF_ASSIGN_OR_RETURN(const uint64_t total, ReadDeltaVarint(data, &pos));
  MF_ASSIGN_OR_RETURN(uint64_t value, ReadZigZag(data, &pos));
  if (miniblocks == 0 || block_size == 0 || block_size % 128 != 0 || block_size % miniblocks != 0 ||
      (block_size / miniblocks) % 32 != 0 || block_size > (uint64_t{1} << 20))
    return Status::BadInput("a delta encoding's block header is malformed");
  if (total < count) return Status::BadInput("a delta encoding holds fewer values than its page");
  const uint64_t per_miniblock = block_size / miniblocks;
  out->clear();
  if (total == 0) return pos;
  out->push_back(static_cast<int64_t>(value));
  while (out->size() < total) {
    MF_ASSIGN_OR_RETURN(const uint64_t min_delta, ReadZigZag(data, &pos));
    if (miniblocks > data.size() - pos) return Status::BadInput("delta-encoded values end early");
    const std::string_view widths = data.substr(pos, miniblocks);
    pos += miniblocks;
    for (uint64_t m = 0; m < miniblocks && out->size() < total; ++m) {
      const int width = static_cast<uint8_t>(widths[m]);
      if (width > 64) return Status::BadInput("a delta miniblock's bit width is over 64");
      const uint64_t bytes = per_miniblock * width / 8;
      const uint64_t needed = (std::min(per_miniblock, total - out->size()) * width + 7) / 8;
      if (needed > data.size() - pos) return Status::BadInput("delta-encoded values end early");
      const uint8_t* bits = reinterpret_cast<const uint8_t*>(data.data() + pos);
      for (uint64_t i = 0; i < per_miniblock && out->size() < total; ++i) {
        uint64_t delta = 0;
        const uint64_t first_bit = i * width;
        for (int b = 0; b < width; ++b) {
          const uint64_t bit = first_bit + b;
          delta |= static_cast<uint64_t>((bits[bit / 8] >> (bit % 8)) & 1) << b;
        }
        value += min_delta + delta;
        out->push_back(static_cast<int64_t>(value));
      }
      pos += std::min<uint64_t>(bytes, data.size() - pos);  // the last miniblock's padding may be absent
    }
  }
  return pos;
}

}  // namespace mergeflow
