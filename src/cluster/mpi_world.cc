#include "cluster/mpi_world.h"

#include <mpi.h>

namespace mergeflow {

Result<std::unique_ptr<MpiWorld>> MpiWorld::Init() {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
    return Status::IOError("cannot initialise MPI");
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    return Status::IOError("the MPI library does not support MPI_THREAD_SERIALIZED");
  }
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return std::unique_ptr<MpiWorld>(new MpiWorld(rank, size));
}

MpiWorld::~MpiWorld() { MPI_Finalize(); }

std::string MpiWorld::Name() const { return "rank " + std::to_string(rank_) + " of " + std::to_string(size_); }

void MpiWorld::Barrier() const { MPI_Barrier(MPI_COMM_WORLD); }

uint64_t MpiWorld::SumAll(uint64_t value) const {
  uint64_t sum = 0;
  MPI_Allreduce(&value, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  return sum;
}

uint64_t MpiWorld::MaxAll(uint64_t value) const {
  uint64_t max = 0;
  MPI_Allreduce(&value, &max, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
  return max;
}

std::string MpiWorld::Broadcast(const std::string& text) const {
  uint64_t size = text.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  std::string out = rank_ == 0 ? text : std::string(size, '\0');
  MPI_Bcast(out.data(), static_cast<int>(size), MPI_CHAR, 0, MPI_COMM_WORLD);
  return out;
}

std::vector<std::string> MpiWorld::GatherAll(const std::string& bytes) const {
  const int mine = static_cast<int>(bytes.size());
  std::vector<int> sizes(size_);
  MPI_Allgather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
  std::vector<int> offsets(size_);
  int total = 0;
  for (int r = 0; r < size_; ++r) {
    offsets[r] = total;
    total += sizes[r];
  }
  std::string all(total, '\0');
  MPI_Allgatherv(bytes.data(), mine, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (int r = 0; r < size_; ++r) out.push_back(all.substr(offsets[r], sizes[r]));
  return out;
}

}  // namespace mergeflow
