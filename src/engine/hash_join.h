// The hash join: partition by key hash, then join each partition. Every
// keyed operator runs on it (the join, aggregate), each with a MatchOutput
// of its own (engine/match_output.h).
//
// Phases (after DuckDB's sink / finalize / probe):
//  1. build sink: worker threads parse row-aligned chunks of the build side,
//     keep each row as opaque bytes and file a BuildRow under the radix
//     partition given by the top bits of its key hash;
//  2. finalize: each partition becomes a HashPartition, in parallel;
//  3. probe: worker threads parse chunks of the other side and look each key
//     up in its partition, handing results to their lane as they go;
//  4. unmatched build rows are handed over when the join type keeps them.
// The partition is the unit that spills to disk and, by its key hash, picks
// the MPI rank that owns it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "engine/join_type.h"
#include "engine/match_output.h"
#include "engine/spill_files.h"
#include "text/bad_row_log.h"
#include "text/chunk_reader.h"

namespace mergeflow {

// The columns of one input of the join.
struct SideSchema {
  std::vector<std::string> names;   // column names in file order
  std::vector<uint32_t> key_fields; // indexes of the key columns, pairwise with the other side's
};

// One input of the join.
struct JoinSide {
  ChunkReader* reader = nullptr;
  Dialect dialect;
  bool header = true;     // the first row of every file is a header
  SideSchema schema;      // names and key fields
  uint64_t bytes = 0;     // total input size (UINT64_MAX when unknown)
  double rows_per_byte = 0;  // estimated from the start of the input (0: unknown)
};

struct JoinOptions {
  JoinType type = JoinType::kInner;
  bool null_keys_equal = false;   // empty keys match each other (pandas)
  bool keep_left_order = false;   // results in the left input's order (the join's --order left)
  bool build_right = false;       // build the right side, whatever the sizes (a lookup table)
  bool skip_bad_rows = false;     // --bad-rows skip
  int threads = 1;
  Progress* progress = nullptr;   // where to report progress, if anywhere
  uint64_t memory_limit = 0;      // bytes; 0: no limit. Above it, partitions spill to disk
  uint64_t reserved_bytes = 0;    // of memory_limit, held by the operator (the engine keeps to the rest)
  size_t chunk_bytes = 4 << 20;   // the readers' chunk size, for memory estimates
  std::string temp_dir;           // where spilled partitions go
  SpillCodec spill_codec = SpillCodec::kLz4;  // how they are compressed there
};

struct JoinStats {
  uint64_t left_rows = 0;
  uint64_t right_rows = 0;
  uint64_t output_rows = 0;
  uint64_t bad_rows_skipped = 0;
  std::vector<BadRow> bad_row_samples;  // the first few skipped rows
  std::string build_side;               // "left" or "right"
  int partitions = 0;
  int spill_partitions = 0;             // 0 when the join ran in memory
  uint64_t spilled_bytes = 0;           // bytes written to temporary files (compressed, as stored)
  int partitions_in_blocks = 0;         // spill partitions too large for one hash table
  double build_seconds = 0;
  double probe_seconds = 0;
};

// Pairs the rows of `left` and `right` by key as options.type says and hands
// the results to `output`. Returns BadInput naming the file and line of the
// first malformed row unless bad rows are skipped.
//
// When the build side is estimated not to fit in options.memory_limit, both
// sides are first partitioned by key hash into files under
// options.temp_dir (removed afterwards, also on failure), then joined one
// partition at a time (grace hash join).
Status RunHashJoin(const JoinSide& left, const JoinSide& right, const JoinOptions& options, MatchOutput* output,
                   JoinStats* stats);

}  // namespace mergeflow
