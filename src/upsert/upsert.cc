#include "upsert/upsert.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/process_stats.h"
#include "common/sha256.h"
#include "common/utc_time.h"
#include "dataset/dataset.h"
#include "dataset/dataset_inputs.h"
#include "io/output_committer.h"
#include "io/part_files_sink.h"
#include "io/temp_directory.h"
#include "join/key_encoder.h"
#include "join/spill_files.h"
#include "text/bad_row_log.h"
#include "text/chunk_reader.h"
#include "text/dialect_choice.h"
#include "text/field_writer.h"
#include "text/row_scanner.h"
#include "text/scan_rows.h"
#include "upsert/change_record.h"
#include "upsert/change_set.h"

namespace mergeflow {
namespace {

// What the current version holds, as an upsert needs it.
struct CurrentState {
  bool exists = false;
  std::string pointer_token;  // of the pointer as read: the new version is built on it
  std::vector<std::string> columns;
  bool bucketed = false;
  uint32_t buckets = 0;
  uint64_t generation = 0;                     // upserts applied so far
  std::set<std::string> applied;               // SHA-256 of every change file applied so far
  std::map<uint32_t, VersionPart> parts;       // by bucket (bucketed), or by position
  std::map<uint32_t, VersionPart> tombstones;  // by bucket
  std::vector<VersionPart> all_parts;
};

// The bucket in a part or tombstones file name ("part-00012.tsv": 12).
std::optional<uint32_t> BucketInName(const std::string& path, const char* prefix) {
  const std::string name = SplitParent(path).second;
  if (!name.starts_with(prefix) || name.size() < std::strlen(prefix) + 5) return std::nullopt;
  uint32_t bucket = 0;
  for (size_t i = std::strlen(prefix); i < std::strlen(prefix) + 5; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    bucket = bucket * 10 + static_cast<uint32_t>(name[i] - '0');
  }
  return bucket;
}

Result<CurrentState> ReadCurrent(const Dataset& dataset, const UpsertOptions& o) {
  CurrentState state;
  MF_ASSIGN_OR_RETURN(std::optional<Dataset::PointerState> pointer, dataset.ReadPointer());
  if (!pointer) return state;
  state.pointer_token = pointer->token;
  MF_ASSIGN_OR_RETURN(VersionManifest manifest, dataset.ManifestPointedTo(pointer->pointer));
  state.exists = true;
  state.all_parts = manifest.parts;
  try {
    const nlohmann::json doc = nlohmann::json::parse(manifest.text);
    state.columns = doc.at("columns").get<std::vector<std::string>>();
    if (doc.contains("upsert")) {
      const nlohmann::json& u = doc.at("upsert");
      state.bucketed = true;
      state.buckets = u.at("buckets");
      state.generation = u.at("generation");
      for (const auto& sha : u.at("applied_changes")) state.applied.insert(sha.get<std::string>());
      if (u.at("key").get<std::vector<std::string>>() != o.key)
        return Status::InvalidArgument(dataset.root() + " keeps its rows in buckets by key " + u.at("key").dump() +
                                       "; --key must name the same columns");
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::BadInput(dataset.root() + ": the manifest of version " + manifest.version +
                            " lacks what an upsert needs: " + e.what());
  }
  if (state.bucketed) {
    for (const VersionPart& part : manifest.parts) {
      const auto bucket = BucketInName(part.path, "part-");
      if (!bucket || *bucket >= state.buckets)
        return Status::BadInput(dataset.root() + ": part " + part.path + " names no bucket");
      state.parts[*bucket] = part;
    }
    for (const VersionPart& file : manifest.tombstones) {
      const auto bucket = BucketInName(file.path, "tombstones-");
      if (!bucket) return Status::BadInput(dataset.root() + ": " + file.path + " names no bucket");
      state.tombstones[*bucket] = file;
    }
  }
  return state;
}

Result<std::string> FileSha256(const std::string& path) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(path));
  MF_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> stream, fs->OpenInputStream(path, 0));
  Sha256 hash;
  std::string buffer(1 << 20, '\0');
  for (;;) {
    MF_ASSIGN_OR_RETURN(size_t got, stream->Read(buffer.data(), buffer.size()));
    if (got == 0) break;
    hash.Update(std::string_view(buffer.data(), got));
  }
  return hash.HexDigest();
}

