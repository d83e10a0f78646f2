#include "cli/dataset_command.h"

#include <cstdio>
#include <iomanip>
#include <sstream>

#include "cli/file_systems.h"
#include "common/utc_time.h"
#include "dataset/dataset.h"
#include "dataset/dataset_gc.h"
#include "common/process_stats.h"
#include "common/thread_pool.h"
#include "io/output_committer.h"
#include "ops/upsert/upsert.h"

namespace mergeflow {
namespace {

CLI::App* AddAction(CLI::App* dataset, const std::string& name, const std::string& help, DatasetCommandOptions* o) {
  CLI::App* action = dataset->add_subcommand(name, help);
  action->add_option("DATASET", o->dataset, "The dataset: a directory or s3:// prefix")->required();
  return action;
}

std::string ReadableBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  std::ostringstream text;
  text << std::fixed << std::setprecision(unit == 0 ? 0 : 1) << value << ' ' << units[unit];
  return text.str();
}

Status Publish(const Dataset& dataset, const std::string& version, const std::string& action) {
  MF_ASSIGN_OR_RETURN(HistoryEntry entry, dataset.Publish(version, action, NewRunId()));
  std::printf("%s: %s %s (seq %llu, %llu rows; was %s)\n", dataset.root().c_str(),
              action == "rollback" ? "rolled back to" : "published", version.c_str(),
              static_cast<unsigned long long>(entry.seq), static_cast<unsigned long long>(entry.rows),
              entry.previous.empty() ? "empty" : entry.previous.c_str());
  return Status::OK();
}

Status Rollback(const Dataset& dataset, std::string to) {
  MF_ASSIGN_OR_RETURN(std::optional<Dataset::PointerState> state, dataset.ReadPointer());
  if (!state) return Status::IOError(dataset.root() + " has no published version to roll back from");
  if (to.empty()) to = state->pointer.previous;
  if (to.empty()) return Status::IOError(dataset.root() + " has no previous version to roll back to");
  if (to == state->pointer.version) return Status::InvalidArgument(to + " is already the current version");
  Status published = Publish(dataset, to, "rollback");
  return published.ok() ? published : published.WithPrefix("cannot roll back to " + to + ": ");
}

Status PrintLog(const Dataset& dataset) {
  MF_ASSIGN_OR_RETURN(std::vector<HistoryEntry> log, dataset.Log());
  std::printf("%-6s  %-24s  %-8s  %-25s  %12s  %s\n", "seq", "time", "action", "version", "rows", "run_id");
  for (const HistoryEntry& e : log)
    std::printf("%-6llu  %-24s  %-8s  %-25s  %12llu  %s\n", static_cast<unsigned long long>(e.seq), e.time.c_str(),
                e.action.c_str(), e.version.c_str(), static_cast<unsigned long long>(e.rows), e.run_id.c_str());
  return Status::OK();
}

Status PrintVersions(const Dataset& dataset) {
  MF_ASSIGN_OR_RETURN(std::optional<Dataset::PointerState> state, dataset.ReadPointer());
  MF_ASSIGN_OR_RETURN(std::set<std::string> pins, dataset.Pins());
  MF_ASSIGN_OR_RETURN(std::vector<std::string> versions, dataset.CompleteVersions());
  std::printf("%-25s  %12s  %14s  %-7s  %s\n", "version", "rows", "bytes", "current", "pinned");
  for (const std::string& version : versions) {
    MF_ASSIGN_OR_RETURN(VersionManifest manifest, dataset.ManifestOf(version));
    std::printf("%-25s  %12llu  %14llu  %-7s  %s\n", version.c_str(), static_cast<unsigned long long>(manifest.rows),
                static_cast<unsigned long long>(manifest.bytes),
                state && state->pointer.version == version ? "yes" : "no", pins.contains(version) ? "yes" : "no");
  }
  return Status::OK();
}

// Compacts the dataset (ops/upsert/upsert.h) with upsert's default
// threads and memory.
Status Compact(const Dataset& dataset, const DatasetCommandOptions& o) {
  UpsertOptions options;
  options.threads = DefaultThreadCount();
  options.memory_limit = DefaultMemoryLimit(AvailableMemoryBytes());
  MF_ASSIGN_OR_RETURN(UpsertResult r, CompactDataset(dataset.root(), options, NewRunId(), !o.no_publish));
  if (r.version.empty()) {
    std::printf("%s: nothing to compact: no bucket has a deletes file or a delta\n", dataset.root().c_str());
  } else if (o.no_publish) {
    std::printf("%s\n", r.version.c_str());
  } else {
    std::printf("%s: published version %s: %u of %u buckets rewritten whole, %llu rows\n", dataset.root().c_str(),
                r.version.c_str(), r.buckets_rewritten, r.buckets, static_cast<unsigned long long>(r.counts.unchanged));
  }
  return Status::OK();
}

Status CollectGarbage(const Dataset& dataset, const DatasetCommandOptions& o) {
  GcOptions options;
  options.keep = o.keep;
  MF_ASSIGN_OR_RETURN(options.older_than_seconds, ParseDurationSeconds(o.older_than));
  GcPlan plan;
  if (o.apply) {
    MF_ASSIGN_OR_RETURN(plan, ApplyGc(dataset, options));
  } else {
    MF_ASSIGN_OR_RETURN(plan, PlanGc(dataset, options));
  }
  uint64_t bytes = 0;
  size_t collected = 0;
  for (const GcDecision& d : plan.versions) {
    if (d.collect) {
      ++collected;
      bytes += d.bytes;
      std::printf("%s %s: %zu file(s), %s", o.apply ? "removed" : "would remove", d.version.c_str(), d.remove.size(),
                  ReadableBytes(d.bytes).c_str());
      if (d.parts_kept_for_others > 0)
        std::printf(" (%zu part(s) kept: newer versions list them)", d.parts_kept_for_others);
      std::printf("\n");
    } else {
      std::printf("keep %s: %s\n", d.version.c_str(), d.why.c_str());
    }
  }
  std::printf("%s %zu version(s), %s%s\n", o.apply ? "removed" : "dry run: would remove", collected,
              ReadableBytes(bytes).c_str(), o.apply || collected == 0 ? "" : "; give --apply to remove them");
  return Status::OK();
}

}  // namespace

