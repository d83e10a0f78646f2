// How this process was started: alone, or as one of several copies by a
// launcher (mpirun, mpiexec, srun), read from the environment the launcher
// gives each copy, before MPI is initialised.
#pragma once

#include <string>

namespace mergeflow {

struct Launch {
  int processes = 1;  // copies the launcher started, this one included
  int rank = 0;       // this copy's number, 0 to processes - 1
  // Empty when the copies can join one MPI world (or there is one copy).
  // Otherwise why they cannot and what to launch with instead, as one line:
  // they must stop before doing any work, or each would run the whole
  // command on its own and all would write the same output.
  std::string cannot_join;
};

// Knows Open MPI's mpirun (OMPI_COMM_WORLD_SIZE), MPICH and Intel MPI
// (PMI_SIZE), and Slurm's srun (SLURM_STEP_NUM_TASKS), which joins Open
// MPI's world through PMIx only (PMIX_RANK). A Slurm batch script itself
// (SLURM_NTASKS without a step) is one process.
Launch DetectLaunch();

}  // namespace mergeflow
