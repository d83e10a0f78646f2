// ProcessGroup: the processes one command runs on (this process alone, or
// the ranks of an MPI job) and the collectives an operator needs to share
// its work among them and agree on the outcome. Operators depend on this
// interface, never on MPI, so that they build and run without it.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace mergeflow {

class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Collectives: every process calls them, in the same order.
  // Every process's `bytes`, in rank order, on every process.
  virtual std::vector<std::string> GatherAll(const std::string& bytes) const = 0;
  // Rank 0's `text` on every process.
  virtual std::string Broadcast(const std::string& text) const = 0;

  bool leader() const { return rank() == 0; }
};

// This process alone.
class SingleProcess : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::vector<std::string> GatherAll(const std::string& bytes) const override { return {bytes}; }
  std::string Broadcast(const std::string& text) const override { return text; }
};

// Every process's status: OK where all are OK; else this process's own
// error, or one naming the first rank that failed and why. A Cancelled
// status (this process stopped because another failed) is not an error of
// its own. Collective.
Status Agree(const ProcessGroup& group, const Status& mine);

// Whether every process holds the same `value`. Collective.
bool AllEqual(const ProcessGroup& group, const std::string& value);

}  // namespace mergeflow
