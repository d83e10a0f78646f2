// Run markers on a file system: how a run says "this is mine, and I am
// alive" about what it creates beside an output or in a temporary directory,
// and how a later run finds and reclaims what a killed run left.
//
// Before a process creates OWNED (a staging directory, a spill directory, an
// output's uploads) it writes a marker OWNED.owner-PID-RANDOM naming OWNED,
// rewrites it every RunMarker::kHeartbeatSeconds while it works, and removes
// it after OWNED. Several processes (MPI ranks) may mark one OWNED. When every
// marker of an OWNED is stale (its owner is gone: same machine, process ended
// or machine rebooted; or its heartbeat is older than the lease), what they
// mark was left by killed runs and any later run may remove it.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/run_owner.h"
#include "io/file_system.h"

namespace mergeflow {

class RunMarkerFile {
 public:
  // Writes the current process's marker of `owned` for `run_id` beside it
  // (whole or not at all) and keeps its heartbeat until destroyed. An
  // interrupt (common/interrupt.h) removes the marker after every cleanup
  // registered later, such as the removal of what it marks, unless `owned`
  // still exists then.
  static Result<std::unique_ptr<RunMarkerFile>> Create(FileSystem* fs, const std::string& owned,
                                                       const std::string& run_id);
  // A lock: the current process's marker as file `path` itself, for
  // `run_id`, saying it `owns` something that is not a path (such as "the
  // pipeline P"). Created when nothing is at `path`; a stale marker there
  // (RunMarker::IsStale) is taken over with a compare-and-swap, so of two
  // runs taking over one wins, and `*taken_from` (when given) gets the
  // stale holder. Conflict naming the holder (run, process, host and the
  // age of its heartbeat) while a live run holds it. The heartbeat stops if
  // another run takes the lock over (see lost()); the destructor and an
  // interrupt remove the lock only while it is still this process's.
  static Result<std::unique_ptr<RunMarkerFile>> Acquire(FileSystem* fs, const std::string& path,
                                                        const std::string& owns, const std::string& run_id,
                                                        std::optional<RunMarker>* taken_from = nullptr);
  // Stops the heartbeat and removes the marker (unless Keep was called).
  ~RunMarkerFile();
  // Leaves the marker in place when this object goes: what it marks could
  // not be removed, and a later run will, once this process has ended.
  void Keep() { keep_ = true; }
  RunMarkerFile(const RunMarkerFile&) = delete;
  RunMarkerFile& operator=(const RunMarkerFile&) = delete;

  const std::string& path() const { return path_; }
  // Whether another run has taken this marker over (a lock whose heartbeat
  // lapsed past the lease): this process no longer holds it.
  bool lost() const;

 private:
  RunMarkerFile(FileSystem* fs, std::string path, std::string owned, std::string run_id, bool lock);
  // Writes the marker (whole, with `token` as WriteIfUnchanged's) and
  // registers its removal at an interrupt, in one step no interrupt cuts.
  Status WriteAndRegister(const std::string& token);
  void Beat();
  void StopAndRemove();
  // Whether the marker at path_ is still this process's (a lock's may not be).
  bool StillMine();
  // Whether `current`, the marker's contents as read, is this process's.
  bool Mine(const VersionedContents& current) const;

  FileSystem* fs_;
  const std::string path_;
  const std::string owned_;
  const std::string run_id_;
  const bool lock_;  // a lock: removed on exit whatever exists, never rewritten once another's
  mutable std::mutex mu_;
  bool lost_ = false;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool keep_ = false;
  std::thread heartbeat_;
  int cleanup_handle_ = 0;
};

// A directory made by this process, with its run marker.
struct MarkedDirectory {
  std::unique_ptr<RunMarkerFile> marker;
  int cleanup_handle = 0;  // of the interrupt cleanup (common/interrupt.h), for UnregisterCleanup
};

// Writes the current process's marker of directory `path` for `run_id`,
// then creates the directory and registers remove() as an interrupt
// cleanup, which runs before the marker's removal: creating and registering
// is one step that no interrupt can cut, so no directory is left unmarked or
// unregistered. Fails (removing the marker) if the directory cannot be made.
Result<MarkedDirectory> CreateMarkedDirectory(FileSystem* fs, const std::string& path, const std::string& run_id,
                                              std::function<void()> remove);

// What ReclaimAbandoned did.
struct Reclaimed {
  size_t count = 0;           // things it reported (removed, or could not remove)
  bool live_remains = false;  // some marker it read is not stale: a live run
};

// For each OWNED whose markers DIR/PREFIX*.owner-* are all stale at this
// moment: reclaim(OWNED, one of its markers) is called, and once that
// succeeds its markers go too. Markers that cannot be read are left alone.
// Writes one Notice per OWNED: what was removed, or why it could not be
// (reclaiming is best effort: it never fails the run that does it). Fails
// only when the markers cannot be listed. Several processes may reclaim the
// same things at once.
Result<Reclaimed> ReclaimAbandoned(
    FileSystem* fs, const std::string& dir, const std::string& prefix,
    const std::function<Status(const std::string& owned, const RunMarker& marker)>& reclaim);

}  // namespace mergeflow
