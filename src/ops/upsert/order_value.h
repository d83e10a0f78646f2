// The typed values of an upsert's --order-by column, encoded so that byte
// order is value order: comparing two encodings with memcmp (std::string's
// operator<) compares the values as their type says ("10" > "9" as int).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace mergeflow {

enum class OrderType { kInt, kDecimal, kTimestamp, kString };

// "int", "decimal", "timestamp" or "string"; InvalidArgument otherwise.
Result<OrderType> ParseOrderType(std::string_view name);
const char* OrderTypeName(OrderType type);

// The order-preserving encoding of `text` as `type`:
//  - int: an optional sign and digits ("-0012" equals "-12");
//  - decimal: an optional sign, digits, an optional fraction ("1.50" equals "1.5");
//  - timestamp: "YYYY-MM-DD HH:MM:SS[.f...]" or ISO 8601 with 'T', an optional
//    fraction (up to nanoseconds), and an optional "Z" or "+HH:MM"/"-HH:MM"
//    offset (no offset: UTC);
//  - string: the bytes themselves.
// BadInput with a short reason for an empty or unparsable value.
Result<std::string> EncodeOrderValue(OrderType type, std::string_view text);

}  // namespace mergeflow
