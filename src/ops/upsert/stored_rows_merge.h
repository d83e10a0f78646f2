// The heart of an upsert: the stored rows of the buckets being rewritten,
// each decided against its key's change (ops/upsert/upsert.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dataset/part_keys.h"
#include "io/file_system.h"
#include "io/output_sink.h"
#include "ops/upsert/change_set.h"
#include "ops/upsert/upsert.h"
#include "text/dialect.h"

namespace mergeflow {

// A tombstone: a deleted key, the order value of its delete, and the
// generation (upsert count) that deleted it.
struct Tombstone {
  std::string key_fields;  // rendered, as in ChangeView
  std::string order;       // encoded
  std::string order_text;
  uint64_t generation = 0;
};
using Tombstones = std::map<std::string, Tombstone, std::less<>>;  // by encoded key, sorted for a stable file

// A stored file the merge reads, and what its rows are to its bucket.
struct StoredFile {
  uint32_t bucket = 0;  // when the dataset is in buckets
  bool delta = false;   // a delta part (else a part)
  // The part's rows an earlier version replaced or deleted (sorted), and how
  // many rows they are.
  std::vector<ByteRange> deleted;
  uint64_t deleted_rows = 0;
  // The part's keys file, when only the rows of changed keys are to be
  // read (a merge-on-read bucket's part, mapped): the part is then not
  // scanned, and its other rows stay as they are.
  std::string keys;
  // A merge-on-read bucket's part without a keys file: the merge notes the
  // keys of all its rows (deleted ones too) in MergeFindings::part_keys.
  bool find_keys = false;
};

// The stored files a merge reads, read whole (deleted rows are skipped by
// the merge, which needs every row's offset in its file).
struct StoredRows {
  std::vector<FileInfo> files;
  std::vector<StoredFile> roles;  // one per file

  // The part of bucket `b`, or null.
  const StoredFile* PartOf(uint32_t b) const;
};

// Where a bucket's rows go: its part, or (merge-on-read) its delta part.
struct BucketOutput {
  OutputSink* parts;
  OutputSink* deltas;
  const std::vector<bool>& as_delta;  // per bucket
  OutputSink* For(uint32_t b) const { return as_delta[b] ? deltas : parts; }
};

// Where the rows written to a bucket's part start, as they are written: the
// rows of the part's keys file (dataset/part_keys.h).
struct PartKeysWritten {
  bool wanted = false;       // the bucket's part is written whole, as uncompressed text
  uint64_t next_offset = 0;  // where the next row written starts (after the header at first)
  std::vector<KeyAt> rows;

  // Notes the rows of `text` as written next: `rows_in_text` holds their
  // keys' hashes and where they start in `text`. A no-op unless wanted.
  void Add(std::string_view text, const std::vector<KeyAt>& rows_in_text);
};

// What a merge found besides the rows it wrote, per bucket, added to what
// the fields hold.
struct MergeFindings {
  std::vector<Tombstones> deleted;              // keys deleted, with their deletes
  std::vector<std::vector<ByteRange>> replaced;  // a merge-on-read part's rows replaced or deleted
  std::vector<PartKeysWritten> keys;            // changed under the bucket's lane only
  std::vector<std::vector<KeyAt>> part_keys;    // the rows of parts with find_keys
  UpsertCounts* counts;                         // unchanged, updated, deleted, stale_ignored
};

// What the rows of a merge are and how to read them.
struct MergeSource {
  const StoredRows& stored;
  const std::vector<std::string>& columns;  // of the stored rows
  Dialect dialect;
  size_t added_columns = 0;  // empty fields appended to each stored row written
};

// Streams the rows of `source` on options.threads workers and decides each
// of the buckets that `in_group` names against its key's change in
// `changes` (indexed: ChangeSet::IndexKeys), writing what stays to the
// bucket's lane of `output`; a row kept in place (a part's row in a
// merge-on-read bucket) is only counted, and a part's row replaced or
// deleted there is added to `findings->replaced`. Marks the changes that
// met a stored row (HeldChange::MarkMatched). A stored row with a bad --order-by
// value is BadInput naming its file.
Status MergeStoredRows(const MergeSource& source, const UpsertOptions& options, ChangeSet* changes,
                       const std::function<bool(uint32_t)>& in_group, const BucketOutput& output,
                       MergeFindings* findings);

}  // namespace mergeflow
