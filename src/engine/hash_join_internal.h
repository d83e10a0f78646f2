// HashJoin: the engine behind RunHashJoin (hash_join.h), internal to
// src/engine.
//
// In memory (join.cc): build sink, finalize, probe, unmatched build rows.
// Larger than memory (grace_join.cc): both sides are partitioned to disk by
// key hash, then each partition is joined in memory, its build side in
// blocks when even one partition is too large (a heavy key).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/first_error.h"
#include "common/thread_pool.h"
#include "io/temp_directory.h"
#include "engine/hash_join.h"
#include "engine/key_arena.h"
#include "engine/key_encoder.h"
#include "engine/partitioned_table.h"
#include "engine/probe_batch.h"
#include "engine/scan_side.h"
#include "engine/spill_files.h"
#include "text/row_scanner.h"

namespace mergeflow {

// Radix bits for a build side of `build_bytes`: partitions of about 256 KiB.
int PartitionBitsFor(uint64_t build_bytes);

// Fills `b` with the row of `r` (not its key or hash). A row too long for a
// BuildRow is reported to `log` instead, and false returned.
bool MakeBuildRow(const RowView& r, const Chunk& chunk, BadRowLog* log, BuildRow* b);

class HashJoin {
 public:
  HashJoin(const JoinSide& left, const JoinSide& right, const JoinOptions& options, MatchOutput* output);
  HashJoin(const HashJoin&) = delete;
  HashJoin& operator=(const HashJoin&) = delete;

  Status Run(JoinStats* stats);

 private:
  // Probes rows against table_ and hands the results to a lane of the
  // output: one per worker.
  class Prober {
   public:
    // `chunk`: where the probe rows lie, if they come from the input (see
    // MatchOutput::NewLane).
    Prober(HashJoin* join, int worker, const Chunk* chunk);
    // Looks `row` up (batched). `key` must stay valid until EndUnit unless
    // copy_key is set. With a match log (see SetMatchLog), `index` is the
    // row's number in it.
    void Add(const RowRef& row, bool has_key, std::string_view key, uint64_t hash, bool copy_key,
             uint64_t index = 0) {
      if (batch_.Add(row, has_key, key, hash, copy_key, index)) Resolve();
    }
    // Finishes the rows added so far (call before their bytes go away).
    void EndUnit();
    MatchLane& lane() { return *lane_; }
    // From now on, records each probe row that matched in `matched` (a bit
    // per row index) instead of writing semi-join and unmatched rows: for a
    // build side joined in several blocks, those are only known at the end.
    void SetMatchLog(std::vector<uint64_t>* matched) { matched_ = matched; }

   private:
    void Resolve();

    HashJoin* join_;
    std::unique_ptr<MatchLane> lane_;
    ProbeBatch batch_;
    std::vector<uint64_t>* matched_ = nullptr;
  };

  const JoinSide& build() const { return build_is_left_ ? left_ : right_; }
  const JoinSide& probe() const { return build_is_left_ ? right_ : left_; }
  // The RowRef of a build row; field 0's end is known when it is the key.
  RowRef BuildRowRef(const BuildRow& b) const;
  // The RowRef of a spilled probe row.
  static RowRef SpilledRowRef(const BuildRow& b) {
    return RowRef{b.row, b.row_size(), b.quoted(), b.plain(), RowView::kUnknownFieldEnd};
  }
  // Hands `lane` the result of a build row and/or a probe row.
  void Take(MatchLane& lane, const RowRef* probe_row, const RowRef* build_row) const {
    if (build_is_left_)
      lane.Take(build_row, probe_row);
    else
      lane.Take(probe_row, build_row);
  }
  void StartPhase(const char* name, const JoinSide& side) const;

  // Scans `side` on every worker (see join/scan_side.h).
  template <class MakeVisitor, class AfterChunk, class Finish>
  Status ScanSide(const JoinSide& side, BadRowLog* log, uint64_t* rows, MakeVisitor make_visitor,
                  AfterChunk after_chunk, Finish finish) {
    return mergeflow::ScanSide(side, options_.threads, options_.progress, log, rows, make_visitor, after_chunk,
                               finish);
  }

  // In memory (join.cc).
  Status BuildSide();
  Status ProbeSide();
  // Build rows no probe row matched, and build rows with a NULL key.
  Status EmitUnmatchedBuildRows();

  // Larger than memory (grace_join.cc).
  // Rough peak memory of holding `side` as a hash table.
  static uint64_t TableBytes(const JoinSide& side);
  // The memory this join may use: 90% of what the limit leaves beside the
  // operator's reserve (a margin for what estimates miss).
  uint64_t Budget() const;
  // Memory besides hash tables: chunks in flight and output buffers.
  uint64_t WorkerOverhead() const;
  // Bytes of spilled build records a block of a spill partition may hold.
  uint64_t BlockBytes() const;
  // Bytes of spilled probe records read at a time (they only stream past).
  uint64_t StreamBytes() const;
  // 0 when the build side fits in the memory limit; else the number of
  // partitions to spill into.
  Result<size_t> SpillPartitions() const;
  // Writes every row of `side` to `spill`, by the top bits of its key hash.
  Status PartitionToDisk(const JoinSide& side, BadRowLog* log, SpillFiles* spill, int spill_bits, uint64_t* rows);
  // Spills into a fresh temporary directory, joins, removes the directory.
  Status GraceJoin(size_t spill_partitions, JoinStats* stats);
  Status GraceJoinIn(const TempDirectory& dir, size_t spill_partitions, int spill_bits, JoinStats* stats);
  // Makes table_ from spilled build rows (`bytes` of records).
  Status BuildSpilledTable(const std::vector<BuildRow>& rows, uint64_t bytes, int spill_bits);
  // Joins spill partition `q`; its build side in blocks when it is larger
  // than BlockBytes().
  Status JoinSpilledPartition(const SpillFiles& build_spill, const SpillFiles& probe_spill, size_t q, int spill_bits);
  // Probes every spilled probe row of `q` against table_ on all workers.
  Status ProbeSpilledPartition(const SpillFiles& probe_spill, size_t q, bool has_key,
                               std::vector<uint64_t>* match_log);
  // After the last build block: the probe rows of `q` whose result depends
  // on whether they matched at all (semi, anti, unmatched rows).
  Status EmitByMatchLog(const SpillFiles& probe_spill, size_t q, const std::vector<uint64_t>& match_log);

  const JoinSide& left_;
  const JoinSide& right_;
  const JoinOptions& options_;
  MatchOutput* const output_;
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
  int partitions_in_blocks_ = 0;
  LargeBuffer spilled_build_bytes_;  // the loaded build records of one spill partition, reused
};

}  // namespace mergeflow
