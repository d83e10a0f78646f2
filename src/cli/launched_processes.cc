#include "cli/launched_processes.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/failure_report.h"
#include "common/interrupt.h"
#include "cluster/launcher.h"

namespace mergeflow {

Status RunOnLaunchedProcesses(const std::function<Status(MpiWorld* world)>& body,
                              const std::function<Status(int processes)>& usage) {
  const int processes = LaunchedProcessCount();
  if (processes == 1) return body(nullptr);
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
  return Status::IOError("started as one of " + std::to_string(processes) +
                         " MPI processes, but this mergeflow was built without MPI (install libopenmpi-dev and "
                         "rebuild, or run one process)");
#endif
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
