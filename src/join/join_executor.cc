#include "join/join_executor.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <atomic>
#include <bit>
#include <map>
#include <memory>
#include <mutex>

#include "common/first_error.h"
#include "common/interrupt.h"
#include "common/process_stats.h"
#include "common/thread_pool.h"
#include "join/key_arena.h"
#include "join/key_encoder.h"
#include "join/partitioned_table.h"
#include "join/probe_batch.h"
#include "join/spill_files.h"
#include "join/row_emitter.h"
#include "text/row_scanner.h"

namespace mergeflow {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

// Hands out chunks until the input ends or a worker failed.
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

// Fills `b` with the row of `r` (not its key). A row too long for a
// BuildRow is reported to `log` instead, and false returned.
bool MakeBuildRow(const RowView& r, const Chunk& chunk, BadRowLog* log, BuildRow* b) {
  if (r.size > BuildRow::kSizeMask) {
    log->Report(chunk, r.offset, "rows longer than 1 GiB are not supported");
    return false;
  }
  b->row = r.data;
  b->row_size_and_flags = r.size | (r.quoted ? BuildRow::kQuotedBit : 0) | (r.plain ? BuildRow::kPlainBit : 0);
  b->chunk_id = chunk.id;
  return true;
}

// Radix bits for the build side: partitions of about 256 KiB of input.
int PartitionBitsFor(uint64_t build_bytes) {
  if (build_bytes == UINT64_MAX) return 8;
  const uint64_t target = build_bytes / (256 << 10);
  const int bits = target <= 1 ? 0 : std::bit_width(target - 1);
  return std::min(bits, 10);
}

// Accumulates formatted output of one worker and hands it to the sink.
class OutputBuffer {
 public:
  OutputBuffer(OutputSink* sink, int lane) : sink_(sink), lane_(lane) {}
  std::string* text() { return &text_; }
  void RowAdded() {
    ++rows_;
    ++total_rows_;
  }
  Status FlushIfFull() { return text_.size() >= kFlushBytes ? Flush() : Status::OK(); }
  Status Flush() {
    if (text_.empty()) return Status::OK();
    Status status = sink_->Write(lane_, text_, rows_);
    text_.clear();
    rows_ = 0;
    return status;
  }
  // Hands the pending text to `sequencer` as chunk `chunk_id`'s output.
  Status DeliverInOrder(ChunkSequencer* sequencer, uint32_t chunk_id) {
    Status status = sequencer->Deliver(chunk_id, std::move(text_), rows_, sink_);
    text_.clear();
    rows_ = 0;
    return status;
  }
  uint64_t total_rows() const { return total_rows_; }

 private:
  OutputSink* sink_;
  int lane_;
  std::string text_;
  uint64_t rows_ = 0;
  uint64_t total_rows_ = 0;
};

class Join {
 public:
  Join(const JoinSide& left, const JoinSide& right, const std::vector<OutputColumn>& columns, char output_separator,
       const JoinOptions& options, OutputSink* sink)
      : left_(left),
        right_(right),
        columns_(columns),
        separator_(output_separator),
        options_(options),
        sink_(sink),
        build_is_left_(!(options.keep_left_order || OutputsLeftOnly(options.type)) && left.bytes < right.bytes),
        table_(PartitionBitsFor(build().bytes)) {
    const JoinType type = options.type;
    track_build_matches_ =
        !OutputsLeftOnly(type) && (build_is_left_ ? KeepsUnmatchedLeft(type) : KeepsUnmatchedRight(type));
    probe_keeps_unmatched_ = build_is_left_ ? KeepsUnmatchedRight(type) : KeepsUnmatchedLeft(type);
    build_log_ = std::make_unique<BadRowLog>(options.skip_bad_rows, build().reader);
    build_key_is_field_0_ = build().schema.key_fields == std::vector<uint32_t>{0};
    probe_log_ = std::make_unique<BadRowLog>(options.skip_bad_rows, probe().reader);
  }

