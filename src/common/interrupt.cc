#include "common/interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

namespace mergeflow {
namespace {

std::recursive_mutex& CleanupMutex() {
  static std::recursive_mutex mu;
  return mu;
}

std::map<int, std::function<void()>>& Cleanups() {
  static std::map<int, std::function<void()>> cleanups;
  return cleanups;
}

int next_handle = 1;

std::atomic<bool> stop_requested{false};

sigset_t HandledSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void InstallInterruptHandler() {
  sigset_t set = HandledSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    sigwait(&set, &sig);
    std::lock_guard<std::recursive_mutex> lock(CleanupMutex());  // held until exit: nothing else commits
    // Newest first: what was registered later may depend on what came before
    // (a staging directory's removal goes before its marker's).
    for (auto it = Cleanups().rbegin(); it != Cleanups().rend(); ++it) it->second();
    static const char kMessage[] = "mergeflow: error: interrupted; output left unchanged\n";
    ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    (void)ignored;
    _exit(128 + sig);
  }).detach();
}

int RegisterCleanup(std::function<void()> cleanup) {
  std::lock_guard<std::recursive_mutex> lock(CleanupMutex());
  int handle = next_handle++;
  Cleanups().emplace(handle, std::move(cleanup));
  return handle;
}

void UnregisterCleanup(int handle) {
  std::lock_guard<std::recursive_mutex> lock(CleanupMutex());
  Cleanups().erase(handle);
}

void RunUninterrupted(const std::function<void()>& critical) {
  std::lock_guard<std::recursive_mutex> lock(CleanupMutex());
  critical();
}

void RequestStop() { stop_requested.store(true, std::memory_order_relaxed); }

void ClearStopRequest() { stop_requested.store(false, std::memory_order_relaxed); }

bool StopRequested() { return stop_requested.load(std::memory_order_relaxed); }

Status Interrupted() { return Status::Cancelled("interrupted; output left unchanged"); }

}  // namespace mergeflow
