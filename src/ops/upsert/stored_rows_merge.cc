#include "ops/upsert/stored_rows_merge.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "common/thread_pool.h"
#include "dataset/part_keys.h"
#include "engine/key_encoder.h"
#include "ops/upsert/order_value.h"
#include "text/bad_row_log.h"
#include "text/chunk_reader.h"
#include "text/row_scanner.h"
#include "text/rows_at.h"
#include "text/scan_rows.h"

namespace mergeflow {
namespace {

// Whether the rows of one chunk, met front to back, fall in the sorted
// ranges of their file's deleted rows: one search a chunk, then a step
// forward now and then, instead of a search a row.
class DeletedRowCursor {
 public:
  bool Deleted(const std::vector<ByteRange>& ranges, const Chunk& chunk, uint64_t offset) {
    if (ranges.empty()) return false;
    if (!started_ || chunk.file_offset != chunk_offset_ || chunk.file_index != chunk_file_) {
      started_ = true;
      chunk_offset_ = chunk.file_offset;
      chunk_file_ = chunk.file_index;
      next_ = std::upper_bound(ranges.begin(), ranges.end(), offset,
                               [](uint64_t at, const ByteRange& r) { return at < r.end; });
    }
    while (next_ != ranges.end() && next_->end <= offset) ++next_;
    return next_ != ranges.end() && next_->begin <= offset;
  }

 private:
  bool started_ = false;
  uint64_t chunk_offset_ = 0;  // where the chunk the cursor is in starts
  uint32_t chunk_file_ = 0;
  std::vector<ByteRange>::const_iterator next_;  // the first range that ends after the last row asked about
};

// The bytes of `row` in its file, with its line terminator.
ByteRange RowBytes(const RowView& row, const Chunk& chunk) {
  const uint64_t begin = chunk.file_offset + row.offset;
  uint64_t end = begin + row.size;
  const size_t after = row.offset + row.size;
  if (after < chunk.size) end += chunk.data[after] == '\r' ? 2 : 1;
  return {begin, end};
}

// What the workers of one merge share.
struct SharedMerge {
  SharedMerge(const MergeSource& source, const UpsertOptions& o, ChangeSet* changes,
              const std::function<bool(uint32_t)>& in_group_of, const BucketOutput& output,
              std::vector<uint32_t> key_fields, MergeFindings* findings)
      : source(source),
        o(o),
        changes(changes),
        output(output),
        key_fields(std::move(key_fields)),
        padding(source.added_columns, source.dialect.separator),
        reader(source.stored.files, ScannedRanges(source.stored), source.dialect, o.chunk_bytes, o.threads,
               ChunkOrder::kAnyOrder),
        log(false, &reader),
        lanes(changes->buckets()),
        findings(findings) {
    // Stored rows are seldom bad: no line counting for them.
    reader.CountLinesOnlyWhenShown();
    for (uint32_t b = 0; b < changes->buckets(); ++b) in_group.push_back(in_group_of(b) ? 1 : 0);
    for (uint32_t f = 0; f < source.stored.roles.size(); ++f) {
      if (!source.stored.roles[f].keys.empty()) indexed.push_back(f);
    }
  }

  // The stored files read whole: those without a keys file to go by.
  static std::vector<FileRange> ScannedRanges(const StoredRows& stored) {
    std::vector<FileRange> ranges;
    for (uint32_t f = 0; f < stored.roles.size(); ++f) {
      if (stored.roles[f].keys.empty()) ranges.push_back(FileRange{f});
    }
    return ranges;
  }

  const MergeSource& source;
  const UpsertOptions& o;
  ChangeSet* const changes;
  std::vector<char> in_group;  // per bucket: whether this merge decides its rows
  const BucketOutput& output;
  const std::vector<uint32_t> key_fields;  // the key columns, then the order column
  const std::string padding;               // appended to each stored row written
  ChunkReader reader;
  BadRowLog log;
  std::vector<std::mutex> lanes;  // one writer of a bucket's lane at a time
  std::mutex findings_mu;         // guards `findings`
  MergeFindings* const findings;
  std::vector<uint32_t> indexed;        // the stored files read by their keys files
  std::atomic<size_t> next_indexed{0};  // the next of them a worker takes
};

// One worker: takes chunks from the shared reader until none is left,
// keeping its rows, counts, tombstones and replaced rows apart until done.
class MergeWorker {
 public:
  explicit MergeWorker(SharedMerge* shared)
      : s_(*shared),
        buckets_(shared->changes->buckets()),
        out_(buckets_),
        out_rows_(buckets_, 0),
        keys_(buckets_),
        found_keys_(buckets_),
        deleted_(buckets_),
        replaced_(buckets_),
        scanner_(s_.source.dialect, static_cast<uint32_t>(s_.source.columns.size()), s_.key_fields),
        encoder_(s_.o.key.size(), true) {}

