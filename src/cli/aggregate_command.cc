#include "cli/aggregate_command.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/dataset_command.h"
#include "cli/file_systems.h"
#include "cli/launched_processes.h"
#include "cli/output_compression.h"
#include "cli/run_manifest.h"
#include "cluster/mpi_world.h"
#include "common/process_stats.h"
#include "common/progress.h"
#include "common/size_parser.h"
#include "common/thread_pool.h"
#include "common/utc_time.h"
#include "dataset/dataset.h"
#include "dataset/dataset_gc.h"
#include "dataset/dataset_inputs.h"
#include "dataset/dataset_layout.h"
#include "io/output_committer.h"
#include "io/part_files_sink.h"
#include "io/part_info_json.h"
#include "ops/aggregate/aggregate.h"
#include "ops/aggregate/aggregate_h5ad.h"
#include "ops/aggregate/aggregate_tables.h"
#include "ops/aggregate/row_groups.h"
#include "formats/tenx_h5_file.h"
#include "pipeline/step_invocation.h"
#include "text/dialect_choice.h"
#include "text/header_reader.h"

namespace mergeflow {

CLI::App* AddAggregateCommand(CLI::App* app, AggregateCommandOptions* o) {
  CLI::App* c = app->add_subcommand("aggregate", "Statistics of every column of a wide matrix, per group of rows.");
  c->add_option("MATRIX", o->matrix, "Delimited text with a header: a row id, then numeric columns (features)")
      ->required();
  c->add_option("--meta", o->meta,
                "Delimited text with a header: a key (the row id) and the group columns (an .h5ad's obs without it)");
  c->add_option("--by", o->by, "Group columns of META (comma-separated)")->delimiter(',')->required();
  c->add_option("-o,--output", o->output, "Output directory (tables + _SUCCESS); stdout when absent");
  c->add_option("--id", o->id, "The row id column of MATRIX (default: its first column)");
  c->add_option("--meta-key", o->meta_key, "The key column of META (default: its first column)");
  c->add_option("--layer", o->layer, "An .h5ad MATRIX: aggregate layers/NAME instead of X");
  c->add_flag("--raw", o->raw, "An .h5ad MATRIX: aggregate raw/X (with raw/var's feature names)");
  c->add_option("--stats", o->stats,
                "Statistics (comma-separated): count, sum, mean, var, std, min, max, nnz, frac_nnz, count_ge:T, "
                "count_gt:T (default: mean)")
      ->delimiter(',');
  c->add_option("--ddof", o->ddof, "Delta degrees of freedom of var and std (default: 1)")->check(CLI::Range(0, 1000000));
  c->add_option("--na-values", o->na_values, "Spellings of a missing value (comma-separated; default: '',NA,NaN,nan)")
      ->delimiter(',')
      ->each([o](const std::string&) { o->na_values_given = true; });
  c->add_option("--bad-rows", o->bad_rows, "error (default): stop at a malformed row or value; skip: drop and count it")
      ->check(CLI::IsMember({"error", "skip"}));
  c->add_option("--layout", o->layout, "wide (default): a table per statistic; long: one row per group and feature")
      ->check(CLI::IsMember({"wide", "long"}));
  c->add_flag("--transpose", o->transpose, "Wide tables with one row per feature and one column per group");
  c->add_option("--format", o->format,
                "Output format: tsv, csv, parquet, or h5ad (OUT/aggregate.h5ad) (default: like MATRIX)")
      ->check(CLI::IsMember({"tsv", "csv", "parquet", "h5ad"}));
  c->add_option("--sep", o->separator, "Input delimiter: one character, or 'tab' (default: tab; comma for .csv)");
  c->add_option("--quote", o->quote, "Quote handling: rfc4180 (default) or none for raw text")
      ->check(CLI::IsMember({"rfc4180", "none"}));
  c->add_option("--threads", o->threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  c->add_option("--memory-limit", o->memory_limit,
                "Memory budget, e.g. 2G or 60%; above it, features are taken in blocks (default: 80% of memory)");
  c->add_option("--temp-dir", o->temp_dir, "Directory for spilled partitions (default: $TMPDIR or /tmp)");
  c->add_option("--chunk-size", o->chunk_size, "Bytes of input parsed per task (default: 4M)");
  c->add_option("--compress", o->compress,
                "Compress output tables: none (default), gzip or zstd; Parquet pages: zstd (default), snappy or none")
      ->check(CLI::IsMember({"none", "gzip", "zstd", "snappy"}));
  c->add_flag("--multiline", o->multiline, "Quoted fields may hold newlines: with several MPI processes, each file is read whole by one");
  c->add_flag("--dataset", o->dataset, "-o names a dataset: write a new version of it and publish it");
  c->add_flag("--no-publish", o->no_publish, "With --dataset: leave the new version unpublished; print its id");
  c->add_flag("-q,--quiet", o->quiet, "Print no progress reports");
  c->add_option("--progress-interval", o->progress_interval,
                "Seconds between progress reports (default: 0.5 on a terminal, 5 otherwise)")
      ->check(CLI::PositiveNumber);
  return c;
}

namespace {

// Whether `files` is one local HDF5 file (by its first bytes).
bool IsLocalHdf5(const std::vector<FileInfo>& files) {
  if (files.size() != 1 || files.front().path.find("://") != std::string::npos) return false;
  std::ifstream in(files.front().path, std::ios::binary);
  std::string head(8, '\0');
  in.read(head.data(), 8);
  return in.gcount() == 8 && Hdf5File::HasSignature(head);
}

// Lists `spec`'s files and reads their columns from the first one's header.
Status PrepareSource(const std::string& label, const std::string& spec, const AggregateCommandOptions& o,
                     AggregateSource* source) {
  MF_ASSIGN_OR_RETURN(source->files, ResolveInputFiles(spec));
  const std::string& first = source->files.front().path;
  MF_ASSIGN_OR_RETURN(source->dialect, ChooseDialect(first, o.separator, o.quote != "none"));
  ChunkReader reader(source->files, source->dialect, 1 << 20, 1, ChunkOrder::kFileOrder);
  Result<std::optional<std::vector<std::string>>> header = ReadFirstRow(&reader, source->dialect);
  if (!header.ok()) return header.status().WithPrefix(first + ":");
  if (!header.value()) return Status::BadInput(label + " " + spec + " is empty: no header line to name its columns");
  source->columns = *header.value();
  return CheckDistinctNames(first, source->columns);
}

// The `_SUCCESS` manifest of an aggregate run.
std::string AggregateManifest(const AggregateCommandOptions& o, const std::string& run_id,
                              const std::string& started_at, const AggregateSource& matrix,
                              const AggregateSource& meta, const AggregateResult& r,
                              const std::vector<PartInfo>& parts, double seconds, uint64_t memory_limit,
                              int processes) {
  uint64_t output_rows = 0;
  for (const PartInfo& p : parts) output_rows += p.rows;
  nlohmann::json doc = {
      {"manifest", "mergeflow/1"},
      {"mergeflow_version", MERGEFLOW_VERSION},
      {"command", "aggregate"},
      {"run_id", run_id},
      {"started_at", started_at},
      {"finished_at", UtcTimestamp()},
      {"inputs", {{"matrix", InputsJson(matrix.files)}, {"meta", InputsJson(meta.files)}}},
      {"aggregate",
       {{"id", matrix.columns[matrix.key_field]},
        {"meta_key", meta.columns.empty() ? "" : meta.columns[meta.key_field]},
        {"by", o.by},
        {"stats", o.stats},
        {"ddof", o.ddof},
        {"layout", o.transpose ? "transposed" : o.layout},
        {"groups", r.groups.size()},
        {"features", r.feature_names.size()},
        {"feature_blocks", r.feature_blocks}}},
      {"rows",
       {{"matrix", r.matrix_rows},
        {"meta", r.meta_rows},
        {"aggregated", r.aggregated_rows},
        {"unmatched_rows", r.unmatched_rows},
        {"null_group_rows", r.null_group_rows},
        {"output", output_rows}}},
      {"bad_rows", {{"skipped", r.bad_rows_skipped}, {"first", r.bad_row_samples}}},
      {"parts", parts},
      {"timings_seconds", {{"total", seconds}}},
      {"peak_memory_bytes", PeakResidentBytes()},
      {"memory", {{"limit_bytes", memory_limit}, {"spilled_bytes", r.spilled_bytes}}},
      {"processes", processes},
  };
  if (const nlohmann::json step = StepRecordFromEnvironment(); !step.is_null()) doc["step"] = step;
  return doc.dump(2) + "\n";
}

// The tables to write: one per statistic, or the one long table.
std::vector<size_t> Tables(const TableFormat& format, size_t stats) {
  if (format.layout == TableLayout::kLong) return {0};
  std::vector<size_t> tables(stats);
  for (size_t s = 0; s < stats; ++s) tables[s] = s;
  return tables;
}

// Writes the tables into `target` and commits them with their manifest.
Status WriteOutput(const std::string& target, const std::string& run_id, const std::vector<Statistic>& stats,
                   const TableFormat& format, const std::string& extension, const OutputCompression& compression,
                   const std::string& temp_dir,
                   const AggregateResult& result, const std::function<std::string(const std::vector<PartInfo>&)>& manifest) {
  MF_ASSIGN_OR_RETURN(std::unique_ptr<OutputCommitter> committer, OutputCommitter::Start(target, run_id));
  std::vector<PartInfo> parts;
  if (extension == "h5ad") {
    MF_ASSIGN_OR_RETURN(PartInfo part,
                        WriteAggregateH5ad(result, stats, format.group_columns, temp_dir, committer.get()));
    return committer->Commit(manifest({part}));
  }
  for (size_t s : Tables(format, stats.size())) {
    const std::string directory = format.layout == TableLayout::kLong ? "" : stats[s].name;
    PartFilesSink sink(committer.get(), 1, TableHeader(result, stats, format, s), extension, compression.text,
                       PartNumbering(), directory,
                       ParquetParts{extension == "parquet" ? TableColumnTypes(result, stats, format, s)
                                                           : std::vector<ColumnType>{},
                                    compression.parquet});
    MF_RETURN_IF_ERROR(WriteTableRows(result, stats, format, s, &sink));
    MF_RETURN_IF_ERROR(sink.Finish());
    for (const PartInfo& p : sink.parts()) parts.push_back(p);
  }
  return committer->Commit(manifest(parts));
}

Status RunAggregateIn(const MpiWorld* world, const AggregateCommandOptions& c) {
  const double start = MonotonicSeconds();
  const std::string started_at = UtcTimestamp();
  MF_RETURN_IF_ERROR(SetUpFileSystems());
  if ((c.dataset || c.no_publish) && c.output.empty())
    return Status::InvalidArgument("--dataset and --no-publish need -o DATASET");
  if (c.no_publish && !c.dataset) return Status::InvalidArgument("--no-publish needs --dataset");
  MF_ASSIGN_OR_RETURN(const OutputCompression compression,
                      ChooseOutputCompression(c.compress, c.format, !c.output.empty()));
  if (c.transpose && c.layout == "long") return Status::InvalidArgument("--transpose applies to the wide layout only");
  if (c.format == "h5ad" && (c.output.empty() || c.layout == "long" || c.transpose || !c.compress.empty()))
    return Status::InvalidArgument("--format h5ad writes OUT/aggregate.h5ad: it needs -o OUT, and takes no --layout "
                                   "long, --transpose or --compress");
  AggregateOptions o;
  MF_ASSIGN_OR_RETURN(o.stats, ParseStatistics(c.stats));
  o.ddof = c.ddof;
  if (c.na_values_given) o.missing.spellings = c.na_values;
  o.skip_bad_rows = c.bad_rows == "skip";
  o.threads = c.threads > 0 ? c.threads : DefaultThreadCount();
  const uint64_t available = AvailableMemoryBytes();
  o.memory_limit = DefaultMemoryLimit(available);
  if (!c.memory_limit.empty()) {
    MF_ASSIGN_OR_RETURN(o.memory_limit, ParseSize(c.memory_limit, available));
  }
  MF_ASSIGN_OR_RETURN(uint64_t chunk_bytes, ParseSize(c.chunk_size, available));
  if (chunk_bytes < 64 || chunk_bytes > (uint64_t{1} << 31))
    return Status::InvalidArgument("--chunk-size must be between 64 bytes and 2G");
  o.chunk_bytes = chunk_bytes;
  o.temp_dir = c.temp_dir;
  o.whole_files = c.multiline;

  // MATRIX: an AnnData file (by its bytes), or delimited text.
  AggregateSource matrix;
  std::unique_ptr<MatrixFile> hdf5_matrix;
  const AnnDataFile* h5ad = nullptr;  // hdf5_matrix, when it is AnnData (its obs can group rows)
  MF_ASSIGN_OR_RETURN(matrix.files, ResolveInputFiles(c.matrix));
  std::unique_ptr<MatrixMarketDirectory> mtx;
  if (IsMatrixMarketListing(matrix.files)) {
    if (!c.id.empty() || !c.layer.empty() || c.raw)
      return Status::InvalidArgument("--id, --layer and --raw do not apply to a Matrix Market directory");
    if (c.meta.empty())
      return Status::InvalidArgument("a Matrix Market directory's barcodes are grouped by --meta META (keyed by barcode)");
    MF_ASSIGN_OR_RETURN(MatrixMarketDirectory opened, OpenMatrixMarket(matrix.files));
    mtx = std::make_unique<MatrixMarketDirectory>(std::move(opened));
    matrix.columns = {"barcode"};
  } else if (IsLocalHdf5(matrix.files)) {
    if (!c.id.empty())
      return Status::InvalidArgument("--id applies to a text MATRIX (an HDF5 matrix's rows are its obs index or barcodes)");
    MF_ASSIGN_OR_RETURN(std::unique_ptr<Hdf5File> file, Hdf5File::Open(matrix.files.front().path));
    if (TenxH5File::Holds(*file)) {
      if (!c.layer.empty() || c.raw) return Status::InvalidArgument("--layer and --raw apply to an .h5ad MATRIX");
      if (c.meta.empty())
        return Status::InvalidArgument("a 10x matrix's barcodes are grouped by --meta META (keyed by barcode)");
      MF_ASSIGN_OR_RETURN(hdf5_matrix, TenxH5File::Open(std::move(file)));
      matrix.columns = {"barcode"};
    } else {
      MF_ASSIGN_OR_RETURN(std::unique_ptr<AnnDataFile> anndata, AnnDataFile::Open(std::move(file), c.layer, c.raw));
      h5ad = anndata.get();
      hdf5_matrix = std::move(anndata);
      matrix.columns = {"obs index"};
    }
  } else {
    if (!c.layer.empty() || c.raw) return Status::InvalidArgument("--layer and --raw apply to an .h5ad MATRIX");
    if (c.meta.empty())
      return Status::InvalidArgument("aggregate needs --meta META: the groups of a text matrix's rows come from it");
    MF_RETURN_IF_ERROR(PrepareSource("MATRIX", c.matrix, c, &matrix));
    if (!c.id.empty()) {
      MF_ASSIGN_OR_RETURN(matrix.key_field, FindColumn(matrix.columns, c.id, std::string("MATRIX ") + c.matrix));
    }
  }
  AggregateSource meta;
  std::vector<uint32_t> group_fields;
  if (!c.meta.empty()) {
    MF_RETURN_IF_ERROR(PrepareSource("META", c.meta, c, &meta));
    if (!c.meta_key.empty()) {
      MF_ASSIGN_OR_RETURN(meta.key_field, FindColumn(meta.columns, c.meta_key, std::string("META ") + c.meta));
    }
    for (const std::string& name : c.by) {
      MF_ASSIGN_OR_RETURN(uint32_t field, FindColumn(meta.columns, name, std::string("META ") + c.meta));
      group_fields.push_back(field);
    }
  }

  const SingleProcess alone;
  const ProcessGroup& processes = world != nullptr ? static_cast<const ProcessGroup&>(*world) : alone;
  Progress progress(Progress::ForStderr(c.quiet || !processes.leader(), c.progress_interval));
  o.progress = &progress;
  const std::string run_id = processes.Broadcast(NewRunId());
  AggregateResult result;
  if (mtx != nullptr) {
    MF_ASSIGN_OR_RETURN(const RowGroups groups, GroupsFromMeta(mtx->barcodes, meta, group_fields, o, &result.meta_rows));
    MF_RETURN_IF_ERROR(RunMatrixMarketAggregate(processes, *mtx, groups, o, &result));
  } else if (hdf5_matrix != nullptr) {
    Result<RowGroups> groups = c.meta.empty()
                                   ? GroupsFromObs(*h5ad, c.by)
                                   : GroupsFromMeta(hdf5_matrix->row_ids(), meta, group_fields, o, &result.meta_rows);
    MF_RETURN_IF_ERROR(groups.status_or_ok());
    MF_RETURN_IF_ERROR(RunMatrixAggregate(processes, *hdf5_matrix, groups.value(), o, &result));
  } else {
    MF_RETURN_IF_ERROR(RunAggregate(processes, matrix, meta, group_fields, o, &result));
  }
  Status written = Status::OK();
  if (processes.leader()) {
    TableFormat format;
    format.layout = c.layout == "long" ? TableLayout::kLong : c.transpose ? TableLayout::kTransposed : TableLayout::kWide;
    const std::string extension =
        !c.format.empty() ? c.format
                          : (hdf5_matrix == nullptr && mtx == nullptr && matrix.dialect.separator == ',' ? "csv" : "tsv");
    format.separator = extension == "csv" ? ',' : '\t';
    format.group_columns = c.by;
    written = [&]() -> Status {
      if (c.output.empty() && c.embedding != nullptr && c.embedding->keep_tables) {
        for (size_t s : Tables(format, o.stats.size())) {
          TableSink* table = c.embedding->tables
                                 .emplace_back(std::make_unique<TableSink>(TableHeader(result, o.stats, format, s),
                                                                           format.separator, 1))
                                 .get();
          MF_RETURN_IF_ERROR(WriteTableRows(result, o.stats, format, s, table));
          MF_RETURN_IF_ERROR(table->Finish());
        }
        return Status::OK();
      }
      if (c.output.empty()) {
        StdoutSink sink(TableHeader(result, o.stats, format, 0));
        MF_RETURN_IF_ERROR(WriteTableRows(result, o.stats, format, 0, &sink));
        return sink.Finish();
      }
      std::string target = c.output;
      if (c.dataset) {
        MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(c.output));
        MF_RETURN_IF_ERROR(dataset.Exists().status_or_ok());
        (void)ReclaimAbandonedVersions(dataset);  // best effort, as for join
        target = VersionDir(dataset.root(), run_id);
      }
      MF_RETURN_IF_ERROR(WriteOutput(target, run_id, o.stats, format, extension, compression, c.temp_dir, result,
                                     [&](const std::vector<PartInfo>& parts) {
                                       std::string manifest = AggregateManifest(
                                           c, run_id, started_at, matrix, meta, result, parts,
                                           MonotonicSeconds() - start, o.memory_limit, processes.size());
                                       if (c.embedding != nullptr) c.embedding->manifest = manifest;
                                       return manifest;
                                     }));
      if (!c.dataset) return Status::OK();
      if (c.no_publish) {
        std::printf("%s\n", run_id.c_str());
        return Status::OK();
      }
      return PublishWrittenVersion(c.output, run_id, run_id, c.quiet);
    }();
  }
  MF_RETURN_IF_ERROR(Agree(processes, written));
  if (!processes.leader()) return Status::OK();
  if (result.bad_rows_skipped > 0) {
    std::fprintf(stderr, "mergeflow: warning: skipped %llu bad row(s)\n",
                 static_cast<unsigned long long>(result.bad_rows_skipped));
    for (const BadRow& row : result.bad_row_samples) std::fprintf(stderr, "mergeflow: skipped %s\n", row.ToString().c_str());
  }
  if (!c.quiet && (result.unmatched_rows > 0 || result.null_group_rows > 0))
    std::fprintf(stderr, "mergeflow: left out %llu matrix row(s) with no META row and %llu with an empty group\n",
                 static_cast<unsigned long long>(result.unmatched_rows),
                 static_cast<unsigned long long>(result.null_group_rows));
  return Status::OK();
}

}  // namespace

Status RunAggregateCommand(const AggregateCommandOptions& options, CLI::App*) {
  return RunOnLaunchedProcesses([&](MpiWorld* world) { return RunAggregateIn(world, options); },
                                [&](int processes) {
                                  return CheckSeveralProcesses(processes, options.output, {options.matrix, options.meta});
                                });
}

}  // namespace mergeflow