std::string RenderLine(const std::vector<std::string>& fields, char separator) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line.push_back(separator);
    AppendField(&line, fields[i], separator);
  }
  return line + "\n";
}

// A tombstone: a deleted key, the order value of its delete, and the
// generation (upsert count) that deleted it.
struct Tombstone {
  std::string key_fields;  // rendered, as in Change
  std::string order;       // encoded
  std::string order_text;
  uint64_t generation = 0;
};
using Tombstones = std::map<std::string, Tombstone>;  // by encoded key, sorted for a stable file

// Reads a bucket's tombstones file, dropping those older than `oldest`.
Status LoadTombstones(const VersionPart& file, const UpsertOptions& o, Dialect dialect, uint64_t oldest,
                      Tombstones* out) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file.path));
  MF_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(fs, file.path));
  std::vector<std::string_view> fields;
  std::string scratch;
  KeyEncoder encoder(o.key.size(), true);
  size_t start = text.find('\n') + 1;  // after the header
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    SplitFields(text.data() + start, end - start, text.find('"', start) < end, dialect, &fields, &scratch);
    if (fields.size() != o.key.size() + 2) return Status::BadInput(file.path + ": not a tombstones file");
    Tombstone t;
    t.generation = std::strtoull(std::string(fields.back()).c_str(), nullptr, 10);
    if (t.generation >= oldest) {
      t.order_text = std::string(fields[o.key.size()]);
      MF_ASSIGN_OR_RETURN(t.order, EncodeOrderValue(o.order_type, t.order_text));
      std::vector<std::string_view> keys(fields.begin(), fields.begin() + o.key.size());
      std::vector<std::string> key_texts(keys.begin(), keys.end());
      t.key_fields = RenderLine(key_texts, dialect.separator);
      t.key_fields.pop_back();
      std::string_view key;
      encoder.Encode(keys.data(), &key);
      (*out)[std::string(key)] = std::move(t);
    }
    start = end + 1;
  }
  return Status::OK();
}

