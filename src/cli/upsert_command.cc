#include "cli/upsert_command.h"

#include <cstdio>

#include "cli/file_systems.h"
#include "cli/launched_processes.h"
#include "cli/output_compression.h"
#include "common/process_stats.h"
#include "common/size_parser.h"
#include "common/thread_pool.h"
#include "io/output_committer.h"
#include "ops/upsert/upsert.h"

namespace mergeflow {

CLI::App* AddUpsertCommand(CLI::App* app, UpsertCommandOptions* o) {
  CLI::App* upsert = app->add_subcommand(
      "upsert", "Apply change files (inserts, updates, deletes; AWS DMS layout) to a dataset as a new version");
  upsert->add_option("DATASET", o->dataset, "The dataset (created by the first upsert)")->required();
  upsert->add_option("CHANGES", o->changes, "Change files, directories or globs, oldest first")->required();
  upsert->add_option("--key", o->key, "Key columns (comma-separated)")->delimiter(',')->required();
  upsert->add_option("--order-by", o->order_by, "COL[:int|decimal|timestamp|string]: which change is newer")
      ->required();
  upsert->add_option("--op-column", o->op_column, "The column holding I, U or D (default: Op)");
  upsert
      ->add_option("--merge-mode", o->merge_mode,
                   "event-time (default): a change older than the stored row is ignored; commit-time: always applies")
      ->check(CLI::IsMember({"event-time", "commit-time"}));
  upsert->add_flag("--no-publish", o->no_publish, "Leave the new version unpublished; print its id");
  upsert->add_flag("--strict", o->strict, "An update of a key that is not in the dataset is an error");
  upsert->add_option("--bad-rows", o->bad_rows, "error (default) or skip: count rejected change rows")
      ->check(CLI::IsMember({"error", "skip"}));
  upsert->add_option("--tombstone-versions", o->tombstone_versions,
                     "Upserts a delete's tombstone outlives (default: 10)");
  upsert->add_option("--buckets", o->buckets, "Key-hash buckets of a new dataset (default: 64)")
      ->check(CLI::Range(1, 99999));
  upsert->add_flag("--merge-on-read", o->merge_on_read,
                   "Touched buckets get a deletes file and a delta part instead of a rewrite (text datasets)");
  upsert
      ->add_option("--delta-share", o->delta_share,
                   "With --merge-on-read: a bucket whose delta holds this share of its part's bytes is rewritten "
                   "whole (default: 0.25)")
      ->check(CLI::PositiveNumber);
  upsert
      ->add_option("--format", o->format,
                   "Parts: tsv, csv or parquet (default: the dataset's; a new one's like the change files)")
      ->check(CLI::IsMember({"tsv", "csv", "parquet"}));
  upsert->add_option("--compress", o->compress,
                     "Pages of the Parquet parts written: zstd (default), snappy or none (Parquet datasets)")
      ->check(CLI::IsMember({"none", "zstd", "snappy"}));
  upsert->add_option("--sep", o->separator, "Delimiter of the change files (default: tab; comma for .csv)");
  upsert->add_option("--quote", o->quote, "rfc4180 (default) or none")->check(CLI::IsMember({"rfc4180", "none"}));
  upsert->add_option("--threads", o->threads, "Reading threads (default: all cores)")->check(CLI::Range(1, 4096));
  upsert->add_option("--memory-limit", o->memory_limit,
                     "Memory the changes may hold; beyond it they spill to disk by bucket group (default: 80%)");
  upsert->add_option("--temp-dir", o->temp_dir, "Where changes spill (default: $TMPDIR or /tmp)");
  upsert->add_flag("-q,--quiet", o->quiet, "Print nothing but errors (and --no-publish's id)");
  return upsert;
}

namespace {

// The upsert in this process; with `world`, this process's rank of several.
Status RunUpsertIn(const MpiWorld* world, const UpsertCommandOptions& c) {
  MF_RETURN_IF_ERROR(SetUpFileSystems());
  UpsertOptions o;
  o.key = c.key;
  const size_t colon = c.order_by.rfind(':');
  o.order_column = c.order_by.substr(0, colon);
  if (colon != std::string::npos) {
    MF_ASSIGN_OR_RETURN(o.order_type, ParseOrderType(c.order_by.substr(colon + 1)));
  }
  if (o.order_column.empty()) return Status::InvalidArgument("--order-by needs a column name");
  o.op_column = c.op_column;
  o.commit_time = c.merge_mode == "commit-time";
  o.strict = c.strict;
  o.skip_bad_rows = c.bad_rows == "skip";
  o.tombstone_versions = c.tombstone_versions;
  o.buckets = c.buckets;
  o.merge_on_read = c.merge_on_read;
  o.delta_share = c.delta_share;
  o.format = c.format;
  if (!c.compress.empty()) {
    if (!c.format.empty() && c.format != "parquet")
      return Status::InvalidArgument("--compress applies to Parquet parts, not --format " + c.format);
    MF_ASSIGN_OR_RETURN(const OutputCompression compression, ChooseOutputCompression(c.compress, "parquet", true));
    o.parquet_codec = compression.parquet;
  }
  o.separator = c.separator;
  o.quoting = c.quote != "none";
  o.threads = c.threads > 0 ? c.threads : DefaultThreadCount();
  const uint64_t available = AvailableMemoryBytes();
  o.memory_limit = DefaultMemoryLimit(available);
  if (!c.memory_limit.empty()) {
    MF_ASSIGN_OR_RETURN(o.memory_limit, ParseSize(c.memory_limit, available));
  }
  o.temp_dir = c.temp_dir;
  const SingleProcess alone;
  const ProcessGroup& group = world != nullptr ? static_cast<const ProcessGroup&>(*world) : alone;
  const std::string run_id = group.Broadcast(NewRunId());
  MF_ASSIGN_OR_RETURN(UpsertResult r, RunUpsert(c.dataset, c.changes, o, run_id, !c.no_publish, group));
  if (!group.leader()) return Status::OK();  // the leader reports the whole
  if (c.embedding != nullptr) c.embedding->manifest = r.manifest;
  for (const std::string& path : r.skipped_files)
    if (!c.quiet)
      std::fprintf(stderr, "mergeflow: %s was applied to %s before; skipped\n", path.c_str(), c.dataset.c_str());
  if (r.version.empty()) {
    if (!c.quiet) std::fprintf(stderr, "mergeflow: nothing to apply: every change file was applied before\n");
    return Status::OK();
  }
  if (c.no_publish) std::printf("%s\n", r.version.c_str());
  if (!c.quiet) {
    const UpsertCounts& n = r.counts;
    std::fprintf(stderr,
                 "mergeflow: %s: %s version %s: %llu inserted, %llu updated, %llu deleted, %llu unchanged, "
                 "%llu stale ignored, %llu deletes of missing keys, %llu rejected; %u of %u buckets rewritten%s\n",
                 c.dataset.c_str(), c.no_publish ? "wrote" : "published", r.version.c_str(),
                 static_cast<unsigned long long>(n.inserted), static_cast<unsigned long long>(n.updated),
                 static_cast<unsigned long long>(n.deleted), static_cast<unsigned long long>(n.unchanged),
                 static_cast<unsigned long long>(n.stale_ignored), static_cast<unsigned long long>(n.delete_missing),
                 static_cast<unsigned long long>(n.rejected), r.buckets_rewritten, r.buckets,
                 r.buckets_as_deltas == 0 ? "" : (" (" + std::to_string(r.buckets_as_deltas) + " as deltas)").c_str());
  }
  return Status::OK();
}

}  // namespace

Status RunUpsertCommand(const UpsertCommandOptions& c) {
  return RunOnLaunchedProcesses([&](MpiWorld* world) { return RunUpsertIn(world, c); },
                                [](int) { return Status::OK(); });
}

}  // namespace mergeflow