  Status Run() {
    auto on_row = [this](const RowView& row, const Chunk& chunk) { OnRow(row, chunk); };
    auto after_chunk = [this]() -> Status {
      MF_RETURN_IF_ERROR(failure_);
      for (uint32_t b = 0; b < buckets_; ++b) {
        if (out_[b].size() >= (1u << 20)) MF_RETURN_IF_ERROR(Flush(b));
      }
      return Status::OK();
    };
    uint64_t rows = 0;
    MF_RETURN_IF_ERROR(ScanRows(&s_.reader, &scanner_, &s_.log, on_row, after_chunk, &rows));
    for (size_t i = s_.next_indexed++; i < s_.indexed.size(); i = s_.next_indexed++) {
      MF_RETURN_IF_ERROR(DecideRowsOfChangedKeys(s_.indexed[i]));
      MF_RETURN_IF_ERROR(after_chunk());
    }
    for (uint32_t b = 0; b < buckets_; ++b) {
      if (!out_[b].empty()) MF_RETURN_IF_ERROR(Flush(b));
    }
    HandOver();
    return Status::OK();
  }

 private:
  // Decides the rows of stored file `f` (a part with a keys file) whose
  // keys' hashes are among its bucket's changes, one at a time; its other
  // rows stay where they are, counted as unchanged.
  Status DecideRowsOfChangedKeys(uint32_t f) {
    const std::string& path = s_.source.stored.files[f].path;
    const StoredFile& role = s_.source.stored.roles[f];
    MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(path));
    MF_ASSIGN_OR_RETURN(std::unique_ptr<PartKeysFile> keys_file, ReadPartKeys(fs, role.keys));
    const PartKeys& keys = *keys_file->keys;
    std::vector<uint32_t> hashes;
    for (const HeldChange& change : s_.changes->bucket(role.bucket).changes())
      hashes.push_back(KeysFileHash(change.hash()));
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    MF_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> part, fs->OpenForRandomAccess(path));
    MF_ASSIGN_OR_RETURN(const std::vector<uint64_t> offsets, keys.OffsetsOf(hashes));
    if (!offsets.empty() && offsets.back() >= part->Size())
      return Status::BadInput(role.keys + ": a row past the end of " + path);
    uint64_t decided = 0;
    auto decide = [&](uint64_t offset, std::string_view bytes) -> Status {
      Chunk row;  // the one row
      row.data = bytes.data();
      row.size = bytes.size();
      row.file_index = f;
      row.file_offset = offset;
      row.id = UINT32_MAX;
      if (deleted_rows_.Deleted(role.deleted, row, offset)) return Status::OK();
      ++decided;
      OneRowVisitor visitor{this, row};
      scanner_.Scan(row.data, row.size, false, visitor);
      if (s_.log.failed()) return s_.log.FirstError();
      return failure_;
    };
    MF_RETURN_IF_ERROR(rows_at_.Read(*part, path, offsets, s_.source.dialect.quoting, RowReadsFor(path), decide));
    if (keys.rows() < role.deleted_rows + decided) return Status::BadInput(role.keys + ": fewer rows than " + path);
    counts_.unchanged += keys.rows() - role.deleted_rows - decided;
    return failure_;
  }

  // Hands the rows the scanner finds in one row's bytes to OnRow.
  struct OneRowVisitor {
    MergeWorker* worker;
    const Chunk& chunk;
    void OnRow(const RowView& row) { worker->OnRow(row, chunk); }
    bool OnBadRow(uint64_t offset, std::string message) {
      return worker->s_.log.Report(chunk, offset, std::move(message));
    }
  };

  void OnRow(const RowView& row, const Chunk& chunk) {
    if (!failure_.ok()) return;
    const StoredFile& from = s_.source.stored.roles[chunk.file_index];
    const uint64_t offset = chunk.file_offset + row.offset;
    const bool deleted = deleted_rows_.Deleted(from.deleted, chunk, offset);  // not current
    if (deleted && !from.find_keys) return;
    std::string_view key;
    encoder_.Encode(row.keys, &key);
    const uint64_t hash = KeyEncoder::Hash(key);
    if (from.find_keys) found_keys_[from.bucket].push_back({KeysFileHash(hash), offset});
    if (deleted) return;
    const uint32_t b = BucketOfHash(hash, buckets_);
    if (!s_.in_group[b]) return;  // another group's, merged in its turn
    const bool in_place = s_.output.as_delta[b] && !from.delta;
    if (!s_.changes->MayHold(hash)) return Stays(b, hash, row, in_place);
    HeldChange* held = s_.changes->bucket(b).Find(hash, key);
    if (held == nullptr) return Stays(b, hash, row, in_place);
    const ChangeView change = held->view();
    bool applies = s_.o.commit_time;
    if (!applies) {
      const std::string_view stored_order = row.keys[s_.o.key.size()];
      Result<std::string> order = EncodeOrderValue(s_.o.order_type, stored_order);
      if (!order.ok()) {
        failure_ = Status::BadInput(s_.source.stored.files[chunk.file_index].path +
                                    ": a stored row has a bad --order-by value '" + std::string(stored_order) +
                                    "': " + order.status().message());
        return;
      }
      applies = change.order >= order.value();
    }
    // The stored data holds the key twice (seen by this worker or another).
    const bool duplicate = held->MarkMatched();
    if (!applies) {
      ++counts_.stale_ignored;
      return Stays(b, hash, row, in_place);
    }
    if (in_place) replaced_[b].push_back(RowBytes(row, chunk));
    if (duplicate) return;
    if (change.op == 'D') {
      ++counts_.deleted;
      deleted_[b][std::string(key)] =
          Tombstone{std::string(change.key_fields), std::string(change.order), std::string(change.order_text), 0};
      return;
    }
    ++counts_.updated;
    Append(b, hash, change.row, "");
  }

