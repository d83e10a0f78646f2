#include "ops/upsert/change_set.h"

#include <algorithm>
#include <cctype>

#include "engine/key_encoder.h"
#include "text/chunk_reader.h"
#include "text/dialect_choice.h"
#include "text/field_writer.h"
#include "text/header_reader.h"
#include "text/row_scanner.h"
#include "text/scan_rows.h"

namespace mergeflow {
namespace {

// Where each column of a change file goes.
struct FileLayout {
  std::vector<std::string> header;
  std::vector<int> source;  // per output column: its field in the file, or -1
  std::vector<uint32_t> key_fields;
  uint32_t order_field = 0;
  int op_field = -1;
};

Result<std::vector<std::string>> ReadHeader(const std::string& path, ChunkReader* reader, const Dialect& dialect) {
  Result<std::optional<std::vector<std::string>>> read = ReadFirstRow(reader, dialect);
  if (!read.ok()) return read.status().WithPrefix(path + ":");
  if (!read.value()) return Status::BadInput(path + " is empty: no header line to name its columns");
  MF_RETURN_IF_ERROR(CheckDistinctNames(path, *read.value()));
  return std::move(*read.value());
}

Result<FileLayout> LayoutOf(const UpsertOptions& o, const std::string& path, std::vector<std::string> header,
                            const std::vector<std::string>& columns) {
  FileLayout layout;
  layout.header = std::move(header);
  auto find = [&](const std::string& name) -> int {
    auto at = std::find(layout.header.begin(), layout.header.end(), name);
    return at == layout.header.end() ? -1 : static_cast<int>(at - layout.header.begin());
  };
  for (const std::string& key : o.key) {
    const int field = find(key);
    if (field < 0) return Status::BadInput(path + ":1: no key column '" + key + "'");
    layout.key_fields.push_back(static_cast<uint32_t>(field));
  }
  const int order = find(o.order_column);
  if (order < 0) return Status::BadInput(path + ":1: no --order-by column '" + o.order_column + "'");
  layout.order_field = static_cast<uint32_t>(order);
  layout.op_field = find(o.op_column);
  for (const std::string& column : columns) layout.source.push_back(find(column));
  return layout;
}

// Renders fields[sources] as one row of `out`'s dialect (-1: an empty field).
void Render(const std::vector<std::string_view>& fields, const std::vector<int>& sources, char separator,
            std::string* row) {
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i > 0) row->push_back(separator);
    if (sources[i] >= 0) AppendField(row, fields[sources[i]], separator);
  }
}

}  // namespace

uint32_t BucketOf(std::string_view encoded_key, uint32_t buckets) {
  return BucketOfHash(KeyEncoder::Hash(encoded_key), buckets);
}

ChangeSet::ChangeSet(const UpsertOptions& options, uint32_t buckets, Dialect out, std::function<bool(uint32_t)> keeps)
    : options_(options), out_(out), keeps_(std::move(keeps)), by_bucket_(buckets), touched_(buckets, false) {}

Status ChangeSet::Offer(uint32_t bucket, uint64_t hash, std::string_view key, const ChangeView& change) {
  touched_[bucket] = true;
  filter_.clear();  // stale now
  held_bytes_ += by_bucket_[bucket].Offer(hash, key, change);
  if (options_.memory_limit == 0 || held_bytes_ <= options_.memory_limit) return Status::OK();
  return Status::IOError("the changes of one bucket group take more than --memory-limit (" +
                         std::to_string(held_bytes_ >> 20) + " MiB): give more memory");
}

uint64_t ChangeSet::distinct_keys() const {
  uint64_t keys = 0;
  for (const auto& bucket : by_bucket_) keys += bucket.size();
  return keys;
}

Result<std::vector<std::string>> ChangeSet::NewColumns(const UpsertOptions& options, const std::string& path,
                                                       const std::vector<std::string>& columns) {
  MF_ASSIGN_OR_RETURN(Dialect dialect, ChooseDialect(path, options.separator, options.quoting));
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(path));
  MF_ASSIGN_OR_RETURN(FileInfo info, fs->GetFileInfo(path));
  ChunkReader reader({info}, dialect, 1 << 16, 1, ChunkOrder::kFileOrder);
  MF_ASSIGN_OR_RETURN(std::vector<std::string> header, ReadHeader(path, &reader, dialect));
  MF_RETURN_IF_ERROR(LayoutOf(options, path, header, columns).status_or_ok());
  std::vector<std::string> added;
  for (const std::string& name : header) {
    if (name != options.op_column && std::find(columns.begin(), columns.end(), name) == columns.end())
      added.push_back(name);
  }
  return added;
}

