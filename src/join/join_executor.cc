#include "join/join_executor.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <map>
#include <mutex>

#include "common/process_stats.h"
#include "common/thread_pool.h"
#include "join/hash_partition.h"
#include "join/key_arena.h"
#include "join/key_encoder.h"
#include "join/row_emitter.h"
#include "text/byte_classifier.h"
#include "text/row_scanner.h"

namespace mergeflow {
namespace {

constexpr size_t kFlushBytes = 1 << 20;
constexpr size_t kBadRowSamples = 5;

// Collects malformed rows from all workers and remembers the first ones in
// input order; in error mode the first one stops the run.
class BadRowLog {
 public:
  BadRowLog(bool skip, const ChunkReader* reader) : skip_(skip), reader_(reader) {}

  // Returns whether scanning may go on.
  bool Report(const Chunk& chunk, uint64_t offset, std::string message) {
    const uint64_t line = chunk.first_line + CountByte(chunk.data, offset, '\n');
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    Entry entry{chunk.id, offset, BadRow{DisplayName(chunk.file_index), line, std::move(message)}};
    auto at = std::upper_bound(first_.begin(), first_.end(), entry, [](const Entry& a, const Entry& b) {
      return a.chunk != b.chunk ? a.chunk < b.chunk : a.offset < b.offset;
    });
    first_.insert(at, std::move(entry));
    if (first_.size() > kBadRowSamples) first_.pop_back();
    if (!skip_) failed_.store(true);
    return skip_;
  }

  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  Status FirstError() const { return Status::BadInput(first_.front().row.ToString()); }
  uint64_t count() const { return count_; }
  std::vector<BadRow> samples() const {
    std::vector<BadRow> rows;
    for (const Entry& e : first_) rows.push_back(e.row);
    return rows;
  }

 private:
  struct Entry {
    uint32_t chunk;
    uint64_t offset;
    BadRow row;
  };
  std::string DisplayName(uint32_t file_index) const {
    const std::string& path = reader_->files()[file_index].path;
    return path == "-" ? "<stdin>" : path;
  }

  bool skip_;
  const ChunkReader* reader_;
  std::mutex mu_;
  std::atomic<bool> failed_{false};
  uint64_t count_ = 0;
  std::vector<Entry> first_;
};

// The first error any worker hit; once set, workers stop taking work.
class FirstError {
 public:
  void Set(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (status_.ok()) status_ = std::move(status);
    set_.store(true);
  }
  bool set() const { return set_.load(std::memory_order_relaxed); }
  Status status() const { return status_; }

 private:
  std::mutex mu_;
  Status status_;
  std::atomic<bool> set_{false};
};

// Hands out chunks until the input ends or some worker failed.
bool NextChunk(ChunkReader* reader, FirstError* error, const BadRowLog& log, Chunk* chunk) {
  if (error->set() || log.failed()) return false;
  auto next = reader->Next(chunk);
  if (!next.ok()) {
    error->Set(next.status());
    return false;
  }
  return next.value();
}

// Writes each chunk's output in chunk order (--order left).
class ChunkSequencer {
 public:
  Status Deliver(uint32_t chunk_id, std::string text, uint64_t rows, OutputSink* sink) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace(chunk_id, std::make_pair(std::move(text), rows));
    while (!pending_.empty() && pending_.begin()->first == next_) {
      auto& [out, count] = pending_.begin()->second;
      Status status = sink->Write(0, out, count);
      pending_.erase(pending_.begin());
      ++next_;
      MF_RETURN_IF_ERROR(status);
    }
    return Status::OK();
  }

 private:
  std::mutex mu_;
  uint32_t next_ = 0;
  std::map<uint32_t, std::pair<std::string, uint64_t>> pending_;
};

int PartitionBitsFor(uint64_t build_bytes) {
  if (build_bytes == UINT64_MAX) return 8;
  const uint64_t target = build_bytes / (256 << 10);
  const int bits = target <= 1 ? 0 : std::bit_width(target - 1);
  return std::min(bits, 10);
}

class Join {
 public:
  Join(const JoinSide& left, const JoinSide& right, const std::vector<OutputColumn>& columns, char output_separator,
       const JoinOptions& options, OutputSink* sink)
      : left_(left), right_(right), columns_(columns), separator_(output_separator), options_(options), sink_(sink) {
    const bool right_must_build = options.keep_left_order || OutputsLeftOnly(options.type);
    build_is_left_ = !right_must_build && left.bytes < right.bytes;
    const bool build_keeps_unmatched =
        build_is_left_ ? KeepsUnmatchedLeft(options.type) : KeepsUnmatchedRight(options.type);
    track_build_matches_ = build_keeps_unmatched && !OutputsLeftOnly(options.type);
    probe_keeps_unmatched_ = build_is_left_ ? KeepsUnmatchedRight(options.type) : KeepsUnmatchedLeft(options.type);
    partition_bits_ = PartitionBitsFor(build().bytes);
    partitions_.resize(size_t{1} << partition_bits_);
  }

