// How a command runs when a launcher (mpirun, mpiexec, srun) may have
// started several copies of it: alone, or as one rank of an MPI world.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "cluster/mpi_world.h"

namespace mergeflow {

// Runs `body(nullptr)` when this process was started alone. When a launcher
// started several, joins their MPI world, asks `usage(world size)` whether
// the command can run on that many processes (its InvalidArgument is
// printed once, by rank 0), then runs `body(world)` on every rank; each
// rank prints its own error, prefixed by its name, and the process ends
// with the command's exit status (0, 1, or 2 for usage) without returning.
// Fails without MPI in the build.
Status RunOnLaunchedProcesses(const std::function<Status(MpiWorld* world)>& body,
                              const std::function<Status(int processes)>& usage);

// For a command that runs as one process only: when a launcher started
// several copies of it, every copy stops here (exit status 2) before doing
// anything, the first saying why; otherwise returns.
void StopIfLaunchedSeveral(const std::string& command);

// What every command writing an output needs to run on several processes:
// an -o `output` (processes cannot share standard output) and no input
// (`inputs`) read from standard input. InvalidArgument saying which.
Status CheckSeveralProcesses(int processes, const std::string& output, const std::vector<std::string>& inputs);

}  // namespace mergeflow