  Status Run(JoinStats* stats) {
    stats->build_side = build_is_left_ ? "left" : "right";
    stats->partitions = static_cast<int>(table_.size());
    Status status;
    const Result<size_t> spill_partitions = SpillPartitions();
    if (!spill_partitions.ok()) {
      status = spill_partitions.status();
    } else if (spill_partitions.value() > 0) {
      status = GraceJoin(spill_partitions.value(), stats);
    } else {
      double start = MonotonicSeconds();
      status = BuildSide();
      stats->build_seconds = MonotonicSeconds() - start;
      start = MonotonicSeconds();
      if (status.ok()) status = ProbeSide();
      if (status.ok() && track_build_matches_) status = EmitUnmatchedBuildRows();
      stats->probe_seconds = MonotonicSeconds() - start;
    }
    if (options_.progress != nullptr) options_.progress->Finish();
    (build_is_left_ ? stats->left_rows : stats->right_rows) = build_rows_;
    (build_is_left_ ? stats->right_rows : stats->left_rows) = probe_rows_;
    stats->output_rows = output_rows_;
    stats->bad_rows_skipped = build_log_->count() + probe_log_->count();
    stats->bad_row_samples = build_log_->samples();
    for (BadRow& row : probe_log_->samples()) stats->bad_row_samples.push_back(std::move(row));
    if (stats->bad_row_samples.size() > BadRowLog::kSamples) stats->bad_row_samples.resize(BadRowLog::kSamples);
    return status;
  }

 private:
  const JoinSide& build() const { return build_is_left_ ? left_ : right_; }
  const JoinSide& probe() const { return build_is_left_ ? right_ : left_; }

  RowEmitter NewEmitter() const {
    return RowEmitter(columns_, left_.dialect, static_cast<uint32_t>(left_.schema.names.size()), right_.dialect,
                      static_cast<uint32_t>(right_.schema.names.size()), separator_);
  }

  // The RowRef of a build row; field 0's end is known when it is the key.
  RowRef BuildRowRef(const BuildRow& b) const {
    const bool key_is_field_0 = build_key_is_field_0_ && b.key_offset == 0;
    return RowRef{b.row, b.row_size(), b.quoted(), b.plain(),
                  key_is_field_0 ? b.key_size : RowView::kUnknownFieldEnd};
  }

  // Appends the output row of a build row and/or a probe row.
  void EmitPair(RowEmitter& emitter, const RowRef* probe_row, const RowRef* build_row, OutputBuffer* out) const {
    if (build_is_left_) emitter.Emit(build_row, probe_row, out->text());
    else emitter.Emit(probe_row, build_row, out->text());
    out->RowAdded();
  }

  void StartPhase(const char* name, const JoinSide& side) const {
    if (options_.progress == nullptr) return;
    const std::string label = std::string(name) + " (" + (&side == &left_ ? "left" : "right") + ")";
    options_.progress->StartPhase(label, side.bytes == UINT64_MAX ? 0 : side.bytes);
  }
  void ChunkDone(const Chunk& chunk, uint64_t rows) const {
    if (options_.progress != nullptr) options_.progress->Add(chunk.size, rows);
  }

