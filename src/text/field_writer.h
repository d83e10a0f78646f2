// Writing delimited fields with minimal RFC 4180 quoting.
#pragma once

#include <string>
#include <string_view>

namespace mergeflow {

// True when `value` must be quoted to survive as one field: it holds the
// separator, a quote, '\n' or '\r'.
inline bool NeedsQuoting(std::string_view value, char separator) {
  for (char c : value) {
    if (c == separator || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

// Appends `value` to `out`, quoted (inner quotes doubled) when NeedsQuoting.
inline void AppendField(std::string* out, std::string_view value, char separator) {
  if (!NeedsQuoting(value, separator)) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace mergeflow