// Streams the current rows of `files` and decides each against its key's
// change, writing what stays to the bucket's lane of `sink`.
Status MergeStoredRows(const std::vector<FileInfo>& files, const CurrentState& current, const UpsertOptions& o,
                       Dialect dialect, size_t added_columns, ChangeSet* changes,
                       const std::function<bool(uint32_t)>& in_group, std::vector<Tombstones>* deleted,
                       OutputSink* sink, UpsertCounts* counts) {
  std::vector<uint32_t> key_fields;
  for (const std::string& name : o.key) {
    auto at = std::find(current.columns.begin(), current.columns.end(), name);
    if (at == current.columns.end()) return Status::InvalidArgument("the dataset has no key column '" + name + "'");
    key_fields.push_back(static_cast<uint32_t>(at - current.columns.begin()));
  }
  auto order_at = std::find(current.columns.begin(), current.columns.end(), o.order_column);
  if (order_at == current.columns.end())
    return Status::InvalidArgument("the dataset has no --order-by column '" + o.order_column + "'");
  key_fields.push_back(static_cast<uint32_t>(order_at - current.columns.begin()));
  const std::string padding(added_columns, dialect.separator);
  std::vector<std::string> out(changes->buckets());
  std::vector<uint64_t> out_rows(changes->buckets(), 0);
  auto flush = [&](uint32_t b) -> Status {
    Status status = sink->Write(static_cast<int>(b), out[b], out_rows[b]);
    out[b].clear();
    out_rows[b] = 0;
    return status;
  };
  ChunkReader reader(files, dialect, o.chunk_bytes, o.threads, ChunkOrder::kAnyOrder);
  RowScanner scanner(dialect, static_cast<uint32_t>(current.columns.size()), key_fields);
  KeyEncoder encoder(o.key.size(), true);
  BadRowLog log(false, &reader);
  Status failure;
  auto keep = [&](uint32_t b, std::string_view row) {
    out[b].append(row);
    out[b].append(padding);
    out[b].push_back('\n');
    ++out_rows[b];
    ++counts->unchanged;
  };
  auto on_row = [&](const RowView& row, const Chunk& chunk) {
    if (!failure.ok()) return;
    std::string_view key;
    encoder.Encode(row.keys, &key);
    const uint32_t b = BucketOf(key, changes->buckets());
    if (!in_group(b)) return;  // another group's, merged in its turn
    auto& bucket = changes->bucket(b);
    auto found = bucket.find(std::string(key));
    const std::string_view stored(row.data, row.size);
    if (found == bucket.end()) return keep(b, stored);
    Change& change = found->second;
    bool applies = o.commit_time;
    if (!applies) {
      Result<std::string> order = EncodeOrderValue(o.order_type, row.keys[o.key.size()]);
      if (!order.ok()) {
        failure = Status::BadInput(files[chunk.file_index].path + ": a stored row has a bad --order-by value '" +
                                   std::string(row.keys[o.key.size()]) + "': " + order.status().message());
        return;
      }
      applies = change.order >= order.value();
    }
    const bool duplicate = change.matched;  // the stored data holds the key twice
    change.matched = true;
    if (!applies) {
      ++counts->stale_ignored;
      return keep(b, stored);
    }
    if (duplicate) return;
    if (change.op == 'D') {
      ++counts->deleted;
      (*deleted)[b][std::string(key)] = Tombstone{change.key_fields, change.order, change.order_text, 0};
      return;
    }
    ++counts->updated;
    out[b].append(change.row);
    out[b].push_back('\n');
    ++out_rows[b];
  };
  auto after_chunk = [&]() -> Status {
    MF_RETURN_IF_ERROR(failure);
    for (uint32_t b = 0; b < out.size(); ++b) {
      if (out[b].size() >= (1u << 20)) MF_RETURN_IF_ERROR(flush(b));
    }
    return Status::OK();
  };
  uint64_t rows = 0;
  MF_RETURN_IF_ERROR(ScanRows(&reader, &scanner, &log, on_row, after_chunk, &rows));
  for (uint32_t b = 0; b < out.size(); ++b) {
    if (!out[b].empty()) MF_RETURN_IF_ERROR(flush(b));
  }
  return Status::OK();
}

// One upsert while it runs: what the steps below share.
struct UpsertRun {
  const UpsertOptions& o;
  CurrentState current;
  std::vector<FileInfo> files;  // the change files to apply
  nlohmann::json change_list = nlohmann::json::array();
  std::set<std::string> applied;  // every change file applied, these included
  std::vector<std::string> columns;
  Dialect dialect;
  std::string extension;
  uint32_t buckets = 0;
  uint64_t generation = 0;
  std::vector<bool> rewrite;  // per bucket
  nlohmann::json tombstone_list = nlohmann::json::array();
  UpsertResult result;
};

// Lists the change files of `specs`, less those applied before.
Status ListChangeFiles(const std::vector<std::string>& specs, UpsertRun* run) {
  run->applied = run->current.applied;
  for (const std::string& spec : specs) {
    MF_ASSIGN_OR_RETURN(std::vector<FileInfo> listed, ResolveInputFiles(spec));
    for (FileInfo& file : listed) {
      MF_ASSIGN_OR_RETURN(std::string sha, FileSha256(file.path));
      const bool seen = !run->applied.insert(sha).second;
      run->change_list.push_back({{"path", file.path}, {"bytes", file.size}, {"sha256", sha}, {"skipped", seen}});
      if (seen) {
        run->result.skipped_files.push_back(file.path);
      } else {
        run->files.push_back(std::move(file));
      }
    }
  }
  return Status::OK();
}