  // Phase 1 (sink) and 2 (finalize).
  Status BuildSide() {
    const JoinSide& side = build();
    StartPhase("build", side);
    const int workers = options_.threads;
    auto staging = std::make_unique<RowStaging>(table_.size(), workers);
    std::vector<KeyArena> arenas(workers);
    null_key_rows_.resize(workers);
    std::vector<std::vector<Chunk>> kept(workers);
    std::vector<uint64_t> rows(workers, 0);
    FirstError error;
    RunOnWorkers(workers, [&](int worker) {
      RowScanner scanner(side.dialect, static_cast<uint32_t>(side.schema.names.size()), side.schema.key_fields);
      KeyEncoder encoder(side.schema.key_fields.size(), options_.null_keys_equal);
      Chunk chunk;
      struct Visitor {
        Join* join;
        KeyEncoder* encoder;
        KeyArena* arena;
        RowStaging* staging;
        int worker;
        std::vector<BuildRow>* null_rows;
        const Chunk* chunk;
        uint64_t rows = 0;
        void OnRow(const RowView& r) {
          ++rows;
          BuildRow b;
          if (!MakeBuildRow(r, *chunk, join->build_log_.get(), &b)) return;
          std::string_view key;
          if (!encoder->Encode(r.keys, &key)) {
            if (join->track_build_matches_) null_rows->push_back(b);
            return;
          }
          b.hash = KeyEncoder::Hash(key);
          b.key_size = static_cast<uint32_t>(key.size());
          if (encoder->single() && r.keys_in_row) {
            b.key_offset = static_cast<int32_t>(key.data() - r.data);
          } else {
            b.row = arena->StoreKeyAndRow(key, std::string_view(r.data, r.size));
            b.key_offset = -static_cast<int32_t>(key.size());
          }
          staging->Add(worker, join->table_.PartitionOf(b.hash), b);
        }
        bool OnBadRow(uint64_t offset, std::string message) {
          return join->build_log_->Report(*chunk, offset, std::move(message));
        }
      } visitor{this, &encoder, &arenas[worker], staging.get(), worker, &null_key_rows_[worker], &chunk};
      while (NextChunk(side.reader, &error, *build_log_, &chunk)) {
        const uint64_t rows_before = visitor.rows;
        scanner.Scan(chunk.data, chunk.size, side.header && chunk.starts_file, visitor);
        ChunkDone(chunk, visitor.rows - rows_before);
        kept[worker].push_back(std::move(chunk));
      }
      rows[worker] = visitor.rows;
    });
    if (error.set()) return error.status();
    if (build_log_->failed()) return build_log_->FirstError();
    for (auto& worker_chunks : kept) {
      for (Chunk& chunk : worker_chunks) build_chunks_.push_back(std::move(chunk));
    }
    for (KeyArena& arena : arenas) key_arenas_.push_back(std::move(arena));
    for (uint64_t r : rows) build_rows_ += r;
    table_.Build(std::move(staging), options_.keep_left_order, track_build_matches_, workers);
    return Status::OK();
  }

  // Probes rows against table_ and writes the results: one per worker.
  class Prober {
   public:
    Prober(Join* join, int lane) : join_(join), emitter_(join->NewEmitter()), out_(join->sink_, lane), batch_(&join->table_) {}

    // Looks `row` up (batched). `key` must stay valid until EndUnit unless
    // copy_key is set.
    void Add(const RowRef& row, bool has_key, std::string_view key, uint64_t hash, bool copy_key) {
      if (batch_.Add(row, has_key, key, hash, copy_key)) Resolve();
    }
    // Finishes the rows added so far (call before their bytes go away).
    void EndUnit() {
      Resolve();
      emitter_.ForgetRows();
    }
    OutputBuffer& out() { return out_; }

   private:
    void Resolve() {
      batch_.Resolve([this](const ProbeBatch::Entry& e) {
        const JoinType type = join_->options_.type;
        bool matched = false;
        for (uint32_t i = e.begin; i < e.end; ++i) {
          if (!e.partition->KeyEquals(i, e.hash, e.key)) continue;
          matched = true;
          if (OutputsLeftOnly(type)) break;
          if (join_->track_build_matches_) e.partition->MarkMatched(i);
          const RowRef build_row = join_->BuildRowRef(e.partition->row(i));
          join_->EmitPair(emitter_, &e.row, &build_row, &out_);
        }
        if (type == JoinType::kSemi ? matched : (!matched && join_->probe_keeps_unmatched_)) {
          join_->EmitPair(emitter_, &e.row, nullptr, &out_);
        }
      });
    }

