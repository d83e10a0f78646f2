#include "ops/upsert/change_set.h"

#include <algorithm>
#include <cctype>

#include "common/thread_pool.h"
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

// Turns the rows of one change file into changes, one worker's: checks each
// (a bad one goes to the log) and renders those of the buckets `keeps`
// names (all when empty) in the dataset's columns.
class ChangeRowParser {
 public:
  ChangeRowParser(const UpsertOptions& o, const FileLayout& layout, const Dialect& dialect, char out_separator,
                  uint32_t file_index, uint32_t buckets, const std::function<bool(uint32_t)>& keeps, BadRowLog* log)
      : o_(o),
        layout_(layout),
        dialect_(dialect),
        out_separator_(out_separator),
        file_index_(file_index),
        buckets_(buckets),
        keeps_(keeps),
        log_(log),
        encoder_(o.key.size(), /*null_keys_equal=*/true),
        key_values_(o.key.size()) {}

  // Calls hand_on(bucket, key hash, encoded key, change) for a good `row`
  // of `chunk`; the change's bytes live until the next call.
  template <class HandOn>
  void Parse(const RowView& row, const Chunk& chunk, HandOn&& hand_on) {
    SplitFields(row.data, row.size, row.quoted, dialect_, &fields_, &scratch_);
    ChangeView change;
    change.file = file_index_;
    change.offset = chunk.file_offset + row.offset;
    if (layout_.op_field >= 0) {
      const std::string_view op = fields_[layout_.op_field];
      change.op = op.size() == 1 ? static_cast<char>(std::toupper(static_cast<unsigned char>(op[0]))) : '?';
      if (change.op != 'I' && change.op != 'U' && change.op != 'D') {
        log_->Report(chunk, row.offset, "unknown op '" + std::string(op) + "' in column " + o_.op_column + " (I, U or D)");
        return;
      }
    }
    for (size_t k = 0; k < layout_.key_fields.size(); ++k) {
      key_values_[k] = fields_[layout_.key_fields[k]];
      if (key_values_[k].empty()) {
        log_->Report(chunk, row.offset, "empty key column '" + o_.key[k] + "'");
        return;
      }
    }
    change.order_text = fields_[layout_.order_field];
    Result<std::string> order = EncodeOrderValue(o_.order_type, change.order_text);
    if (!order.ok()) {
      log_->Report(chunk, row.offset,
                   "bad --order-by value '" + std::string(change.order_text) + "' in column " + o_.order_column +
                       ": " + order.status().message());
      return;
    }
    change.order = order.value();
    std::string_view key;
    encoder_.Encode(key_values_.data(), &key);
    const uint64_t hash = KeyEncoder::Hash(key);
    const uint32_t bucket = BucketOfHash(hash, buckets_);
    if (keeps_ && !keeps_(bucket)) return;
    row_text_.clear();
    Render(fields_, layout_.source, out_separator_, &row_text_);
    change.row = row_text_;
    key_fields_.clear();
    for (size_t k = 0; k < key_values_.size(); ++k) {
      if (k > 0) key_fields_.push_back(out_separator_);
      AppendField(&key_fields_, key_values_[k], out_separator_);
    }
    change.key_fields = key_fields_;
    hand_on(bucket, hash, key, change);
  }

 private:
  const UpsertOptions& o_;
  const FileLayout& layout_;
  const Dialect& dialect_;
  const char out_separator_;
  const uint32_t file_index_;
  const uint32_t buckets_;
  const std::function<bool(uint32_t)>& keeps_;
  BadRowLog* const log_;
  KeyEncoder encoder_;
  std::vector<std::string_view> fields_;
  std::vector<std::string_view> key_values_;
  std::string scratch_, row_text_, key_fields_;
};

}  // namespace

uint32_t BucketOf(std::string_view encoded_key, uint32_t buckets) {
  return BucketOfHash(KeyEncoder::Hash(encoded_key), buckets);
}

ChangeSet::ChangeSet(const UpsertOptions& options, uint32_t buckets, Dialect out, std::function<bool(uint32_t)> keeps)
    : options_(options),
      out_(out),
      keeps_(std::move(keeps)),
      by_bucket_(buckets),
      locks_(buckets),
      touched_(buckets, 0) {}

Status ChangeSet::Offer(uint32_t bucket, uint64_t hash, std::string_view key, const ChangeView& change) {
  filter_.clear();  // stale now
  return Keep(bucket, hash, key, change);
}

Status ChangeSet::Keep(uint32_t bucket, uint64_t hash, std::string_view key, const ChangeView& change) {
  uint64_t grown = 0;
  {
    std::lock_guard<std::mutex> lock(locks_[bucket]);
    touched_[bucket] = 1;
    grown = by_bucket_[bucket].Offer(hash, key, change);
  }
  const uint64_t held = held_bytes_.fetch_add(grown, std::memory_order_relaxed) + grown;
  if (options_.memory_limit == 0 || held <= options_.memory_limit) return Status::OK();
  return Status::IOError("the changes of one bucket group take more than --memory-limit (" +
                         std::to_string(held >> 20) + " MiB): give more memory");
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
  filter_.clear();  // stale now
  // Changes kept here are parsed on --threads workers, each offering its
  // changes under their bucket's lock (the winner of a key is the same in
  // any order: ChangeWins is a total order); a sink takes them from one.
  const int workers = sink != nullptr ? 1 : std::max(options_.threads, 1);
  std::vector<Status> results(static_cast<size_t>(workers));
  std::vector<uint64_t> rows(static_cast<size_t>(workers), 0);
  RunOnWorkers(workers, [&](int w) {
    Status failure;  // of handing a change on
    auto hand_on = [&](uint32_t b, uint64_t hash, std::string_view key, const ChangeView& change) {
      Status kept;
      if (sink != nullptr) {
        touched_[b] = 1;
        kept = (*sink)(b, key, change);
      } else {
        kept = Keep(b, hash, key, change);
      }
      if (!kept.ok() && failure.ok()) failure = std::move(kept);
    };
    ChangeRowParser parser(options_, layout, dialect, out_.separator, index, buckets(), keeps_, &log);
    RowScanner scanner(dialect, static_cast<uint32_t>(layout.header.size()), layout.key_fields);
    auto on_row = [&](const RowView& row, const Chunk& chunk) { parser.Parse(row, chunk, hand_on); };
    results[w] = ScanRows(&reader, &scanner, &log, on_row, [&] { return failure; }, &rows[w]);
  });
  for (const Status& result : results) MF_RETURN_IF_ERROR(result);
  for (uint64_t n : rows) counts_.rows += n;
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
