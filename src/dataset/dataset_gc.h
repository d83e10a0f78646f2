// Garbage collection of a dataset's versions (DESIGN.md section 6). Never
// removes the current version, a pinned one, one of the last `keep`
// published, one younger than `older_than_seconds`, an incomplete version a
// live run still works on, or any part a kept version's manifest lists (an
// upsert's version lists parts of its parents).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "dataset/dataset.h"

namespace mergeflow {

struct GcOptions {
  size_t keep = 10;                // published versions kept, newest first
  int64_t older_than_seconds = 0;  // versions younger than this are kept
};

// What gc does with one version.
struct GcDecision {
  std::string version;
  bool collect = false;
  std::string why;                   // of a kept version: "current", "pinned", ...
  std::vector<std::string> remove;   // files to remove, its _SUCCESS first if it has one
  bool has_manifest = false;         // whether remove[0] is its _SUCCESS
  size_t parts_kept_for_others = 0;  // parts another version still lists
  uint64_t bytes = 0;                // of the files to remove
};

struct GcPlan {
  std::string pointer_token;   // the pointer as the plan saw it
  std::set<std::string> pins;  // the pins as the plan saw them
  std::vector<GcDecision> versions;
};

// Decides what gc would remove now. Reads only.
Result<GcPlan> PlanGc(const Dataset& dataset, const GcOptions& options);

// Removes what killed runs left while writing versions of `dataset`
// (staging directories, open uploads, run markers under `_versions/`), with
// a Notice for each; returns how many. What live runs use stays.
Result<size_t> ReclaimAbandonedVersions(const Dataset& dataset);

// Reclaims what killed runs left under `_versions/`, plans, and removes what
// the plan collects, version by version. Right before removing each version
// it re-reads the pointer and the pins: when they moved since the plan, it
// stops there with Conflict (what it removed so far was collectable under
// either state). Returns the plan it carried out.
Result<GcPlan> ApplyGc(const Dataset& dataset, const GcOptions& options);

}  // namespace mergeflow