    Join* join_;
    RowEmitter emitter_;
    OutputBuffer out_;
    ProbeBatch batch_;
  };

  // Phase 3.
  Status ProbeSide() {
    const JoinSide& side = probe();
    StartPhase("probe", side);
    const int workers = options_.threads;
    FirstError error;
    ChunkSequencer sequencer;
    std::vector<uint64_t> rows(workers, 0);
    std::vector<uint64_t> emitted(workers, 0);
    RunOnWorkers(workers, [&](int worker) {
      RowScanner scanner(side.dialect, static_cast<uint32_t>(side.schema.names.size()), side.schema.key_fields);
      KeyEncoder encoder(side.schema.key_fields.size(), options_.null_keys_equal);
      Prober prober(this, options_.keep_left_order ? 0 : worker);
      Chunk chunk;
      struct Visitor {
        KeyEncoder* encoder;
        Prober* prober;
        Join* join;
        const Chunk* chunk;
        uint64_t rows = 0;
        void OnRow(const RowView& r) {
          ++rows;
          std::string_view key;
          const bool has_key = encoder->Encode(r.keys, &key);
          const uint64_t hash = has_key ? KeyEncoder::Hash(key) : 0;
          const bool copy_key = !(encoder->single() && r.keys_in_row);
          prober->Add(RowRef{r.data, r.size, r.quoted, r.plain, r.first_field_end}, has_key, key, hash, copy_key);
        }
        bool OnBadRow(uint64_t offset, std::string message) {
          return join->probe_log_->Report(*chunk, offset, std::move(message));
        }
      } visitor{&encoder, &prober, this, &chunk};
      Status write_status;
      while (write_status.ok() && NextChunk(side.reader, &error, *probe_log_, &chunk)) {
        const uint64_t rows_before = visitor.rows;
        scanner.Scan(chunk.data, chunk.size, side.header && chunk.starts_file, visitor);
        prober.EndUnit();
        ChunkDone(chunk, visitor.rows - rows_before);
        write_status =
            options_.keep_left_order ? prober.out().DeliverInOrder(&sequencer, chunk.id) : prober.out().FlushIfFull();
        side.reader->Recycle(std::move(chunk));
      }
      if (write_status.ok()) write_status = prober.out().Flush();
      if (!write_status.ok()) error.Set(write_status);
      rows[worker] = visitor.rows;
      emitted[worker] = prober.out().total_rows();
    });
    if (error.set()) return error.status();
    if (probe_log_->failed()) return probe_log_->FirstError();
    for (int w = 0; w < workers; ++w) {
      probe_rows_ += rows[w];
      output_rows_ += emitted[w];
    }
    return Status::OK();
  }

