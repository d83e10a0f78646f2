#include "common/progress.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "common/process_stats.h"

namespace mergeflow {
namespace {

// `n` scaled by thousands, e.g. "4.9M"; `unit` follows the prefix
// ("B" gives "4.9 MB"; "" gives "4.9M").
std::string Scaled(uint64_t n, const char* unit) {
  const char* space = unit[0] != '\0' ? " " : "";
  char text[32];
  const double v = static_cast<double>(n);
  if (v >= 1e9) std::snprintf(text, sizeof(text), "%.2f%sG%s", v / 1e9, space, unit);
  else if (v >= 1e6) std::snprintf(text, sizeof(text), "%.1f%sM%s", v / 1e6, space, unit);
  else if (v >= 1e3) std::snprintf(text, sizeof(text), "%.1f%sk%s", v / 1e3, space, unit);
  else std::snprintf(text, sizeof(text), "%llu%s%s", static_cast<unsigned long long>(n), space, unit);
  return text;
}

std::string Bytes(uint64_t n) { return Scaled(n, "B"); }
std::string Rows(uint64_t n) { return Scaled(n, ""); }

}  // namespace

Progress::Options Progress::ForStderr(bool quiet, double interval) {
  Options options;
  options.enabled = !quiet;
  options.terminal = isatty(STDERR_FILENO) != 0;
  options.interval = interval > 0 ? interval : (options.terminal ? 0.5 : 5.0);
  return options;
}

std::string Progress::Format(const std::string& phase, uint64_t bytes, uint64_t total, uint64_t rows, double seconds,
                             bool bar) {
  std::string line = phase + ": " + Bytes(bytes);
  const bool known = total > 0 && bytes <= total;
  const double fraction = known ? static_cast<double>(bytes) / static_cast<double>(total) : 0;
  if (known) {
    char percent[16];
    std::snprintf(percent, sizeof(percent), " (%d%%)", static_cast<int>(fraction * 100));
    line += " of " + Bytes(total) + percent;
  }
  line += ", " + Rows(rows) + " rows";
  if (seconds > 0) {
    const double rate = static_cast<double>(bytes) / seconds;
    line += " (" + Rows(static_cast<uint64_t>(static_cast<double>(rows) / seconds)) + "/s), " +
            Bytes(static_cast<uint64_t>(rate)) + "/s";
    if (known && rate > 0 && bytes < total) {
      char eta[32];
      std::snprintf(eta, sizeof(eta), ", about %.0f s left", std::ceil(static_cast<double>(total - bytes) / rate));
      line += eta;
    }
  }
  if (bar && known) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    line = "[" + std::string(filled, '=') + std::string(kWidth - filled, ' ') + "] " + line;
  }
  return line;
}

Progress::Progress(Options options) : options_(std::move(options)) {
  if (!options_.write) {
    options_.write = [](const std::string& text) {
      ssize_t ignored = write(STDERR_FILENO, text.data(), text.size());
      (void)ignored;
    };
  }
  if (options_.enabled) thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() {
  Finish();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Progress::StartPhase(const std::string& name, uint64_t total_bytes) {
  Finish();
  std::lock_guard<std::mutex> lock(mu_);
  phase_ = name;
  total_ = total_bytes;
  phase_start_ = MonotonicSeconds();
  printed_in_phase_ = false;
  bytes_.store(0);
  rows_.store(0);
}

void Progress::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (phase_.empty()) return;
  // A phase that was reported while running gets its final figures.
  if (options_.enabled && printed_in_phase_) Report(true);
  phase_.clear();
}

void Progress::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::duration<double>(options_.interval));
    if (!stop_ && !phase_.empty()) {
      Report(false);
      printed_in_phase_ = true;
    }
  }
}

void Progress::Report(bool final_report) {
  const std::string line =
      Format(phase_, bytes_.load(), total_, rows_.load(), MonotonicSeconds() - phase_start_, options_.terminal);
  if (options_.terminal) {
    // Redraw in place; the final report of a phase stays on its own line.
    options_.write("\r\033[K" + line + (final_report ? "\n" : ""));
  } else {
    options_.write("mergeflow: " + line + "\n");
  }
}

}  // namespace mergeflow
