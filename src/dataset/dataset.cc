#include "dataset/dataset.h"

#include <algorithm>

#include "common/utc_time.h"

namespace mergeflow {

Result<Dataset> Dataset::At(const std::string& root) {
  std::string trimmed = root;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(trimmed));
  return Dataset(std::move(trimmed), fs);
}

Result<std::vector<FileInfo>> Dataset::ListIfPresent(const std::string& dir) const {
  MF_ASSIGN_OR_RETURN(FileInfo info, fs_->GetFileInfo(dir));
  if (!info.exists || !info.is_directory) return std::vector<FileInfo>();
  return fs_->ListDirectory(dir);
}

Result<bool> Dataset::Exists() const {
  MF_ASSIGN_OR_RETURN(FileInfo info, fs_->GetFileInfo(root_));
  if (!info.exists) return false;
  if (!info.is_directory) return Status::InvalidArgument(root_ + " is a file, not a dataset");
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, fs_->ListDirectory(root_));
  bool other = false;
  for (const FileInfo& entry : entries) {
    const std::string name = SplitParent(entry.path).second;
    if (name == "_LATEST.json" || name == "_versions") return true;
    if (!name.starts_with('.')) other = true;  // hidden names: staging and markers of a first write
  }
  if (other)
    return Status::InvalidArgument(root_ +
                                   " holds files but is not a mergeflow dataset (no _LATEST.json or _versions/)");
  return false;
}

Result<std::optional<Dataset::PointerState>> Dataset::ReadPointer() const {
  const std::string path = PointerPath(root_);
  MF_ASSIGN_OR_RETURN(VersionedContents read, fs_->ReadVersioned(path));
  if (!read.exists) return std::optional<PointerState>();
  MF_ASSIGN_OR_RETURN(DatasetPointer pointer, ParsePointer(read.contents, path));
  return std::optional<PointerState>(PointerState{std::move(pointer), std::move(read.token)});
}

Result<VersionManifest> Dataset::ManifestOf(const std::string& version) const {
  MF_ASSIGN_OR_RETURN(std::optional<VersionManifest> manifest, ReadVersionManifest(fs_, root_, version));
  if (!manifest) return Status::IOError(root_ + " has no version " + version + " (never completed, or collected)");
  return std::move(*manifest);
}

Result<VersionManifest> Dataset::ManifestPointedTo(const DatasetPointer& pointer) const {
  MF_ASSIGN_OR_RETURN(std::optional<VersionManifest> manifest, ReadVersionManifest(fs_, root_, pointer.version));
  if (!manifest)
    return Status::IOError(root_ + ": the pointer names version " + pointer.version + ", which is missing");
  if (manifest->sha256 != pointer.manifest_sha256)
    return Status::IOError(root_ + ": the manifest of current version " + pointer.version +
                           " is not the one published (sha256 differs)");
  return std::move(*manifest);
}

Result<VersionManifest> Dataset::ManifestAt(int64_t millis) const {
  MF_ASSIGN_OR_RETURN(std::vector<HistoryEntry> log, Log());
  for (const HistoryEntry& entry : log) {
    const std::optional<int64_t> time = ParseUtcMillis(entry.time);
    if (time && *time <= millis) return ManifestOf(entry.version);
  }
  return Status::IOError(root_ + " had no published version at " + FormatUtcMillis(millis));
}

Result<std::vector<HistoryEntry>> Dataset::Log() const {
  std::vector<HistoryEntry> log;
  MF_ASSIGN_OR_RETURN(std::optional<PointerState> state, ReadPointer());
  uint64_t seq = state ? state->pointer.seq : 0;
  while (seq != 0) {
    const std::string path = HistoryPath(root_, seq);
    MF_ASSIGN_OR_RETURN(VersionedContents read, fs_->ReadVersioned(path));
    if (!read.exists) return Status::BadInput(root_ + ": history entry " + path + " is missing");
    MF_ASSIGN_OR_RETURN(HistoryEntry entry, ParseHistoryEntry(read.contents, path));
    if (entry.seq != seq || entry.previous_seq >= seq)
      return Status::BadInput(path + ": not a history entry: its seq fields are out of order");
    seq = entry.previous_seq;
    log.push_back(std::move(entry));
  }
  return log;
}

Result<uint64_t> Dataset::LastSeq() const {
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, ListIfPresent(HistoryDir(root_)));
  uint64_t last = 0;
  for (const FileInfo& entry : entries) {
    if (auto seq = HistorySeqOf(SplitParent(entry.path).second)) last = std::max(last, *seq);
  }
  return last;
}

