#include "io/table_sink.h"

#include "text/row_scanner.h"

namespace mergeflow {
namespace {

// Appends each row's fields to `columns`; counts rows and remembers the
// first malformed one.
class ColumnAppender {
 public:
  ColumnAppender(const Dialect& dialect, std::vector<TextColumn>* columns) : dialect_(dialect), columns_(columns) {}

  void OnRow(const RowView& row) {
    SplitFields(row.data, row.size, row.quoted, dialect_, &fields_, &scratch_);
    for (size_t c = 0; c < fields_.size(); ++c) {
      TextColumn& column = (*columns_)[c];
      column.bytes.append(fields_[c]);
      column.ends.push_back(column.bytes.size());
    }
    ++rows_;
  }
  bool OnBadRow(uint64_t offset, std::string message) {
    error_ = "at byte " + std::to_string(offset) + ": " + message;
    return false;
  }

  uint64_t rows() const { return rows_; }
  const std::string& error() const { return error_; }

 private:
  const Dialect& dialect_;
  std::vector<TextColumn>* columns_;
  std::vector<std::string_view> fields_;
  std::string scratch_;
  uint64_t rows_ = 0;
  std::string error_;
};

}  // namespace

std::vector<std::string> SplitHeaderLine(std::string_view line, const Dialect& dialect) {
  std::vector<std::string_view> fields;
  std::string scratch;
  SplitFields(line.data(), line.size(), line.find('"') != std::string_view::npos, dialect, &fields, &scratch);
  return std::vector<std::string>(fields.begin(), fields.end());
}

TableSink::TableSink(std::string_view header, char separator, int lanes)
    : dialect_{separator, true}, names_(SplitHeaderLine(header.substr(0, header.find('\n')), dialect_)) {
  lanes_.assign(lanes, std::vector<TextColumn>(names_.size()));
}

Result<uint64_t> AppendRowsToColumns(std::string_view text, const Dialect& dialect, std::vector<TextColumn>* columns) {
  RowScanner scanner(dialect, static_cast<uint32_t>(columns->size()), {}, RowScanner::BlankLines::kAreRows);
  ColumnAppender appender(dialect, columns);
  scanner.Scan(text.data(), text.size(), false, appender);
  if (!appender.error().empty()) return Status::Internal("result rows could not be read back " + appender.error());
  return appender.rows();
}

Status TableSink::Write(int lane, std::string_view text, uint64_t rows) {
  MF_ASSIGN_OR_RETURN(const uint64_t found, AppendRowsToColumns(text, dialect_, &lanes_[lane]));
  if (found != rows)
    return Status::Internal("result rows could not be read back (" + std::to_string(found) + " of " +
                            std::to_string(rows) + " rows)");
  return Status::OK();
}

Status TableSink::Finish() {
  columns_.assign(names_.size(), TextColumn{});
  for (size_t c = 0; c < names_.size(); ++c) {
    TextColumn& column = columns_[c];
    for (std::vector<TextColumn>& lane : lanes_) {
      const uint64_t base = column.bytes.size();
      column.bytes.append(lane[c].bytes);
      for (uint64_t end : lane[c].ends) column.ends.push_back(base + end);
      lane[c] = TextColumn{};
    }
  }
  return Status::OK();
}

}  // namespace mergeflow
