// RowScanner: finds the rows of a chunk and the bytes of their key fields,
// leaving every other field unsplit (the row travels as opaque bytes).
//
// Two stages, as in simdjson: SIMD classification of 64-byte blocks into
// separator and newline bitmasks (byte_classifier.h), then a scalar walk over
// the set bits. Chunks that contain a quote character (when quoting is on)
// take a scalar RFC 4180 path instead.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "text/byte_classifier.h"
#include "text/dialect.h"

namespace mergeflow {

// One row found by the scanner; valid only during the visitor call.
struct RowView {
  const char* data = nullptr;  // first byte of the row
  uint32_t size = 0;           // length without the line terminator ("\n" or "\r\n")
  uint64_t offset = 0;         // offset of the row in the scanned buffer
  bool quoted = false;         // the row holds RFC 4180 quoting: split it with SplitFields
  bool plain = false;          // the row holds no quote character and no '\r' at all
  bool keys_in_row = true;     // every key view points into `data` (none needed unescaping)
  uint32_t first_field_end = 0;  // where field 0 ends (offset in the row), or kUnknownFieldEnd
  const std::string_view* keys = nullptr;  // one value per key field, unescaped

  static constexpr uint32_t kUnknownFieldEnd = UINT32_MAX;
};

class RowScanner {
 public:
  // What an empty line is: nothing (inputs: skipped), or a row of one empty
  // field (text mergeflow formatted itself, read back: the rows of a
  // one-column result).
  enum class BlankLines { kSkip, kAreRows };

  // Rows must have exactly `expected_fields` fields. `key_fields` are 0-based
  // field indexes, each < expected_fields.
  RowScanner(Dialect dialect, uint32_t expected_fields, std::vector<uint32_t> key_fields,
             BlankLines blank_lines = BlankLines::kSkip);

  // Scans data[0, n): whole rows, the last one possibly without a newline.
  // Blank lines are skipped (unless BlankLines::kAreRows). With skip_first_row the first row (a header) is
  // checked for its field count only. For each good row calls
  // visitor.OnRow(const RowView&); for each malformed one calls
  // visitor.OnBadRow(uint64_t offset, std::string message), which returns
  // false to stop the scan.
  template <class Visitor>
  void Scan(const char* data, size_t n, bool skip_first_row, Visitor& visitor);

 private:
  template <class Visitor>
  void ScanPlain(const char* data, size_t n, bool chunk_plain, bool skip_first_row, Visitor& visitor);
  template <class Visitor>
  void ScanQuoted(const char* data, size_t n, bool skip_first_row, Visitor& visitor);
  // Checks the field count and reports the row; false stops the scan.
  template <class Visitor>
  bool FinishRow(const char* data, size_t start, size_t end, uint32_t fields, RowView& row, bool& skip_first_row,
                 Visitor& visitor);

