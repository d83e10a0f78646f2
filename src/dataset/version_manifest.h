// A dataset version's `_SUCCESS` manifest as readers of the dataset need
// it: the parts it lists (never a listing of the directory), with where each
// lives. A part written by this version lives in its directory; a part it
// keeps from an earlier version (an upsert's untouched buckets) names that
// version in its "version" field and lives there.
//
// A merge-on-read version (an upsert's --merge-on-read) also lists, for a
// part some of whose rows later changes deleted or replaced, a deletes file
// (dataset/row_deletes.h; field "deletes" of the part), and the rows that
// replace them and newer ones in delta parts (field "deltas"). Its current
// rows are the parts' rows less their deletes, plus the deltas'; a reader
// that knows only "parts" reads each bucket as it was last rewritten whole.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "io/file_system.h"

namespace mergeflow {

struct VersionPart {
  std::string path;     // full path or URI of the part file
  std::string version;  // the version whose directory holds it
  uint64_t rows = 0;
  uint64_t bytes = 0;
  // The file of this part's rows that a later version deleted or replaced
  // (rows: how many); null when there are none.
  std::shared_ptr<const VersionPart> deletes;
  // The keys file of this part (dataset/part_keys.h), or null: not data,
  // where the part's keys are.
  std::shared_ptr<const VersionPart> keys;
};

struct VersionManifest {
  std::string version;
  std::string text;    // the manifest as stored
  std::string sha256;  // of `text`
  uint64_t rows = 0;   // current rows: of all parts, less the deleted ones, plus the deltas'
  uint64_t bytes = 0;  // of all data files: parts, deletes files and deltas
  std::vector<VersionPart> parts;
  std::vector<VersionPart> deltas;  // merge-on-read rows (field "deltas")
  // Files the version needs that are not data: an upsert's tombstones
  // (manifest field "tombstones", listed like parts).
  std::vector<VersionPart> tombstones;

  // Every file the version lists: parts, their deletes and keys files,
  // deltas and tombstones.
  std::vector<const VersionPart*> Files() const;
};

// The manifest of `version` of `dataset`; nullopt when the version has no
// `_SUCCESS` (it does not exist, is incomplete, or was collected). BadInput
// naming the file when the manifest does not parse.
Result<std::optional<VersionManifest>> ReadVersionManifest(FileSystem* fs, const std::string& dataset,
                                                           const std::string& version);

// Checks that every file of `manifest` exists with its listed size; an
// IOError naming the first that does not.
Status CheckPartsPresent(FileSystem* fs, const VersionManifest& manifest);

}  // namespace mergeflow
