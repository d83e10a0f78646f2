#include "cluster/launcher.h"

#include <cstdlib>
#include <initializer_list>

namespace mergeflow {

namespace {

int PositiveEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return 0;
  const int n = std::atoi(value);
  return n > 0 ? n : 0;
}

}  // namespace

int LaunchedProcessCount() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const int n = PositiveEnv(name); n > 0) return n;
  }
  if (std::getenv("PMIX_RANK") != nullptr) {
    if (const int n = PositiveEnv("SLURM_NTASKS"); n > 0) return n;
  }
  return 1;
}

int LaunchedProcessRank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return PositiveEnv(name);
  }
  return 0;
}

}  // namespace mergeflow
