#include "cli/launched_processes.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/failure_report.h"
#include "common/interrupt.h"
#include "cluster/launcher.h"

namespace mergeflow {

namespace {

[[noreturn]] void StopEveryCopy(const Launch& launch, const std::string& why) {
  std::_Exit(ReportFailure(Status::InvalidArgument(why), launch.rank == 0));
}

}  // namespace

Status RunOnLaunchedProcesses(const std::function<Status(MpiWorld* world)>& body,
                              const std::function<Status(int processes)>& usage) {
  const Launch launch = DetectLaunch();
  if (launch.processes == 1) return body(nullptr);
  // Every copy stops before touching any output; one says why.
  if (!launch.cannot_join.empty()) StopEveryCopy(launch, launch.cannot_join);
#ifdef MERGEFLOW_HAVE_MPI
  MF_ASSIGN_OR_RETURN(std::unique_ptr<MpiWorld> world, MpiWorld::Init());
  Status status = usage(world->size());
  const bool usage_error = !status.ok();
  if (!usage_error) status = body(world.get()).WithPrefix(world->Name() + ": ");
  // Every rank says what went wrong (a usage error once) before any exits:
  // the launcher stops the job as soon as one process exits with an error.
  const int code = status.ok() ? 0 : ReportFailure(status, !usage_error || world->rank() == 0);
  std::fflush(nullptr);
  world->Barrier();
  // Held off interrupts to the end, so that the launcher stopping the other
  // processes does not add "interrupted" to the reasons already given.
  RunUninterrupted([&] {
    world.reset();
    std::_Exit(code);
  });
  return status;
#else
  (void)usage;
  return Status::IOError("started as one of " + std::to_string(launch.processes) +
                         " MPI processes, but this mergeflow was built without MPI (install libopenmpi-dev and "
                         "rebuild, or run one process)");
#endif
}

void StopIfLaunchedSeveral(const std::string& command) {
  const Launch launch = DetectLaunch();
  if (launch.processes == 1) return;
  StopEveryCopy(launch, "mergeflow " + command + " runs as one process, but a launcher started " +
                            std::to_string(launch.processes) + " copies: run it without mpirun or srun");
}

Status CheckSeveralProcesses(int processes, const std::string& output, const std::vector<std::string>& inputs) {
  if (output.empty())
    return Status::InvalidArgument("with " + std::to_string(processes) +
                                   " MPI processes, give -o OUT: processes cannot share standard output");
  for (const std::string& input : inputs) {
    if (input == "-") return Status::InvalidArgument("standard input cannot be read by several MPI processes");
  }
  return Status::OK();
}

}  // namespace mergeflow
