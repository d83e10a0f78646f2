// TempDirectory: a fresh local directory for temporary files (spilled
// partitions, shuffled rows), removed with everything in it when the object
// goes, and also when the process is interrupted (common/interrupt.h).
#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace mergeflow {

class TempDirectory {
 public:
  // Creates directory `name` (mode 0700) in `parent`, or in $TMPDIR when
  // `parent` is empty, or in /tmp. Fails with "cannot create a temporary
  // directory in PARENT: reason".
  static Result<std::unique_ptr<TempDirectory>> Create(const std::string& parent, const std::string& name);
  // Removes the directory and what it holds.
  ~TempDirectory();
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;

  const std::string& path() const { return path_; }

 private:
  explicit TempDirectory(std::string path);
  // Renames the directory aside, then removes it: when an interrupt runs
  // this, workers may still be creating files in it, and after the rename
  // they cannot add any to what is being removed.
  static void Remove(const std::string& path);

  std::string path_;
  int cleanup_ = 0;
};

}  // namespace mergeflow
