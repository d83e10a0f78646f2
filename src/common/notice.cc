#include "common/notice.h"

#include <unistd.h>

#include <mutex>

namespace mergeflow {
namespace {

std::mutex& NoticeMutex() {
  static std::mutex mu;
  return mu;
}

std::function<void(const std::string&)>& Sink() {
  static std::function<void(const std::string&)> sink;
  return sink;
}

}  // namespace

void Notice(const std::string& line) {
  std::lock_guard<std::mutex> lock(NoticeMutex());
  if (Sink()) {
    Sink()(line);
    return;
  }
  const std::string text = "mergeflow: " + line + "\n";
  ssize_t ignored = write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

void SetNoticeSink(std::function<void(const std::string&)> sink) {
  std::lock_guard<std::mutex> lock(NoticeMutex());
  Sink() = std::move(sink);
}

}  // namespace mergeflow
