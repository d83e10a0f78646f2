#include "engine/hash_join_internal.h"

#include <algorithm>
#include <bit>

#include "common/process_stats.h"

namespace mergeflow {
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

int PartitionBitsFor(uint64_t build_bytes) {
  if (build_bytes == UINT64_MAX) return 8;
  const uint64_t target = build_bytes / (256 << 10);
  const int bits = target <= 1 ? 0 : std::bit_width(target - 1);
  return std::min(bits, 10);
}

HashJoin::HashJoin(const JoinSide& left, const JoinSide& right, const JoinOptions& options, MatchOutput* output)
    : left_(left),
      right_(right),
      options_(options),
      output_(output),
      build_is_left_(!(options.build_right || options.keep_left_order || OutputsLeftOnly(options.type)) &&
                     left.bytes < right.bytes),
      table_(PartitionBitsFor(build().bytes)) {
  const JoinType type = options.type;
  track_build_matches_ =
      !OutputsLeftOnly(type) && (build_is_left_ ? KeepsUnmatchedLeft(type) : KeepsUnmatchedRight(type));
  probe_keeps_unmatched_ = build_is_left_ ? KeepsUnmatchedRight(type) : KeepsUnmatchedLeft(type);
  build_log_ = std::make_unique<BadRowLog>(options.skip_bad_rows, build().reader);
  build_key_is_field_0_ = build().schema.key_fields == std::vector<uint32_t>{0};
  probe_log_ = std::make_unique<BadRowLog>(options.skip_bad_rows, probe().reader);
}

Status HashJoin::Run(JoinStats* stats) {
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

RowRef HashJoin::BuildRowRef(const BuildRow& b) const {
  const bool key_is_field_0 = build_key_is_field_0_ && b.key_offset == 0;
  return RowRef{b.row, b.row_size(), b.quoted(), b.plain(), key_is_field_0 ? b.key_size : RowView::kUnknownFieldEnd};
}

void HashJoin::StartPhase(const char* name, const JoinSide& side) const {
  if (options_.progress == nullptr) return;
  const std::string label = std::string(name) + " (" + (&side == &left_ ? "left" : "right") + ")";
  options_.progress->StartPhase(label, side.bytes == UINT64_MAX ? 0 : side.bytes);
}

HashJoin::Prober::Prober(HashJoin* join, int worker, const Chunk* chunk)
    : join_(join), lane_(join->output_->NewLane(worker, chunk)), batch_(&join->table_) {}

void HashJoin::Prober::EndUnit() {
  Resolve();
  lane_->ForgetRows();
}

void HashJoin::Prober::Resolve() {
  batch_.Resolve([this](const ProbeBatch::Entry& e) {
    const JoinType type = join_->options_.type;
    bool matched = false;
    for (uint32_t i = e.begin; i < e.end; ++i) {
      if (!e.partition->KeyEquals(i, e.hash, e.key)) continue;
      matched = true;
      if (OutputsLeftOnly(type)) break;
      if (join_->track_build_matches_) e.partition->MarkMatched(i);
      const RowRef build_row = join_->BuildRowRef(e.partition->row(i));
      join_->Take(*lane_, &e.row, &build_row);
    }
    if (matched_ != nullptr) {
      if (matched) {
        std::atomic_ref<uint64_t>((*matched_)[e.index / 64])
            .fetch_or(uint64_t{1} << (e.index % 64), std::memory_order_relaxed);
      }
    } else if (type == JoinType::kSemi ? matched : (!matched && join_->probe_keeps_unmatched_)) {
      join_->Take(*lane_, &e.row, nullptr);
    }
  });
}

// Phase 1 (sink) and 2 (finalize).
Status HashJoin::BuildSide() {
  const JoinSide& side = build();
  StartPhase("build", side);
  const int workers = options_.threads;
  auto staging = std::make_unique<RowStaging>(table_.size(), workers);
  std::vector<KeyArena> arenas(workers);
  null_key_rows_.resize(workers);
  std::vector<std::vector<Chunk>> kept(workers);
  struct Visitor {
    HashJoin* join;
    KeyEncoder encoder;
    KeyArena* arena;
    RowStaging* staging;
    int worker;
    const Chunk* chunk;
    uint64_t rows = 0;
    void OnRow(const RowView& r) {
      ++rows;
      BuildRow b;
      if (!MakeBuildRow(r, *chunk, join->build_log_.get(), &b)) return;
      std::string_view key;
      if (!encoder.Encode(r.keys, &key)) {
        if (join->track_build_matches_) join->null_key_rows_[worker].push_back(b);
        return;
      }
      b.hash = KeyEncoder::Hash(key);
      b.key_size = static_cast<uint32_t>(key.size());
      if (encoder.single() && r.keys_in_row) {
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
  };
  MF_RETURN_IF_ERROR(ScanSide(
      side, build_log_.get(), &build_rows_,
      [&](int worker, const Chunk* chunk) {
        return Visitor{this,
                       KeyEncoder(side.schema.key_fields.size(), options_.null_keys_equal),
                       &arenas[worker],
                       staging.get(),
                       worker,
                       chunk};
      },
      [&](int worker, Visitor&, Chunk& chunk) {
        kept[worker].push_back(std::move(chunk));  // the rows point into it
        return Status::OK();
      },
      [](int, Visitor&) { return Status::OK(); }));
  for (auto& worker_chunks : kept) {
    for (Chunk& chunk : worker_chunks) build_chunks_.push_back(std::move(chunk));
  }
  for (KeyArena& arena : arenas) key_arenas_.push_back(std::move(arena));
  table_.Build(std::move(staging), options_.keep_left_order, track_build_matches_, workers);
  return Status::OK();
}

// Phase 3.
Status HashJoin::ProbeSide() {
  const JoinSide& side = probe();
  StartPhase("probe", side);
  struct Visitor {
    KeyEncoder encoder;
    Prober prober;
    HashJoin* join;
    const Chunk* chunk;
    uint64_t rows = 0;
    void OnRow(const RowView& r) {
      ++rows;
      std::string_view key;
      uint64_t hash;
      const bool has_key = encoder.EncodeAndHash(r.keys, &key, &hash);
      const bool copy_key = !(encoder.single() && r.keys_in_row);
      prober.Add(RowRef{r.data, r.size, r.quoted, r.plain, r.first_field_end}, has_key, key, hash, copy_key);
    }
    bool OnBadRow(uint64_t offset, std::string message) {
      return join->probe_log_->Report(*chunk, offset, std::move(message));
    }
  };
  std::vector<uint64_t> emitted(options_.threads, 0);
  MF_RETURN_IF_ERROR(ScanSide(
      side, probe_log_.get(), &probe_rows_,
      [&](int worker, const Chunk* chunk) {
        return Visitor{KeyEncoder(side.schema.key_fields.size(), options_.null_keys_equal),
                       Prober(this, worker, chunk), this, chunk};
      },
      [&](int, Visitor& visitor, Chunk& chunk) {
        visitor.prober.EndUnit();
        Status status = visitor.prober.lane().EndChunk(chunk.id);
        side.reader->Recycle(std::move(chunk));
        return status;
      },
      [&](int worker, Visitor& visitor) {
        emitted[worker] = visitor.prober.lane().results();
        return visitor.prober.lane().Flush();
      }));
  for (uint64_t rows : emitted) output_rows_ += rows;
  return Status::OK();
}

Status HashJoin::EmitUnmatchedBuildRows() {
  auto emit = [&](MatchLane& lane, const BuildRow& b) {
    const RowRef row = BuildRowRef(b);
    Take(lane, nullptr, &row);
    return lane.FlushIfFull();
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
    std::unique_ptr<MatchLane> lane = output_->NewLane(0, nullptr);
    for (const BuildRow& b : unmatched) MF_RETURN_IF_ERROR(emit(*lane, b));
    MF_RETURN_IF_ERROR(lane->Flush());
    output_rows_ += lane->results();
    return Status::OK();
  }
  const int workers = options_.threads;
  std::vector<std::unique_ptr<MatchLane>> lanes;
  for (int w = 0; w < workers; ++w) lanes.push_back(output_->NewLane(w, nullptr));
  FirstError error;
  const size_t partitions = table_.size();
  ParallelFor(partitions + null_key_rows_.size(), workers, [&](size_t p, int worker) {
    if (error.set()) return;
    Status status;
    if (p < partitions) {
      const HashPartition& part = table_.partition(p);
      for (size_t i = 0; i < part.size() && status.ok(); ++i) {
        if (!part.IsMatched(i)) status = emit(*lanes[worker], part.row(i));
      }
    } else {
      for (const BuildRow& b : null_key_rows_[p - partitions]) {
        if (status.ok()) status = emit(*lanes[worker], b);
      }
    }
    if (!status.ok()) error.Set(status);
  });
  for (auto& lane : lanes) {
    Status status = lane->Flush();
    if (!status.ok()) error.Set(status);
    output_rows_ += lane->results();
  }
  return error.status();
}

Status RunHashJoin(const JoinSide& left, const JoinSide& right, const JoinOptions& options, MatchOutput* output,
                   JoinStats* stats) {
  HashJoin join(left, right, options, output);
  return join.Run(stats);
}

}  // namespace mergeflow
