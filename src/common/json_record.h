// Reading a record stored as JSON (a manifest, a pointer, a history entry)
// into a struct, with one-line errors that name the file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace mergeflow {

// Parses `text` and hands the document to `parse` (json -> Result<T>); a
// syntax error, or a field `parse` finds missing or of the wrong type,
// becomes BadInput "PATH: not a WHAT: REASON".
template <typename T, typename Parse>
Result<T> ParseJsonRecord(const std::string& text, const std::string& path, const std::string& what, Parse parse) {
  try {
    return parse(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    std::string reason = e.what();  // "[json.exception.KIND] reason"
    const size_t bracket = reason.find("] ");
    if (bracket != std::string::npos) reason = reason.substr(bracket + 2);
    return Status::BadInput(path + ": not a " + what + ": " + reason);
  }
}

}  // namespace mergeflow