// The columns (the dataset's, then those the change files add), the
// dialect and the buckets of the new version.
Status PlanColumns(UpsertRun* run) {
  run->columns = run->current.columns;
  for (const FileInfo& file : run->files) {
    MF_ASSIGN_OR_RETURN(std::vector<std::string> added, ChangeSet::NewColumns(run->o, file.path, run->columns));
    run->columns.insert(run->columns.end(), added.begin(), added.end());
  }
  const std::string& first_data = !run->current.exists             ? run->files[0].path
                                  : run->current.all_parts.empty() ? std::string()
                                                                   : run->current.all_parts[0].path;
  MF_ASSIGN_OR_RETURN(run->dialect, ChooseDialect(first_data, "", true));
  run->extension = run->dialect.separator == ',' ? "csv" : "tsv";
  run->buckets = run->current.bucketed ? run->current.buckets : run->o.buckets;
  run->generation = run->current.generation + 1;
  return Status::OK();
}

// Which buckets are rewritten: those the changes touch; all of them for a
// dataset not yet in buckets, or when columns were added (a kept part would
// lack them).
void PlanRewrites(const ChangeSet& changes, UpsertRun* run) {
  const bool all = !run->current.bucketed || run->columns.size() > run->current.columns.size();
  run->rewrite.assign(run->buckets, all);
  for (uint32_t b = 0; b < run->buckets; ++b) {
    if (changes.touches(b)) run->rewrite[b] = true;
  }
}

// The stored parts that hold the rewritten buckets of a group: all of them
// for a dataset not yet in buckets.
std::vector<FileInfo> StoredPartsToMerge(const UpsertRun& run, const std::function<bool(uint32_t)>& in_group) {
  std::vector<FileInfo> stored;
  if (!run.current.bucketed) {
    for (const VersionPart& part : run.current.all_parts) stored.push_back({part.path, true, false, part.bytes});
  } else {
    for (const auto& [b, part] : run.current.parts) {
      if (run.rewrite[b] && in_group(b)) stored.push_back({part.path, true, false, part.bytes});
    }
  }
  return stored;
}

// How many groups of buckets the changes are reduced in, one group at a
// time: one when the change files fit in half the memory limit once parsed
// (up to eight times their size: short rows cost more in bookkeeping than
// in bytes).
uint32_t BucketGroups(const UpsertRun& run) {
  if (run.o.memory_limit == 0) return 1;
  uint64_t bytes = 0;
  for (const FileInfo& file : run.files) bytes += file.size;
  const uint64_t budget = std::max<uint64_t>(run.o.memory_limit / 2, 1);
  return static_cast<uint32_t>(std::clamp<uint64_t>((bytes * 8 + budget - 1) / budget, 1, run.buckets));
}

// Buckets whose parts one group may hold open at once.
constexpr uint32_t kOpenBucketsPerGroup = 512;

// Changes spilled by bucket group, and how to reduce one group's.
class SpilledChanges {
 public:
  static Result<std::unique_ptr<SpilledChanges>> Create(const UpsertOptions& o, uint32_t groups,
                                                        const std::string& run_id) {
    MF_ASSIGN_OR_RETURN(std::unique_ptr<TempDirectory> dir,
                        TempDirectory::Create(o.temp_dir, "mergeflow-upsert-" + run_id));
    return std::unique_ptr<SpilledChanges>(new SpilledChanges(std::move(dir), groups));
  }
  // The sink that spills what ChangeSet::Read reads.
  ChangeSet::Sink sink() {
    return [this](uint32_t bucket, std::string_view key, Change change) {
      record_.clear();
      EncodeChange(change, &record_);
      BuildRow row;
      row.row = record_.data();
      row.row_size_and_flags = static_cast<uint32_t>(record_.size());
      return files_.Append(0, bucket % groups_, row, key, false);
    };
  }
  Status Finish() { return files_.Finish(); }
  // Offers the changes of group `g` to `into`.
  Status Reduce(uint32_t g, ChangeSet* into) {
    MF_ASSIGN_OR_RETURN(std::vector<BuildRow> rows, files_.Load(g, &buffer_));
    for (const BuildRow& row : rows) {
      MF_ASSIGN_OR_RETURN(Change change, DecodeChange(std::string_view(row.row, row.row_size())));
      MF_RETURN_IF_ERROR(into->Offer(BucketOf(row.key_view(), into->buckets()), row.key_view(), std::move(change)));
    }
    files_.Remove(g);
    return Status::OK();
  }