  Status Run(JoinStats* stats) {
    stats->build_side = build_is_left_ ? "left" : "right";
    stats->partitions = static_cast<int>(partitions_.size());
    double start = MonotonicSeconds();
    MF_RETURN_IF_ERROR(BuildSide());
    stats->build_seconds = MonotonicSeconds() - start;
    start = MonotonicSeconds();
    MF_RETURN_IF_ERROR(ProbeSide());
    if (track_build_matches_) MF_RETURN_IF_ERROR(EmitUnmatchedBuildRows());
    stats->probe_seconds = MonotonicSeconds() - start;
    (build_is_left_ ? stats->left_rows : stats->right_rows) = build_rows_;
    (build_is_left_ ? stats->right_rows : stats->left_rows) = probe_rows_;
    stats->output_rows = output_rows_;
    return Status::OK();
  }

  uint64_t bad_rows() const { return build_log_->count() + probe_log_->count(); }
  std::vector<BadRow> bad_row_samples() const {
    std::vector<BadRow> rows = build_log_->samples();
    for (BadRow& row : probe_log_->samples()) rows.push_back(std::move(row));
    if (rows.size() > kBadRowSamples) rows.resize(kBadRowSamples);
    return rows;
  }

 private:
  const JoinSide& build() const { return build_is_left_ ? left_ : right_; }
  const JoinSide& probe() const { return build_is_left_ ? right_ : left_; }
  int lane(int worker) const { return options_.keep_left_order ? 0 : worker; }

  Status BuildSide() {
    const JoinSide& side = build();
    build_log_ = std::make_unique<BadRowLog>(options_.skip_bad_rows, side.reader);
    const int workers = options_.threads;
    const int shift = 64 - partition_bits_;
    std::vector<std::vector<std::vector<BuildRow>>> staged(workers,
                                                           std::vector<std::vector<BuildRow>>(partitions_.size()));
    arenas_.resize(workers);
    null_key_rows_.resize(workers);
    std::vector<std::vector<Chunk>> kept(workers);
    std::vector<uint64_t> rows(workers, 0);
    FirstError error;
    RunOnWorkers(workers, [&](int worker) {
      RowScanner scanner(side.dialect, static_cast<uint32_t>(side.schema.names.size()), side.schema.key_fields);
      KeyEncoder encoder(side.schema.key_fields.size(), options_.null_keys_equal);
      auto& parts = staged[worker];
      Chunk chunk;
      struct Visitor {
        Join* join;
        KeyEncoder* encoder;
        std::vector<std::vector<BuildRow>>* parts;
        int worker;
        int shift;
        const Chunk* chunk;
        uint64_t rows = 0;
        void OnRow(const RowView& r) {
          ++rows;
          BuildRow b;
          b.row = r.data;
          b.row_size = r.size;
          b.chunk_id = chunk->id;
          b.quoted = r.quoted;
          std::string_view key;
          if (!encoder->Encode(r.keys, &key)) {
            if (join->track_build_matches_) join->null_key_rows_[worker].push_back(b);
            return;
          }
          b.hash = KeyEncoder::Hash(key);
          b.key = encoder->single() && r.keys_in_row ? key.data() : join->arenas_[worker].Copy(key);
          b.key_size = static_cast<uint32_t>(key.size());
          (*parts)[shift == 64 ? 0 : b.hash >> shift].push_back(b);
        }
        bool OnBadRow(uint64_t offset, std::string message) {
          return join->build_log_->Report(*chunk, offset, std::move(message));
        }
      } visitor{this, &encoder, &parts, worker, shift, &chunk};
      while (NextChunk(side.reader, &error, *build_log_, &chunk)) {
        scanner.Scan(chunk.data, chunk.size, side.header && chunk.starts_file, visitor);
        kept[worker].push_back(std::move(chunk));
      }
      rows[worker] = visitor.rows;
    });
    if (error.set()) return error.status();
    if (build_log_->failed()) return build_log_->FirstError();
    for (auto& worker_chunks : kept) {
      for (Chunk& chunk : worker_chunks) build_chunks_.push_back(std::move(chunk.buffer));
    }
    for (uint64_t r : rows) build_rows_ += r;
    const bool keep_order = options_.keep_left_order;
    ParallelFor(partitions_.size(), workers, [&](size_t p, int) {
      size_t total = 0;
      for (int w = 0; w < workers; ++w) total += staged[w][p].size();
      std::vector<BuildRow> rows_of_partition;
      rows_of_partition.reserve(total);
      for (int w = 0; w < workers; ++w) {
        rows_of_partition.insert(rows_of_partition.end(), staged[w][p].begin(), staged[w][p].end());
        std::vector<BuildRow>().swap(staged[w][p]);
      }
      partitions_[p].Build(std::move(rows_of_partition), keep_order, track_build_matches_);
    });
    return Status::OK();
  }

