#include "io/input_listing.h"

namespace mergeflow {
namespace {

bool IsHiddenName(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name.empty() || name.front() == '_' || name.front() == '.';
}

}  // namespace

Result<std::vector<FileInfo>> ListInputFiles(const std::string& spec) {
  std::vector<FileInfo> files;
  if (spec == "-") {
    files.push_back(FileInfo{"-", true, false, 0});
    return files;
  }
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(spec));
  if (spec.find_first_of("*?[") != std::string::npos) {
    MF_ASSIGN_OR_RETURN(files, fs->Glob(spec));
    if (files.empty()) return Status::IOError("no input file matches " + spec);
    return files;
  }
  MF_ASSIGN_OR_RETURN(FileInfo info, fs->GetFileInfo(spec));
  if (!info.exists) return Status::NotFound("cannot open " + spec + ": No such file or directory");
  if (!info.is_directory) {
    files.push_back(std::move(info));
    return files;
  }
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, fs->ListDirectory(spec));
  for (FileInfo& entry : entries) {
    if (!entry.is_directory && !IsHiddenName(entry.path)) files.push_back(std::move(entry));
  }
  if (files.empty()) return Status::IOError("no data files in directory " + spec);
  return files;
}

}  // namespace mergeflow
