#include "cli/join_command.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unordered_map>

#include "cli/dataset_command.h"
#include "cli/file_systems.h"
#include "cli/launched_processes.h"
#include "cli/output_compression.h"
#include "cli/run_manifest.h"
#include "common/interrupt.h"
#ifdef MERGEFLOW_HAVE_MPI
#include "cluster/distributed_join.h"
#endif
#include "common/process_stats.h"
#include "common/progress.h"
#include "common/size_parser.h"
#include "common/thread_pool.h"
#include "common/utc_time.h"
#include "dataset/dataset.h"
#include "dataset/dataset_gc.h"
#include "dataset/dataset_inputs.h"
#include "cluster/mpi_world.h"
#include "io/faulty_file_system.h"
#include "io/output_committer.h"
#include "io/part_files_sink.h"
#include "io/s3/http_client.h"
#include "io/s3/s3_file_system.h"
#include "ops/join/join_executor.h"
#include "ops/join/row_emitter.h"
#include "text/dialect_choice.h"
#include "text/header_reader.h"
#include "text/row_scanner.h"

namespace mergeflow {

CLI::App* AddJoinCommand(CLI::App* app, JoinCommandOptions* o) {
  CLI::App* join = app->add_subcommand("join", "Join LEFT and RIGHT on a key (pandas.merge semantics).");
  join->add_option("LEFT", o->left, "Left input: file, directory of parts, glob, or - for stdin");
  join->add_option("RIGHT", o->right, "Right input: file, directory of parts, glob, or - for stdin");
  join->add_option("-o,--output", o->output, "Output directory (parts + _SUCCESS); stdout when absent");
  join->add_option("--how", o->how, "Join type")
      ->check(CLI::IsMember({"inner", "left", "right", "outer", "full", "semi", "anti"}));
  join->add_option("--on", o->on, "Key columns present on both sides (comma-separated)")->delimiter(',');
  join->add_option("--left-on", o->left_on, "Key columns of LEFT (comma-separated)")->delimiter(',');
  join->add_option("--right-on", o->right_on, "Key columns of RIGHT (comma-separated)")->delimiter(',');
  join->add_flag("--header,!--no-header", o->header, "Inputs start with a header line (default: yes)");
  join->add_option("--left-names", o->left_names, "Column names for LEFT (comma-separated)")->delimiter(',');
  join->add_option("--right-names", o->right_names, "Column names for RIGHT (comma-separated)")->delimiter(',');
  join->add_option("--sep", o->separator, "Input delimiter: one character, or 'tab' (default: tab; comma for .csv)");
  join->add_option("--format", o->format, "Output format: tsv, csv or parquet (default: like the input)")
      ->check(CLI::IsMember({"tsv", "csv", "parquet"}));
  join->add_option("--quote", o->quote, "Quote handling: rfc4180 (default) or none for raw text")
      ->check(CLI::IsMember({"rfc4180", "none"}));
  join->add_option("--suffixes", o->suffixes, "Suffixes for clashing column names (default: _x,_y)");
  join->add_option("--threads", o->threads, "Worker threads, and reading threads per input (default: all cores)")
      ->check(CLI::Range(1, 4096));
  join->add_option("--memory-limit", o->memory_limit,
                   "Memory budget, e.g. 2G or 60% (default: 80% of the memory this process may use)");
  join->add_option("--temp-dir", o->temp_dir, "Directory for spilled partitions (default: $TMPDIR or /tmp)");
  join->add_option("--spill-compression", o->spill_compression, "Spilled partitions on disk: lz4 (default), zstd or none")
      ->check(CLI::IsMember({"lz4", "zstd", "none"}));
  join->add_option("--order", o->order, "'left': keep left input order, then right order within a key")
      ->check(CLI::IsMember({"left"}));
  join->add_option("--bad-rows", o->bad_rows, "error (default): stop at a malformed row; skip: drop and count it")
      ->check(CLI::IsMember({"error", "skip"}));
  join->add_flag("--null-keys-equal", o->null_keys_equal, "Empty keys match each other (pandas) instead of nothing");
  join->add_option("--compat", o->compat, "Reproduce an original script exactly")
      ->check(CLI::IsMember({"pandas-script", "spark-script"}));
  join->add_flag("--multiline", o->multiline,
                 "Quoted fields may hold newlines: with several MPI processes, each file is read whole by one");
  join->add_option("--chunk-size", o->chunk_size, "Bytes of input parsed per task (default: 4M)");
  join->add_option("--compress", o->compress,
                   "Compress output parts: none (default), gzip (.gz) or zstd (.zst); Parquet pages: zstd (default), "
                   "snappy or none")
      ->check(CLI::IsMember({"none", "gzip", "zstd", "snappy"}));
  join->add_option("--sse", o->sse, "Server-side encryption of s3:// output: AES256 or aws:kms")
      ->check(CLI::IsMember({"AES256", "aws:kms"}));
  join->add_option("--sse-kms-key-id", o->sse_kms_key_id, "KMS key for --sse aws:kms (default: the account's key)");
  join->add_flag("--dataset", o->dataset,
                 "-o names a dataset: write a new version of it and publish it (see 'mergeflow dataset')");
  join->add_flag("--no-publish", o->no_publish, "With --dataset: leave the new version unpublished; print its id");
  join->add_flag("-q,--quiet", o->quiet, "Print no progress reports");
  join->add_option("--progress-interval", o->progress_interval,
                   "Seconds between progress reports (default: 0.5 on a terminal, 5 otherwise)")
      ->check(CLI::PositiveNumber);
  join->add_option("--data_source_1", o->left, "Alias of LEFT (the Spark script's flag)");
  join->add_option("--data_source_2", o->right, "Alias of RIGHT (the Spark script's flag)");
  join->add_option("--output_uri", o->output, "Alias of --output (the Spark script's flag)");
  return join;
}

namespace {

// A side's files, reader and schema, as the join needs them.
struct PreparedSide {
  std::string label;  // "LEFT" or "RIGHT"
  std::string spec;
  std::vector<FileInfo> files;
  std::unique_ptr<ChunkReader> reader;
  JoinSide side;
};

// Lists a side's files and reads its schema from the start of the first
// one, through a reader of `read_threads` threads that the join then uses.
Status PrepareSide(PreparedSide* p, const JoinCommandOptions& o, const std::vector<std::string>& names,
                   size_t chunk_bytes, int read_threads, std::optional<size_t> required_columns) {
  MF_ASSIGN_OR_RETURN(p->files, ResolveInputFiles(p->spec));
  const FileInfo& first_file = p->files.front();
  if (!o.quiet && p->files.size() == 1 && first_file.size >= (uint64_t{256} << 20) && first_file.path.ends_with(".gz"))
    std::fprintf(stderr,
                 "mergeflow: hint: %s is one gzip stream, which only one thread can decompress; "
                 "several files or zstd would read faster\n",
                 first_file.path.c_str());
  MF_ASSIGN_OR_RETURN(const Dialect dialect, ChooseDialect(p->files.front().path, o.separator, o.quote != "none"));
  p->side.dialect = dialect;
  p->side.header = o.header;
  p->side.bytes = 0;
  for (const FileInfo& f : p->files) p->side.bytes = f.path == "-" ? UINT64_MAX : p->side.bytes + f.size;
  p->reader = std::make_unique<ChunkReader>(p->files, dialect, chunk_bytes, read_threads,
                                            o.order == "left" ? ChunkOrder::kFileOrder : ChunkOrder::kAnyOrder);
  p->side.reader = p->reader.get();
  MF_ASSIGN_OR_RETURN(p->side.rows_per_byte, EstimateRowsPerByte(p->reader.get()));
  Result<std::optional<std::vector<std::string>>> read = ReadFirstRow(p->reader.get(), dialect);
  if (!read.ok()) return read.status().WithPrefix(p->files.front().path + ":");
  const std::optional<std::vector<std::string>>& first = read.value();
  std::vector<std::string>& columns = p->side.schema.names;
  if (!names.empty()) {
    columns = names;
    if (first && first->size() != names.size())
      return Status::BadInput(p->files.front().path + ":1: " + DescribeFieldCount(names.size(), first->size()) +
                              " (as many as --" + (p->label == "LEFT" ? "left" : "right") + "-names gives)");
  } else if (first) {
    if (o.header) {
      columns = *first;
    } else {
      for (size_t i = 0; i < first->size(); ++i) columns.push_back("c" + std::to_string(i + 1));
    }
  } else if (required_columns) {
    for (size_t i = 0; i < *required_columns; ++i) columns.push_back("c" + std::to_string(i + 1));
  } else {
    return Status::BadInput(p->label + " " + p->spec + " is empty: no header line to name its columns");
  }
  MF_RETURN_IF_ERROR(CheckDistinctNames(p->files.front().path, columns));
  if (required_columns && columns.size() != *required_columns) {
    return Status::BadInput(p->files.front().path + ":1: --compat " + o.compat + " needs exactly " +
                            std::to_string(*required_columns) + " columns, found " + std::to_string(columns.size()));
  }
  return Status::OK();
}

Result<std::vector<uint32_t>> ResolveKeys(const PreparedSide& p, const std::vector<std::string>& keys) {
  std::vector<uint32_t> fields;
  for (const std::string& key : keys) {
    MF_ASSIGN_OR_RETURN(const uint32_t field, FindColumn(p.side.schema.names, key, p.label + " " + p.spec));
    fields.push_back(field);
  }
  return fields;
}

Status CheckCompatFlags(const JoinCommandOptions& o, CLI::App* command) {
  if (o.compat.empty()) return Status::OK();
  for (const char* flag : {"--how", "--on", "--left-on", "--right-on", "--header", "--left-names", "--right-names",
                           "--format", "--order", "--sep"}) {
    if (command->count(flag) > 0)
      return Status::InvalidArgument(std::string(flag) + " cannot be combined with --compat " + o.compat +
                                     ", which fixes it");
  }
  return Status::OK();
}

}  // namespace

namespace {

// The join in this process; with `world`, this process's rank of a
// distributed join.
Status RunJoinIn(const MpiWorld* world, const JoinCommandOptions& given, CLI::App* command) {
  const double start = MonotonicSeconds();
  const std::string started_at = UtcTimestamp();
  MF_RETURN_IF_ERROR(CheckCompatFlags(given, command));
  // An empty value would read as "not given" below.
  if (command->count("--sep") > 0 && given.separator.empty())
    return Status::InvalidArgument("--sep takes one character (or 'tab'), not ''");
  JoinCommandOptions o = given;
  std::optional<size_t> required_columns;
  std::vector<std::string> compat_names;
  if (o.compat == "pandas-script") {
    o.how = "inner";
    o.header = true;
    o.order = "left";
    o.separator = "tab";
    o.format = "tsv";
    required_columns = 2;
    compat_names = {"ID_x", "value_x", "value_y"};
  } else if (o.compat == "spark-script") {
    o.how = "left";
    o.header = false;
    o.order = "left";
    o.separator = "tab";
    o.format = "csv";
    required_columns = 2;
    compat_names = {"ID_x", "value_x", "value_y"};
  }
  if (o.left.empty() || o.right.empty()) return Status::InvalidArgument("join needs LEFT and RIGHT inputs");
  if (o.left == "-" && o.right == "-") return Status::InvalidArgument("only one side can read standard input");
  if (!o.on.empty() && (!o.left_on.empty() || !o.right_on.empty()))
    return Status::InvalidArgument("use either --on or --left-on/--right-on, not both");
  if (o.left_on.size() != o.right_on.size())
    return Status::InvalidArgument("--left-on and --right-on must name as many columns each");
  if (o.threads == 0) o.threads = DefaultThreadCount();
  MF_ASSIGN_OR_RETURN(const OutputCompression compression,
                      ChooseOutputCompression(o.compress, o.format, !o.output.empty()));
  if (o.format == "parquet" && o.quote == "none")
    return Status::InvalidArgument("--format parquet needs RFC 4180 quoting of the rows it converts: not --quote none");
  if ((o.dataset || o.no_publish) && o.output.empty())
    return Status::InvalidArgument("--dataset and --no-publish need -o DATASET");
  if (o.no_publish && !o.dataset) return Status::InvalidArgument("--no-publish needs --dataset");
  if (!o.sse_kms_key_id.empty() && o.sse != "aws:kms")
    return Status::InvalidArgument("--sse-kms-key-id needs --sse aws:kms");
  if (!o.sse_kms_key_id.empty() && !LibcurlSignsPrefixedHeaderNames())
    return Status::InvalidArgument("--sse-kms-key-id needs libcurl 8.10 or newer (this is " + LibcurlVersion() +
                                   ", which signs the key's header wrongly); make the key the bucket's default "
                                   "encryption and give --sse aws:kms alone");
  MF_RETURN_IF_ERROR(SetUpFileSystems(S3WriteOptions{o.sse, o.sse_kms_key_id}));
  const uint64_t available = AvailableMemoryBytes();
  uint64_t memory_limit = DefaultMemoryLimit(available);
  if (!o.memory_limit.empty()) {
    MF_ASSIGN_OR_RETURN(memory_limit, ParseSize(o.memory_limit, available));
  }
  MF_ASSIGN_OR_RETURN(uint64_t chunk_bytes, ParseSize(o.chunk_size, available));
  if (chunk_bytes < 64 || chunk_bytes > (uint64_t{1} << 31))
    return Status::InvalidArgument("--chunk-size must be between 64 bytes and 2G");
  const size_t comma = o.suffixes.find(',');
  if (comma == std::string::npos || o.suffixes.find(',', comma + 1) != std::string::npos)
    return Status::InvalidArgument("--suffixes takes two comma-separated suffixes, e.g. _x,_y");

  PreparedSide left{"LEFT", o.left, {}, nullptr, {}};
  PreparedSide right{"RIGHT", o.right, {}, nullptr, {}};
  // A distributed run reads only the schema through these readers (each rank
  // then reads its own byte ranges): one reading thread is enough.
  const int read_threads = world != nullptr ? 1 : o.threads;
  MF_RETURN_IF_ERROR(PrepareSide(&left, o, o.left_names, chunk_bytes, read_threads, required_columns));
  MF_RETURN_IF_ERROR(PrepareSide(&right, o, o.right_names, chunk_bytes, read_threads, required_columns));

  std::vector<std::string> left_keys = !o.on.empty() ? o.on : o.left_on;
  std::vector<std::string> right_keys = !o.on.empty() ? o.on : o.right_on;
  if (left_keys.empty()) {
    left_keys = {left.side.schema.names.front()};
    right_keys = {right.side.schema.names.front()};
  }
  MF_ASSIGN_OR_RETURN(left.side.schema.key_fields, ResolveKeys(left, left_keys));
  MF_ASSIGN_OR_RETURN(right.side.schema.key_fields, ResolveKeys(right, right_keys));

  JoinOptions options;
  options.type = *ParseJoinType(o.how);
  options.null_keys_equal = o.null_keys_equal;
  options.keep_left_order = o.order == "left";
  options.skip_bad_rows = o.bad_rows == "skip";
  options.threads = o.threads;
  options.memory_limit = memory_limit;
  options.chunk_bytes = chunk_bytes;
  options.temp_dir = o.temp_dir;
  MF_ASSIGN_OR_RETURN(options.spill_codec, ParseSpillCodec(o.spill_compression));
  // With several processes, rank 0 alone reports progress (its own share).
  Progress progress(Progress::ForStderr(o.quiet || (world != nullptr && world->rank() != 0), o.progress_interval));
  options.progress = &progress;

  MF_ASSIGN_OR_RETURN(std::vector<OutputColumn> columns,
                      PlanOutputColumns(left.side.schema, right.side.schema, options.type, o.suffixes.substr(0, comma),
                                        o.suffixes.substr(comma + 1)));
  if (!compat_names.empty()) {
    for (size_t i = 0; i < columns.size(); ++i) columns[i].name = compat_names[i];
  }
  const std::string format = !o.format.empty() ? o.format : (left.side.dialect.separator == ',' ? "csv" : "tsv");
  const char output_separator = format == "csv" ? ',' : '\t';
  const std::string header = RowEmitter::HeaderLine(columns, output_separator);
  const int lanes = options.keep_left_order ? 1 : options.threads;

  RunRecord record;
  record.run_id = NewRunId();
#ifdef MERGEFLOW_HAVE_MPI
  if (world != nullptr) record.run_id = world->Broadcast(record.run_id);
#endif
  // A dataset's new version is written as an output of its own.
  std::string target = o.output;
  if (o.dataset) {
    MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(o.output));
    MF_RETURN_IF_ERROR(dataset.Exists().status_or_ok());
    // What killed writers of other versions left goes first (best effort:
    // the leftovers of a killed step must not pile up under its retries).
    if (world == nullptr || world->rank() == 0) (void)ReclaimAbandonedVersions(dataset);
    target = VersionDir(dataset.root(), record.run_id);
  }
  record.started_at = started_at;
  record.how = JoinTypeName(options.type);
  record.left_on = left_keys;
  record.right_on = right_keys;
  record.left_inputs = left.files;
  record.right_inputs = right.files;
  for (const OutputColumn& c : columns) record.columns.push_back(c.name);
  record.memory_limit = memory_limit;
  JoinStats stats;
  if (world != nullptr) {
#ifdef MERGEFLOW_HAVE_MPI
    DistributedOutput output{target,           header, format, compression.text, compression.parquet, output_separator,
                             o.multiline};
    left.reader.reset();  // stop reading ahead what the ranks read by ranges
    right.reader.reset();
    left.side.reader = right.side.reader = nullptr;
    MF_RETURN_IF_ERROR(RunDistributedJoin(*world, {left.files, &left.side}, {right.files, &right.side}, columns,
                                          options, output, start, &record));
    stats = record.stats;
#endif
  } else if (o.output.empty() && o.embedding != nullptr && o.embedding->keep_tables) {
    TableSink* table = o.embedding->tables.emplace_back(std::make_unique<TableSink>(header, output_separator, lanes)).get();
    MF_RETURN_IF_ERROR(RunJoin(left.side, right.side, columns, output_separator, options, table, &stats));
    MF_RETURN_IF_ERROR(table->Finish());
  } else if (o.output.empty()) {
    StdoutSink sink(header);
    MF_RETURN_IF_ERROR(RunJoin(left.side, right.side, columns, output_separator, options, &sink, &stats));
    MF_RETURN_IF_ERROR(sink.Finish());
  } else {
    MF_ASSIGN_OR_RETURN(std::unique_ptr<OutputCommitter> committer, OutputCommitter::Start(target, record.run_id));
    PartFilesSink sink(committer.get(), lanes, header, format, compression.text, PartNumbering(), "",
                       ParquetParts{{}, compression.parquet});
    MF_RETURN_IF_ERROR(RunJoin(left.side, right.side, columns, output_separator, options, &sink, &stats));
    MF_RETURN_IF_ERROR(sink.Finish());
    record.stats = stats;
    record.parts = sink.parts();
    record.total_seconds = MonotonicSeconds() - start;
    const std::string manifest = ManifestJson(record);
    MF_RETURN_IF_ERROR(committer->Commit(manifest));
    if (o.embedding != nullptr) o.embedding->manifest = manifest;
  }
  const bool leader = world == nullptr || world->rank() == 0;
  if (o.dataset && leader) {
    if (o.no_publish) {
      std::printf("%s\n", record.run_id.c_str());
    } else {
      MF_RETURN_IF_ERROR(PublishWrittenVersion(o.output, record.run_id, record.run_id, o.quiet));
    }
  }
  if (stats.bad_rows_skipped > 0 && leader) {
    std::fprintf(stderr, "mergeflow: warning: skipped %llu bad row(s)\n",
                 static_cast<unsigned long long>(stats.bad_rows_skipped));
    for (const BadRow& row : stats.bad_row_samples)
      std::fprintf(stderr, "mergeflow: skipped %s\n", row.ToString().c_str());
  }
  return Status::OK();
}

}  // namespace

Status RunJoinCommand(const JoinCommandOptions& options, CLI::App* command) {
  return RunOnLaunchedProcesses([&](MpiWorld* world) { return RunJoinIn(world, options, command); },
                                [&](int processes) {
                                  MF_RETURN_IF_ERROR(
                                      CheckSeveralProcesses(processes, options.output, {options.left, options.right}));
                                  if (options.order == "left" || !options.compat.empty())
                                    return Status::InvalidArgument(
                                        "--order left and --compat keep one input order, which needs one process");
                                  return Status::OK();
                                });
}

}  // namespace mergeflow