  // A stored row that stays as it is: written again, or left in its part.
  void Stays(uint32_t b, uint64_t hash, const RowView& row, bool in_place) {
    ++counts_.unchanged;
    if (!in_place) Append(b, hash, std::string_view(row.data, row.size), s_.padding);
  }

  // Adds a row of key hash `hash` to bucket b's rows to write.
  void Append(uint32_t b, uint64_t hash, std::string_view row, std::string_view padding) {
    if (s_.findings->keys[b].wanted) keys_[b].push_back({KeysFileHash(hash), out_[b].size()});
    out_[b].append(row);
    out_[b].append(padding);
    out_[b].push_back('\n');
    ++out_rows_[b];
  }

  Status Flush(uint32_t b) {
    std::lock_guard<std::mutex> lock(s_.lanes[b]);
    Status status = s_.output.For(b)->Write(static_cast<int>(b), out_[b], out_rows_[b]);
    s_.findings->keys[b].Add(out_[b], keys_[b]);
    keys_[b].clear();
    out_[b].clear();
    out_rows_[b] = 0;
    return status;
  }

  // Adds this worker's counts, tombstones and replaced rows to the merge's.
  void HandOver() {
    std::lock_guard<std::mutex> lock(s_.findings_mu);
    UpsertCounts& counts = *s_.findings->counts;
    counts.unchanged += counts_.unchanged;
    counts.updated += counts_.updated;
    counts.deleted += counts_.deleted;
    counts.stale_ignored += counts_.stale_ignored;
    for (uint32_t b = 0; b < buckets_; ++b) {
      s_.findings->deleted[b].merge(deleted_[b]);
      std::vector<ByteRange>& replaced = s_.findings->replaced[b];
      replaced.insert(replaced.end(), replaced_[b].begin(), replaced_[b].end());
      std::vector<KeyAt>& keys = s_.findings->part_keys[b];
      keys.insert(keys.end(), found_keys_[b].begin(), found_keys_[b].end());
    }
  }

  SharedMerge& s_;
  const uint32_t buckets_;
  std::vector<std::string> out_;  // rows to write, per bucket
  std::vector<uint64_t> out_rows_;
  std::vector<std::vector<KeyAt>> keys_;  // per bucket: of the rows in out_ (offsets in out_)
  std::vector<std::vector<KeyAt>> found_keys_;  // per bucket: of the rows of parts with find_keys
  std::vector<Tombstones> deleted_;
  std::vector<std::vector<ByteRange>> replaced_;
  UpsertCounts counts_;
  RowScanner scanner_;
  KeyEncoder encoder_;
  DeletedRowCursor deleted_rows_;
  RowsAtReader rows_at_;  // reads the rows of changed keys of parts with keys files
  Status failure_;
};

}  // namespace

void PartKeysWritten::Add(std::string_view text, const std::vector<KeyAt>& rows_in_text) {
  if (!wanted) return;
  for (const KeyAt& row : rows_in_text) rows.push_back({row.hash, next_offset + row.offset});
  next_offset += text.size();
}

const StoredFile* StoredRows::PartOf(uint32_t b) const {
  for (const StoredFile& role : roles)
    if (role.bucket == b && !role.delta) return &role;
  return nullptr;
}

Status MergeStoredRows(const MergeSource& source, const UpsertOptions& o, ChangeSet* changes,
                       const std::function<bool(uint32_t)>& in_group, const BucketOutput& output,
                       MergeFindings* findings) {
  std::vector<uint32_t> key_fields;
  const std::vector<std::string>& columns = source.columns;
  for (const std::string& name : o.key) {
    auto at = std::find(columns.begin(), columns.end(), name);
    if (at == columns.end()) return Status::InvalidArgument("the dataset has no key column '" + name + "'");
    key_fields.push_back(static_cast<uint32_t>(at - columns.begin()));
  }
  auto order_at = std::find(columns.begin(), columns.end(), o.order_column);
  if (order_at == columns.end())
    return Status::InvalidArgument("the dataset has no --order-by column '" + o.order_column + "'");
  key_fields.push_back(static_cast<uint32_t>(order_at - columns.begin()));
  SharedMerge shared(source, o, changes, in_group, output, std::move(key_fields), findings);
  // As many workers as threads: the rows of stored parts are what an upsert
  // spends its time on.
  const int workers = std::max(o.threads, 1);
  std::vector<Status> results(static_cast<size_t>(workers));
  RunOnWorkers(workers, [&](int w) { results[w] = MergeWorker(&shared).Run(); });
  for (const Status& result : results) MF_RETURN_IF_ERROR(result);
  return Status::OK();
}

}  // namespace mergeflow
