// A dataset version's `_SUCCESS` manifest as readers of the dataset need
// it: the parts it lists (never a listing of the directory), with where each
// lives. A part written by this version lives in its directory; a part it
// keeps from an earlier version (an upsert's untouched buckets) names that
// version in its "version" field and lives there.
#pragma once

#include <cstdint>
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
};

struct VersionManifest {
  std::string version;
  std::string text;    // the manifest as stored
  std::string sha256;  // of `text`
  uint64_t rows = 0;   // of all parts
  uint64_t bytes = 0;  // of all parts
  std::vector<VersionPart> parts;
  // Files the version needs that are not data: an upsert's tombstones
  // (manifest field "tombstones", listed like parts).
  std::vector<VersionPart> tombstones;
};

// The manifest of `version` of `dataset`; nullopt when the version has no
// `_SUCCESS` (it does not exist, is incomplete, or was collected). BadInput
// naming the file when the manifest does not parse.
Result<std::optional<VersionManifest>> ReadVersionManifest(FileSystem* fs, const std::string& dataset,
                                                           const std::string& version);

// Checks that every part of `manifest` exists with its listed size; an
// IOError naming the first that does not.
Status CheckPartsPresent(FileSystem* fs, const VersionManifest& manifest);

}  // namespace mergeflow
