#include "cluster/launcher.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace mergeflow {

namespace {

// The variable's value when it is a number > 0 (or >= 0 with `zero_ok`);
// otherwise -1.
int NumberEnv(const char* name, bool zero_ok = false) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return -1;
  char* end = nullptr;
  const long n = std::strtol(value, &end, 10);
  if (*end != '\0' || n < (zero_ok ? 0 : 1) || n > (1 << 30)) return -1;
  return static_cast<int>(n);
}

// srun's tasks: Open MPI (as Debian builds it) joins them through PMIx
// alone; with any other --mpi plugin each task would run by itself.
Launch SlurmLaunch(int tasks) {
  Launch launch{tasks, std::max(NumberEnv("SLURM_PROCID", true), 0), ""};
  if (std::getenv("PMIX_RANK") != nullptr) return launch;
  const char* plugin = std::getenv("SLURM_MPI_TYPE");
  launch.cannot_join = "srun started " + std::to_string(tasks) +
                       " tasks with --mpi=" + (plugin != nullptr && *plugin != '\0' ? plugin : "none") +
                       ", through which mergeflow's Open MPI cannot join them into one job: run srun --mpi=pmix "
                       "(srun --mpi=list shows what this Slurm offers), or mpirun";
  return launch;
}

}  // namespace

Launch DetectLaunch() {
  if (const int n = NumberEnv("OMPI_COMM_WORLD_SIZE"); n > 0)
    return Launch{n, std::max(NumberEnv("OMPI_COMM_WORLD_RANK", true), 0), ""};
  if (const int n = NumberEnv("SLURM_STEP_NUM_TASKS"); n > 1) return SlurmLaunch(n);
  if (const int n = NumberEnv("PMI_SIZE"); n > 0) return Launch{n, std::max(NumberEnv("PMI_RANK", true), 0), ""};
  return Launch{};
}

}  // namespace mergeflow
