#include "pipeline/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/interrupt.h"

extern char** environ;

namespace mergeflow {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The environment of the child: the runner's with `extra` set over it.
std::vector<std::string> ChildEnvironment(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    bool replaced = false;
    for (const auto& [name, value] : extra) replaced = replaced || text.starts_with(name + "=");
    if (!replaced) env.emplace_back(text);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& texts) {
  std::vector<char*> pointers;
  for (std::string& t : texts) pointers.push_back(t.data());
  pointers.push_back(nullptr);
  return pointers;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void BecomeChild(int out_fd, pid_t runner, char** argv, char** envp) {
  setpgid(0, 0);
  // The runner blocks the interrupt signals in every thread (common/interrupt.h);
  // the step must get them.
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != runner) _exit(128 + SIGTERM);  // the runner died before the line above
  const int null = open("/dev/null", O_RDONLY);
  if (null >= 0) dup2(null, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  execvpe(argv[0], argv, envp);
  const char* reason = strerror(errno);
  for (const char* piece : {"mergeflow: cannot run ", static_cast<const char*>(argv[0]), ": ", reason, "\n"})
    (void)!write(2, piece, strlen(piece));
  _exit(127);
}

// Stops the group of child `pid` (its leader): SIGTERM, then SIGKILL when
// the leader has not ended after `grace` seconds; what else is left of the
// group then is killed. Returns whether the leader was reaped (its status
// in `*status`).
bool StopGroup(pid_t pid, double grace, int* status) {
  kill(-pid, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::duration<double>(grace);
  bool reaped = false;
  while (!reaped && Clock::now() < deadline) {
    reaped = waitpid(pid, status, WNOHANG) == pid;
    if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(-pid, SIGKILL);
  return reaped;
}

// After the leader ends, how long the rest of the group may keep the pipe
// open (a process that left the group cannot be killed with it).
constexpr double kDrainSeconds = 5;

}  // namespace

Result<ChildOutcome> RunChild(const ChildOptions& options, const std::function<void(std::string_view)>& output) {
  if (options.argv.empty()) return Status::InvalidArgument("a step with an empty command");
  std::vector<std::string> args = options.argv;
  std::vector<std::string> env = ChildEnvironment(options.environment);
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("cannot make a pipe for a step", errno);
  const pid_t runner = getpid();
  const auto start = Clock::now();
  pid_t pid = -1;
  int stop_handle = 0;
  // Started and registered for stopping at an interrupt in one step.
  RunUninterrupted([&] {
    pid = fork();
    if (pid == 0) BecomeChild(fds[1], runner, argv.data(), envp.data());
    if (pid < 0) return;
    setpgid(pid, pid);  // also here: whichever of the two runs first
    stop_handle = RegisterCleanup([pid, grace = options.grace_seconds] {
      int ignored = 0;
      StopGroup(pid, grace, &ignored);
    });
  });
  const int fork_errno = errno;
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return ErrnoStatus("cannot start " + options.argv[0], fork_errno);
  }
  ChildOutcome outcome;
  int status = 0;
  bool exited = false;
  Clock::time_point exited_at;
  char buffer[65536];
  while (!exited || SecondsSince(exited_at) < kDrainSeconds) {
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, 200);
    if (ready == 0) output(std::string_view());
    if (ready > 0) {
      const ssize_t n = read(fds[0], buffer, sizeof(buffer));
      if (n > 0) {
        output(std::string_view(buffer, static_cast<size_t>(n)));
        continue;
      }
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;  // every writer is gone
    }
    if (!exited && !outcome.timed_out && options.timeout_seconds && SecondsSince(start) > *options.timeout_seconds) {
      outcome.timed_out = true;
      outcome.timeout_seconds = *options.timeout_seconds;
      exited = StopGroup(pid, options.grace_seconds, &status);
    } else if (!exited) {
      exited = waitpid(pid, &status, WNOHANG) == pid;
    }
    if (exited && exited_at == Clock::time_point()) {
      exited_at = Clock::now();
      // What it started and left behind goes with it (and with it the pipe's last writers).
      kill(-pid, SIGKILL);
    }
  }
  close(fds[0]);
  if (!exited) waitpid(pid, &status, 0);
  kill(-pid, SIGKILL);
  UnregisterCleanup(stop_handle);
  outcome.seconds = SecondsSince(start);
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  return outcome;
}

std::string DescribeOutcome(const ChildOutcome& outcome) {
  if (outcome.timed_out) return "timed out after " + std::to_string(static_cast<long>(outcome.timeout_seconds)) + " s";
  if (outcome.signal != 0) return std::string("killed by SIG") + sigabbrev_np(outcome.signal);
  return "exit status " + std::to_string(outcome.exit_code);
}

}  // namespace mergeflow
