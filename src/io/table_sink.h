// TableSink: an OutputSink that keeps a command's result in memory as
// columns of text values, for callers that want the table itself (the
// Python module's DataFrames) rather than files. The delimited rows the
// command formats are split back into their fields as they arrive, RFC 4180
// quoting undone, so the values are exactly the ones a file would hold.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "io/output_sink.h"
#include "text/dialect.h"

namespace mergeflow {

// One column's values: value i is bytes [ends[i-1], ends[i]) of `bytes`
// (from 0 for the first).
struct TextColumn {
  std::string bytes;
  std::vector<uint64_t> ends;

  std::string_view Value(size_t i) const {
    const uint64_t start = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(start, ends[i] - start);
  }
};

// The names in a header line (`line` without its '\n'), quoting undone.
std::vector<std::string> SplitHeaderLine(std::string_view line, const Dialect& dialect);

// Splits the whole rows of `text` (fields as `dialect` says, RFC 4180
// quoting undone; an empty line is a row of one empty field) onto the ends
// of `columns`, one field each. Returns the rows added, or Internal when a
// row has not exactly columns->size() fields.
Result<uint64_t> AppendRowsToColumns(std::string_view text, const Dialect& dialect, std::vector<TextColumn>* columns);

class TableSink : public OutputSink {
 public:
  // `header`: the header line the command would write first (column names
  // separated by `separator`, ending in '\n'); rows come in `lanes` lanes.
  TableSink(std::string_view header, char separator, int lanes);

  // Splits the rows of `text` into lane `lane`'s columns. Returns Internal
  // when the text does not hold `rows` rows of the header's width.
  Status Write(int lane, std::string_view text, uint64_t rows) override;
  // Joins the lanes' columns: lane 0's rows first, then lane 1's, ...
  Status Finish() override;
  std::vector<PartInfo> parts() const override { return {}; }

  const std::vector<std::string>& names() const { return names_; }
  // The columns, in the header's order. REQUIRES: Finish was called.
  std::vector<TextColumn>& columns() { return columns_; }

 private:
  Dialect dialect_;
  std::vector<std::string> names_;
  std::vector<std::vector<TextColumn>> lanes_;  // [lane][column]
  std::vector<TextColumn> columns_;
};

}  // namespace mergeflow