  Status ProbeSide() {
    const JoinSide& side = probe();
    probe_log_ = std::make_unique<BadRowLog>(options_.skip_bad_rows, side.reader);
    const int workers = options_.threads;
    const int shift = 64 - partition_bits_;
    FirstError error;
    ChunkSequencer sequencer;
    std::vector<uint64_t> rows(workers, 0);
    std::vector<uint64_t> emitted(workers, 0);
    RunOnWorkers(workers, [&](int worker) {
      RowScanner scanner(side.dialect, static_cast<uint32_t>(side.schema.names.size()), side.schema.key_fields);
      KeyEncoder encoder(side.schema.key_fields.size(), options_.null_keys_equal);
      RowEmitter emitter(&columns_, left_.dialect, right_.dialect, separator_);
      std::string out;
      uint64_t out_rows = 0;
      Chunk chunk;
      Status write_status;
      const JoinType type = options_.type;
      const bool probe_is_left = !build_is_left_;
      uint64_t total_out = 0;
      const auto emit_pair = [&](const RowRef& probe_row, const RowRef* build_row) {
        if (probe_is_left) emitter.Emit(&probe_row, build_row, &out);
        else emitter.Emit(build_row, &probe_row, &out);
        ++out_rows;
        ++total_out;
      };
      struct Visitor {
        Join* join;
        KeyEncoder* encoder;
        const decltype(emit_pair)* emit;
        JoinType type;
        int shift;
        const Chunk* chunk;
        uint64_t rows = 0;
        void OnRow(const RowView& r) {
          ++rows;
          const RowRef probe_row{r.data, r.size, r.quoted};
          bool matched = false;
          std::string_view key;
          if (encoder->Encode(r.keys, &key)) {
            const uint64_t hash = KeyEncoder::Hash(key);
            HashPartition& part = join->partitions_[shift == 64 ? 0 : hash >> shift];
            if (OutputsLeftOnly(type)) {
              part.ForEachMatch(hash, key, [&](size_t) { matched = true; });
            } else {
              part.ForEachMatch(hash, key, [&](size_t i) {
                matched = true;
                if (join->track_build_matches_) part.MarkMatched(i);
                const BuildRow& b = part.row(i);
                const RowRef build_row{b.row, b.row_size, b.quoted != 0};
                (*emit)(probe_row, &build_row);
              });
            }
          }
          if (type == JoinType::kSemi ? matched : (!matched && join->probe_keeps_unmatched_)) (*emit)(probe_row, nullptr);
        }
        bool OnBadRow(uint64_t offset, std::string message) {
          return join->probe_log_->Report(*chunk, offset, std::move(message));
        }
      } visitor{this, &encoder, &emit_pair, type, shift, &chunk};
      while (write_status.ok() && NextChunk(side.reader, &error, *probe_log_, &chunk)) {
        emitter.ForgetRows();
        scanner.Scan(chunk.data, chunk.size, side.header && chunk.starts_file, visitor);
        if (options_.keep_left_order) {
          write_status = sequencer.Deliver(chunk.id, std::move(out), out_rows, sink_);
          out.clear();
          out_rows = 0;
        } else if (out.size() >= kFlushBytes) {
          write_status = sink_->Write(lane(worker), out, out_rows);
          out.clear();
          out_rows = 0;
        }
      }
      if (write_status.ok() && !out.empty()) write_status = sink_->Write(lane(worker), out, out_rows);
      if (!write_status.ok()) error.Set(write_status);
      rows[worker] = visitor.rows;
      emitted[worker] = total_out;
    });
    if (error.set()) return error.status();
    if (probe_log_->failed()) return probe_log_->FirstError();
    for (int w = 0; w < workers; ++w) {
      probe_rows_ += rows[w];
      output_rows_ += emitted[w];
    }
    return Status::OK();
  }

