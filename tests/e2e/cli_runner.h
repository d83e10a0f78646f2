// Runs the mergeflow binary through the shell and captures what it did.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "test_files.h"

namespace mergeflow::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `mergeflow ARGS` in directory `dir` (a shell command line: quote as
// the shell wants). Standard input is /dev/null unless `args` redirects it.
inline RunResult RunMergeflow(const TempDir& dir, const std::string& args) {
  const std::string command = "cd '" + dir.path() + "' && " + MERGEFLOW_BINARY + " < /dev/null " + args +
                              " > .stdout 2> .stderr";
  int status = std::system(("bash -c \"$(cat <<'MFEOF'\n" + command + "\nMFEOF\n)\"").c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(dir / ".stdout");
  r.err = ReadFile(dir / ".stderr");
  std::remove((dir / ".stdout").c_str());
  std::remove((dir / ".stderr").c_str());
  return r;
}

// Runs a bash script in `dir`; returns its exit code.
inline int RunScript(const TempDir& dir, const std::string& script) {
  const std::string command = "cd '" + dir.path() + "' && MERGEFLOW='" + MERGEFLOW_BINARY + "'\n" + script;
  int status = std::system(("bash -c \"$(cat <<'MFEOF'\n" + command + "\nMFEOF\n)\"").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace mergeflow::testing
