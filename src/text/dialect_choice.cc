#include "text/dialect_choice.h"

#include <string_view>
#include <unordered_map>

namespace mergeflow {

bool EndsWithCsv(const std::string& path) {
  for (const char* ext : {".csv", ".csv.gz", ".csv.zst", ".CSV"}) {
    if (path.ends_with(ext)) return true;
  }
  return false;
}

Result<char> ParseSeparator(const std::string& text) {
  if (text == "tab" || text == "\\t" || text == "\t") return '\t';
  if (text == "comma") return ',';
  if (text.size() == 1 && text[0] != '"' && text[0] != '\n' && text[0] != '\r') return text[0];
  return Status::InvalidArgument("--sep takes one character (or 'tab'), not '" + text + "'");
}

Result<Dialect> ChooseDialect(const std::string& path, const std::string& separator, bool quoting) {
  Dialect dialect;
  if (!separator.empty()) {
    MF_ASSIGN_OR_RETURN(dialect.separator, ParseSeparator(separator));
  } else {
    dialect.separator = EndsWithCsv(path) ? ',' : '\t';
  }
  dialect.quoting = quoting;
  return dialect;
}

Status CheckDistinctNames(const std::string& path, const std::vector<std::string>& columns) {
  std::unordered_map<std::string_view, size_t> seen;  // name -> first column (wide files have thousands)
  for (size_t i = 0; i < columns.size(); ++i) {
    auto [at, fresh] = seen.emplace(columns[i], i);
    if (!fresh)
      return Status::BadInput(path + ":1: column '" + columns[i] + "' appears twice (columns " +
                              std::to_string(at->second + 1) + " and " + std::to_string(i + 1) + ")");
  }
  return Status::OK();
}

}  // namespace mergeflow