  // Phase 4: build rows no probe row matched, and build rows with a NULL key.
  Status EmitUnmatchedBuildRows() {
    auto emit = [&](RowEmitter& emitter, const BuildRow& b, OutputBuffer* out) {
      const RowRef row = BuildRowRef(b);
      EmitPair(emitter, nullptr, &row, out);
      return out->FlushIfFull();
    };
    if (options_.keep_left_order) {
      std::vector<BuildRow> unmatched;
      for (size_t p = 0; p < table_.size(); ++p) {
        const HashPartition& part = table_.partition(p);
        for (size_t i = 0; i < part.size(); ++i) {
          if (!part.IsMatched(i)) unmatched.push_back(part.row(i));
        }
      }
      for (const auto& rows : null_key_rows_) unmatched.insert(unmatched.end(), rows.begin(), rows.end());
      std::sort(unmatched.begin(), unmatched.end(), InputOrderLess);
      RowEmitter emitter = NewEmitter();
      OutputBuffer out(sink_, 0);
      for (const BuildRow& b : unmatched) MF_RETURN_IF_ERROR(emit(emitter, b, &out));
      MF_RETURN_IF_ERROR(out.Flush());
      output_rows_ += out.total_rows();
      return Status::OK();
    }
    const int workers = options_.threads;
    std::vector<std::unique_ptr<OutputBuffer>> outs;
    std::vector<RowEmitter> emitters;
    for (int w = 0; w < workers; ++w) {
      outs.push_back(std::make_unique<OutputBuffer>(sink_, w));
      emitters.push_back(NewEmitter());
    }
    FirstError error;
    const size_t partitions = table_.size();
    ParallelFor(partitions + null_key_rows_.size(), workers, [&](size_t p, int worker) {
      if (error.set()) return;
      Status status;
      if (p < partitions) {
        const HashPartition& part = table_.partition(p);
        for (size_t i = 0; i < part.size() && status.ok(); ++i) {
          if (!part.IsMatched(i)) status = emit(emitters[worker], part.row(i), outs[worker].get());
        }
      } else {
        for (const BuildRow& b : null_key_rows_[p - partitions]) {
          if (status.ok()) status = emit(emitters[worker], b, outs[worker].get());
        }
      }
      if (!status.ok()) error.Set(status);
    });
    for (auto& out : outs) {
      Status status = out->Flush();
      if (!status.ok()) error.Set(status);
      output_rows_ += out->total_rows();
    }
    return error.status();
  }

  // --- Joins larger than memory (grace hash join) ---------------------------

  // Rough peak memory of holding `side` as a hash table.
  static uint64_t TableBytes(const JoinSide& side) {
    const double rows_per_byte = side.rows_per_byte > 0 ? side.rows_per_byte : 1.0 / 25;
    return side.bytes + static_cast<uint64_t>(static_cast<double>(side.bytes) * rows_per_byte * 48);
  }

  // 0 when the build side fits in the memory limit; else how many
  // partitions both sides are spilled into, so that one partition of each
  // fits at a time.
  Result<size_t> SpillPartitions() const {
    if (options_.memory_limit == 0 || build().bytes == UINT64_MAX || probe().bytes == UINT64_MAX) return size_t{0};
    const uint64_t budget = options_.memory_limit / 10 * 9;
    // Buffers besides the table: chunks in flight and output, per worker.
    const uint64_t overhead =
        (uint64_t{1} << 20) + static_cast<uint64_t>(options_.threads) * (2 * options_.chunk_bytes + (uint64_t{1} << 20));
    const uint64_t need = TableBytes(build());
    if (need + overhead <= budget) return size_t{0};
    auto mib = [](uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; };
    if (options_.keep_left_order)
      return Status::IOError("--order left needs the right side in memory (about " + mib(need) +
                             "), more than --memory-limit allows (" + mib(options_.memory_limit) + ")");
    if (budget < 2 * overhead)
      return Status::IOError("--memory-limit " + mib(options_.memory_limit) + " is too small; give at least " +
                             mib(overhead * 3));
    const uint64_t per_partition = (budget - overhead) / 2;
    const uint64_t total = need + TableBytes(probe());
    const uint64_t wanted = (total + per_partition - 1) / per_partition;
    return std::clamp<size_t>(std::bit_ceil(static_cast<size_t>(wanted)), 2, 4096);
  }