Status ChangeSet::Read(const FileInfo& file, uint32_t index, const std::vector<std::string>& columns,
                       const Sink* sink) {
  MF_ASSIGN_OR_RETURN(Dialect dialect, ChooseDialect(file.path, options_.separator, options_.quoting));
  ChunkReader reader({file}, dialect, options_.chunk_bytes, 1, ChunkOrder::kFileOrder);
  MF_ASSIGN_OR_RETURN(std::vector<std::string> header, ReadHeader(file.path, &reader, dialect));
  MF_ASSIGN_OR_RETURN(FileLayout layout, LayoutOf(options_, file.path, std::move(header), columns));
  BadRowLog log(options_.skip_bad_rows, &reader);
  KeyEncoder encoder(options_.key.size(), /*null_keys_equal=*/true);
  RowScanner scanner(dialect, static_cast<uint32_t>(layout.header.size()), layout.key_fields);
  std::vector<std::string_view> fields;
  std::vector<std::string_view> key_values(options_.key.size());
  std::string scratch, row_text, key_fields;
  Status failure;  // of handing a change on
  auto on_row = [&](const RowView& row, const Chunk& chunk) {
    SplitFields(row.data, row.size, row.quoted, dialect, &fields, &scratch);
    ChangeView change;
    change.file = index;
    change.offset = chunk.file_offset + row.offset;
    if (layout.op_field >= 0) {
      const std::string_view op = fields[layout.op_field];
      change.op = op.size() == 1 ? static_cast<char>(std::toupper(static_cast<unsigned char>(op[0]))) : '?';
      if (change.op != 'I' && change.op != 'U' && change.op != 'D') {
        log.Report(chunk, row.offset,
                   "unknown op '" + std::string(op) + "' in column " + options_.op_column + " (I, U or D)");
        return;
      }
    }
    for (size_t k = 0; k < layout.key_fields.size(); ++k) {
      key_values[k] = fields[layout.key_fields[k]];
      if (key_values[k].empty()) {
        log.Report(chunk, row.offset, "empty key column '" + options_.key[k] + "'");
        return;
      }
    }
    change.order_text = fields[layout.order_field];
    Result<std::string> order = EncodeOrderValue(options_.order_type, change.order_text);
    if (!order.ok()) {
      log.Report(chunk, row.offset,
                 "bad --order-by value '" + std::string(change.order_text) + "' in column " + options_.order_column +
                     ": " + order.status().message());
      return;
    }
    change.order = order.value();
    std::string_view key;
    encoder.Encode(key_values.data(), &key);
    const uint64_t hash = KeyEncoder::Hash(key);
    const uint32_t b = BucketOfHash(hash, buckets());
    if (keeps_ && !keeps_(b)) return;
    row_text.clear();
    Render(fields, layout.source, out_.separator, &row_text);
    change.row = row_text;
    key_fields.clear();
    for (size_t k = 0; k < key_values.size(); ++k) {
      if (k > 0) key_fields.push_back(out_.separator);
      AppendField(&key_fields, key_values[k], out_.separator);
    }
    change.key_fields = key_fields;
    touched_[b] = true;
    Status kept = sink != nullptr ? (*sink)(b, key, change) : Offer(b, hash, key, change);
    if (!kept.ok() && failure.ok()) failure = std::move(kept);
  };
  auto after_chunk = [&]() { return failure; };
  MF_RETURN_IF_ERROR(ScanRows(&reader, &scanner, &log, on_row, after_chunk, &counts_.rows));
  counts_.rejected += log.count();
  for (BadRow& row : log.samples()) {
    if (counts_.rejected_samples.size() < BadRowLog::kSamples) counts_.rejected_samples.push_back(std::move(row));
  }
  return Status::OK();
}

void ChangeSet::IndexKeys() {
  int words_log2 = 6;
  while ((uint64_t{64} << words_log2) < distinct_keys() * 16 && words_log2 < 34) ++words_log2;
  filter_.assign(uint64_t{1} << words_log2, 0);
  filter_shift_ = 64 - words_log2;
  for (ChangeTable& bucket : by_bucket_) {
    for (const HeldChange& change : bucket.changes()) {
      filter_[change.hash() >> filter_shift_] |= FilterBits(change.hash());
    }
  }
}

}  // namespace mergeflow
