// Clean shutdown on SIGINT/SIGTERM: registered cleanups (removing staging
// directories, aborting uploads) run before the process exits.
#pragma once

#include <functional>

#include "common/status.h"

namespace mergeflow {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and so in every
// thread it starts later) and starts a thread that waits for them. On such a
// signal every registered cleanup runs once, newest first, then the process exits with
// 128 + signal number. Call once, first thing in main().
void InstallInterruptHandler();

// Registers `cleanup` to run if the process is interrupted. Returns a handle
// for UnregisterCleanup. Thread-safe.
int RegisterCleanup(std::function<void()> cleanup);

// Removes a cleanup (it will not run). Thread-safe; unknown handles are ignored.
void UnregisterCleanup(int handle);

// Runs `critical` while no interrupt cleanup can start, so that a multi-step
// change (such as the final renames of a commit, or creating a directory and
// registering its removal) is never cut in half. `critical` may call
// RegisterCleanup and UnregisterCleanup.
void RunUninterrupted(const std::function<void()>& critical);

// A cooperative stop, for a program that runs commands inside its own
// process and must not exit (the Python module, on Ctrl-C): once requested,
// reading input fails with Cancelled at its next chunk and no output
// commits, so the command returns soon with its output unchanged.
// Thread-safe; ClearStopRequest before the next command.
void RequestStop();
void ClearStopRequest();
bool StopRequested();

// The status of work given up because a stop was requested.
Status Interrupted();

}  // namespace mergeflow
