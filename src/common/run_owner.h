// RunOwner: which process on which machine a run belongs to, so that what a
// killed run left behind (staging directories, spill directories, open
// uploads) can be told from what a live run is still using.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace mergeflow {

struct RunOwner {
  std::string host;     // the machine's host name
  std::string boot_id;  // changes at every boot (Linux /proc/sys/kernel/random/boot_id)
  int64_t pid = 0;
  uint64_t start_ticks = 0;  // the process's start time (/proc/PID/stat), so a reused pid is not taken for it

  // This process.
  static RunOwner Current();

  // Whether the owner is known to be gone: it ran on this machine since its
  // last boot and no process with its pid and start time exists any more;
  // or it ran on this machine before the last boot. An owner on another
  // machine is never known to be gone (see IsStale for the lease).
  bool IsGone() const;
};

// A marker of a run: what it owns, its owner, its id and when it last said
// it was alive.
struct RunMarker {
  std::string owns;  // the path or URI of what the run made (a directory, an output's uploads)
  std::string run_id;
  RunOwner owner;
  int64_t heartbeat_unix = 0;  // seconds since 1970, UTC

  // How long a marker stays trusted without a heartbeat (markers are
  // rewritten every kHeartbeatSeconds while their run lives).
  static constexpr int64_t kLeaseSeconds = 300;
  static constexpr int64_t kHeartbeatSeconds = 60;

  // The current process's marker of `owns` for `run_id`, with a heartbeat of now.
  static RunMarker ForCurrentProcess(const std::string& owns, const std::string& run_id);
  // Whether what the marker's run left may be removed: its owner is gone,
  // or its heartbeat is older than the lease (at `now_unix`).
  bool IsStale(int64_t now_unix) const;

  std::string ToJson() const;
  // Parses ToJson's form; BadInput naming `where` when it is not one.
  static Result<RunMarker> FromJson(const std::string& text, const std::string& where);
};

// Seconds since 1970, UTC.
int64_t UnixNow();

}  // namespace mergeflow
