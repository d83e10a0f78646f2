// ChangeSet: the changes of one upsert call, read from change files (AWS
// DMS's layout: an optional first column Op = I/U/D) and reduced to one per
// key: the greatest by --order-by value, ties going to the later file on the
// command line, then the later line.
#pragma once

#include <cstdint>
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "io/file_system.h"
#include "text/bad_row_log.h"
#include "text/dialect.h"
#include "ops/upsert/change_table.h"
#include "ops/upsert/upsert_options.h"

namespace mergeflow {

struct ChangeCounts {
  uint64_t rows = 0;      // change rows read
  uint64_t rejected = 0;  // skipped as bad (--bad-rows skip)
  std::vector<BadRow> rejected_samples;
};

class ChangeSet {
 public:
  // Changes are filed under buckets (KeyHash % buckets) and rendered in
  // `columns` (the dataset's, extended by this call's new columns) with
  // `out` as the output dialect. With `keeps`, Read keeps only the changes
  // of buckets b with keeps(b) (those of this process, among several); the
  // others are checked and counted all the same.
  ChangeSet(const UpsertOptions& options, uint32_t buckets, Dialect out, std::function<bool(uint32_t)> keeps = {});

  // The columns of change file `path` that the dataset lacks, in file order
  // (the op column aside); BadInput when the file lacks a key or the order
  // column, or has no header.
  static Result<std::vector<std::string>> NewColumns(const UpsertOptions& options, const std::string& path,
                                                     const std::vector<std::string>& columns);

  // Where Read sends each change instead of reducing it here: a sink may
  // keep it elsewhere (spill it to disk by bucket group).
  // The change's bytes live only for the call.
  using Sink = std::function<Status(uint32_t bucket, std::string_view key, const ChangeView& change)>;

  // Reads change file `file` (index `index` on the command line) whose rows
  // are rendered in `columns`, reducing each change here (on
  // options.threads workers) or handing it to `sink` (on one). A bad row (unknown op, empty key, empty or unparsable
  // order value, wrong field count) is BadInput "file:line: ..." unless
  // options.skip_bad_rows, which counts it instead.
  Status Read(const FileInfo& file, uint32_t index, const std::vector<std::string>& columns,
              const Sink* sink = nullptr);

  // Keeps `change` for `key` (of KeyEncoder::Hash `hash`) in `bucket` if it
  // wins over the change held there. IOError when the changes held outgrow
  // options.memory_limit.
  Status Offer(uint32_t bucket, uint64_t hash, std::string_view key, const ChangeView& change);

  uint32_t buckets() const { return static_cast<uint32_t>(by_bucket_.size()); }
  // The reduced changes of `bucket`, by encoded key (KeyHash's input).
  ChangeTable& bucket(uint32_t b) { return by_bucket_[b]; }
  // Whether any change read or offered falls in bucket `b`.
  bool touches(uint32_t b) const { return touched_[b] != 0; }
  const ChangeCounts& counts() const { return counts_; }
  uint64_t distinct_keys() const;

  // Indexes the keys held now in a filter of 16 to 32 bits a key, so that
  // MayHold answers most questions without a look-up (a stored row's key
  // is seldom among the changes, and looking each up in a large map costs a
  // few cache misses).
  void IndexKeys();
  // False when no change is held for the key of `key_hash` (KeyEncoder::Hash
  // of the encoded key); true when one may be, or when the keys were not
  // indexed since the last Offer.
  bool MayHold(uint64_t key_hash) const {
    if (filter_.empty()) return true;
    const uint64_t bits = FilterBits(key_hash);
    return (filter_[key_hash >> filter_shift_] & bits) == bits;
  }

 private:
  const UpsertOptions& options_;
  Dialect out_;
  std::function<bool(uint32_t)> keeps_;
  // Offer without marking the filter stale; thread-safe.
  Status Keep(uint32_t bucket, uint64_t hash, std::string_view key, const ChangeView& change);

  std::vector<ChangeTable> by_bucket_;
  std::vector<std::mutex> locks_;  // one per bucket, held while a change is offered to it
  std::vector<char> touched_;      // per bucket (not vector<bool>: workers set theirs at once)
  ChangeCounts counts_;
  std::atomic<uint64_t> held_bytes_{0};
  // Two bits a key in one word (a blocked Bloom filter: one cache line a
  // question): the word by the hash's top bits, the bits by two of its
  // middle 6-bit fields (the low bits choose the bucket).
  static uint64_t FilterBits(uint64_t key_hash) {
    return (uint64_t{1} << ((key_hash >> 20) & 63)) | (uint64_t{1} << ((key_hash >> 26) & 63));
  }
  std::vector<uint64_t> filter_;
  int filter_shift_ = 64;
};

// The bucket of a key among `buckets`, from its KeyEncoder::Hash.
inline uint32_t BucketOfHash(uint64_t key_hash, uint32_t buckets) {
  return static_cast<uint32_t>(key_hash % buckets);
}

// The bucket of an encoded key among `buckets`.
uint32_t BucketOf(std::string_view encoded_key, uint32_t buckets);

}  // namespace mergeflow
