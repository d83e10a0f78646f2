#include "cluster/shuffle.h"

#include <mutex>

#include "engine/key_encoder.h"
#include "engine/scan_side.h"

namespace mergeflow {

Status ShuffleSide(const JoinSide& side, Side which, const RowRouter& router, const JoinOptions& options,
                   size_t batch_bytes, RowExchange* exchange, ShuffleSideStats* stats) {
  const int stream = static_cast<int>(which);
  struct Visitor {
    KeyEncoder encoder;
    const RowRouter* router;
    RowExchange* exchange;
    BadRowLog* log;
    const Chunk* chunk;
    Side which;
    int stream;
    size_t batch_bytes;
    std::vector<std::string> batches;  // one per rank
    uint64_t turn;                     // round-robin position for spread rows
    SpreadKeys spread;                 // keys of the rows this side spread
    SpreadKeys sent;                   // keys of which the first right row was sent (semi, anti)
    Status status;
    uint64_t rows = 0;

    void OnRow(const RowView& r) {
      ++rows;
      std::string_view key;
      uint64_t hash;
      const bool has_key = encoder.EncodeAndHash(r.keys, &key, &hash);
      if (has_key && !router->heavy().empty()) {
        const int heavy = router->HeavyIndex(hash);
        if (heavy >= 0) {
          const HeavyKey& plan = router->heavy()[heavy];
          if (plan.Spreads(which)) spread.Note(heavy, key);
          if (plan.first_right_row_only && which == Side::kRight) {
            if (sent.Has(heavy, key)) return;
            sent.Note(heavy, key);
          }
        }
      }
      router->Route(which, has_key, hash, &turn, [&](int to) {
        std::string& batch = batches[to];
        batch.append(r.data, r.size);
        batch.push_back('\n');
        if (batch.size() >= batch_bytes) Flush(to);
      });
    }
    bool OnBadRow(uint64_t offset, std::string message) { return log->Report(*chunk, offset, std::move(message)); }
    void Flush(int to) {
      if (batches[to].empty() || !status.ok()) return;
      status = exchange->Send(to, stream, std::move(batches[to]));
      batches[to] = std::string();
      batches[to].reserve(batch_bytes + (batch_bytes >> 2));
    }
  };
  BadRowLog log(options.skip_bad_rows, side.reader);
  stats->spread_keys = SpreadKeys(router.heavy().size());
  std::mutex spread_mutex;
  const int ranks = static_cast<int>(router.ranks());
  MF_RETURN_IF_ERROR(ScanSide(
      side, options.threads, options.progress, &log, &stats->rows,
      [&](int worker, const Chunk* chunk) {
        return Visitor{KeyEncoder(side.schema.key_fields.size(), options.null_keys_equal),
                       &router,
                       exchange,
                       &log,
                       chunk,
                       which,
                       stream,
                       batch_bytes,
                       std::vector<std::string>(ranks),
                       static_cast<uint64_t>(worker) * 7919 + router.rank(),
                       SpreadKeys(router.heavy().size()),
                       SpreadKeys(router.heavy().size()),
                       Status::OK()};
      },
      [&](int, Visitor& visitor, Chunk& chunk) {
        side.reader->Recycle(std::move(chunk));  // its rows were copied into batches
        return visitor.status;
      },
      [&](int, Visitor& visitor) {
        for (int to = 0; to < ranks; ++to) visitor.Flush(to);
        const std::lock_guard<std::mutex> lock(spread_mutex);
        stats->spread_keys.Merge(visitor.spread);
        return visitor.status;
      }));
  stats->bad_rows_skipped = log.count();
  stats->bad_row_samples = log.samples();
  return Status::OK();
}

}  // namespace mergeflow
