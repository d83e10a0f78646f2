#include "ops/upsert/order_value.h"

#include <cstdint>
#include <cstdio>

#include "common/utc_time.h"

namespace mergeflow {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Encodes a number given as sign, integer digits and fraction digits:
// positive numbers as '2', the count of integer digits (after leading zeros
// go) in 10 fixed digits, then the significant digits (trailing fraction
// zeros gone); zero as '1'; negative numbers as '0' and the positive
// encoding with every digit complemented and a '~' after it, so that a
// longer digit string (a larger magnitude) sorts first.
std::string EncodeNumber(bool negative, std::string_view integer, std::string_view fraction) {
  while (!integer.empty() && integer.front() == '0') integer.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  if (integer.empty() && fraction.empty()) return "1";
  char count[32];
  std::snprintf(count, sizeof(count), "%010zu", integer.size());
  std::string magnitude = std::string(count) + std::string(integer) + std::string(fraction);
  if (!negative) return "2" + magnitude;
  for (char& c : magnitude) c = static_cast<char>('9' - (c - '0'));
  return "0" + magnitude + "~";
}

Result<std::string> EncodeDecimal(std::string_view text, bool allow_fraction) {
  const Status bad = Status::BadInput(std::string("not ") + (allow_fraction ? "a decimal" : "an integer"));
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const size_t point = text.find('.');
  std::string_view integer = text.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (point != std::string_view::npos && !allow_fraction) return bad;
  if (integer.empty() && fraction.empty()) return bad;
  for (char c : integer) {
    if (!IsDigit(c)) return bad;
  }
  for (char c : fraction) {
    if (!IsDigit(c)) return bad;
  }
  if (point != std::string_view::npos && fraction.empty()) return bad;
  return EncodeNumber(negative, integer, fraction);
}

Result<std::string> EncodeTimestamp(std::string_view text) {
  const std::optional<UtcTime> time = ParseUtcTime(text);
  if (!time) return Status::BadInput("not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff] or ISO 8601)");
  // Big-endian with the sign bit flipped, then the nanoseconds: byte order
  // is time order.
  const uint64_t biased = static_cast<uint64_t>(time->seconds) ^ (uint64_t{1} << 63);
  std::string out(12, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(biased >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) out[8 + i] = static_cast<char>(static_cast<uint32_t>(time->nanos) >> (24 - 8 * i));
  return out;
}

}  // namespace

Result<OrderType> ParseOrderType(std::string_view name) {
  if (name == "int") return OrderType::kInt;
  if (name == "decimal") return OrderType::kDecimal;
  if (name == "timestamp") return OrderType::kTimestamp;
  if (name == "string") return OrderType::kString;
  return Status::InvalidArgument("unknown --order-by type '" + std::string(name) +
                                 "' (int, decimal, timestamp or string)");
}

const char* OrderTypeName(OrderType type) {
  switch (type) {
    case OrderType::kInt:
      return "int";
    case OrderType::kDecimal:
      return "decimal";
    case OrderType::kTimestamp:
      return "timestamp";
    case OrderType::kString:
      return "string";
  }
  return "?";
}

Result<std::string> EncodeOrderValue(OrderType type, std::string_view text) {
  if (text.empty()) return Status::BadInput("empty order value");
  switch (type) {
    case OrderType::kInt:
      return EncodeDecimal(text, false);
    case OrderType::kDecimal:
      return EncodeDecimal(text, true);
    case OrderType::kTimestamp:
      return EncodeTimestamp(text);
    case OrderType::kString:
      return std::string(text);
  }
  return Status::Internal("unknown order type");
}

}  // namespace mergeflow
