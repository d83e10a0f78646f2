// Joins larger than memory: a grace hash join over partitions spilled to
// temporary files, with the build side of an oversized partition (a heavy
// key, or an estimate that was off) joined in blocks.
#include <algorithm>
#include <bit>

#include "common/process_stats.h"
#include "io/temp_directory.h"
#include "io/output_committer.h"
#include "engine/hash_join_internal.h"

namespace mergeflow {
namespace {

std::string Mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// Rows per byte of `side`, guessing 25-byte rows when nothing was measured.
double RowsPerByte(const JoinSide& side) { return side.rows_per_byte > 0 ? side.rows_per_byte : 1.0 / 25; }

}  // namespace

uint64_t HashJoin::TableBytes(const JoinSide& side) {
  const double rows_per_byte = RowsPerByte(side);
  return side.bytes + static_cast<uint64_t>(static_cast<double>(side.bytes) * rows_per_byte * 48);
}

uint64_t HashJoin::WorkerOverhead() const {
  // Per worker: the chunk it parses, the chunk a reading thread of each
  // side holds ready (ChunkReader), an output buffer; plus a little.
  return (uint64_t{1} << 20) +
         static_cast<uint64_t>(options_.threads) * (3 * options_.chunk_bytes + (uint64_t{1} << 20));
}

uint64_t HashJoin::Budget() const {
  const uint64_t limit = options_.memory_limit;
  return (limit - std::min(limit, options_.reserved_bytes)) / 10 * 9;
}

uint64_t HashJoin::StreamBytes() const { return std::min<uint64_t>(BlockBytes(), uint64_t{64} << 20); }

uint64_t HashJoin::BlockBytes() const {
  const uint64_t budget = Budget();
  // A block of build records, its hash table, and a block of probe records.
  return (budget - WorkerOverhead()) / 3;
}

Result<size_t> HashJoin::SpillPartitions() const {
  if (options_.memory_limit == 0) return size_t{0};
  const uint64_t budget = Budget();
  // A build side read from a pipe has no size to judge by: spill it into a
  // fixed number of partitions and let blocks absorb whatever is too big.
  const bool size_known = build().bytes != UINT64_MAX;
  const uint64_t need = size_known ? TableBytes(build()) : 0;
  if (size_known && need + WorkerOverhead() <= budget) return size_t{0};
  if (options_.keep_left_order) {
    if (!size_known) return size_t{0};  // ordered output cannot spill: hope it fits
    return Status::IOError("--order left needs the right side in memory (about " + Mib(need) +
                           "), more than --memory-limit allows (" + Mib(options_.memory_limit) + ")");
  }
  if (budget < 2 * WorkerOverhead())
    return Status::IOError("--memory-limit " + Mib(options_.memory_limit) + " is too small; give at least " +
                           Mib(WorkerOverhead() * 3 + options_.reserved_bytes));
  if (!size_known) return size_t{64};
  // Aim for build partitions of half a block, so that uneven ones still fit.
  const double records = static_cast<double>(build().bytes) * (1 + RowsPerByte(build()) * 32);
  const double wanted = records / static_cast<double>(BlockBytes() / 2);
  return std::clamp<size_t>(std::bit_ceil(static_cast<size_t>(wanted) + 1), 2, 4096);
}

Status HashJoin::PartitionToDisk(const JoinSide& side, BadRowLog* log, SpillFiles* spill, int spill_bits, uint64_t* rows) {
  StartPhase("partition", side);
  struct Visitor {
    KeyEncoder encoder;
    SpillFiles* spill;
    BadRowLog* log;
    int worker;
    int spill_bits;
    const Chunk* chunk;
    Status status;
    uint64_t rows = 0;
    void OnRow(const RowView& r) {
      ++rows;
      BuildRow b;
      if (!MakeBuildRow(r, *chunk, log, &b)) return;
      std::string_view key;
      size_t partition = spill->null_partition();
      if (encoder.Encode(r.keys, &key)) {
        partition = static_cast<size_t>(KeyEncoder::Hash(key) >> (64 - spill_bits));
      } else {
        key = {};
      }
      const bool key_is_row_prefix = encoder.single() && r.keys_in_row && key.data() == r.data;
      if (status.ok()) status = spill->Append(worker, partition, b, key, key_is_row_prefix);
    }
    bool OnBadRow(uint64_t offset, std::string message) { return log->Report(*chunk, offset, std::move(message)); }
  };
  MF_RETURN_IF_ERROR(ScanSide(
      side, log, rows,
      [&](int worker, const Chunk* chunk) {
        return Visitor{KeyEncoder(side.schema.key_fields.size(), options_.null_keys_equal),
                       spill,
                       log,
                       worker,
                       spill_bits,
                       chunk,
                       Status::OK()};
      },
      [&](int, Visitor& visitor, Chunk& chunk) {
        side.reader->Recycle(std::move(chunk));  // its rows are on disk now
        return visitor.status;
      },
      [](int, Visitor& visitor) { return visitor.status; }));
  return spill->Finish();
}

Status HashJoin::GraceJoin(size_t spill_partitions, JoinStats* stats) {
  MF_ASSIGN_OR_RETURN(std::unique_ptr<TempDirectory> dir,
                      TempDirectory::Create(options_.temp_dir, "mergeflow-spill-" + NewRunId()));
  return GraceJoinIn(*dir, spill_partitions, std::bit_width(spill_partitions) - 1, stats);
}

Status HashJoin::GraceJoinIn(const TempDirectory& dir, size_t spill_partitions, int spill_bits, JoinStats* stats) {
  const int workers = options_.threads;
  const size_t buffer = std::clamp<size_t>(
      options_.memory_limit / 4 / ((spill_partitions + 1) * static_cast<size_t>(workers)), 4 << 10, 256 << 10);
  SpillFiles build_spill(dir.fs(), dir.path(), "build", spill_partitions, workers, buffer, options_.spill_codec);
  SpillFiles probe_spill(dir.fs(), dir.path(), "probe", spill_partitions, workers, buffer, options_.spill_codec);
  double start = MonotonicSeconds();
  MF_RETURN_IF_ERROR(PartitionToDisk(build(), build_log_.get(), &build_spill, spill_bits, &build_rows_));
  MF_RETURN_IF_ERROR(PartitionToDisk(probe(), probe_log_.get(), &probe_spill, spill_bits, &probe_rows_));
  stats->spill_partitions = static_cast<int>(spill_partitions);
  uint64_t spilled_records = 0;
  for (size_t q = 0; q <= spill_partitions; ++q) {
    spilled_records += build_spill.Bytes(q) + probe_spill.Bytes(q);
    stats->spilled_bytes += build_spill.StoredBytes(q) + probe_spill.StoredBytes(q);
  }
  stats->build_seconds = MonotonicSeconds() - start;
  start = MonotonicSeconds();
  if (options_.progress != nullptr) options_.progress->StartPhase("join partitions", spilled_records);
  for (size_t q = 0; q < spill_partitions; ++q) {
    MF_RETURN_IF_ERROR(JoinSpilledPartition(build_spill, probe_spill, q, spill_bits));
    if (options_.progress != nullptr) {
      options_.progress->Add(build_spill.Bytes(q) + probe_spill.Bytes(q), probe_spill.Count(q));
    }
    build_spill.Remove(q);
    probe_spill.Remove(q);
  }
  // Rows with a NULL key match nothing; they appear when their side is kept.
  const size_t nulls = build_spill.null_partition();
  table_ = PartitionedTable(0);
  if (track_build_matches_) {
    LargeBuffer bytes;
    MF_ASSIGN_OR_RETURN(null_key_rows_.emplace_back(), build_spill.Load(nulls, &bytes));
    MF_RETURN_IF_ERROR(EmitUnmatchedBuildRows());
    null_key_rows_.clear();
  }
  MF_RETURN_IF_ERROR(ProbeSpilledPartition(probe_spill, nulls, false, nullptr));
  stats->probe_seconds = MonotonicSeconds() - start;
  stats->partitions_in_blocks = partitions_in_blocks_;
  return Status::OK();
}

Status HashJoin::BuildSpilledTable(const std::vector<BuildRow>& rows, uint64_t bytes, int spill_bits) {
  table_ = PartitionedTable(PartitionBitsFor(bytes), spill_bits);
  auto staging = std::make_unique<RowStaging>(table_.size(), 1);
  for (const BuildRow& row : rows) staging->Add(0, table_.PartitionOf(row.hash), row);
  table_.Build(std::move(staging), false, track_build_matches_, options_.threads);
  return Status::OK();
}

Status HashJoin::JoinSpilledPartition(const SpillFiles& build_spill, const SpillFiles& probe_spill, size_t q,
                                  int spill_bits) {
  const uint64_t block_bytes = BlockBytes();
  if (build_spill.Bytes(q) <= block_bytes) {
    MF_ASSIGN_OR_RETURN(std::vector<BuildRow> rows, build_spill.Load(q, &spilled_build_bytes_));
    MF_RETURN_IF_ERROR(BuildSpilledTable(rows, build_spill.Bytes(q), spill_bits));
    MF_RETURN_IF_ERROR(ProbeSpilledPartition(probe_spill, q, true, nullptr));
    if (track_build_matches_) MF_RETURN_IF_ERROR(EmitUnmatchedBuildRows());
    return Status::OK();
  }
  // Too big for one table (a heavy key, or skew): join its build rows a
  // block at a time against all of its probe rows, noting which probe rows
  // ever matched, and settle those at the end.
  ++partitions_in_blocks_;
  std::vector<uint64_t> match_log((probe_spill.Count(q) + 63) / 64, 0);
  MF_RETURN_IF_ERROR(build_spill.ForEachBlock(q, block_bytes, [&](const std::vector<BuildRow>& rows) {
    MF_RETURN_IF_ERROR(BuildSpilledTable(rows, block_bytes, spill_bits));
    MF_RETURN_IF_ERROR(ProbeSpilledPartition(probe_spill, q, true, &match_log));
    if (track_build_matches_) MF_RETURN_IF_ERROR(EmitUnmatchedBuildRows());
    return Status::OK();
  }));
  return EmitByMatchLog(probe_spill, q, match_log);
}

Status HashJoin::ProbeSpilledPartition(const SpillFiles& probe_spill, size_t q, bool has_key,
                                   std::vector<uint64_t>* match_log) {
  const int workers = options_.threads;
  constexpr size_t kSlice = 1 << 14;
  std::vector<std::unique_ptr<Prober>> probers;
  for (int w = 0; w < workers; ++w) {
    probers.push_back(std::make_unique<Prober>(this, w, nullptr));
    probers.back()->SetMatchLog(match_log);
  }
  uint64_t first_index = 0;
  Status status = probe_spill.ForEachBlock(q, StreamBytes(), [&](const std::vector<BuildRow>& rows) {
    FirstError error;
    ParallelFor((rows.size() + kSlice - 1) / kSlice, workers, [&](size_t slice, int worker) {
      Prober& prober = *probers[worker];
      const size_t end = std::min(rows.size(), (slice + 1) * kSlice);
      for (size_t i = slice * kSlice; i < end; ++i) {
        const BuildRow& b = rows[i];
        prober.Add(SpilledRowRef(b), has_key, b.key_view(), b.hash, false, first_index + i);
      }
      prober.EndUnit();
      Status flushed = prober.lane().FlushIfFull();
      if (!flushed.ok()) error.Set(flushed);
    });
    first_index += rows.size();
    return error.status();
  });
  for (auto& prober : probers) {
    Status flushed = prober->lane().Flush();
    if (status.ok()) status = flushed;
    output_rows_ += prober->lane().results();
  }
  return status;
}

Status HashJoin::EmitByMatchLog(const SpillFiles& probe_spill, size_t q, const std::vector<uint64_t>& match_log) {
  const bool semi = options_.type == JoinType::kSemi;
  if (!semi && !probe_keeps_unmatched_) return Status::OK();
  std::unique_ptr<MatchLane> lane = output_->NewLane(0, nullptr);
  uint64_t index = 0;
  Status status = probe_spill.ForEachBlock(q, StreamBytes(), [&](const std::vector<BuildRow>& rows) {
    lane->ForgetRows();
    for (const BuildRow& b : rows) {
      const bool matched = (match_log[index / 64] >> (index % 64)) & 1;
      ++index;
      if (semi ? matched : !matched) {
        const RowRef row = SpilledRowRef(b);
        Take(*lane, &row, nullptr);
      }
    }
    return lane->FlushIfFull();
  });
  MF_RETURN_IF_ERROR(status);
  MF_RETURN_IF_ERROR(lane->Flush());
  output_rows_ += lane->results();
  return Status::OK();
}

}  // namespace mergeflow
