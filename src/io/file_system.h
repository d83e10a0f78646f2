// FileSystem: the one interface through which mergeflow touches storage.
// Implementations are chosen by URI scheme through the registry below
// (a path without "scheme://" is a local path). Every method is thread-safe
// unless noted; returned file objects are used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mergeflow {

class OutputCommitter;

// A file opened for positional reads, so that readers can split it.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  RandomAccessFile() = default;
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;

  // Size of the file in bytes, as of opening.
  virtual uint64_t Size() const = 0;
  // Reads up to n bytes at `offset` into dst. Returns the count read: fewer
  // than n only at end of file. Safe to call from several threads at once.
  virtual Result<size_t> ReadAt(uint64_t offset, size_t n, char* dst) const = 0;
};

// A byte stream read front to back (files, stdin, decompressors).
class InputStream {
 public:
  virtual ~InputStream() = default;
  InputStream() = default;
  InputStream(const InputStream&) = delete;
  InputStream& operator=(const InputStream&) = delete;

  // Reads up to n bytes into dst; returns 0 only at end of stream.
  virtual Result<size_t> Read(char* dst, size_t n) = 0;

  // For a stream that decodes a file (decompression, Parquet): about how
  // many of the file's bytes it has consumed, by which progress is
  // measured against the file's size. nullopt: the bytes read are the
  // file's own.
  virtual std::optional<uint64_t> SourceBytesRead() const { return std::nullopt; }
};

// A file being written. Appended data is durable (survives a crash of the
// machine) only once Sync() returned OK; Close() alone does not promise it.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;

  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable, as far as the store allows:
  // fsync for local files; an S3 object exists only once complete, so it is
  // durable when Close() returns and Sync() has nothing to do before that.
  // REQUIRES: before Close().
  virtual Status Sync() = 0;
  // Flushes and closes. REQUIRES: called once; no Append afterwards.
  virtual Status Close() = 0;
};

// A read-only view of a whole file mapped into memory. Unmapped when the
// last reference goes.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual const char* data() const = 0;
  virtual uint64_t size() const = 0;
  // Tells the OS that data()[offset, offset + n) will not be read again, so
  // its pages need not stay resident in this process. Thread-safe.
  virtual void Release(uint64_t offset, uint64_t n) const = 0;
};

// A small file's whole contents with a token for WriteIfUnchanged.
struct VersionedContents {
  bool exists = false;
  std::string contents;
  std::string token;  // differs whenever the contents differ (S3: the ETag)
};