 private:
  SpilledChanges(std::unique_ptr<TempDirectory> dir, uint32_t groups)
      : dir_(std::move(dir)), groups_(groups), files_(dir_->fs(), dir_->path(), "changes", groups, 1, 1 << 20) {}
  std::unique_ptr<TempDirectory> dir_;
  uint32_t groups_;
  SpillFiles files_;
  std::string record_;
  LargeBuffer buffer_;
};

Status WriteTombstones(uint32_t bucket, const Tombstones& tombs, OutputCommitter* committer, UpsertRun* run) {
  std::vector<std::string> header = run->o.key;
  header.push_back(run->o.order_column);
  header.push_back("_generation");
  const char separator = run->dialect.separator;
  std::string body = RenderLine(header, separator);
  for (const auto& [key, tomb] : tombs) {
    body += tomb.key_fields + separator;
    AppendField(&body, tomb.order_text, separator);
    body += separator + std::to_string(tomb.generation) + "\n";
  }
  char name[48];
  std::snprintf(name, sizeof(name), "tombstones-%05u.%s", bucket, run->extension.c_str());
  MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, committer->CreateFile(name));
  MF_RETURN_IF_ERROR(file->Append(body));
  MF_RETURN_IF_ERROR(file->Close());
  run->tombstone_list.push_back({{"name", name}, {"rows", tombs.size()}, {"bytes", body.size()}});
  return Status::OK();
}

// Decides the changes of rewritten bucket `b` that met no stored row
// (inserts, unless a tombstone or --strict says otherwise), in the order
// they came, and writes the bucket's tombstones: the live ones it had, less
// the keys inserted again, plus `deleted`.
Status FinishBucket(uint32_t b, ChangeSet* changes, const Tombstones& deleted, OutputSink* sink,
                    OutputCommitter* committer, UpsertRun* run) {
  const UpsertOptions& o = run->o;
  UpsertCounts& counts = run->result.counts;
  Tombstones tombs;
  const uint64_t oldest = run->generation > o.tombstone_versions ? run->generation - o.tombstone_versions : 0;
  if (auto at = run->current.tombstones.find(b); at != run->current.tombstones.end())
    MF_RETURN_IF_ERROR(LoadTombstones(at->second, o, run->dialect, oldest, &tombs));
  std::vector<std::pair<const std::string*, Change*>> left;
  for (auto& [key, change] : changes->bucket(b)) {
    if (!change.matched) left.emplace_back(&key, &change);
  }
  std::sort(left.begin(), left.end(), [](const auto& x, const auto& y) {
    return x.second->file != y.second->file ? x.second->file < y.second->file : x.second->offset < y.second->offset;
  });
  std::string text;
  uint64_t rows = 0;
  for (auto& [key, change] : left) {
    auto tomb = tombs.find(*key);
    if (!o.commit_time && tomb != tombs.end() && change->order < tomb->second.order) {
      ++counts.stale_ignored;
    } else if (change->op == 'D') {
      ++counts.delete_missing;
    } else if (o.strict && change->op == 'U') {
      const std::string& path = run->files[change->file].path;
      return Status::BadInput(path + ":" + std::to_string(LineAtOffset(path, change->offset)) +
                              ": update of a key that is not in the dataset (--strict)");
    } else {
      ++counts.inserted;
      text += change->row;
      text += '\n';
      ++rows;
      if (tomb != tombs.end()) tombs.erase(tomb);
    }
  }
  if (rows > 0) MF_RETURN_IF_ERROR(sink->Write(static_cast<int>(b), text, rows));
  for (const auto& [key, tomb] : deleted) {
    tombs[key] = tomb;
    tombs[key].generation = run->generation;
  }
  if (!tombs.empty()) MF_RETURN_IF_ERROR(WriteTombstones(b, tombs, committer, run));
  ++run->result.buckets_rewritten;
  return Status::OK();
}