CLI::App* AddDatasetCommand(CLI::App* app, DatasetCommandOptions* o) {
  CLI::App* dataset = app->add_subcommand("dataset", "Manage a dataset's versions: publish, roll back, pin, collect");
  dataset->require_subcommand(1);
  AddAction(dataset, "publish", "Make VERSION the current version", o)
      ->add_option("VERSION", o->version, "A complete version of DATASET")
      ->required();
  AddAction(dataset, "rollback", "Make an earlier version current again (default: the one before)", o)
      ->add_option("--to", o->version, "The version to roll back to");
  AddAction(dataset, "log", "The publishes, rollbacks, upserts and compactions in effect, newest first", o);
  AddAction(dataset, "list", "The complete versions: rows, bytes, current, pinned", o);
  AddAction(dataset, "pin", "Keep VERSION from garbage collection", o)
      ->add_option("VERSION", o->version, "A complete version of DATASET")
      ->required();
  AddAction(dataset, "unpin", "Let garbage collection consider VERSION again", o)
      ->add_option("VERSION", o->version, "A pinned version of DATASET")
      ->required();
  CLI::App* gc = AddAction(dataset, "gc", "Remove old versions (a dry run unless --apply)", o);
  gc->add_option("--keep", o->keep, "Published versions to keep, newest first (default: 10)");
  gc->add_option("--older-than", o->older_than, "Keep versions younger than this, e.g. 7d (default: 0s)");
  gc->add_flag("--apply", o->apply, "Remove what the dry run lists");
  AddAction(dataset, "compact",
            "Rewrite whole the buckets that upsert --merge-on-read left as deletes files and deltas", o)
      ->add_flag("--no-publish", o->no_publish, "Leave the new version unpublished; print its id");
  return dataset;
}

Status RunDatasetCommand(const DatasetCommandOptions& o, CLI::App* command) {
  MF_RETURN_IF_ERROR(SetUpFileSystems());
  MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(o.dataset));
  const std::string action = command->get_subcommands().front()->get_name();
  MF_ASSIGN_OR_RETURN(bool exists, dataset.Exists());
  if (!exists) return Status::IOError(o.dataset + " is not a dataset (no _LATEST.json or _versions/)");
  if (!o.version.empty() && !IsVersionId(o.version))
    return Status::InvalidArgument("not a version id: '" + o.version + "' (they look like 20261201T103000Z-1a2b3c4d)");
  if (action == "publish") return Publish(dataset, o.version, "publish");
  if (action == "rollback") return Rollback(dataset, o.version);
  if (action == "log") return PrintLog(dataset);
  if (action == "list") return PrintVersions(dataset);
  if (action == "pin" || action == "unpin") {
    MF_RETURN_IF_ERROR(action == "pin" ? dataset.Pin(o.version) : dataset.Unpin(o.version));
    std::printf("%s: %s %s\n", dataset.root().c_str(), action == "pin" ? "pinned" : "unpinned", o.version.c_str());
    return Status::OK();
  }
  if (action == "compact") return Compact(dataset, o);
  return CollectGarbage(dataset, o);
}

Status PublishWrittenVersion(const std::string& root, const std::string& version, const std::string& run_id,
                             bool quiet) {
  MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(root));
  Result<HistoryEntry> entry = dataset.Publish(version, "publish", run_id);
  if (!entry.ok())
    return Status::IOError(entry.status().message() + "; version " + version +
                           " is complete: publish it with 'mergeflow dataset publish " + dataset.root() + " " +
                           version + "'");
  if (!quiet)
    std::fprintf(stderr, "mergeflow: %s: published version %s (seq %llu)\n", dataset.root().c_str(), version.c_str(),
                 static_cast<unsigned long long>(entry.value().seq));
  return Status::OK();
}

}  // namespace mergeflow
