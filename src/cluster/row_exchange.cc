#include "cluster/row_exchange.h"

#include <mpi.h>

#include <chrono>

namespace mergeflow {

namespace {

constexpr int kDoneTag = 1000;  // data tags are stream numbers

}  // namespace

// A nonblocking send and the bytes it reads from.
struct RowExchange::Pending {
  MPI_Request request = MPI_REQUEST_NULL;
  std::string bytes;
  bool counts_in_flight = true;  // a batch (not a "done" message)
};

RowExchange::RowExchange(const MpiWorld* world, std::vector<WritableFile*> streams, uint64_t max_bytes_in_flight)
    : world_(world),
      streams_(std::move(streams)),
      max_bytes_in_flight_(max_bytes_in_flight),
      stream_mu_(streams_.size()),
      sent_(streams_.size(), 0),
      received_(streams_.size(), 0) {
  thread_ = std::thread([this] { Run(); });
}

RowExchange::~RowExchange() {
  if (thread_.joinable()) thread_.join();
  for (Pending* p : pending_) delete p;
}

Status RowExchange::Write(int stream, const std::string& batch) {
  std::lock_guard<std::mutex> lock(stream_mu_[stream]);
  return streams_[stream]->Append(batch);
}

Status RowExchange::Send(int to, int stream, std::string batch) {
  if (error_.set()) return error_.status();
  if (to == world_->rank()) {
    Status written = Write(stream, batch);
    if (!written.ok()) error_.Set(written);
    return written;
  }
  std::unique_lock<std::mutex> lock(mu_);
  room_.wait(lock, [&] { return bytes_in_flight_ < max_bytes_in_flight_ || error_.set(); });
  if (error_.set()) return Status::IOError("the shuffle stopped");
  bytes_in_flight_ += batch.size();
  queue_.push_back(Outgoing{to, stream, std::move(batch)});
  return Status::OK();
}

Status RowExchange::Finish(const Status& local) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    finishing_ = true;
    local_failed_ = !local.ok();
  }
  thread_.join();
  if (!local.ok()) return local;
  if (error_.set()) return error_.status();
  if (failed_rank_ >= 0) return Status::Cancelled("rank " + std::to_string(failed_rank_) + " failed");
  return Status::OK();
}

void RowExchange::Run() {
  try {
    RunSteps();
  } catch (const std::bad_alloc&) {
    // No exception may leave the thread; the shuffle fails as a whole.
    error_.Set(Status::IOError("out of memory in the shuffle"));
    room_.notify_all();
  }
}

void RowExchange::RunSteps() {
  int idle_rounds = 0;
  for (;;) {
    const bool worked = Step();
    const int others = world_->size() - 1;
    if (done_sent_ && pending_.empty() && done_from_ == others) return;
    if (worked) {
      idle_rounds = 0;
    } else if (++idle_rounds > 100) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
}

bool RowExchange::Step() {
  bool worked = false;
  // Start the queued sends.
  std::deque<Outgoing> batches;
  bool finishing = false;
  bool local_failed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batches.swap(queue_);
    finishing = finishing_;
    local_failed = local_failed_;
  }
  for (Outgoing& out : batches) {
    auto* p = new Pending;
    p->bytes = std::move(out.batch);
    sent_[out.stream] += p->bytes.size();
    MPI_Isend(p->bytes.data(), static_cast<int>(p->bytes.size()), MPI_CHAR, out.to, out.stream, MPI_COMM_WORLD,
              &p->request);
    pending_.push_back(p);
    worked = true;
  }
  // Retire the finished ones.
  uint64_t delivered = 0;
  for (size_t i = 0; i < pending_.size();) {
    int done = 0;
    MPI_Test(&pending_[i]->request, &done, MPI_STATUS_IGNORE);
    if (!done) {
      ++i;
      continue;
    }
    if (pending_[i]->counts_in_flight) delivered += pending_[i]->bytes.size();
    delete pending_[i];
    pending_[i] = pending_.back();
    pending_.pop_back();
    worked = true;
  }
  if (delivered > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    bytes_in_flight_ -= delivered;
    room_.notify_all();
  }
  // Receive what has arrived.
  for (;;) {
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status);
    if (!arrived) break;
    int count = 0;
    MPI_Get_count(&status, MPI_CHAR, &count);
    std::string bytes(static_cast<size_t>(count), '\0');
    MPI_Recv(bytes.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    worked = true;
    if (status.MPI_TAG == kDoneTag) {
      ++done_from_;
      if (bytes == "F" && failed_rank_ < 0) failed_rank_ = status.MPI_SOURCE;
      continue;
    }
    received_[status.MPI_TAG] += bytes.size();
    if (error_.set()) continue;  // keep draining so that senders are not stuck
    Status written = Write(status.MPI_TAG, bytes);
    if (!written.ok()) {
      error_.Set(written);
      std::lock_guard<std::mutex> lock(mu_);
      room_.notify_all();
    }
  }
  // Once this rank's batches are all out, say so to every other rank.
  if (finishing && !done_sent_ && batches.empty() && pending_.empty()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!queue_.empty()) return true;  // a last batch came in meanwhile
    }
    const bool failed = local_failed || error_.set();
    for (int r = 0; r < world_->size(); ++r) {
      if (r == world_->rank()) continue;
      auto* p = new Pending;
      p->bytes = failed ? "F" : "K";
      p->counts_in_flight = false;
      MPI_Isend(p->bytes.data(), 1, MPI_CHAR, r, kDoneTag, MPI_COMM_WORLD, &p->request);
      pending_.push_back(p);
    }
    done_sent_ = true;
    worked = true;
  }
  return worked;
}

}  // namespace mergeflow
