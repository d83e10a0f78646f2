#include "io/file_system.h"

#include <map>
#include <mutex>

#include "io/local_file_system.h"

namespace mergeflow {
namespace {

std::map<std::string, std::shared_ptr<FileSystem>>& Registry() {
  static std::map<std::string, std::shared_ptr<FileSystem>> registry = [] {
    std::map<std::string, std::shared_ptr<FileSystem>> r;
    auto local = std::make_shared<LocalFileSystem>();
    r[""] = local;
    r["file"] = local;
    return r;
  }();
  return registry;
}

}  // namespace

Status FileSystem::RemoveFiles(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) MF_RETURN_IF_ERROR(RemoveAll(path));
  return Status::OK();
}

void RegisterFileSystem(const std::string& scheme, std::shared_ptr<FileSystem> fs) {
  Registry()[scheme] = std::move(fs);
}

std::shared_ptr<FileSystem> RegisteredFileSystem(const std::string& scheme) {
  auto it = Registry().find(scheme);
  return it == Registry().end() ? nullptr : it->second;
}

std::string_view UriScheme(std::string_view uri) {
  size_t colon = uri.find("://");
  if (colon == std::string_view::npos) return {};
  for (size_t i = 0; i < colon; ++i) {
    char c = uri[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
          c == '.'))
      return {};
  }
  return uri.substr(0, colon);
}

Result<FileSystem*> FileSystemFor(std::string_view uri) {
  std::string scheme(UriScheme(uri));
  auto it = Registry().find(scheme);
  if (it == Registry().end())
    return Status::InvalidArgument("unsupported storage scheme '" + scheme + "://' in '" + std::string(uri) + "'");
  return it->second.get();
}

Result<std::string> ReadWholeFile(FileSystem* fs, const std::string& path) {
  MF_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> stream, fs->OpenInputStream(path, 0));
  std::string text;
  char buffer[64 << 10];
  for (;;) {
    MF_ASSIGN_OR_RETURN(size_t got, stream->Read(buffer, sizeof(buffer)));
    if (got == 0) return text;
    text.append(buffer, got);
  }
}

Status WriteWholeFile(FileSystem* fs, const std::string& path, std::string_view contents) {
  MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs->OpenForWrite(path));
  MF_RETURN_IF_ERROR(file->Append(contents));
  MF_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

Status CreateDirectories(FileSystem* fs, const std::string& path) {
  // The missing directories, deepest first.
  std::vector<std::string> missing;
  for (std::string at = path;; at = SplitParent(at).first) {
    MF_ASSIGN_OR_RETURN(FileInfo info, fs->GetFileInfo(at));
    if (info.exists && !info.is_directory)
      return Status::IOError(at + " is not a directory");
    if (info.exists) break;
    missing.push_back(at);
    const std::string parent = SplitParent(at).first;
    if (parent == at || parent == "." || parent == "/") break;
  }
  for (auto dir = missing.rbegin(); dir != missing.rend(); ++dir) MF_RETURN_IF_ERROR(fs->CreateDirectory(*dir));
  return Status::OK();
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
  return out;
}

std::pair<std::string, std::string> SplitParent(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {".", std::string(path)};
  if (slash == 0) return {"/", std::string(path.substr(1))};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

}  // namespace mergeflow
