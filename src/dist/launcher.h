// How many processes the launcher (mpirun, mpiexec, srun) started, read from
// the environment it gives each process, before MPI is initialised.
#pragma once

namespace mergeflow {

// The number of processes in this job, or 1 when no MPI launcher started
// this one. Knows Open MPI (OMPI_COMM_WORLD_SIZE), MPICH and Intel MPI
// (PMI_SIZE), and Slurm's srun with PMIx (SLURM_NTASKS beside PMIX_RANK).
int LaunchedProcessCount();

}  // namespace mergeflow
