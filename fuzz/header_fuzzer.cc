// Fuzzes reading an input's first row (its header) through the chunk reader
// from a real file: any bytes give fields or a clean error, never a crash;
// the fields never hold the row's line terminator.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "io/file_system.h"
#include "text/chunk_reader.h"
#include "text/header_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  mergeflow::Dialect dialect;
  dialect.separator = (data[0] & 1) ? ',' : '\t';
  dialect.quoting = (data[0] & 2) != 0;
  char path[] = "/tmp/mergeflow-header-fuzz-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) std::abort();
  if (write(fd, data + 1, size - 1) != static_cast<ssize_t>(size - 1)) std::abort();
  close(fd);
  {
    mergeflow::FileInfo file{path, true, false, size - 1};
    mergeflow::ChunkReader reader({file}, dialect, 4096, 1, mergeflow::ChunkOrder::kFileOrder);
    auto first = mergeflow::ReadFirstRow(&reader, dialect);
    if (first.ok() && first.value()) {
      for (const std::string& field : *first.value()) {
        if (!dialect.quoting && field.find('\n') != std::string::npos) std::abort();
      }
    }
  }
  unlink(path);
  return 0;
}
