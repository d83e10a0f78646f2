// Upsert: applies change files to a dataset and publishes the result as a
// new version (DESIGN.md section 6, "Upserts").
//
// Rows live in key-hash buckets: part-NNNNN of a version holds bucket NNNNN.
// The changes are reduced to one per key (upsert/change_set.h); then the
// current rows of every bucket the changes touch are streamed once and each
// decided against its key's change, the changes left over are inserts, and
// a bucket no change touches is kept by reference to its parent's part. A
// delete leaves a tombstone (key and order value) in the bucket's
// tombstones file for --tombstone-versions upserts, so that a late, older
// update does not bring the row back.
//
// With --merge-on-read, a touched bucket keeps its part: the rows the
// changes replace or delete are named in the bucket's deletes file
// (dataset/row_deletes.h) and the rows now current that its part lacks go
// to its delta part (rewritten: the old delta's rows that stay, and the
// changes); the bucket is rewritten whole again once its delta outgrows
// --delta-share (a quarter) of its part.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/process_group.h"
#include "ops/upsert/upsert_options.h"

namespace mergeflow {

struct UpsertCounts {
  uint64_t inserted = 0;
  uint64_t updated = 0;
  uint64_t deleted = 0;
  uint64_t unchanged = 0;       // rows of the new version carried over as they were
  uint64_t stale_ignored = 0;   // changes older than the stored row or tombstone
  uint64_t delete_missing = 0;  // deletes of keys that were not there
  uint64_t rejected = 0;        // bad change rows skipped (--bad-rows skip)
};

struct UpsertResult {
  std::string version;  // the version written; empty when nothing was left to apply
  UpsertCounts counts;
  std::vector<std::string> skipped_files;  // change files applied to this dataset before
  uint32_t buckets_rewritten = 0;   // whole, or as deltas
  uint32_t buckets_as_deltas = 0;   // of those rewritten: a deletes file and a delta part (--merge-on-read)
  uint32_t buckets = 0;
  uint32_t bucket_groups = 1;  // groups of buckets merged one after another (memory, open files)
  std::string manifest;        // the version's _SUCCESS (on the leader)
};

// Applies `change_files` to `dataset` (created when it is not a dataset yet)
// as run `run_id`: writes a new version and, unless `publish` is false,
// publishes it with action "upsert". Change files applied to the dataset
// before (same SHA-256) are skipped; with none left, nothing is written.
//
// Every process of `group` calls it (with the same run id). Process r of n
// owns buckets r, r + n, ...: it reads every change file but keeps only
// its buckets' changes, merges them with the stored rows of those buckets
// and writes their parts and tombstones; the leader writes the manifest
// and publishes. The version is the one a single process would write.
// Within a process, options.threads workers share the stored rows to merge.
// Errors name the process they happened on; the others say which failed.
// The result's counts are the whole upsert's on the leader, each process's
// own elsewhere.
Result<UpsertResult> RunUpsert(const std::string& dataset, const std::vector<std::string>& change_files,
                               const UpsertOptions& options, const std::string& run_id, bool publish,
                               const ProcessGroup& group);

// Rewrites whole every bucket of `dataset`'s current version that has a
// deletes file or a delta part (--merge-on-read), as run `run_id`, by the
// key, order and merge rules the version's manifest keeps, and unless
// `publish` is false publishes the result with action "compact": afterwards
// the manifest's parts alone hold the current rows (what engines that know
// only "parts" read). `options` gives threads, memory and temp dir. The
// result's version is empty when no bucket needed it.
Result<UpsertResult> CompactDataset(const std::string& dataset, const UpsertOptions& options,
                                    const std::string& run_id, bool publish);

}  // namespace mergeflow
