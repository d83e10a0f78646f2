#include "cli/distributed_join.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/interrupt.h"
#include "common/process_stats.h"
#include "dist/input_ranges.h"
#include "dist/key_sample.h"
#include "dist/row_exchange.h"
#include "dist/shuffle.h"
#include "io/output_committer.h"
#include "io/part_files_sink.h"
#include "join/key_encoder.h"

namespace mergeflow {

namespace {

constexpr uint64_t kSampleRows = 100000;  // per rank and side
constexpr size_t kSampleTop = 32;         // key hashes each rank reports per side
constexpr double kHeavyShare = 0.2;       // of one rank's fair share: see FindHeavyKeys

// Every rank's status: OK where all are OK; else this rank's own error, or
// one naming the first rank that failed and why. A Cancelled status (this
// rank stopped because another failed) is not an error of its own.
// Collective.
Status Agree(const MpiWorld& world, const Status& mine) {
  const bool own = !mine.ok() && mine.code() != Status::Code::kCancelled;
  const std::vector<std::string> all = world.GatherAll(own ? mine.message() : std::string());
  if (own) return mine;
  for (size_t r = 0; r < all.size(); ++r) {
    if (!all[r].empty()) return Status::IOError("stopped because rank " + std::to_string(r) + " failed: " + all[r]);
  }
  return Status::OK();
}

// The same value on every rank for the same inputs, to check that every
// rank sees the same files.
uint64_t ListingHash(const std::vector<FileInfo>& left, const std::vector<FileInfo>& right) {
  std::string text;
  for (const auto* files : {&left, &right}) {
    for (const FileInfo& f : *files) text += f.path + '\n' + std::to_string(f.size) + '\n';
    text += '\n';
  }
  return KeyEncoder::Hash(text);
}

std::string TempBase(const JoinOptions& options) {
  const char* tmpdir = std::getenv("TMPDIR");
  return !options.temp_dir.empty() ? options.temp_dir : tmpdir != nullptr ? tmpdir : "/tmp";
}

// A side read from this rank's byte ranges of `input`.
struct RangeSide {
  std::unique_ptr<ChunkReader> reader;
  JoinSide side;
  uint64_t bytes = 0;
};

RangeSide ReadRanges(const MpiWorld& world, const DistributedInput& input, const DistributedOutput& output,
                     size_t chunk_bytes, int threads) {
  RangeSide r;
  std::vector<FileRange> ranges = RangesForRank(input.files, world.rank(), world.size(), output.whole_files);
  for (const FileRange& range : ranges) {
    const uint64_t size = input.files[range.file_index].size;
    r.bytes += std::min(range.end, size) - range.begin;
  }
  r.reader = std::make_unique<ChunkReader>(input.files, std::move(ranges), input.side->dialect, chunk_bytes, threads,
                                           ChunkOrder::kAnyOrder);
  r.side = *input.side;
  r.side.reader = r.reader.get();
  return r;
}

// The heavy keys, from every rank's sample of both sides. Collective.
Result<std::vector<HeavyKey>> FindHeavy(const MpiWorld& world, const DistributedInput& left,
                                        const DistributedInput& right, const JoinOptions& options,
                                        const DistributedOutput& output) {
  std::string mine;
  for (const DistributedInput* input : {&left, &right}) {
    RangeSide sampled = ReadRanges(world, *input, output, 1 << 20, 1);
    Result<SideSample> sample = SampleKeys(sampled.side, options.null_keys_equal, kSampleRows, kSampleTop);
    mine += EncodeSample(sample.ok() ? sample.value() : SideSample());
  }
  std::vector<std::vector<SideSample>> samples;
  for (const std::string& bytes : world.GatherAll(mine)) {
    size_t at = 0;
    SideSample l = DecodeSample(bytes, &at);
    SideSample r = DecodeSample(bytes, &at);
    samples.push_back({l, r});
  }
  return FindHeavyKeys(samples, options.type, kHeavyShare);
}

// Per-rank facts that rank 0 puts into the manifest.
nlohmann::json RankReport(const std::vector<PartInfo>& parts, const JoinStats& read, const RankLoad& load) {
  nlohmann::json p = nlohmann::json::array();
  for (const PartInfo& part : parts)
    p.push_back({{"name", part.name}, {"rows", part.rows}, {"bytes", part.bytes}, {"checksum", part.checksum}});
  nlohmann::json bad = nlohmann::json::array();
  for (const BadRow& b : read.bad_row_samples)
    bad.push_back({{"file", b.file}, {"line", b.line}, {"error", b.message}});
  return {
      {"parts", p},
      {"left_rows", read.left_rows},
      {"right_rows", read.right_rows},
      {"bad_rows_skipped", read.bad_rows_skipped},
      {"bad_rows", bad},
      {"build_seconds", read.build_seconds},
      {"probe_seconds", read.probe_seconds},
      {"spilled_bytes", read.spilled_bytes},
      {"load",
       {load.input_bytes, load.rows_read, load.sent_bytes, load.received_bytes, load.rows_joined, load.output_rows}}};
}

// Folds every rank's report into `record` (on rank 0).
void MergeReports(const std::vector<std::string>& reports, const JoinStats& local, RunRecord* record) {
  record->stats = local;
  record->stats.left_rows = record->stats.right_rows = record->stats.bad_rows_skipped = 0;
  record->stats.spilled_bytes = 0;
  record->stats.bad_row_samples.clear();
  record->parts.clear();
  record->ranks.clear();
  for (const std::string& text : reports) {
    const nlohmann::json r = nlohmann::json::parse(text);
    for (const auto& p : r["parts"])
      record->parts.push_back({p["name"], p["rows"].get<uint64_t>(), p["bytes"].get<uint64_t>(), p["checksum"]});
    record->stats.left_rows += r["left_rows"].get<uint64_t>();
    record->stats.right_rows += r["right_rows"].get<uint64_t>();
    record->stats.bad_rows_skipped += r["bad_rows_skipped"].get<uint64_t>();
    record->stats.spilled_bytes += r["spilled_bytes"].get<uint64_t>();
    record->stats.build_seconds = std::max(record->stats.build_seconds, r["build_seconds"].get<double>());
    record->stats.probe_seconds = std::max(record->stats.probe_seconds, r["probe_seconds"].get<double>());
    for (const auto& b : r["bad_rows"]) {
      if (record->stats.bad_row_samples.size() < BadRowLog::kSamples)
        record->stats.bad_row_samples.push_back({b["file"], b["line"].get<uint64_t>(), b["error"]});
    }
    const auto& l = r["load"];
    record->ranks.push_back({l[0], l[1], l[2], l[3], l[4], l[5]});
  }
  std::sort(record->parts.begin(), record->parts.end(),
            [](const PartInfo& a, const PartInfo& b) { return a.name < b.name; });
}

// A local directory for the rows shuffled to this rank, removed when done
// or interrupted.
class ShuffleDirectory {
 public:
  ShuffleDirectory(FileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {
    cleanup_ = RegisterCleanup([fs = fs_, path = path_] { (void)fs->RemoveAll(path); });
  }
  ~ShuffleDirectory() {
    UnregisterCleanup(cleanup_);
    (void)fs_->RemoveAll(path_);
  }
  ShuffleDirectory(const ShuffleDirectory&) = delete;
  ShuffleDirectory& operator=(const ShuffleDirectory&) = delete;
  const std::string& path() const { return path_; }

 private:
  FileSystem* fs_;
  std::string path_;
  int cleanup_ = 0;
};

}  // namespace

Status RunDistributedJoin(const MpiWorld& world, const DistributedInput& left, const DistributedInput& right,
                          const std::vector<OutputColumn>& columns, const JoinOptions& options,
                          const DistributedOutput& output, double start_seconds, RunRecord* record) {
  const uint64_t listing = ListingHash(left.files, right.files);
  if (world.SumAll(world.MaxAll(listing) == listing ? 1 : 0) != static_cast<uint64_t>(world.size()))
    return Status::IOError("the ranks see different input files (listed again while the job started?)");
  record->run_id = world.Broadcast(record->run_id);

  // 1. Sample keys; find the heavy ones.
  MF_ASSIGN_OR_RETURN(std::vector<HeavyKey> heavy, FindHeavy(world, left, right, options, output));
  record->heavy_keys = heavy.size();
  const RowRouter router(world.size(), world.rank(), heavy);

  // 2. Shuffle both sides into local files.
  FileSystem* local = FileSystemFor("").value();
  ShuffleDirectory dir(
      local, JoinPath(TempBase(options), "mergeflow-shuffle-" + record->run_id + "-" + std::to_string(world.rank())));
  MF_RETURN_IF_ERROR(Agree(world, local->CreateDirectory(dir.path())));
  const std::string received[2] = {JoinPath(dir.path(), "left"), JoinPath(dir.path(), "right")};
  RankLoad load;
  JoinStats read;
  {
    std::unique_ptr<WritableFile> files[2];
    Status opened = Status::OK();
    for (int s = 0; s < 2 && opened.ok(); ++s) {
      auto file = local->OpenForWrite(received[s]);
      if (file.ok())
        files[s] = std::move(file).value();
      else
        opened = file.status();
    }
    MF_RETURN_IF_ERROR(Agree(world, opened));
    const uint64_t in_flight = std::clamp<uint64_t>(options.memory_limit / 8, 16 << 20, 256 << 20);
    const size_t batch = std::clamp<size_t>((4 << 20) / world.size(), 16 << 10, 256 << 10);
    RowExchange exchange(&world, {files[0].get(), files[1].get()}, in_flight);
    Status shuffled = Status::OK();
    ShuffleSideStats stats[2];
    for (int s = 0; s < 2 && shuffled.ok(); ++s) {
      RangeSide ranged = ReadRanges(world, s == 0 ? left : right, output, options.chunk_bytes, options.threads);
      load.input_bytes += ranged.bytes;
      if (options.progress != nullptr)
        options.progress->StartPhase(s == 0 ? "shuffle (left)" : "shuffle (right)", ranged.bytes);
      shuffled = ShuffleSide(ranged.side, static_cast<Side>(s), router, options, batch, &exchange, &stats[s]);
    }
    shuffled = exchange.Finish(shuffled);
    for (int s = 0; s < 2 && shuffled.ok(); ++s) shuffled = files[s]->Close();
    MF_RETURN_IF_ERROR(Agree(world, shuffled));
    read.left_rows = stats[0].rows;
    read.right_rows = stats[1].rows;
    read.bad_rows_skipped = stats[0].bad_rows_skipped + stats[1].bad_rows_skipped;
    read.bad_row_samples = stats[0].bad_row_samples;
    for (const BadRow& b : stats[1].bad_row_samples) read.bad_row_samples.push_back(b);
    load.rows_read = read.left_rows + read.right_rows;
    load.sent_bytes = exchange.sent_bytes(0) + exchange.sent_bytes(1);
    load.received_bytes = exchange.received_bytes(0) + exchange.received_bytes(1);
  }

  // 3. Join what arrived here, into this rank's parts of the output.
  std::unique_ptr<ChunkReader> readers[2];
  JoinSide sides[2];
  for (int s = 0; s < 2; ++s) {
    MF_ASSIGN_OR_RETURN(FileInfo info, local->GetFileInfo(received[s]));
    readers[s] = std::make_unique<ChunkReader>(std::vector<FileInfo>{info}, (s == 0 ? left : right).side->dialect,
                                               options.chunk_bytes, options.threads, ChunkOrder::kAnyOrder);
    sides[s] = *(s == 0 ? left : right).side;
    sides[s].reader = readers[s].get();
    sides[s].header = false;
    sides[s].bytes = info.size;
  }
  Result<std::unique_ptr<OutputCommitter>> started = OutputCommitter::Start(output.target, record->run_id);
  MF_RETURN_IF_ERROR(Agree(world, started.status_or_ok()));
  std::unique_ptr<OutputCommitter> committer = std::move(started).value();
  PartFilesSink sink(committer.get(), options.threads, output.header, output.extension, output.compression,
                     PartNumbering{world.rank(), world.size(), world.rank() == 0});
  JoinStats joined;
  Status done = RunJoin(sides[0], sides[1], columns, output.separator, options, &sink, &joined);
  if (done.ok()) done = sink.Finish();
  MF_RETURN_IF_ERROR(Agree(world, done));
  load.rows_joined = joined.left_rows + joined.right_rows;
  load.output_rows = joined.output_rows;
  read.build_side = joined.build_side;
  read.partitions = joined.partitions;
  read.spill_partitions = joined.spill_partitions;
  read.spilled_bytes = joined.spilled_bytes;
  read.build_seconds = joined.build_seconds;
  read.probe_seconds = joined.probe_seconds;

  // 4. Commit together.
  const bool leader = world.rank() == 0;
  MF_RETURN_IF_ERROR(Agree(world, leader ? committer->BeginCommit() : Status::OK()));
  MF_RETURN_IF_ERROR(Agree(world, committer->PublishFiles()));
  const std::vector<std::string> reports = world.GatherAll(RankReport(sink.parts(), read, load).dump());
  Status finished = Status::OK();
  if (leader) {
    MergeReports(reports, read, record);
    std::vector<std::string> names;
    for (const PartInfo& part : record->parts) names.push_back(part.name);
    record->total_seconds = MonotonicSeconds() - start_seconds;
    finished = committer->FinishCommit(ManifestJson(*record), names);
  }
  return Agree(world, finished);
}

}  // namespace mergeflow
