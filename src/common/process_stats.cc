#include "common/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace mergeflow {

uint64_t PeakResidentBytes() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

uint64_t PhysicalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) : 0;
}

namespace {

// A cgroup memory limit from `path` ("max" or a byte count), or 0.
uint64_t CgroupLimit(const char* path) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return 0;
  char text[64] = {};
  const bool read = std::fgets(text, sizeof(text), f) != nullptr;
  std::fclose(f);
  if (!read || text[0] < '0' || text[0] > '9') return 0;
  return std::strtoull(text, nullptr, 10);
}

}  // namespace

uint64_t AvailableMemoryBytes() {
  uint64_t available = PhysicalMemoryBytes();
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    const uint64_t limit = CgroupLimit(path);
    if (limit > 0 && limit < available) available = limit;
  }
  return available;
}

uint64_t DefaultMemoryLimit(uint64_t available) { return available / 10 * 8; }

double MonotonicSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace mergeflow