// The manifest of the new version: the parts written, then the parent's
// parts (and tombstones) of the buckets kept, by reference.
std::string UpsertManifest(const std::vector<PartInfo>& written, const ChangeSet& changes, const std::string& run_id,
                           const std::string& started_at, UpsertRun* run) {
  nlohmann::json parts = nlohmann::json::array();
  uint64_t total_rows = 0;
  for (const PartInfo& part : written) {
    parts.push_back({{"name", part.name}, {"rows", part.rows}, {"bytes", part.bytes}, {"checksum", part.checksum}});
    total_rows += part.rows;
  }
  auto by_reference = [](const VersionPart& kept) {
    return nlohmann::json{
        {"name", SplitParent(kept.path).second}, {"rows", kept.rows}, {"bytes", kept.bytes}, {"version", kept.version}};
  };
  for (uint32_t b = 0; b < run->buckets; ++b) {
    if (run->rewrite[b]) continue;
    if (auto at = run->current.parts.find(b); at != run->current.parts.end()) {
      parts.push_back(by_reference(at->second));
      total_rows += at->second.rows;
      run->result.counts.unchanged += at->second.rows;
    }
    if (auto at = run->current.tombstones.find(b); at != run->current.tombstones.end())
      run->tombstone_list.push_back(by_reference(at->second));
  }
  const UpsertCounts& c = run->result.counts;
  const UpsertOptions& o = run->o;
  const nlohmann::json manifest = {
      {"manifest", "mergeflow/1"},
      {"mergeflow_version", MERGEFLOW_VERSION},
      {"run_id", run_id},
      {"started_at", started_at},
      {"finished_at", UtcTimestamp()},
      {"operation", "upsert"},
      {"columns", run->columns},
      {"rows", {{"changes", changes.counts().rows}, {"output", total_rows}}},
      {"counts",
       {{"inserted", c.inserted},
        {"updated", c.updated},
        {"deleted", c.deleted},
        {"unchanged", c.unchanged},
        {"stale_ignored", c.stale_ignored},
        {"delete_missing", c.delete_missing},
        {"rejected", c.rejected}}},
      {"bad_rows", {{"skipped", c.rejected}, {"first", changes.counts().rejected_samples}}},
      {"changes", run->change_list},
      {"upsert",
       {{"key", o.key},
        {"order_by", {{"column", o.order_column}, {"type", OrderTypeName(o.order_type)}}},
        {"merge_mode", o.commit_time ? "commit-time" : "event-time"},
        {"tombstone_versions", o.tombstone_versions},
        {"buckets", run->buckets},
        {"buckets_rewritten", run->result.buckets_rewritten},
        {"bucket_groups", run->result.bucket_groups},
        {"generation", run->generation},
        {"applied_changes", run->applied}}},
      {"parts", parts},
      {"tombstones", run->tombstone_list},
      {"peak_memory_bytes", PeakResidentBytes()},
  };
  return manifest.dump(2) + "\n";
}

}  // namespace

