#include "common/whole_file.h"

#include <cstdio>
#include <fstream>

namespace mergeflow {

bool ReplaceLocalFileWhole(const std::string& path, std::string_view contents) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
    out << contents;
    if (!out.flush()) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace mergeflow
