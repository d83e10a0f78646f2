#include "io/run_marker_file.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>

#include "common/interrupt.h"
#include "common/notice.h"

namespace mergeflow {
namespace {

constexpr char kInfix[] = ".owner-";

// Markers are written whole or not at all (a compare-and-swap writes a
// temporary file and renames it): a process killed mid-write leaves no
// empty marker that no later run could read, and so reclaim. `token` is the
// marker's current version; empty to create it.
Status WriteMarker(FileSystem* fs, const std::string& path, const std::string& owned, const std::string& run_id,
                   const std::string& token) {
  return fs->WriteIfUnchanged(path, RunMarker::ForCurrentProcess(owned, run_id).ToJson(), token);
}

struct FoundMarker {
  std::string path;
  RunMarker marker;
};

// The readable markers DIR/PREFIX*.owner-*, by what they own.
Result<std::map<std::string, std::vector<FoundMarker>>> ReadMarkers(FileSystem* fs, const std::string& dir,
                                                                    const std::string& prefix) {
  // A glob lists only names under the prefix (one narrow listing on S3).
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, fs->Glob(JoinPath(dir, prefix + "*" + kInfix + "*")));
  std::map<std::string, std::vector<FoundMarker>> by_owned;
  for (const FileInfo& entry : entries) {
    Result<std::string> text = ReadWholeFile(fs, entry.path);
    if (!text.ok()) continue;  // gone meanwhile, or unreadable: not ours to judge
    Result<RunMarker> marker = RunMarker::FromJson(text.value(), entry.path);
    if (!marker.ok()) continue;
    by_owned[marker.value().owns].push_back(FoundMarker{entry.path, std::move(marker).value()});
  }
  return by_owned;
}

bool AllStale(const std::vector<FoundMarker>& markers, int64_t now) {
  for (const FoundMarker& found : markers) {
    if (!found.marker.IsStale(now)) return false;
  }
  return true;
}

}  // namespace

RunMarkerFile::RunMarkerFile(FileSystem* fs, std::string path, std::string owned, std::string run_id, bool lock)
    : fs_(fs), path_(std::move(path)), owned_(std::move(owned)), run_id_(std::move(run_id)), lock_(lock) {}

Status RunMarkerFile::WriteAndRegister(const std::string& token) {
  // Written and registered for removal at an interrupt in one step: an
  // interrupt never leaves a marker that nothing removes.
  Status written;
  RunUninterrupted([&] {
    written = WriteMarker(fs_, path_, owned_, run_id_, token);
    if (written.ok()) cleanup_handle_ = RegisterCleanup([this] { StopAndRemove(); });
  });
  if (written.ok()) heartbeat_ = std::thread([this] { Beat(); });
  return written;
}

Result<std::unique_ptr<RunMarkerFile>> RunMarkerFile::Create(FileSystem* fs, const std::string& owned,
                                                             const std::string& run_id) {
  char tag[32];
  std::snprintf(tag, sizeof(tag), "%ld-%08x", static_cast<long>(getpid()), std::random_device{}());
  std::unique_ptr<RunMarkerFile> marker(new RunMarkerFile(fs, owned + kInfix + tag, owned, run_id, false));
  MF_RETURN_IF_ERROR(marker->WriteAndRegister(""));
  return marker;
}

Result<std::unique_ptr<RunMarkerFile>> RunMarkerFile::Acquire(FileSystem* fs, const std::string& path,
                                                              const std::string& owns, const std::string& run_id,
                                                              std::optional<RunMarker>* taken_from) {
  std::unique_ptr<RunMarkerFile> marker(new RunMarkerFile(fs, path, owns, run_id, true));
  MF_ASSIGN_OR_RETURN(VersionedContents current, fs->ReadVersioned(path));
  if (current.exists) {
    // A lock that cannot be read was cut short by a crash of its writer
    // (markers are written whole, so only by a store that lost it): stale.
    Result<RunMarker> holder = RunMarker::FromJson(current.contents, path);
    if (holder.ok() && !holder.value().IsStale(UnixNow())) {
      const RunMarker& h = holder.value();
      return Status::Conflict(owns + " is locked by run " + h.run_id + " (process " + std::to_string(h.owner.pid) +
                              " on " + h.owner.host + ", alive " + std::to_string(UnixNow() - h.heartbeat_unix) +
                              " s ago; " + path + ")");
    }
    if (taken_from != nullptr && holder.ok()) *taken_from = holder.value();
  }
  Status written = marker->WriteAndRegister(current.exists ? current.token : "");
  if (written.code() == Status::Code::kConflict)
    return Status::Conflict(owns + " was locked by another run at the same moment (" + path + ")");
  MF_RETURN_IF_ERROR(written);
  return marker;
}