  // Build rows no probe row matched (and build rows with a NULL key).
  Status EmitUnmatchedBuildRows() {
    const bool build_is_left = build_is_left_;
    auto emit_one = [&](RowEmitter& emitter, const BuildRow& b, std::string* out) {
      const RowRef row{b.row, b.row_size, b.quoted != 0};
      if (build_is_left) emitter.Emit(&row, nullptr, out);
      else emitter.Emit(nullptr, &row, out);
    };
    if (options_.keep_left_order) {
      std::vector<BuildRow> unmatched;
      for (const HashPartition& part : partitions_) {
        for (size_t i = 0; i < part.size(); ++i) {
          if (!part.IsMatched(i)) unmatched.push_back(part.row(i));
        }
      }
      for (const auto& rows : null_key_rows_) unmatched.insert(unmatched.end(), rows.begin(), rows.end());
      std::sort(unmatched.begin(), unmatched.end(), InputOrderLess);
      RowEmitter emitter(&columns_, left_.dialect, right_.dialect, separator_);
      std::string out;
      uint64_t count = 0;
      for (const BuildRow& b : unmatched) {
        emit_one(emitter, b, &out);
        ++count;
        if (out.size() >= kFlushBytes) {
          MF_RETURN_IF_ERROR(sink_->Write(0, out, count));
          output_rows_ += count;
          out.clear();
          count = 0;
        }
      }
      output_rows_ += count;
      return sink_->Write(0, out, count);
    }
    const int workers = options_.threads;
    std::vector<std::string> outs(workers);
    std::vector<uint64_t> counts(workers, 0);
    std::vector<uint64_t> totals(workers, 0);
    FirstError error;
    auto flush = [&](int worker, bool force) {
      if (outs[worker].empty() || (!force && outs[worker].size() < kFlushBytes)) return;
      Status s = sink_->Write(worker, outs[worker], counts[worker]);
      if (!s.ok()) error.Set(s);
      totals[worker] += counts[worker];
      outs[worker].clear();
      counts[worker] = 0;
    };
    std::vector<std::unique_ptr<RowEmitter>> emitters(workers);
    for (auto& e : emitters) e = std::make_unique<RowEmitter>(&columns_, left_.dialect, right_.dialect, separator_);
    ParallelFor(partitions_.size() + null_key_rows_.size(), workers, [&](size_t p, int worker) {
      if (error.set()) return;
      if (p < partitions_.size()) {
        const HashPartition& part = partitions_[p];
        for (size_t i = 0; i < part.size(); ++i) {
          if (part.IsMatched(i)) continue;
          emit_one(*emitters[worker], part.row(i), &outs[worker]);
          ++counts[worker];
          flush(worker, false);
        }
      } else {
        for (const BuildRow& b : null_key_rows_[p - partitions_.size()]) {
          emit_one(*emitters[worker], b, &outs[worker]);
          ++counts[worker];
          flush(worker, false);
        }
      }
    });
    for (int w = 0; w < workers; ++w) {
      flush(w, true);
      output_rows_ += totals[w];
    }
    return error.status();
  }

  const JoinSide& left_;
  const JoinSide& right_;
  const std::vector<OutputColumn>& columns_;
  char separator_;
  const JoinOptions& options_;
  OutputSink* sink_;

  bool build_is_left_ = false;
  bool track_build_matches_ = false;
  bool probe_keeps_unmatched_ = false;
  int partition_bits_ = 0;
  std::vector<HashPartition> partitions_;
  std::vector<KeyArena> arenas_;
  std::vector<std::vector<BuildRow>> null_key_rows_;  // per worker
  std::vector<std::unique_ptr<char[]>> build_chunks_;  // the bytes every BuildRow points into
  std::unique_ptr<BadRowLog> build_log_;
  std::unique_ptr<BadRowLog> probe_log_;
  uint64_t build_rows_ = 0;
  uint64_t probe_rows_ = 0;
  uint64_t output_rows_ = 0;
};

}  // namespace

Status RunJoin(const JoinSide& left, const JoinSide& right, const std::vector<OutputColumn>& columns,
               char output_separator, const JoinOptions& options, OutputSink* sink, JoinStats* stats) {
  Join join(left, right, columns, output_separator, options, sink);
  Status status = join.Run(stats);
  stats->bad_rows_skipped = join.bad_rows();
  stats->bad_row_samples = join.bad_row_samples();
  return status;
}

}  // namespace mergeflow