Result<UpsertResult> RunUpsert(const std::string& root, const std::vector<std::string>& change_specs,
                               const UpsertOptions& o, const std::string& run_id, bool publish) {
  const std::string started_at = UtcTimestamp();
  MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(root));
  MF_RETURN_IF_ERROR(dataset.Exists().status_or_ok());
  UpsertRun run{o};
  MF_ASSIGN_OR_RETURN(run.current, ReadCurrent(dataset, o));
  MF_RETURN_IF_ERROR(ListChangeFiles(change_specs, &run));
  if (run.files.empty()) return run.result;
  MF_RETURN_IF_ERROR(PlanColumns(&run));

  // Read the changes: reduced here when they fit, else spilled by bucket
  // group and reduced one group at a time.
  // Groups of buckets, merged one after another: as memory needs (the
  // changes then spill), and so that a group holds few parts open.
  const uint32_t memory_groups = BucketGroups(run);
  const uint32_t groups = std::max(memory_groups, (run.buckets + kOpenBucketsPerGroup - 1) / kOpenBucketsPerGroup);
  run.result.bucket_groups = groups;
  std::unique_ptr<SpilledChanges> spilled;
  if (memory_groups > 1) {
    MF_ASSIGN_OR_RETURN(spilled, SpilledChanges::Create(o, groups, run_id));
  }
  const ChangeSet::Sink spill = spilled ? spilled->sink() : ChangeSet::Sink();
  ChangeSet changes(o, run.buckets, run.dialect);
  for (uint32_t i = 0; i < run.files.size(); ++i)
    MF_RETURN_IF_ERROR(changes.Read(run.files[i], i, run.columns, spilled ? &spill : nullptr));
  if (spilled) MF_RETURN_IF_ERROR(spilled->Finish());
  run.result.counts.rejected = changes.counts().rejected;
  PlanRewrites(changes, &run);

  MF_ASSIGN_OR_RETURN(std::unique_ptr<OutputCommitter> committer,
                      OutputCommitter::Start(VersionDir(dataset.root(), run_id), run_id));
  PartFilesSink sink(committer.get(), static_cast<int>(run.buckets), RenderLine(run.columns, run.dialect.separator),
                     run.extension, Compression::kNone, PartNumbering{0, 1, run.rewrite[0]});
  std::vector<Tombstones> deleted(run.buckets);
  for (uint32_t g = 0; g < groups; ++g) {
    const auto in_group = [&](uint32_t b) { return b % groups == g; };
    ChangeSet group(o, run.buckets, run.dialect);
    if (spilled) MF_RETURN_IF_ERROR(spilled->Reduce(g, &group));
    ChangeSet* held = spilled ? &group : &changes;
    if (run.current.exists) {
      MF_RETURN_IF_ERROR(MergeStoredRows(StoredPartsToMerge(run, in_group), run.current, o, run.dialect,
                                         run.columns.size() - run.current.columns.size(), held, in_group, &deleted,
                                         &sink, &run.result.counts));
    }
    for (uint32_t b = g; b < run.buckets; b += groups) {
      if (run.rewrite[b]) MF_RETURN_IF_ERROR(FinishBucket(b, held, deleted[b], &sink, committer.get(), &run));
      MF_RETURN_IF_ERROR(sink.FinishLane(static_cast<int>(b)));
    }
  }
  MF_RETURN_IF_ERROR(sink.Finish());
  MF_RETURN_IF_ERROR(committer->Commit(UpsertManifest(sink.parts(), changes, run_id, started_at, &run)));
  run.result.version = run_id;
  run.result.buckets = run.buckets;
  if (publish) {
    const Status published = dataset.Publish(run_id, "upsert", run_id, run.current.pointer_token).status_or_ok();
    // The version was built on the one the winner replaced: applying the
    // changes again, on top of the winner's, is the way on.
    if (published.code() == Status::Code::kConflict)
      return Status::Conflict(published.message() + "; run the upsert again to apply its changes on top");
    MF_RETURN_IF_ERROR(published);
  }
  return run.result;
}

}  // namespace mergeflow