  Dialect dialect_;
  uint32_t expected_fields_;
  BlankLines blank_lines_;
  std::vector<uint32_t> key_fields_;
  uint32_t last_key_field_ = 0;
  std::vector<std::vector<uint32_t>> key_slots_;  // per field up to last_key_field_: its indexes in key_fields_
  std::vector<uint32_t> field_start_;       // starts of fields 0..last_key_field_+1 of the current row
  std::vector<std::string_view> keys_;      // per key field
  std::vector<std::string> unescaped_;      // storage for quoted key values
};

// Splits a row (a RowView's data/size) into all its fields, unescaping quoted
// ones into `scratch`. REQUIRES: the row was accepted by a RowScanner with the
// same dialect. `fields` is cleared first.
void SplitFields(const char* data, size_t size, bool quoted, const Dialect& dialect, std::vector<std::string_view>* fields,
                 std::string* scratch);

std::string DescribeFieldCount(uint32_t expected, uint32_t found);

// ---------------------------------------------------------------------------
// Implementation.

inline bool HasNoQuoteOrCr(const char* data, size_t n) {
  return std::memchr(data, '"', n) == nullptr && std::memchr(data, '\r', n) == nullptr;
}

template <class Visitor>
void RowScanner::Scan(const char* data, size_t n, bool skip_first_row, Visitor& visitor) {
  const bool has_quote = std::memchr(data, '"', n) != nullptr;
  if (dialect_.quoting && has_quote) {
    ScanQuoted(data, n, skip_first_row, visitor);
  } else {
    ScanPlain(data, n, !has_quote && std::memchr(data, '\r', n) == nullptr, skip_first_row, visitor);
  }
}

template <class Visitor>
bool RowScanner::FinishRow(const char* data, size_t start, size_t end, uint32_t fields, RowView& row,
                           bool& skip_first_row, Visitor& visitor) {
  if (end == start && blank_lines_ == BlankLines::kSkip) return true;
  if (fields != expected_fields_) {
    skip_first_row = false;
    return visitor.OnBadRow(start, DescribeFieldCount(expected_fields_, fields));
  }
  if (skip_first_row) {
    skip_first_row = false;
    return true;
  }
  row.data = data + start;
  row.size = static_cast<uint32_t>(end - start);
  row.offset = start;
  row.keys = keys_.data();
  visitor.OnRow(row);
  return true;
}

template <class Visitor>
void RowScanner::ScanPlain(const char* data, size_t n, bool chunk_plain, bool skip_first_row, Visitor& visitor) {
  constexpr size_t kBlocksPerBatch = 256;  // 16 KiB of text per classification call
  uint64_t separator_bits[kBlocksPerBatch];
  uint64_t newline_bits[kBlocksPerBatch];
  const uint32_t recorded = last_key_field_ + 1;  // fields whose end we need
  size_t row_start = 0;
  uint32_t field = 0;
  field_start_[0] = 0;
  const auto end_row = [&](size_t newline) -> bool {
    size_t end = newline;
    if (end > row_start && data[end - 1] == '\r') --end;
    const uint32_t fields = field + 1;
    RowView row;
    if (fields == expected_fields_) {
      for (size_t k = 0; k < key_fields_.size(); ++k) {
        const uint32_t f = key_fields_[k];
        const size_t s = field_start_[f];
        const size_t e = f + 1 < fields ? field_start_[f + 1] - 1 : end;
        keys_[k] = std::string_view(data + s, e - s);
      }
      row.first_field_end = static_cast<uint32_t>((fields > 1 ? field_start_[1] - 1 : end) - row_start);
      row.plain = chunk_plain || HasNoQuoteOrCr(data + row_start, end - row_start);
    }
    return FinishRow(data, row_start, end, fields, row, skip_first_row, visitor);
  };
  for (size_t base = 0; base < n; base += 64 * kBlocksPerBatch) {
    const size_t len = std::min(n - base, 64 * kBlocksPerBatch);
    const size_t full = len / 64;
    ClassifyBlocks(data + base, full, dialect_.separator, separator_bits, newline_bits);
    size_t blocks = full;
    if (len % 64 != 0) {
      char tail[64] = {};
      std::memcpy(tail, data + base + 64 * full, len % 64);
      ClassifyBlocks(tail, 1, dialect_.separator, &separator_bits[full], &newline_bits[full]);
      const uint64_t keep = (uint64_t{1} << (len % 64)) - 1;
      separator_bits[full] &= keep;
      newline_bits[full] &= keep;
      blocks = full + 1;
    }
    for (size_t b = 0; b < blocks; ++b) {
      uint64_t bits = separator_bits[b] | newline_bits[b];
      const uint64_t newlines = newline_bits[b];
      while (bits != 0) {
        const uint64_t bit = bits & (~bits + 1);
        const size_t pos = base + 64 * b + static_cast<size_t>(std::countr_zero(bits));
        bits ^= bit;
        if (newlines & bit) {
          if (!end_row(pos)) return;
          row_start = pos + 1;
          field = 0;
          field_start_[0] = row_start;
        } else {
          ++field;
          if (field <= recorded) field_start_[field] = pos + 1;
        }
      }
    }
  }
  if (row_start < n) end_row(n);
}

template <class Visitor>
void RowScanner::ScanQuoted(const char* data, size_t n, bool skip_first_row, Visitor& visitor) {
  const char sep = dialect_.separator;
  size_t pos = 0;
  while (pos < n) {
    const size_t row_start = pos;
    uint32_t field = 0;
    bool keys_in_row = true;
    const char* error = nullptr;
    size_t row_end = n;
    for (;;) {
      // The key slots this field fills (a field may be named in any order, or twice).
      const std::vector<uint32_t>* slots = field <= last_key_field_ ? &key_slots_[field] : nullptr;
      const bool is_key = slots != nullptr && !slots->empty();
      size_t value_start = pos;
      size_t value_end;
      if (pos < n && data[pos] == '"') {
        size_t j = pos + 1;
        size_t close = n;
        while (j < n) {
          const void* q = std::memchr(data + j, '"', n - j);
          if (q == nullptr) break;
          const size_t at = static_cast<size_t>(static_cast<const char*>(q) - data);
          if (at + 1 < n && data[at + 1] == '"') {
            j = at + 2;
            continue;
          }
          close = at;
          break;
        }
        if (close == n) {
          error = "unterminated quoted field";
          pos = n;
          break;
        }
        value_start = pos + 1;
        value_end = close;
        pos = close + 1;
        if (pos < n && data[pos] == '\r' && pos + 1 < n && data[pos + 1] == '\n') ++pos;
        if (pos < n && data[pos] != sep && data[pos] != '\n') {
          error = "unexpected character after a closing quote";
          break;
        }
        if (is_key) {
          std::string& out = unescaped_[slots->front()];
          out.clear();
          for (size_t i = value_start; i < value_end; ++i) {
            out += data[i];
            if (data[i] == '"') ++i;  // the second quote of a doubled pair
          }
          for (uint32_t slot : *slots) keys_[slot] = out;
          keys_in_row = false;
        }
      } else {
        size_t i = pos;
        while (i < n && data[i] != sep && data[i] != '\n' && data[i] != '"') ++i;
        if (i < n && data[i] == '"') {
          error = "quote inside an unquoted field (use --quote none for raw text)";
          pos = i;
          break;
        }
        value_end = i;
        if (i < n && data[i] == '\n' && i > pos && data[i - 1] == '\r') --value_end;
        if (i == n && value_end > pos && data[value_end - 1] == '\r') --value_end;
        pos = i;
        if (is_key) {
          for (uint32_t slot : *slots) keys_[slot] = std::string_view(data + value_start, value_end - value_start);
        }
      }
      ++field;
      if (pos < n && data[pos] == sep) {
        ++pos;
        continue;
      }
      row_end = pos;  // at '\n' or n
      if (row_end > row_start && data[row_end - 1] == '\r') --row_end;
      pos = pos < n ? pos + 1 : n;
      break;
    }
    if (error != nullptr) {
      skip_first_row = false;
      if (!visitor.OnBadRow(row_start, error)) return;
      const void* nl = pos < n ? std::memchr(data + pos, '\n', n - pos) : nullptr;
      pos = nl == nullptr ? n : static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
      continue;
    }
    RowView row;
    row.quoted = std::memchr(data + row_start, '"', row_end - row_start) != nullptr;
    row.plain = !row.quoted && std::memchr(data + row_start, '\r', row_end - row_start) == nullptr;
    row.keys_in_row = keys_in_row;
    row.first_field_end = RowView::kUnknownFieldEnd;
    if (!FinishRow(data, row_start, row_end, field, row, skip_first_row, visitor)) return;
  }
}

}  // namespace mergeflow
