#include "text/row_scanner.h"

#include <algorithm>

namespace mergeflow {

RowScanner::RowScanner(Dialect dialect, uint32_t expected_fields, std::vector<uint32_t> key_fields,
                       BlankLines blank_lines)
    : dialect_(dialect), expected_fields_(expected_fields), blank_lines_(blank_lines),
      key_fields_(std::move(key_fields)) {
  for (uint32_t f : key_fields_) last_key_field_ = std::max(last_key_field_, f);
  key_slots_.resize(last_key_field_ + 1);
  for (size_t k = 0; k < key_fields_.size(); ++k) key_slots_[key_fields_[k]].push_back(static_cast<uint32_t>(k));
  field_start_.resize(last_key_field_ + 2);
  keys_.resize(key_fields_.size());
  unescaped_.resize(key_fields_.size());
}

std::string DescribeFieldCount(uint32_t expected, uint32_t found) {
  return "expected " + std::to_string(expected) + (expected == 1 ? " field" : " fields") + ", found " +
         std::to_string(found);
}

void SplitFields(const char* data, size_t size, bool quoted, const Dialect& dialect,
                 std::vector<std::string_view>* fields, std::string* scratch) {
  fields->clear();
  const char sep = dialect.separator;
  if (!quoted) {
    size_t start = 0;
    for (;;) {
      const void* hit = std::memchr(data + start, sep, size - start);
      if (hit == nullptr) {
        fields->emplace_back(data + start, size - start);
        return;
      }
      const size_t at = static_cast<size_t>(static_cast<const char*>(hit) - data);
      fields->emplace_back(data + start, at - start);
      start = at + 1;
    }
  }
  // Unescaped values are appended to scratch; record offsets first because
  // scratch may reallocate, then turn them into views.
  scratch->clear();
  scratch->reserve(size);
  std::vector<std::pair<size_t, size_t>> spans;  // (offset in scratch, length)
  size_t pos = 0;
  for (;;) {
    const size_t begin = scratch->size();
    if (pos < size && data[pos] == '"') {
      size_t i = pos + 1;
      while (i < size) {
        if (data[i] == '"') {
          if (i + 1 < size && data[i + 1] == '"') {
            *scratch += '"';
            i += 2;
            continue;
          }
          break;
        }
        *scratch += data[i++];
      }
      pos = i + 1;  // past the closing quote
    } else {
      while (pos < size && data[pos] != sep) *scratch += data[pos++];
    }
    spans.emplace_back(begin, scratch->size() - begin);
    if (pos < size && data[pos] == sep) {
      ++pos;
      continue;
    }
    break;
  }
  for (auto [offset, length] : spans) fields->emplace_back(scratch->data() + offset, length);
}

}  // namespace mergeflow