Result<std::vector<std::string>> Dataset::VersionDirectories() const {
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, ListIfPresent(VersionsDir(root_)));
  std::vector<std::string> versions;
  for (const FileInfo& entry : entries) {
    std::string name = SplitParent(entry.path).second;
    if (entry.is_directory && IsVersionId(name)) versions.push_back(std::move(name));
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

Result<std::vector<std::string>> Dataset::CompleteVersions() const {
  MF_ASSIGN_OR_RETURN(std::vector<std::string> all, VersionDirectories());
  std::vector<std::string> complete;
  for (std::string& version : all) {
    MF_ASSIGN_OR_RETURN(FileInfo success, fs_->GetFileInfo(JoinPath(VersionDir(root_, version), "_SUCCESS")));
    if (success.exists) complete.push_back(std::move(version));
  }
  return complete;
}

Result<std::set<std::string>> Dataset::Pins() const {
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, ListIfPresent(PinsDir(root_)));
  std::set<std::string> pins;
  for (const FileInfo& entry : entries) {
    std::string name = SplitParent(entry.path).second;
    if (IsVersionId(name)) pins.insert(std::move(name));
  }
  return pins;
}

Status Dataset::Pin(const std::string& version) const {
  MF_RETURN_IF_ERROR(ManifestOf(version).status_or_ok());
  MF_RETURN_IF_ERROR(fs_->CreateDirectory(PinsDir(root_)));
  MF_RETURN_IF_ERROR(WriteWholeFile(fs_, PinPath(root_, version), UtcTimestamp() + "\n"));
  return fs_->SyncDirectory(PinsDir(root_));
}

Status Dataset::Unpin(const std::string& version) const {
  MF_ASSIGN_OR_RETURN(FileInfo pin, fs_->GetFileInfo(PinPath(root_, version)));
  if (!pin.exists) return Status::InvalidArgument("version " + version + " of " + root_ + " is not pinned");
  MF_RETURN_IF_ERROR(fs_->RemoveAll(PinPath(root_, version)));
  return fs_->SyncDirectory(PinsDir(root_));
}

Status Dataset::CheckConditionalWrites(const std::string& created, const std::string& contents) const {
  // Different bytes of the same record: a store that ignores the condition
  // rewrites the entry harmlessly; a retried PUT cannot pass for the first.
  const Status again = fs_->WriteIfUnchanged(created, contents + "\n", "");
  if (again.code() == Status::Code::kConflict) return Status::OK();
  if (!again.ok()) return again;
  return Status::IOError(root_ +
                         ": this store ignores conditional writes (a second PUT with If-None-Match: * succeeded), "
                         "so publishing could lose a concurrent publish; refusing to publish");
}

Result<HistoryEntry> Dataset::Publish(const std::string& version, const std::string& action, const std::string& run_id,
                                      const std::optional<std::string>& based_on) const {
  MF_ASSIGN_OR_RETURN(VersionManifest manifest, ManifestOf(version));
  MF_RETURN_IF_ERROR(CheckPartsPresent(fs_, manifest));
  MF_RETURN_IF_ERROR(fs_->CreateDirectory(HistoryDir(root_)));
  MF_ASSIGN_OR_RETURN(std::optional<PointerState> state, ReadPointer());
  const std::string lost = "another publisher changed " + root_ + " at the same time; nothing was published";
  if (based_on && *based_on != (state ? state->token : "")) return Status::Conflict(lost);
  MF_ASSIGN_OR_RETURN(uint64_t last_seq, LastSeq());
  HistoryEntry entry;
  entry.seq = std::max(last_seq, state ? state->pointer.seq : 0) + 1;
  entry.action = action;
  entry.version = version;
  entry.previous = state ? state->pointer.version : "";
  entry.previous_seq = state ? state->pointer.seq : 0;
  entry.time = FormatUtcMillis(NowMillis());
  entry.run_id = run_id;
  entry.rows = manifest.rows;
  entry.manifest_sha256 = manifest.sha256;
  const std::string entry_path = HistoryPath(root_, entry.seq);
  const std::string entry_json = HistoryEntryJson(entry);
  Status created = fs_->WriteIfUnchanged(entry_path, entry_json, "");
  if (created.code() == Status::Code::kConflict) return Status::Conflict(lost);
  MF_RETURN_IF_ERROR(created);
  MF_RETURN_IF_ERROR(CheckConditionalWrites(entry_path, entry_json));
  const DatasetPointer pointer{version, entry.seq, manifest.sha256, entry.previous, entry.time, run_id};
  Status swapped = fs_->WriteIfUnchanged(PointerPath(root_), PointerJson(pointer), state ? state->token : "");
  if (swapped.code() == Status::Code::kConflict) return Status::Conflict(lost);
  MF_RETURN_IF_ERROR(swapped);
  return entry;
}

}  // namespace mergeflow