bool RunMarkerFile::StillMine() {
  Result<VersionedContents> current = fs_->ReadVersioned(path_);
  if (!current.ok() || !current.value().exists) return !lock_;
  return Mine(current.value());
}

bool RunMarkerFile::Mine(const VersionedContents& current) const {
  Result<RunMarker> marker = RunMarker::FromJson(current.contents, path_);
  const RunOwner me = RunOwner::Current();
  return marker.ok() && marker.value().run_id == run_id_ && marker.value().owner.pid == me.pid &&
         marker.value().owner.host == me.host && marker.value().owner.start_ticks == me.start_ticks;
}

bool RunMarkerFile::lost() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lost_;
}

void RunMarkerFile::Beat() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, std::chrono::seconds(RunMarker::kHeartbeatSeconds), [&] { return stopping_; })) {
    // A failed heartbeat is tried again at the next one: the lease is five
    // heartbeats long. A marker removed meanwhile stays removed; a lock
    // another run took over stays that run's.
    Result<VersionedContents> current = fs_->ReadVersioned(path_);
    if (!current.ok() || !current.value().exists) continue;
    if (lock_ && !Mine(current.value())) {
      lost_ = true;
      return;
    }
    (void)WriteMarker(fs_, path_, owned_, run_id_, current.value().token);
  }
}

void RunMarkerFile::StopAndRemove() {
  // Under the heartbeat's lock: no rewrite is cut short or follows.
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  if (lock_) {
    if (!lost_ && StillMine()) (void)fs_->RemoveAll(path_);
    return;
  }
  // What could not be removed keeps its marker, for a later run to reclaim.
  const Result<FileInfo> owned = fs_->GetFileInfo(owned_);
  if (owned.ok() && !owned.value().exists) (void)fs_->RemoveAll(path_);
}

RunMarkerFile::~RunMarkerFile() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();  // not started when the first write failed
  if (!keep_ && (!lock_ || (!lost_ && StillMine()))) (void)fs_->RemoveAll(path_);
  UnregisterCleanup(cleanup_handle_);
}

Result<MarkedDirectory> CreateMarkedDirectory(FileSystem* fs, const std::string& path, const std::string& run_id,
                                              std::function<void()> remove) {
  MarkedDirectory made;
  MF_ASSIGN_OR_RETURN(made.marker, RunMarkerFile::Create(fs, path, run_id));
  Status created;
  RunUninterrupted([&] {
    created = fs->CreateDirectory(path);
    if (!created.ok()) return;
    made.cleanup_handle = RegisterCleanup(std::move(remove));
  });
  MF_RETURN_IF_ERROR(created);
  return made;
}

Result<Reclaimed> ReclaimAbandoned(
    FileSystem* fs, const std::string& dir, const std::string& prefix,
    const std::function<Status(const std::string& owned, const RunMarker& marker)>& reclaim) {
  MF_ASSIGN_OR_RETURN(auto by_owned, ReadMarkers(fs, dir, prefix));
  Reclaimed reclaimed;
  const int64_t now = UnixNow();
  for (const auto& [owned, markers] : by_owned) {
    if (!AllStale(markers, now)) {
      reclaimed.live_remains = true;
      continue;
    }
    const RunMarker& marker = markers.front().marker;
    Status removed = reclaim(owned, marker);
    for (const FoundMarker& found : markers) {
      if (removed.ok()) removed = fs->RemoveAll(found.path);
    }
    ++reclaimed.count;
    if (!removed.ok()) {
      Notice("could not remove " + owned + ", left by run " + marker.run_id + ": " + ReasonOf(removed));
      continue;
    }
    Notice("removed " + owned + ", left by run " + marker.run_id + " (process " + std::to_string(marker.owner.pid) +
           " on " + marker.owner.host +
           (marker.owner.IsGone() ? ", which has ended)" : ", silent for over 5 minutes)"));
  }
  return reclaimed;
}

}  // namespace mergeflow