  // Writes every row of `side` to `spill`, by the top bits of its key hash.
  Status PartitionToDisk(const JoinSide& side, BadRowLog* log, SpillFiles* spill, int spill_bits, uint64_t* rows_out) {
    StartPhase("partition", side);
    const int workers = options_.threads;
    std::vector<uint64_t> rows(workers, 0);
    FirstError error;
    RunOnWorkers(workers, [&](int worker) {
      RowScanner scanner(side.dialect, static_cast<uint32_t>(side.schema.names.size()), side.schema.key_fields);
      KeyEncoder encoder(side.schema.key_fields.size(), options_.null_keys_equal);
      Chunk chunk;
      struct Visitor {
        KeyEncoder* encoder;
        SpillFiles* spill;
        BadRowLog* log;
        FirstError* error;
        int worker;
        int spill_bits;
        const Chunk* chunk;
        uint64_t rows = 0;
        void OnRow(const RowView& r) {
          ++rows;
          BuildRow b;
          if (!MakeBuildRow(r, *chunk, log, &b)) return;
          std::string_view key;
          size_t partition = spill->null_partition();
          if (encoder->Encode(r.keys, &key)) {
            b.hash = KeyEncoder::Hash(key);
            partition = static_cast<size_t>(b.hash >> (64 - spill_bits));
          } else {
            key = {};
          }
          Status status = spill->Append(worker, partition, b, key);
          if (!status.ok()) error->Set(std::move(status));
        }
        bool OnBadRow(uint64_t offset, std::string message) { return log->Report(*chunk, offset, std::move(message)); }
      } visitor{&encoder, spill, log, &error, worker, spill_bits, &chunk};
      while (NextChunk(side.reader, &error, *log, &chunk)) {
        const uint64_t rows_before = visitor.rows;
        scanner.Scan(chunk.data, chunk.size, side.header && chunk.starts_file, visitor);
        ChunkDone(chunk, visitor.rows - rows_before);
        side.reader->Recycle(std::move(chunk));
      }
      rows[worker] = visitor.rows;
    });
    if (error.set()) return error.status();
    if (log->failed()) return log->FirstError();
    for (uint64_t r : rows) *rows_out += r;
    return spill->Finish();
  }

  // Probes `rows` (spilled probe rows; has_key false for the NULL partition)
  // on all workers, one lane each.
  Status ProbeSpilledRows(const std::vector<BuildRow>& rows, bool has_key) {
    const int workers = options_.threads;
    constexpr size_t kSlice = 1 << 14;
    std::vector<std::unique_ptr<Prober>> probers;
    for (int w = 0; w < workers; ++w) probers.push_back(std::make_unique<Prober>(this, w));
    FirstError error;
    ParallelFor((rows.size() + kSlice - 1) / kSlice, workers, [&](size_t slice, int worker) {
      Prober& prober = *probers[worker];
      const size_t end = std::min(rows.size(), (slice + 1) * kSlice);
      for (size_t i = slice * kSlice; i < end; ++i) {
        const BuildRow& b = rows[i];
        prober.Add(RowRef{b.row, b.row_size(), b.quoted(), b.plain(), RowView::kUnknownFieldEnd}, has_key,
                   b.key_view(), b.hash, false);
      }
      prober.EndUnit();
      Status status = prober.out().FlushIfFull();
      if (!status.ok()) error.Set(status);
    });
    for (auto& prober : probers) {
      Status status = prober->out().Flush();
      if (!status.ok()) error.Set(status);
      output_rows_ += prober->out().total_rows();
    }
    return error.status();
  }

  Status GraceJoin(size_t spill_partitions, JoinStats* stats) {
    const int spill_bits = std::bit_width(spill_partitions) - 1;
    std::string base = options_.temp_dir.empty() ? (getenv("TMPDIR") != nullptr ? getenv("TMPDIR") : "/tmp")
                                                 : options_.temp_dir;
    std::string dir = base + "/mergeflow-spill-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) return ErrnoStatus("cannot create a temporary directory in " + base, errno);
    const int cleanup = RegisterCleanup([dir] { std::filesystem::remove_all(dir); });
    Status status = GraceJoinIn(dir, spill_partitions, spill_bits, stats);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    UnregisterCleanup(cleanup);
    return status;
  }

