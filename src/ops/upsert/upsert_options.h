// What an upsert is asked to do (DESIGN.md section 6, "Upserts").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "formats/parquet/parquet_format.h"
#include "ops/upsert/order_value.h"

namespace mergeflow {

struct UpsertOptions {
  std::vector<std::string> key;  // key columns, by name
  std::string order_column;      // --order-by COL
  OrderType order_type = OrderType::kString;
  std::string op_column = "Op";      // I, U or D; files without it hold inserts
  bool commit_time = false;          // --merge-mode commit-time: every change applies
  bool strict = false;               // an update of a missing key is an error
  bool skip_bad_rows = false;        // --bad-rows skip: count rejected rows instead of failing
  uint32_t tombstone_versions = 10;  // how many upserts a delete's tombstone outlives
  uint32_t buckets = 64;             // key-hash buckets of a dataset that has none yet
  // --merge-on-read: a touched bucket keeps its part and gets a deletes file
  // (the part's rows replaced or deleted) and a delta part (the rows that
  // replace them, and new ones) instead of being rewritten whole, while its
  // delta stays under delta_share of its part's bytes (text datasets only).
  bool merge_on_read = false;
  double delta_share = 0.25;
  // A compaction (CompactDataset): no change files; every bucket with a
  // deletes file or a delta part is rewritten whole.
  bool compact = false;
  // Parts' format: tsv, csv or parquet; empty: the dataset's (a new one's:
  // like the change files). A text dataset keeps its separator; a change of
  // format rewrites every bucket.
  std::string format;
  // Of Parquet parts' pages; set (nullopt: zstd) only for a Parquet dataset.
  std::optional<ParquetCodec> parquet_codec;
  std::string separator;             // of the change files; empty: by extension
  bool quoting = true;
  int threads = 1;
  uint64_t memory_limit = 0;  // bytes the reduced changes may hold; 0: no limit
  std::string temp_dir;       // where changes spill when they do not fit in memory
  size_t chunk_bytes = 4 << 20;
};

}  // namespace mergeflow
