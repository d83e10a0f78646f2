#include "formats/parquet/parquet_text_stream.h"

#include <algorithm>
#include <cstring>
#include <future>
#include <vector>

#include "formats/parquet/parquet_column_chunk.h"
#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/parquet_format.h"
#include "formats/parquet/parquet_metadata.h"
#include "io/table_sink.h"
#include "text/field_writer.h"

namespace mergeflow {
namespace {

constexpr size_t kTextBatchBytes = 1 << 20;  // text formatted ahead of the reader

class ParquetTextStream : public InputStream {
 public:
  ParquetTextStream(std::string path, Dialect dialect, std::unique_ptr<RandomAccessFile> file)
      : path_(std::move(path)), dialect_(dialect), file_(std::move(file)) {}

  // Reads the footer and formats the header line.
  Status Open() {
    const uint64_t size = file_->Size();
    if (size < 12) return Fail("too short to be a Parquet file");
    char tail[8];
    MF_RETURN_IF_ERROR(ReadExactly(size - 8, 8, tail));
    if (std::memcmp(tail + 4, parquet::kMagic, 4) != 0) return Fail("no Parquet footer (the file is truncated?)");
    uint32_t footer_size;
    std::memcpy(&footer_size, tail, 4);
    if (footer_size > size - 12) return Fail("the footer's length is larger than the file");
    std::string footer(footer_size, '\0');
    MF_RETURN_IF_ERROR(ReadExactly(size - 8 - footer_size, footer_size, footer.data()));
    Result<ParquetFileMeta> meta = ReadParquetMetadata(footer);
    if (!meta.ok()) return Fail(meta.status().message());
    meta_ = std::move(meta).value();
    if (meta_.columns.empty()) return Fail("no columns");
    for (size_t c = 0; c < meta_.columns.size(); ++c) {
      if (c > 0) text_.push_back(dialect_.separator);
      MF_RETURN_IF_ERROR(AppendText(meta_.columns[c].name, 0, c));
    }
    text_.push_back('\n');
    return Status::OK();
  }

  Result<size_t> Read(char* dst, size_t n) override {
    while (at_ == text_.size()) {
      text_.clear();
      at_ = 0;
      if (row_ == group_rows_) {
        if (next_group_ == meta_.row_groups.size()) return size_t{0};
        MF_RETURN_IF_ERROR(NextRowGroup());
      }
      MF_RETURN_IF_ERROR(FormatRows());
    }
    const size_t take = std::min(n, text_.size() - at_);
    std::memcpy(dst, text_.data() + at_, take);
    at_ += take;
    return take;
  }

  // The row groups before the current one, and of it the share of its rows
  // formatted; the whole file (footer included) once every row is.
  std::optional<uint64_t> SourceBytesRead() const override {
    if (next_group_ == meta_.row_groups.size() && row_ == group_rows_) return file_->Size();
    const double share = group_rows_ == 0 ? 0 : static_cast<double>(row_) / static_cast<double>(group_rows_);
    return groups_stored_ + static_cast<uint64_t>(share * static_cast<double>(group_stored_));
  }

 private:
  Status Fail(const std::string& message) const { return Status::BadInput(path_ + ": " + message); }

  Status ReadExactly(uint64_t offset, size_t n, char* dst) const {
    MF_ASSIGN_OR_RETURN(const size_t got, file_->ReadAt(offset, n, dst));
    if (got != n) return Fail("ends early (truncated?)");
    return Status::OK();
  }

  // Makes the next row group current, and starts decoding the one after
  // it on another thread while this one's rows are read.
  Status NextRowGroup() {
    std::future<Result<std::vector<TextColumn>>> current =
        ahead_.valid() ? std::move(ahead_)
                       : std::async(std::launch::deferred, [this, g = next_group_] { return Decode(g, {}); });
    const ParquetRowGroup& group = meta_.row_groups[next_group_++];
    if (next_group_ < meta_.row_groups.size()) {
      // The group read to its end lends its columns' memory to the one after next.
      ahead_ = std::async(std::launch::async,
                          [this, g = next_group_, spare = std::move(columns_)]() mutable { return Decode(g, std::move(spare)); });
    }
    MF_ASSIGN_OR_RETURN(columns_, current.get());
    groups_stored_ += group_stored_;
    group_stored_ = 0;
    for (const ParquetChunkMeta& chunk : group.chunks) group_stored_ += static_cast<uint64_t>(chunk.compressed_size);
    group_rows_ = static_cast<size_t>(group.rows);
    row_ = 0;
    return Status::OK();
  }

