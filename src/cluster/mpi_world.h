// MpiWorld: this process's place in an MPI job (a ProcessGroup), and the
// few further collectives the distributed join needs. Built only when MPI
// is available (MERGEFLOW_HAVE_MPI).
//
// MPI is initialised with MPI_THREAD_SERIALIZED: one thread at a time calls
// MPI (the main thread for collectives, the RowExchange thread while rows
// are shuffled, never both at once).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/process_group.h"
#include "common/result.h"

namespace mergeflow {

class MpiWorld : public ProcessGroup {
 public:
  // Initialises MPI. Fails when the library cannot give serialized threading.
  static Result<std::unique_ptr<MpiWorld>> Init();
  // Finalises MPI.
  ~MpiWorld() override;
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  // "rank R of N", for messages.
  std::string Name() const;

  // Collectives: every rank must call them, in the same order.
  void Barrier() const;
  uint64_t SumAll(uint64_t value) const;
  uint64_t MaxAll(uint64_t value) const;
  std::string Broadcast(const std::string& text) const override;
  std::vector<std::string> GatherAll(const std::string& bytes) const override;

 private:
  MpiWorld(int rank, int size) : rank_(rank), size_(size) {}
  int rank_;
  int size_;
};

}  // namespace mergeflow
