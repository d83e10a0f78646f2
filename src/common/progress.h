// Progress: tells the user that a long run is moving, and how fast.
//
// Workers add what they have processed (lock-free counters); a reporter
// thread prints it to stderr: on a terminal, one line redrawn in place with
// a bar, rate and ETA; otherwise (logs, CI), a plain line every few seconds.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace mergeflow {

class Progress {
 public:
  struct Options {
    bool enabled = true;       // false: print nothing (--quiet)
    bool terminal = false;     // redraw one line in place
    double interval = 5.0;     // seconds between reports
    std::function<void(const std::string&)> write;  // receives each report (default: stderr)
  };

  explicit Progress(Options options);
  ~Progress();  // finishes the current phase
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Starts phase `name` over `total_bytes` of input (0: unknown), ending the
  // previous one. Not thread-safe with itself; call from one thread.
  void StartPhase(const std::string& name, uint64_t total_bytes);
  // Records work done in the current phase. Thread-safe, cheap.
  void Add(uint64_t bytes, uint64_t rows) {
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    rows_.fetch_add(rows, std::memory_order_relaxed);
  }
  // Ends the current phase (on a terminal, clears the line).
  void Finish();

  // The report for a phase: "build: 120.0 MB of 245.0 MB (49%), 4.9M rows
  // (2.0M/s), 45.1 MB/s, about 3 s left"; with a bar when `bar` is set.
  // Exposed for tests.
  static std::string Format(const std::string& phase, uint64_t bytes, uint64_t total, uint64_t rows,
                            double seconds, bool bar);

  // Options for stderr: a terminal gets a redrawn line every 0.5 s, anything
  // else a line every 5 s; `interval` > 0 overrides the period.
  static Options ForStderr(bool quiet, double interval);

 private:
  void Run();
  void Report(bool final_report);

  Options options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::string phase_;
  uint64_t total_ = 0;
  double phase_start_ = 0;
  bool printed_in_phase_ = false;
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> rows_{0};
  std::thread thread_;
};

}  // namespace mergeflow
