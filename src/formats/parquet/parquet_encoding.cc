#include "formats/parquet/parquet_encoding.h"

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

}  // namespace mergeflow
