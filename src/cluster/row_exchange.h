// RowExchange: the MPI shuffle's transport. Worker threads hand it batches
// of rows for other ranks; one thread of its own sends them (nonblocking
// point-to-point), receives what other ranks send here and appends it to
// this rank's file of the batch's stream (one stream per join side).
//
// Flow control: Send blocks while more than `max_bytes_in_flight` of this
// rank's batches are queued or not yet delivered, so a slow receiver slows
// its senders down instead of filling their memory. Received batches go
// straight to a file, one at a time.
//
// End: each rank calls Finish once its own sends are done, with its status.
// Every rank then tells every other rank it is done (and whether it
// failed) and keeps receiving until all ranks said so; messages from one
// rank arrive in order, so nothing can follow its "done". Every rank thus
// learns whether any rank failed, without a further collective.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/mpi_world.h"
#include "common/first_error.h"
#include "io/file_system.h"

namespace mergeflow {

class RowExchange {
 public:
  // Received (and own) batches of stream s go to streams[s], which must
  // outlive the exchange. Starts the exchange thread.
  RowExchange(const MpiWorld* world, std::vector<WritableFile*> streams, uint64_t max_bytes_in_flight);
  // REQUIRES: Finish was called.
  ~RowExchange();
  RowExchange(const RowExchange&) = delete;
  RowExchange& operator=(const RowExchange&) = delete;

  // Delivers `batch` (whole rows) to rank `to`'s stream `stream`: this
  // rank's own batches are written at once. Thread-safe. Fails once the
  // exchange has failed.
  Status Send(int to, int stream, std::string batch);

  // Ends this rank's part (see above), `local` being how its reading went.
  // Returns `local` if it failed, else the exchange's own failure, else
  // Cancelled naming a rank that failed, else OK.
  Status Finish(const Status& local);

  // Bytes sent to other ranks and received from them, per stream.
  uint64_t sent_bytes(int stream) const { return sent_[stream]; }
  uint64_t received_bytes(int stream) const { return received_[stream]; }

 private:
  struct Outgoing {
    int to;
    int stream;
    std::string batch;
  };
  // The exchange thread: RunSteps until done; an exception (out of memory)
  // fails the exchange instead of leaving the thread.
  void Run();
  void RunSteps();
  // One round of the exchange thread's work; true if it did anything.
  bool Step();
  Status Write(int stream, const std::string& batch);

  const MpiWorld* world_;
  std::vector<WritableFile*> streams_;
  const uint64_t max_bytes_in_flight_;
  std::vector<std::mutex> stream_mu_;  // one per stream: own batches and received ones

  std::mutex mu_;
  std::condition_variable room_;  // bytes in flight went down
  std::deque<Outgoing> queue_;
  uint64_t bytes_in_flight_ = 0;  // queued or being sent
  bool finishing_ = false;
  bool local_failed_ = false;
  FirstError error_;  // the exchange's own failure (a write, a receive)

  // Owned by the exchange thread.
  struct Pending;
  std::vector<Pending*> pending_;
  bool done_sent_ = false;
  int done_from_ = 0;     // ranks (other than this one) that said they were done
  int failed_rank_ = -1;  // a rank that said it failed
  std::vector<uint64_t> sent_;
  std::vector<uint64_t> received_;
  std::thread thread_;
};

}  // namespace mergeflow