  Status GraceJoinIn(const std::string& dir, size_t spill_partitions, int spill_bits, JoinStats* stats) {
    const int workers = options_.threads;
    const size_t buffer = std::clamp<size_t>(
        options_.memory_limit / 4 / ((spill_partitions + 1) * static_cast<size_t>(workers)), 4 << 10, 256 << 10);
    SpillFiles build_spill(dir, "build", spill_partitions, workers, buffer);
    SpillFiles probe_spill(dir, "probe", spill_partitions, workers, buffer);
    double start = MonotonicSeconds();
    MF_RETURN_IF_ERROR(PartitionToDisk(build(), build_log_.get(), &build_spill, spill_bits, &build_rows_));
    MF_RETURN_IF_ERROR(PartitionToDisk(probe(), probe_log_.get(), &probe_spill, spill_bits, &probe_rows_));
    stats->spill_partitions = static_cast<int>(spill_partitions);
    for (size_t q = 0; q <= spill_partitions; ++q) stats->spilled_bytes += build_spill.Bytes(q) + probe_spill.Bytes(q);
    stats->build_seconds = MonotonicSeconds() - start;
    start = MonotonicSeconds();
    if (options_.progress != nullptr) options_.progress->StartPhase("join partitions", stats->spilled_bytes);
    for (size_t q = 0; q < spill_partitions; ++q) {
      LargeBuffer build_bytes;
      MF_ASSIGN_OR_RETURN(std::vector<BuildRow> build_rows, build_spill.Load(q, &build_bytes));
      table_ = PartitionedTable(PartitionBitsFor(build_spill.Bytes(q)), spill_bits);
      auto staging = std::make_unique<RowStaging>(table_.size(), 1);
      for (const BuildRow& row : build_rows) staging->Add(0, table_.PartitionOf(row.hash), row);
      std::vector<BuildRow>().swap(build_rows);
      table_.Build(std::move(staging), false, track_build_matches_, workers);
      {
        LargeBuffer probe_bytes;
        MF_ASSIGN_OR_RETURN(std::vector<BuildRow> probe_rows, probe_spill.Load(q, &probe_bytes));
        MF_RETURN_IF_ERROR(ProbeSpilledRows(probe_rows, true));
        if (options_.progress != nullptr) {
          options_.progress->Add(build_spill.Bytes(q) + probe_spill.Bytes(q), probe_rows.size());
        }
      }
      if (track_build_matches_) MF_RETURN_IF_ERROR(EmitUnmatchedBuildRows());
      table_ = PartitionedTable(0);
      build_spill.Remove(q);
      probe_spill.Remove(q);
    }
    // Rows with a NULL key match nothing; they appear when their side is kept.
    const size_t nulls = spill_partitions;
    if (track_build_matches_) {
      LargeBuffer bytes;
      MF_ASSIGN_OR_RETURN(null_key_rows_.emplace_back(), build_spill.Load(nulls, &bytes));
      MF_RETURN_IF_ERROR(EmitUnmatchedBuildRows());
      null_key_rows_.clear();
    }
    {
      LargeBuffer bytes;
      MF_ASSIGN_OR_RETURN(std::vector<BuildRow> probe_rows, probe_spill.Load(nulls, &bytes));
      MF_RETURN_IF_ERROR(ProbeSpilledRows(probe_rows, false));
    }
    stats->probe_seconds = MonotonicSeconds() - start;
    return Status::OK();
  }

  const JoinSide& left_;
  const JoinSide& right_;
  const std::vector<OutputColumn>& columns_;
  const char separator_;
  const JoinOptions& options_;
  OutputSink* const sink_;
  const bool build_is_left_;
  bool track_build_matches_ = false;
  bool probe_keeps_unmatched_ = false;
  bool build_key_is_field_0_ = false;  // a single key, the first column
  PartitionedTable table_;
  std::vector<std::vector<BuildRow>> null_key_rows_;   // per worker
  std::vector<Chunk> build_chunks_;                    // the bytes every BuildRow points into
  std::vector<KeyArena> key_arenas_;                   // keys that are not slices of their row
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
  return join.Run(stats);
}

}  // namespace mergeflow
