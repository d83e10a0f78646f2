// How many processes the launcher (mpirun, mpiexec, srun) started, read from
// the environment it gives each process, before MPI is initialised.
#pragma once

namespace mergeflow {

// The number of processes in this job, or 1 when no MPI launcher started
// this one. Knows Open MPI (OMPI_COMM_WORLD_SIZE), MPICH and Intel MPI
// (PMI_SIZE), and Slurm's srun with PMIx (SLURM_NTASKS beside PMIX_RANK).
int LaunchedProcessCount();

// This process's rank (0 to LaunchedProcessCount() - 1) in the same terms;
// 0 when no launcher started it.
int LaunchedProcessRank();

}  // namespace mergeflow
