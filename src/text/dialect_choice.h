// Choosing the dialect and checking the header of a delimited-text input,
// as every command that reads one does.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "text/dialect.h"

namespace mergeflow {

// Whether `path` names CSV by its extension (.csv, also compressed).
bool EndsWithCsv(const std::string& path);

// The separator `text` names: one character, or "tab"/"comma".
// InvalidArgument otherwise.
Result<char> ParseSeparator(const std::string& text);

// The dialect of `path`: `separator` when given (non-empty), else a comma
// for CSV names and a tab otherwise; RFC 4180 quoting unless `quoting` is off.
Result<Dialect> ChooseDialect(const std::string& path, const std::string& separator, bool quoting);

// BadInput "PATH:1: column 'x' appears twice (columns 2 and 3)" when a
// name repeats.
Status CheckDistinctNames(const std::string& path, const std::vector<std::string>& columns);

}  // namespace mergeflow
