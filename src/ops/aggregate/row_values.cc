#include "ops/aggregate/row_values.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "text/row_scanner.h"

namespace mergeflow {
namespace {

enum class Cell { kZero, kValue, kMissing, kBad };

// Reads one field as a number (decimal, exponents allowed, as pandas reads
// them); values beyond the range of a double become infinities or zeros.
Cell ReadCell(std::string_view text, const MissingValues& missing, double* x) {
  if (text.size() == 1 && text[0] == '0') return Cell::kZero;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [at, error] = std::from_chars(begin, end, *x);
  if (at == end && begin != end) {
    if (error == std::errc::result_out_of_range) *x = std::strtod(std::string(text).c_str(), nullptr);
    if (error == std::errc() || error == std::errc::result_out_of_range) {
      if (std::isnan(*x)) return Cell::kMissing;
      return *x == 0 ? Cell::kZero : Cell::kValue;
    }
  }
  return missing.Contains(text) ? Cell::kMissing : Cell::kBad;
}

}  // namespace

RowValueReader::RowValueReader(const Dialect& dialect, uint32_t id_field, size_t block_begin, size_t block_end,
                               bool check_all, const std::vector<std::string>& feature_names,
                               const MissingValues& missing)
    : dialect_(dialect),
      id_field_(id_field),
      block_begin_(block_begin),
      block_end_(block_end),
      first_field_(check_all ? 0 : static_cast<uint32_t>(block_begin + (block_begin >= id_field ? 1 : 0))),
      end_field_(static_cast<uint32_t>(check_all ? feature_names.size() + 1
                                                 : block_end + (block_end > id_field ? 1 : 0))),
      feature_names_(feature_names),
      missing_(missing) {}

bool RowValueReader::TakeField(uint32_t field, std::string_view text, RowValues* values, std::string* problem) {
  const size_t feature = field - (field > id_field_ ? 1 : 0);
  const uint32_t index = static_cast<uint32_t>(feature - block_begin_);
  const bool in_block = feature >= block_begin_ && feature < block_end_;
  double x;
  const Cell cell = ReadCell(text, missing_, &x);
  if (!in_block && cell != Cell::kBad) return true;
  switch (cell) {
    case Cell::kZero:
      return true;
    case Cell::kValue:
      values->nonzero_features.push_back(index);
      values->nonzero_values.push_back(x);
      return true;
    case Cell::kMissing:
      values->missing_features.push_back(index);
      return true;
    case Cell::kBad:
      break;
  }
  constexpr size_t kShown = 40;
  *problem = "column '" + feature_names_[feature] + "': not a number: '" +
             std::string(text.substr(0, kShown)) + (text.size() > kShown ? "...'" : "'");
  return false;
}

bool RowValueReader::Read(const RowRef& row, RowValues* values, std::string* problem) {
  values->Clear();
  if (row.quoted) {
    SplitFields(row.data, row.size, true, dialect_, &fields_, &scratch_);
    for (uint32_t field = first_field_; field < end_field_ && field < fields_.size(); ++field) {
      if (field != id_field_ && !TakeField(field, fields_[field], values, problem)) return false;
    }
    return true;
  }
  // Unquoted: walk the separators, skipping the fields before the block.
  const char separator = dialect_.separator;
  const char* at = row.data;
  const char* end = row.data + row.size;
  for (uint32_t field = 0; field < end_field_; ++field) {
    const char* stop = static_cast<const char*>(std::memchr(at, separator, static_cast<size_t>(end - at)));
    if (stop == nullptr) stop = end;
    if (field >= first_field_ && field != id_field_ &&
        !TakeField(field, std::string_view(at, static_cast<size_t>(stop - at)), values, problem))
      return false;
    if (stop == end) break;
    at = stop + 1;
  }
  return true;
}

}  // namespace mergeflow
