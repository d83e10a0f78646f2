#include "io/faulty_file_system.h"

#include <cstdlib>
#include <sstream>

namespace mergeflow {
namespace {

struct FaultSpec {
  FsOp op;
  std::string path_contains;
  int nth;
};

Result<FaultSpec> ParseFault(const std::string& item) {
  const auto bad = [&] {
    return Status::InvalidArgument("MERGEFLOW_FAULTS: '" + item + "' is not OP[@TEXT]:N (OP: open-read, open-write, " +
                                   "read, write, sync, close, info, list, mkdir, rename or remove)");
  };
  const size_t colon = item.rfind(':');
  if (colon == std::string::npos) return bad();
  std::string op_name = item.substr(0, colon);
  std::string path_contains;
  if (const size_t at = op_name.find('@'); at != std::string::npos) {
    path_contains = op_name.substr(at + 1);
    op_name.resize(at);
  }
  char* end = nullptr;
  const long nth = std::strtol(item.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || nth < 1) return bad();
  for (int op = 0; op < static_cast<int>(FsOp::kCount); ++op) {
    if (op_name == FsOpName(static_cast<FsOp>(op)))
      return FaultSpec{static_cast<FsOp>(op), path_contains, static_cast<int>(nth)};
  }
  return bad();
}

}  // namespace

Status InstallFaultsFromEnvironment() {
  const char* text = std::getenv("MERGEFLOW_FAULTS");
  if (text == nullptr || *text == '\0') return Status::OK();
  std::vector<FaultSpec> specs;
  std::stringstream list(text);
  std::string item;
  while (std::getline(list, item, ',')) {
    MF_ASSIGN_OR_RETURN(FaultSpec spec, ParseFault(item));
    specs.push_back(std::move(spec));
  }
  for (const char* scheme : {"", "s3"}) {
    std::shared_ptr<FileSystem> target = RegisteredFileSystem(scheme);
    if (target == nullptr) continue;
    auto faulty = std::make_shared<FaultyFileSystem>(target, "", /*stage_outputs=*/*scheme == '\0');
    for (const FaultSpec& spec : specs) {
      faulty->FailNth(spec.op, spec.nth,
                      Status::IOError("a path with '" + spec.path_contains + "': injected fault (" + FsOpName(spec.op) +
                                      " #" + std::to_string(spec.nth) + ")"),
                      spec.path_contains);
    }
    RegisterFileSystem(scheme, faulty);
    if (*scheme == '\0') RegisterFileSystem("file", faulty);
  }
  return Status::OK();
}

}  // namespace mergeflow
