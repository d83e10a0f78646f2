#include "text/header_reader.h"

#include <algorithm>

#include "text/row_scanner.h"

namespace mergeflow {

Result<std::optional<std::vector<std::string>>> ReadFirstRow(ChunkReader* reader, const Dialect& dialect) {
  Chunk chunk;
  MF_ASSIGN_OR_RETURN(bool found, reader->Next(&chunk));
  if (!found) return std::optional<std::vector<std::string>>();
  // The first row ends at the first newline outside quotes.
  size_t end = chunk.size;
  bool in_quotes = false;
  size_t start = 0;
  for (size_t i = 0; i < chunk.size; ++i) {
    const char c = chunk.data[i];
    if (dialect.quoting && c == '"') in_quotes = !in_quotes;
    if (c == '\n' && !in_quotes) {
      if (i == start || (i == start + 1 && chunk.data[start] == '\r')) {  // blank lines before the header
        start = i + 1;
        continue;
      }
      end = i;
      break;
    }
  }
  if (start >= chunk.size) return std::optional<std::vector<std::string>>();  // blank lines only
  size_t size = end - start;
  if (size > 0 && chunk.data[start + size - 1] == '\r') --size;
  // A CR inside the row, outside quotes, is a line end of a file whose lines
  // end in CR alone: read as one long row, it would give wrong columns.
  in_quotes = false;
  for (size_t i = start; i < start + size; ++i) {
    const char c = chunk.data[i];
    if (dialect.quoting && c == '"') in_quotes = !in_quotes;
    if (c == '\r' && !in_quotes)
      return Status::BadInput("1: lines end in a lone CR (classic Mac OS); mergeflow reads LF or CRLF line ends");
  }
  std::vector<std::string_view> views;
  std::string scratch;
  const bool quoted = dialect.quoting && std::memchr(chunk.data + start, '"', size) != nullptr;
  SplitFields(chunk.data + start, size, quoted, dialect, &views, &scratch);
  std::vector<std::string> fields(views.begin(), views.end());
  reader->PushBack(std::move(chunk));
  return std::optional<std::vector<std::string>>(std::move(fields));
}

Result<uint32_t> FindColumn(const std::vector<std::string>& columns, const std::string& name,
                            const std::string& where) {
  auto it = std::find(columns.begin(), columns.end(), name);
  if (it != columns.end()) return static_cast<uint32_t>(it - columns.begin());
  std::string list;
  for (const std::string& c : columns) list += (list.empty() ? "" : ", ") + c;
  return Status::InvalidArgument("no column '" + name + "' in " + where + " (columns: " + list + ")");
}

}  // namespace mergeflow
