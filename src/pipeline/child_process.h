// A pipeline step's process (or its launcher, mpirun or srun): started in a
// process group of its own, so that stopping a step stops everything it
// started; its standard output and error read through one pipe as they
// come. A step's processes end with it: what its first process leaves
// running when it exits is killed, and so is all of it when the runner
// dies (the first process gets SIGTERM) or is interrupted.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace mergeflow {

struct ChildOptions {
  std::vector<std::string> argv;  // argv[0] is searched for in PATH
  std::vector<std::pair<std::string, std::string>> environment;  // set on top of the runner's
  std::optional<double> timeout_seconds;
  // After SIGTERM (at the timeout or an interrupt), how long the group has
  // to end before SIGKILL.
  double grace_seconds = 10;
};

struct ChildOutcome {
  int exit_code = -1;      // when it exited
  int signal = 0;          // when a signal ended it
  bool timed_out = false;  // stopped at its timeout (options.timeout_seconds)
  double timeout_seconds = 0;
  double seconds = 0;      // from start to end
};

// Runs the child to its end, handing `output` what it prints, in pieces as
// they come, and an empty piece whenever it has printed nothing for a
// fifth of a second (so that `output` can keep a schedule of its own). IOError when it cannot be started at all (a program that is
// not found exits 127 with a line saying so, like a shell).
Result<ChildOutcome> RunChild(const ChildOptions& options, const std::function<void(std::string_view)>& output);

// The outcome in words: "exit status 3", "killed by SIGKILL", "timed out after 2 s" (its timeout).
std::string DescribeOutcome(const ChildOutcome& outcome);

}  // namespace mergeflow