// Bytes [begin, end) of a file.
struct ByteRange {
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct FileInfo {
  std::string path;  // full path or URI
  bool exists = false;
  bool is_directory = false;
  uint64_t size = 0;
  // Changes whenever the contents do (for telling whether an input changed
  // since a step last read it): "SIZE:MTIME_NS" on a local disk, the ETag
  // on S3; empty for directories.
  std::string version;
  // Rows that readers of the file must not see (a dataset part's rows that a
  // later version deleted or replaced): whole rows, sorted, disjoint; null
  // when there are none.
  std::shared_ptr<const std::vector<ByteRange>> skip;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual Result<std::unique_ptr<RandomAccessFile>> OpenForRandomAccess(const std::string& path) = 0;
  // Opens `path` for a front-to-back read from byte `offset` on (standard
  // input, "-", only from 0).
  virtual Result<std::unique_ptr<InputStream>> OpenInputStream(const std::string& path, uint64_t offset) = 0;
  // Creates or truncates `path`. The parent directory must exist.
  virtual Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) = 0;
  // Information about `path`; exists == false (and OK) when there is nothing there.
  virtual Result<FileInfo> GetFileInfo(const std::string& path) = 0;
  // The entries directly inside directory `path`, sorted by name.
  virtual Result<std::vector<FileInfo>> ListDirectory(const std::string& path) = 0;
  // Creates directory `path` (parents must exist); OK if it already exists.
  virtual Status CreateDirectory(const std::string& path) = 0;
  // Makes the entries of directory `path` (files created, renamed or removed
  // in it) durable: fsync of the directory for local paths; OK and nothing
  // to do on stores without directories (S3).
  virtual Status SyncDirectory(const std::string& path) = 0;
  // Makes the complete directory `staged` visible as `target`, replacing any
  // directory already at `target` in one atomic step where the store allows.
  // Afterwards `staged` holds the replaced directory (or nothing) and is the
  // caller's to remove.
  virtual Status PublishDirectory(const std::string& staged, const std::string& target) = 0;
  // Removes `path` and everything below it; OK if nothing is there.
  virtual Status RemoveAll(const std::string& path) = 0;
  // Removes the files `paths` (OK for those already gone), in any order,
  // as many at once as the store allows (S3: concurrent DELETEs); after a
  // failure, some may remain. The default removes them one at a time with
  // RemoveAll.
  virtual Status RemoveFiles(const std::vector<std::string>& paths);
  // The files (not directories) that the glob pattern matches, sorted by path.
  virtual Result<std::vector<FileInfo>> Glob(const std::string& pattern) = 0;
  // Reads the whole of small file `path` and its token; exists == false
  // (and OK) when there is nothing there.
  virtual Result<VersionedContents> ReadVersioned(const std::string& path) = 0;
  // Compare-and-swap of a small file: writes `contents` as `path` only if
  // `path` still holds what ReadVersioned returned with `token`, or, with an
  // empty token, only if nothing is at `path`; Conflict otherwise, and then
  // nothing changed. Atomic and durable when it returns OK: a reader, also
  // after a crash, sees the old or the new contents whole (local: written
  // and synced under a temporary name, then linked or renamed in under a
  // lock of the directory; S3: PUT with If-None-Match: * or If-Match).
  virtual Status WriteIfUnchanged(const std::string& path, std::string_view contents, const std::string& token) = 0;
  // Maps `path` into memory for zero-copy reads, or returns nullptr when this
  // file system or this file (a pipe, an empty file) cannot be mapped.
  virtual Result<std::shared_ptr<const MappedFile>> MapForRead(const std::string& path) {
    (void)path;
    return std::shared_ptr<const MappedFile>();
  }
  // Starts an all-or-nothing output at directory `target` in the way this
  // store allows (see io/output_committer.h). The default stages a hidden
  // directory and publishes it with PublishDirectory.
  virtual Result<std::unique_ptr<OutputCommitter>> StartOutput(const std::string& target, const std::string& run_id);
  // Removes what killed runs left while writing `target` (staging
  // directories, open uploads; see io/run_marker_file.h), with a Notice for
  // each; returns how many. StartOutput does this first. The default goes
  // with the default StartOutput.
  virtual Result<size_t> ReclaimAbandonedOutput(const std::string& target);
};

// Registers the file system serving URIs "scheme://...". The local file
// system is registered for the empty scheme and "file". Not thread-safe with
// concurrent lookups: register at start-up.
void RegisterFileSystem(const std::string& scheme, std::shared_ptr<FileSystem> fs);

// The file system registered for `scheme`, or nullptr.
std::shared_ptr<FileSystem> RegisteredFileSystem(const std::string& scheme);

// The file system for `uri`, or InvalidArgument for an unknown scheme.
Result<FileSystem*> FileSystemFor(std::string_view uri);

// The scheme of `uri` ("" for a plain path).
std::string_view UriScheme(std::string_view uri);

// Reads the whole of a (small) file: a manifest, a marker.
Result<std::string> ReadWholeFile(FileSystem* fs, const std::string& path);

// Writes `contents` as the whole of file `path`, replacing what is there,
// and syncs it before closing.
Status WriteWholeFile(FileSystem* fs, const std::string& path, std::string_view contents);

// Creates directory `path` and the parents it lacks; OK if it exists;
// IOError "P is not a directory" when file P is in the way.
Status CreateDirectories(FileSystem* fs, const std::string& path);

// Joins a directory and a name with exactly one '/'.
std::string JoinPath(std::string_view dir, std::string_view name);

// Splits "a/b/c" into ("a/b", "c"); a path without '/' has parent ".".
std::pair<std::string, std::string> SplitParent(std::string_view path);

}  // namespace mergeflow
