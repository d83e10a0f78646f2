#include "cluster/distributed_join.h"

#include <nlohmann/json.hpp>

#include "cluster/input_ranges.h"
#include "cluster/key_sample.h"
#include "cluster/row_exchange.h"
#include "cluster/shuffle.h"
#include "cluster/spread_keys.h"
#include "cluster/unmatched_filter.h"
#include "common/process_stats.h"
#include "engine/key_encoder.h"
#include "io/output_committer.h"
#include "io/part_files_sink.h"
#include "io/temp_directory.h"
#include "ops/join/join_row_output.h"

namespace mergeflow {

namespace {

constexpr uint64_t kSampleRows = 100000;  // per rank and side
constexpr size_t kSampleTop = 32;         // key hashes each rank reports per side
constexpr double kHeavyShare = 0.2;       // of one rank's fair share: see FindHeavyKeys

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
std::string RankReport(const std::vector<PartInfo>& parts, const JoinStats& read, const RankLoad& load) {
  const nlohmann::json report = {{"parts", parts},
                                 {"left_rows", read.left_rows},
                                 {"right_rows", read.right_rows},
                                 {"bad_rows_skipped", read.bad_rows_skipped},
                                 {"bad_rows", read.bad_row_samples},
                                 {"build_seconds", read.build_seconds},
                                 {"probe_seconds", read.probe_seconds},
                                 {"spilled_bytes", read.spilled_bytes},
                                 {"load", load}};
  return report.dump();
}

// Folds every rank's report into `record` (on rank 0), whose stats start as
// rank 0's own: counts are summed, times are the longest.
void MergeReports(const std::vector<std::string>& reports, const JoinStats& local, RunRecord* record) {
  JoinStats& stats = record->stats;
  stats = local;
  stats.left_rows = stats.right_rows = stats.bad_rows_skipped = stats.spilled_bytes = 0;
  stats.bad_row_samples.clear();
  record->parts.clear();
  record->ranks.clear();
  for (const std::string& text : reports) {
    const nlohmann::json r = nlohmann::json::parse(text);
    for (const PartInfo& part : r.at("parts").get<std::vector<PartInfo>>()) record->parts.push_back(part);
    stats.left_rows += r.at("left_rows").get<uint64_t>();
    stats.right_rows += r.at("right_rows").get<uint64_t>();
    stats.bad_rows_skipped += r.at("bad_rows_skipped").get<uint64_t>();
    stats.spilled_bytes += r.at("spilled_bytes").get<uint64_t>();
    stats.build_seconds = std::max(stats.build_seconds, r.at("build_seconds").get<double>());
    stats.probe_seconds = std::max(stats.probe_seconds, r.at("probe_seconds").get<double>());
    for (const BadRow& row : r.at("bad_rows").get<std::vector<BadRow>>()) {
      if (stats.bad_row_samples.size() < BadRowLog::kSamples) stats.bad_row_samples.push_back(row);
    }
    record->ranks.push_back(r.at("load").get<RankLoad>());
  }
  std::sort(record->parts.begin(), record->parts.end(),
            [](const PartInfo& a, const PartInfo& b) { return a.name < b.name; });
}

}  // namespace

Status RunDistributedJoin(const MpiWorld& world, const DistributedInput& left, const DistributedInput& right,
                          const std::vector<OutputColumn>& columns, const JoinOptions& options,
                          const DistributedOutput& output, double start_seconds, RunRecord* record) {
  const uint64_t listing = ListingHash(left.files, right.files);
  if (world.SumAll(world.MaxAll(listing) == listing ? 1 : 0) != static_cast<uint64_t>(world.size()))
    return Status::IOError("the ranks see different input files (listed again while the job started?)");

  // 1. Sample keys; find the heavy ones.
  MF_ASSIGN_OR_RETURN(std::vector<HeavyKey> heavy, FindHeavy(world, left, right, options, output));
  record->heavy_keys = heavy.size();
  const RowRouter router(world.size(), world.rank(), heavy);

  // 2. Shuffle both sides into local files.
  FileSystem* local = FileSystemFor("").value();
  Result<std::unique_ptr<TempDirectory>> made = TempDirectory::Create(
      options.temp_dir, "mergeflow-shuffle-" + record->run_id + "-" + std::to_string(world.rank()));
  MF_RETURN_IF_ERROR(Agree(world, made.status_or_ok()));
  const std::unique_ptr<TempDirectory> dir = std::move(made).value();
  const std::string received[2] = {JoinPath(dir->path(), "left"), JoinPath(dir->path(), "right")};
  RankLoad load;
  JoinStats read;
  const double shuffle_start = MonotonicSeconds();
  SpreadKeys spread(heavy.size());  // every rank's, once shuffled
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
    load.shuffle_seconds = MonotonicSeconds() - shuffle_start;
    if (!heavy.empty()) {
      for (const ShuffleSideStats& side : stats) spread.Merge(side.spread_keys);
      for (const std::string& bytes : world.GatherAll(spread.Encode())) {
        size_t at = 0;
        spread.MergeEncoded(bytes, &at);
      }
    }
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
                     PartNumbering{world.rank(), world.size(), world.rank() == 0}, "",
                     ParquetParts{{}, output.parquet_codec});
  JoinStats joined;
  JoinRowOutput rows(columns, sides[0], sides[1], output.separator, options.keep_left_order, &sink);
  UnmatchedFilter filter(&rows, router, spread, sides[0], sides[1], options);
  Status done = RunHashJoin(sides[0], sides[1], options, &filter, &joined);
  if (done.ok()) done = sink.Finish();
  MF_RETURN_IF_ERROR(Agree(world, done));
  load.rows_joined = joined.left_rows + joined.right_rows;
  load.output_rows = joined.output_rows;
  // This rank's stats: the local join's, with the rows and bad rows it read.
  JoinStats stats = joined;
  stats.left_rows = read.left_rows;
  stats.right_rows = read.right_rows;
  stats.bad_rows_skipped = read.bad_rows_skipped;
  stats.bad_row_samples = read.bad_row_samples;

  // 4. Commit together.
  const bool leader = world.rank() == 0;
  MF_RETURN_IF_ERROR(Agree(world, leader ? committer->BeginCommit() : Status::OK()));
  MF_RETURN_IF_ERROR(Agree(world, committer->PublishFiles()));
  const std::vector<std::string> reports = world.GatherAll(RankReport(sink.parts(), stats, load));
  Status finished = Status::OK();
  if (leader) {
    MergeReports(reports, stats, record);
    std::vector<std::string> names;
    for (const PartInfo& part : record->parts) names.push_back(part.name);
    record->total_seconds = MonotonicSeconds() - start_seconds;
    finished = committer->FinishCommit(ManifestJson(*record), names);
  }
  return Agree(world, finished);
}

}  // namespace mergeflow