  // The values of row group `g`, column by column, in `columns` (emptied
  // first; their memory reused). Safe beside Read: it reads only the
  // footer's metadata and the file (ReadAt is thread-safe).
  Result<std::vector<TextColumn>> Decode(size_t g, std::vector<TextColumn> columns) const {
    const ParquetRowGroup& group = meta_.row_groups[g];
    columns.resize(meta_.columns.size());
    for (TextColumn& column : columns) {
      column.bytes.clear();
      column.ends.clear();
    }
    // The group's column chunks lie side by side: one read for all of them
    // (one request on S3 rather than one a column) when they are no more
    // than twice the bytes they span.
    uint64_t first = UINT64_MAX, end = 0, total = 0;
    for (size_t c = 0; c < columns.size(); ++c) {
      const ParquetChunkMeta& chunk = group.chunks[c];
      const uint64_t start = static_cast<uint64_t>(chunk.start), size = static_cast<uint64_t>(chunk.compressed_size);
      if (start + size > file_->Size())
        return Fail("column '" + meta_.columns[c].name + "': its chunk runs past the end of the file");
      first = std::min(first, start);
      end = std::max(end, start + size);
      total += size;
    }
    std::string span;
    const bool together = !columns.empty() && end - first <= 2 * total + 4096;
    if (together) {
      span.resize(static_cast<size_t>(end - first));
      MF_RETURN_IF_ERROR(ReadExactly(first, span.size(), span.data()));
    }
    std::string stored;
    for (size_t c = 0; c < columns.size(); ++c) {
      const ParquetChunkMeta& chunk = group.chunks[c];
      std::string_view bytes;
      if (together) {
        bytes = std::string_view(span).substr(static_cast<size_t>(chunk.start - first),
                                              static_cast<size_t>(chunk.compressed_size));
      } else {
        stored.resize(static_cast<size_t>(chunk.compressed_size));
        MF_RETURN_IF_ERROR(ReadExactly(static_cast<uint64_t>(chunk.start), stored.size(), stored.data()));
        bytes = stored;
      }
      const Status decoded = DecodeColumnChunk(meta_.columns[c], chunk, bytes, &columns[c]);
      if (!decoded.ok()) return Fail(decoded.message());
      if (columns[c].ends.size() != static_cast<size_t>(group.rows))
        return Fail("column '" + meta_.columns[c].name + "' holds " + std::to_string(columns[c].ends.size()) +
                    " values in a row group of " + std::to_string(group.rows) + " rows");
    }
    return columns;
  }

  // Formats rows of the decoded row group into text_, about a batch's worth.
  Status FormatRows() {
    while (row_ < group_rows_ && text_.size() < kTextBatchBytes) {
      for (size_t c = 0; c < columns_.size(); ++c) {
        if (c > 0) text_.push_back(dialect_.separator);
        MF_RETURN_IF_ERROR(AppendText(columns_[c].Value(row_), rows_done_ + 1, c));
      }
      text_.push_back('\n');
      ++row_;
      ++rows_done_;
    }
    return Status::OK();
  }

  // Appends one field; `row` (from 1; 0 for the header) and column `c` name it in errors.
  Status AppendText(std::string_view value, uint64_t row, size_t c) {
    if (dialect_.quoting) {
      AppendField(&text_, value, dialect_.separator);
      return Status::OK();
    }
    for (char ch : value) {
      if (ch == dialect_.separator || ch == '\n' || ch == '\r')
        return Fail((row == 0 ? std::string("the name of column ") : "row " + std::to_string(row) + ", column ") +
                    std::to_string(c + 1) +
                    " holds the separator or a line break: read it with quoting (not --quote none)");
    }
    text_.append(value);
    return Status::OK();
  }

  const std::string path_;
  const Dialect dialect_;
  std::unique_ptr<RandomAccessFile> file_;
  ParquetFileMeta meta_;
  size_t next_group_ = 0;
  std::vector<TextColumn> columns_;  // the row group being formatted
  std::future<Result<std::vector<TextColumn>>> ahead_;  // the next one, being decoded
  size_t group_rows_ = 0;
  size_t row_ = 0;        // the next row of the group to format
  uint64_t rows_done_ = 0;  // rows of the file formatted
  uint64_t groups_stored_ = 4;  // bytes of the file before the current row group (its magic included)
  uint64_t group_stored_ = 0;   // bytes of the current row group
  std::string text_;      // formatted, not yet read past at_
  size_t at_ = 0;
};

}  // namespace

bool StartsAsParquet(const char* bytes, size_t n) { return n >= 4 && std::memcmp(bytes, parquet::kMagic, 4) == 0; }

Result<std::unique_ptr<InputStream>> OpenParquetAsText(const std::string& path, Dialect dialect) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(path));
  MF_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs->OpenForRandomAccess(path));
  auto stream = std::make_unique<ParquetTextStream>(path, dialect, std::move(file));
  MF_RETURN_IF_ERROR(stream->Open());
  return std::unique_ptr<InputStream>(std::move(stream));
}

}  // namespace mergeflow
