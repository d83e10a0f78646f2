#include "ops/upsert/upsert.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/process_group.h"
#include "common/process_stats.h"
#include "common/sha256.h"
#include "common/thread_pool.h"
#include "common/utc_time.h"
#include "dataset/dataset.h"
#include "dataset/dataset_gc.h"
#include "dataset/dataset_inputs.h"
#include "dataset/part_keys.h"
#include "dataset/row_deletes.h"
#include "io/output_committer.h"
#include "io/part_info_json.h"
#include "io/part_files_sink.h"
#include "io/temp_directory.h"
#include "engine/key_encoder.h"
#include "engine/spill_files.h"
#include "pipeline/step_invocation.h"
#include "text/bad_row_log.h"
#include "text/chunk_reader.h"
#include "text/dialect_choice.h"
#include "text/field_writer.h"
#include "text/row_scanner.h"
#include "text/scan_rows.h"
#include "ops/upsert/change_record.h"
#include "ops/upsert/change_set.h"
#include "ops/upsert/stored_rows_merge.h"

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
  std::map<uint32_t, VersionPart> deltas;      // by bucket (merge-on-read)
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
    for (const VersionPart& file : manifest.deltas) {
      const auto bucket = BucketInName(file.path, "delta-");
      if (!bucket || !state.parts.contains(*bucket))
        return Status::BadInput(dataset.root() + ": " + file.path + " names no bucket with a part");
      state.deltas[*bucket] = file;
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

// One upsert while it runs: what the steps below share.
struct UpsertRun {
  const UpsertOptions& o;
  const ProcessGroup& group;
  CurrentState current;
  std::vector<FileInfo> files;  // the change files to apply
  nlohmann::json change_list = nlohmann::json::array();
  std::set<std::string> applied;  // every change file applied, these included
  std::vector<std::string> columns;
  Dialect dialect;        // of the stored parts, and of the rows written
  std::string extension;  // of the parts written: tsv, csv or parquet
  bool format_changed = false;  // from the stored parts'
  uint32_t buckets = 0;
  uint64_t generation = 0;
  uint32_t groups = 1;        // of this process's buckets, merged one after another
  std::vector<bool> rewrite;   // per bucket
  std::vector<bool> as_delta;  // per bucket: rewritten as a deletes file and a delta part
  ChangeCounts change_counts;  // of every change file (each process reads them all)
  nlohmann::json tombstone_list = nlohmann::json::array();
  nlohmann::json deletes_list = nlohmann::json::array();  // deletes files written
  nlohmann::json keys_list = nlohmann::json::array();     // keys files written
  // Whether parts get keys files (dataset/part_keys.h): for merge-on-read
  // upserts of a text dataset, which read a part by them.
  bool keeps_keys = false;
  std::vector<PartInfo> deltas;                           // delta parts written
  UpsertResult result;

  // Process r of n owns buckets r, r + n, r + 2n, ...
  bool Owns(uint32_t b) const { return b % static_cast<uint32_t>(group.size()) == static_cast<uint32_t>(group.rank()); }
  uint32_t OwnedBuckets() const { return (buckets + group.size() - 1) / group.size(); }
  // The group of an owned bucket.
  uint32_t GroupOf(uint32_t b) const { return b / static_cast<uint32_t>(group.size()) % groups; }
  bool InGroup(uint32_t b, uint32_t g) const { return Owns(b) && GroupOf(b) == g; }
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
  const std::string& format = run->o.format;
  if (!run->current.exists && !format.empty()) {
    run->dialect = Dialect{format == "csv" ? ',' : '\t', true};
  } else {
    MF_ASSIGN_OR_RETURN(run->dialect, ChooseDialect(first_data, "", true));
  }
  const std::string text_format = run->dialect.separator == ',' ? "csv" : "tsv";
  const std::string stored_format = first_data.ends_with(".parquet") ? "parquet" : text_format;
  run->extension = !format.empty() ? format : run->current.exists ? stored_format : text_format;
  if (run->current.exists && format != "parquet" && !format.empty() && format != text_format)
    return Status::InvalidArgument("--format " + format + ": the dataset's rows are " + text_format +
                                   "; an upsert keeps a text dataset's separator (or makes it parquet)");
  run->format_changed = run->current.exists && run->extension != stored_format;
  if (run->o.parquet_codec && run->extension != "parquet")
    return Status::InvalidArgument("--compress applies to Parquet parts; the dataset's are " + run->extension +
                                   " (--format parquet makes them Parquet)");
  if (run->o.merge_on_read && run->extension == "parquet")
    return Status::InvalidArgument("--merge-on-read needs a text dataset (tsv or csv): rows of Parquet parts are "
                                   "not cut out by byte ranges");
  run->buckets = run->current.bucketed ? run->current.buckets : run->o.buckets;
  run->generation = run->current.generation + (run->o.compact ? 0 : 1);  // a compaction applies no changes
  return Status::OK();
}

// Which buckets are rewritten: those the changes touch; all of them for a
// dataset not yet in buckets, when columns were added (a kept part would
// lack them), or when the format changes. With --merge-on-read, a touched
// bucket is rewritten as deltas unless all are rewritten or its delta holds
// --delta-share of its part's bytes already.
// Decided here for this process's buckets; the others' come with their
// reports.
void PlanRewrites(const ChangeSet& changes, UpsertRun* run) {
  const bool all =
      !run->current.bucketed || run->columns.size() > run->current.columns.size() || run->format_changed;
  run->rewrite.assign(run->buckets, false);
  run->as_delta.assign(run->buckets, false);
  for (uint32_t b = 0; b < run->buckets; ++b) {
    const auto part = run->current.parts.find(b);
    const bool merged_on_read = part != run->current.parts.end() &&
                                (part->second.deletes != nullptr || run->current.deltas.contains(b));
    run->rewrite[b] = run->Owns(b) && (all || changes.touches(b) || (run->o.compact && merged_on_read));
    if (!run->rewrite[b] || all || !run->o.merge_on_read || part == run->current.parts.end()) continue;
    const auto delta = run->current.deltas.find(b);
    const uint64_t delta_bytes = delta == run->current.deltas.end() ? 0 : delta->second.bytes;
    run->as_delta[b] = static_cast<double>(delta_bytes) < run->o.delta_share * static_cast<double>(part->second.bytes);
  }
}

// The stored files that hold the rewritten buckets of a group (parts and
// delta parts, with the rows their deletes files name): all parts for a
// dataset not yet in buckets.
Result<StoredRows> StoredPartsToMerge(const UpsertRun& run, const std::function<bool(uint32_t)>& in_group) {
  StoredRows stored;
  auto add = [&](const VersionPart& file, uint32_t bucket, bool delta) -> Status {
    stored.files.push_back({file.path, true, false, file.bytes});
    StoredFile& role = stored.roles.emplace_back(StoredFile{bucket, delta});
    if (file.deletes) {
      MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file.deletes->path));
      MF_ASSIGN_OR_RETURN(role.deleted, ReadRowDeletes(fs, file.deletes->path));
      role.deleted_rows = file.deletes->rows;
    }
    // A merge-on-read bucket's part is read only where its keys file says
    // the changed keys are (UpsertRun::keeps_keys).
    if (run.as_delta[bucket] && !delta && run.keeps_keys) {
      if (file.keys) {
        role.keys = file.keys->path;
      } else {
        role.find_keys = true;  // for the next merge-on-read upsert
      }
    }
    return Status::OK();
  };
  if (!run.current.bucketed) {
    for (const VersionPart& part : run.current.all_parts) MF_RETURN_IF_ERROR(add(part, 0, false));
    return stored;
  }
  for (const auto& [b, part] : run.current.parts) {
    if (!run.rewrite[b] || !in_group(b)) continue;
    MF_RETURN_IF_ERROR(add(part, b, false));
    if (auto delta = run.current.deltas.find(b); delta != run.current.deltas.end())
      MF_RETURN_IF_ERROR(add(delta->second, b, true));
  }
  return stored;
}

// How many groups of its buckets a process reduces the changes in, one
// group at a time: one when its share of the change files fits in half the
// memory limit once parsed (up to eight times their size: short rows cost
// more in bookkeeping than in bytes).
uint32_t BucketGroups(const UpsertRun& run) {
  if (run.o.memory_limit == 0) return 1;
  uint64_t bytes = 0;
  for (const FileInfo& file : run.files) bytes += file.size;
  bytes /= static_cast<uint64_t>(run.group.size());
  const uint64_t budget = std::max<uint64_t>(run.o.memory_limit / 2, 1);
  return static_cast<uint32_t>(std::clamp<uint64_t>((bytes * 8 + budget - 1) / budget, 1, run.OwnedBuckets()));
}

// Buckets whose parts one group may hold open at once.
constexpr uint32_t kOpenBucketsPerGroup = 512;

// Changes spilled by bucket group, and how to reduce one group's.
class SpilledChanges {
 public:
  static Result<std::unique_ptr<SpilledChanges>> Create(const UpsertRun& run, const std::string& run_id) {
    MF_ASSIGN_OR_RETURN(
        std::unique_ptr<TempDirectory> dir,
        TempDirectory::Create(run.o.temp_dir, "mergeflow-upsert-" + run_id + "-" + std::to_string(run.group.rank())));
    return std::unique_ptr<SpilledChanges>(new SpilledChanges(std::move(dir), run));
  }
  // The sink that spills what ChangeSet::Read reads.
  ChangeSet::Sink sink() {
    return [this](uint32_t bucket, std::string_view key, const ChangeView& change) {
      record_.clear();
      EncodeChange(change, &record_);
      BuildRow row;
      row.row = record_.data();
      row.row_size_and_flags = static_cast<uint32_t>(record_.size());
      return files_.Append(0, run_.GroupOf(bucket), row, key, false);
    };
  }
  Status Finish() { return files_.Finish(); }
  // Offers the changes of group `g` to `into`.
  Status Reduce(uint32_t g, ChangeSet* into) {
    MF_ASSIGN_OR_RETURN(std::vector<BuildRow> rows, files_.Load(g, &buffer_));
    for (const BuildRow& row : rows) {
      MF_ASSIGN_OR_RETURN(ChangeView change, DecodeChange(std::string_view(row.row, row.row_size())));
      const uint64_t hash = KeyEncoder::Hash(row.key_view());
      MF_RETURN_IF_ERROR(into->Offer(BucketOfHash(hash, into->buckets()), hash, row.key_view(), change));
    }
    files_.Remove(g);
    return Status::OK();
  }

 private:
  SpilledChanges(std::unique_ptr<TempDirectory> dir, const UpsertRun& run)
      : dir_(std::move(dir)), run_(run), files_(dir_->fs(), dir_->path(), "changes", run.groups, 1, 1 << 20, SpillCodec::kLz4) {}
  std::unique_ptr<TempDirectory> dir_;
  const UpsertRun& run_;
  SpillFiles files_;
  std::string record_;
  LargeBuffer buffer_;
};

// Writes `body` as the version's file `name` and adds it to `list` as the
// manifest lists files: name, rows, bytes.
Status WriteListedFile(const char* name, std::string_view body, uint64_t rows, OutputCommitter* committer,
                       nlohmann::json* list) {
  MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, committer->CreateFile(name));
  MF_RETURN_IF_ERROR(file->Append(body));
  MF_RETURN_IF_ERROR(file->Close());
  list->push_back({{"name", name}, {"rows", rows}, {"bytes", body.size()}});
  return Status::OK();
}

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
  std::snprintf(name, sizeof(name), "tombstones-%05u.%s", bucket, separator == ',' ? "csv" : "tsv");
  return WriteListedFile(name, body, tombs.size(), committer, &run->tombstone_list);
}

// Writes the deletes file of merge-on-read bucket `b`: the rows of its part
// that `part` says were deleted before, and `replaced` (sorted here).
Status WriteDeletes(uint32_t b, const StoredFile* part, std::vector<ByteRange> replaced, OutputCommitter* committer,
                    UpsertRun* run) {
  std::sort(replaced.begin(), replaced.end(), [](const ByteRange& x, const ByteRange& y) { return x.begin < y.begin; });
  const uint64_t rows = replaced.size() + (part != nullptr ? part->deleted_rows : 0);
  if (rows == 0) return Status::OK();
  const std::string body = EncodeRowDeletes(part != nullptr ? UniteRanges(part->deleted, replaced) : replaced);
  char name[32];
  std::snprintf(name, sizeof(name), "deletes-%05u", b);
  return WriteListedFile(name, body, rows, committer, &run->deletes_list);
}

// Writes the keys files of the buckets of `in_group` whose part's rows
// `findings` noted (a part written whole, or a merge-on-read bucket's part
// read whole), encoding them on --threads workers.
Status WriteKeysFiles(const std::function<bool(uint32_t)>& in_group, MergeFindings* findings,
                      OutputCommitter* committer, UpsertRun* run) {
  std::vector<uint32_t> buckets;
  std::vector<std::vector<KeyAt>*> rows;
  for (uint32_t b = 0; b < run->buckets; ++b) {
    if (!in_group(b)) continue;
    std::vector<KeyAt>* of_b = findings->keys[b].wanted ? &findings->keys[b].rows : &findings->part_keys[b];
    if (of_b->empty()) continue;
    buckets.push_back(b);
    rows.push_back(of_b);
  }
  std::vector<std::string> bodies(buckets.size());
  std::vector<uint64_t> counts(buckets.size());
  ParallelFor(buckets.size(), std::max(run->o.threads, 1), [&](size_t i, int) {
    counts[i] = rows[i]->size();
    bodies[i] = EncodePartKeys(std::move(*rows[i]));
  });
  for (size_t i = 0; i < buckets.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "keys-%05u", buckets[i]);
    MF_RETURN_IF_ERROR(WriteListedFile(name, bodies[i], counts[i], committer, &run->keys_list));
  }
  return Status::OK();
}

// Decides the changes of rewritten bucket `b` that met no stored row
// (inserts, unless a tombstone or --strict says otherwise), in the order
// they came, and writes the bucket's tombstones: the live ones it had, less
// the keys inserted again, plus `deleted`.
Status FinishBucket(uint32_t b, ChangeSet* changes, const Tombstones& deleted, PartKeysWritten* keys,
                    OutputSink* sink, OutputCommitter* committer, UpsertRun* run) {
  const UpsertOptions& o = run->o;
  UpsertCounts& counts = run->result.counts;
  Tombstones tombs;
  const uint64_t oldest = run->generation > o.tombstone_versions ? run->generation - o.tombstone_versions : 0;
  if (auto at = run->current.tombstones.find(b); at != run->current.tombstones.end())
    MF_RETURN_IF_ERROR(LoadTombstones(at->second, o, run->dialect, oldest, &tombs));
  std::vector<const HeldChange*> left;  // the changes that met no stored row, in the order they came
  for (const HeldChange& change : changes->bucket(b).changes()) {
    if (!change.matched()) left.push_back(&change);
  }
  std::sort(left.begin(), left.end(), [](const HeldChange* x, const HeldChange* y) {
    return x->file() != y->file() ? x->file() < y->file() : x->offset() < y->offset();
  });
  std::string text;
  uint64_t rows = 0;
  std::vector<KeyAt> text_keys;
  for (const HeldChange* held : left) {
    const ChangeView change = held->view();
    auto tomb = tombs.find(held->key());
    if (!o.commit_time && tomb != tombs.end() && change.order < tomb->second.order) {
      ++counts.stale_ignored;
    } else if (change.op == 'D') {
      ++counts.delete_missing;
    } else if (o.strict && change.op == 'U') {
      const std::string& path = run->files[change.file].path;
      return Status::BadInput(path + ":" + std::to_string(LineAtOffset(path, change.offset)) +
                              ": update of a key that is not in the dataset (--strict)");
    } else {
      ++counts.inserted;
      if (keys->wanted) text_keys.push_back({KeysFileHash(held->hash()), text.size()});
      text += change.row;
      text += '\n';
      ++rows;
      if (tomb != tombs.end()) tombs.erase(tomb);
    }
  }
  if (rows > 0) MF_RETURN_IF_ERROR(sink->Write(static_cast<int>(b), text, rows));
  keys->Add(text, text_keys);
  for (const auto& [key, tomb] : deleted) {
    tombs[key] = tomb;
    tombs[key].generation = run->generation;
  }
  if (!tombs.empty()) MF_RETURN_IF_ERROR(WriteTombstones(b, tombs, committer, run));
  ++run->result.buckets_rewritten;
  if (run->as_delta[b]) ++run->result.buckets_as_deltas;
  return Status::OK();
}

nlohmann::json ByReference(const VersionPart& kept) {
  nlohmann::json entry = {
      {"name", SplitParent(kept.path).second}, {"rows", kept.rows}, {"bytes", kept.bytes}, {"version", kept.version}};
  if (kept.deletes) entry["deletes"] = ByReference(*kept.deletes);
  if (kept.keys) entry["keys"] = ByReference(*kept.keys);
  return entry;
}

// The manifest of the new version: the parts written, then the parent's
// parts (and tombstones) of the buckets kept, by reference; the parts of
// buckets rewritten as deltas by reference too, with their new deletes
// files; delta parts written and kept.
std::string UpsertManifest(const std::vector<PartInfo>& written, const std::string& run_id, const std::string& started_at,
                           UpsertRun* run) {
  nlohmann::json parts = nlohmann::json::array();
  nlohmann::json deltas = nlohmann::json::array();
  uint64_t total_rows = 0;
  std::map<uint32_t, nlohmann::json> new_keys;
  for (const nlohmann::json& file : run->keys_list)
    new_keys[*BucketInName(file.at("name").get<std::string>(), "keys-")] = file;
  for (const PartInfo& part : written) {
    nlohmann::json entry = part;
    if (auto keys = new_keys.find(*BucketInName(part.name, "part-")); keys != new_keys.end())
      entry["keys"] = keys->second;
    parts.push_back(std::move(entry));
    total_rows += part.rows;
  }
  for (const PartInfo& delta : run->deltas) {
    deltas.push_back(delta);
    total_rows += delta.rows;
  }
  std::map<uint32_t, nlohmann::json> new_deletes;
  for (const nlohmann::json& file : run->deletes_list)
    new_deletes[*BucketInName(file.at("name").get<std::string>(), "deletes-")] = file;
  for (uint32_t b = 0; b < run->buckets; ++b) {
    if (run->rewrite[b] && !run->as_delta[b]) continue;
    if (auto at = run->current.parts.find(b); at != run->current.parts.end()) {
      VersionPart part = at->second;
      if (run->as_delta[b]) part.deletes.reset();  // this version's deletes file, if any, replaces it
      nlohmann::json entry = ByReference(part);
      if (auto keys = new_keys.find(b); keys != new_keys.end()) entry["keys"] = keys->second;  // found now
      if (run->as_delta[b]) {  // its rows were counted as they were merged
        if (auto file = new_deletes.find(b); file != new_deletes.end()) {
          entry["deletes"] = file->second;
          total_rows -= file->second.at("rows").get<uint64_t>();
        }
      } else {
        run->result.counts.unchanged += part.rows - (part.deletes ? part.deletes->rows : 0);
      }
      total_rows += part.rows - (part.deletes ? part.deletes->rows : 0);
      parts.push_back(std::move(entry));
    }
    if (run->rewrite[b]) continue;
    if (auto at = run->current.deltas.find(b); at != run->current.deltas.end()) {
      deltas.push_back(ByReference(at->second));
      total_rows += at->second.rows;
      run->result.counts.unchanged += at->second.rows;
    }
    if (auto at = run->current.tombstones.find(b); at != run->current.tombstones.end())
      run->tombstone_list.push_back(ByReference(at->second));
  }
  std::sort(run->tombstone_list.begin(), run->tombstone_list.end(),
            [](const nlohmann::json& x, const nlohmann::json& y) { return x.at("name") < y.at("name"); });
  const UpsertCounts& c = run->result.counts;
  const UpsertOptions& o = run->o;
  nlohmann::json manifest = {
      {"manifest", "mergeflow/1"},
      {"mergeflow_version", MERGEFLOW_VERSION},
      {"run_id", run_id},
      {"started_at", started_at},
      {"finished_at", UtcTimestamp()},
      {"operation", o.compact ? "compact" : "upsert"},
      {"columns", run->columns},
      {"rows", {{"changes", run->change_counts.rows}, {"output", total_rows}}},
      {"counts",
       {{"inserted", c.inserted},
        {"updated", c.updated},
        {"deleted", c.deleted},
        {"unchanged", c.unchanged},
        {"stale_ignored", c.stale_ignored},
        {"delete_missing", c.delete_missing},
        {"rejected", c.rejected}}},
      {"bad_rows", {{"skipped", c.rejected}, {"first", run->change_counts.rejected_samples}}},
      {"changes", run->change_list},
      {"upsert",
       {{"key", o.key},
        {"order_by", {{"column", o.order_column}, {"type", OrderTypeName(o.order_type)}}},
        {"merge_mode", o.commit_time ? "commit-time" : "event-time"},
        {"tombstone_versions", o.tombstone_versions},
        {"buckets", run->buckets},
        {"buckets_rewritten", run->result.buckets_rewritten},
        {"bucket_groups", run->result.bucket_groups},
        {"processes", run->group.size()},
        {"generation", run->generation},
        {"applied_changes", run->applied}}},
      {"parts", parts},
      {"tombstones", run->tombstone_list},
      {"peak_memory_bytes", PeakResidentBytes()},
  };
  if (!deltas.empty()) manifest["deltas"] = deltas;
  if (o.merge_on_read) manifest["upsert"]["buckets_as_deltas"] = run->result.buckets_as_deltas;
  // Run as a pipeline step: what the step's key is made of.
  if (const nlohmann::json step = StepRecordFromEnvironment(); !step.is_null()) manifest["step"] = step;
  return manifest.dump(2) + "\n";
}


// Reads the dataset's state and the list of change files to apply; every
// process reads the same.
Status Prepare(const Dataset& dataset, const std::vector<std::string>& specs, UpsertRun* run) {
  MF_ASSIGN_OR_RETURN(run->current, ReadCurrent(dataset, run->o));
  MF_RETURN_IF_ERROR(ListChangeFiles(specs, run));
  if (!run->files.empty() || run->o.compact) MF_RETURN_IF_ERROR(PlanColumns(run));
  run->keeps_keys = run->o.merge_on_read && run->extension != "parquet";
  return Status::OK();
}

// This process's share of the new version: reads the changes of its buckets
// (reduced here when they fit, else spilled by group of buckets and reduced
// one group at a time), merges them with the stored rows of those buckets,
// and writes their parts to `sink` and tombstones through `committer`.
Status WriteOwnBuckets(const std::string& run_id, OutputCommitter* committer, UpsertRun* run,
                       std::vector<PartInfo>* parts) {
  const UpsertOptions& o = run->o;
  // Groups as memory needs (the changes then spill), and so that a group
  // holds few parts open.
  const uint32_t memory_groups = BucketGroups(*run);
  run->groups = std::max(memory_groups, (run->OwnedBuckets() + kOpenBucketsPerGroup - 1) / kOpenBucketsPerGroup);
  run->result.bucket_groups = run->groups;
  std::unique_ptr<SpilledChanges> spilled;
  if (memory_groups > 1) {
    MF_ASSIGN_OR_RETURN(spilled, SpilledChanges::Create(*run, run_id));
  }
  const ChangeSet::Sink spill = spilled ? spilled->sink() : ChangeSet::Sink();
  ChangeSet changes(o, run->buckets, run->dialect, [run](uint32_t b) { return run->Owns(b); });
  for (uint32_t i = 0; i < run->files.size(); ++i)
    MF_RETURN_IF_ERROR(changes.Read(run->files[i], i, run->columns, spilled ? &spill : nullptr));
  if (spilled) MF_RETURN_IF_ERROR(spilled->Finish());
  run->change_counts = changes.counts();
  run->result.counts.rejected = changes.counts().rejected;
  PlanRewrites(changes, run);

  const std::string header = RenderLine(run->columns, run->dialect.separator);
  const ParquetParts parquet{{}, o.parquet_codec.value_or(ParquetCodec::kZstd), run->dialect.separator};
  PartFilesSink sink(committer, static_cast<int>(run->buckets), header, run->extension, Compression::kNone,
                     PartNumbering{0, 1, run->rewrite[0] && !run->as_delta[0]}, "", parquet);
  PartFilesSink delta_sink(committer, static_cast<int>(run->buckets), header, run->extension, Compression::kNone,
                           PartNumbering{0, 1, false, "delta"}, "", parquet);
  const BucketOutput output{&sink, &delta_sink, run->as_delta};
  MergeFindings findings{std::vector<Tombstones>(run->buckets), std::vector<std::vector<ByteRange>>(run->buckets),
                         std::vector<PartKeysWritten>(run->buckets), std::vector<std::vector<KeyAt>>(run->buckets),
                         &run->result.counts};
  for (uint32_t b = 0; b < run->buckets; ++b) {
    findings.keys[b].wanted = run->keeps_keys && run->rewrite[b] && !run->as_delta[b];
    findings.keys[b].next_offset = header.size();
  }
  for (uint32_t g = 0; g < run->groups; ++g) {
    const auto in_group = [&](uint32_t b) { return run->InGroup(b, g); };
    ChangeSet group(o, run->buckets, run->dialect);
    if (spilled) MF_RETURN_IF_ERROR(spilled->Reduce(g, &group));
    ChangeSet* held = spilled ? &group : &changes;
    StoredRows stored;
    held->IndexKeys();
    if (run->current.exists) {
      MF_ASSIGN_OR_RETURN(stored, StoredPartsToMerge(*run, in_group));
      const MergeSource source{stored, run->current.columns, run->dialect,
                               run->columns.size() - run->current.columns.size()};
      MF_RETURN_IF_ERROR(MergeStoredRows(source, o, held, in_group, output, &findings));
    }
    for (uint32_t b = 0; b < run->buckets; ++b) {
      if (!in_group(b)) continue;
      if (run->rewrite[b])
        MF_RETURN_IF_ERROR(
            FinishBucket(b, held, findings.deleted[b], &findings.keys[b], output.For(b), committer, run));
      if (run->as_delta[b])
        MF_RETURN_IF_ERROR(WriteDeletes(b, stored.PartOf(b), std::move(findings.replaced[b]), committer, run));
      MF_RETURN_IF_ERROR(sink.FinishLane(static_cast<int>(b)));
      MF_RETURN_IF_ERROR(delta_sink.FinishLane(static_cast<int>(b)));
    }
    MF_RETURN_IF_ERROR(WriteKeysFiles(in_group, &findings, committer, run));
  }
  MF_RETURN_IF_ERROR(sink.Finish());
  MF_RETURN_IF_ERROR(delta_sink.Finish());
  *parts = sink.parts();
  run->deltas = delta_sink.parts();
  return Status::OK();
}

// What one process wrote, for the leader's manifest.
std::string ShareReport(const UpsertRun& run, const std::vector<PartInfo>& parts,
                        const std::vector<std::string>& files) {
  const UpsertCounts& c = run.result.counts;
  std::vector<uint32_t> rewritten;
  std::vector<uint32_t> as_delta;
  for (uint32_t b = 0; b < run.buckets; ++b) {
    if (run.rewrite[b]) rewritten.push_back(b);
    if (run.as_delta[b]) as_delta.push_back(b);
  }
  const nlohmann::json report = {
      {"parts", parts},
      {"deltas", run.deltas},
      {"as_delta", as_delta},
      {"deletes", run.deletes_list},
      {"keys", run.keys_list},
      {"files", files},
      {"counts", nlohmann::json::array({c.inserted, c.updated, c.deleted, c.unchanged, c.stale_ignored, c.delete_missing})},
      {"rewritten", rewritten},
      {"tombstones", run.tombstone_list},
      {"bucket_groups", run.result.bucket_groups}};
  return report.dump();
}

// Folds every process's report into `run` (on the leader): counts summed
// (but the rejected change rows, which every process counts alike), parts,
// files, rewritten buckets and tombstones together.
void MergeShares(const std::vector<std::string>& reports, UpsertRun* run, std::vector<PartInfo>* parts,
                 std::vector<std::string>* files) {
  UpsertCounts& c = run->result.counts;
  c = UpsertCounts{.rejected = c.rejected};
  parts->clear();
  files->clear();
  run->tombstone_list = nlohmann::json::array();
  run->deletes_list = nlohmann::json::array();
  run->keys_list = nlohmann::json::array();
  run->deltas.clear();
  run->result.buckets_rewritten = 0;
  run->result.buckets_as_deltas = 0;
  for (const std::string& text : reports) {
    const nlohmann::json r = nlohmann::json::parse(text);
    for (PartInfo part : r.at("parts").get<std::vector<PartInfo>>()) parts->push_back(std::move(part));
    for (std::string name : r.at("files").get<std::vector<std::string>>()) files->push_back(std::move(name));
    const std::vector<uint64_t> n = r.at("counts").get<std::vector<uint64_t>>();
    c.inserted += n[0];
    c.updated += n[1];
    c.deleted += n[2];
    c.unchanged += n[3];
    c.stale_ignored += n[4];
    c.delete_missing += n[5];
    for (uint32_t b : r.at("rewritten").get<std::vector<uint32_t>>()) {
      run->rewrite[b] = true;
      ++run->result.buckets_rewritten;
    }
    for (const nlohmann::json& t : r.at("tombstones")) run->tombstone_list.push_back(t);
    for (const nlohmann::json& d : r.at("deletes")) run->deletes_list.push_back(d);
    for (const nlohmann::json& k : r.at("keys")) run->keys_list.push_back(k);
    for (PartInfo delta : r.at("deltas").get<std::vector<PartInfo>>()) run->deltas.push_back(std::move(delta));
    for (uint32_t b : r.at("as_delta").get<std::vector<uint32_t>>()) {
      run->as_delta[b] = true;
      ++run->result.buckets_as_deltas;
    }
    run->result.bucket_groups = std::max(run->result.bucket_groups, r.at("bucket_groups").get<uint32_t>());
  }
  const auto by_name = [](const PartInfo& a, const PartInfo& b) { return a.name < b.name; };
  std::sort(parts->begin(), parts->end(), by_name);
  std::sort(run->deltas.begin(), run->deltas.end(), by_name);
}

}  // namespace

Result<UpsertResult> RunUpsert(const std::string& root, const std::vector<std::string>& change_specs,
                               const UpsertOptions& o, const std::string& run_id, bool publish,
                               const ProcessGroup& group) {
  const std::string started_at = UtcTimestamp();
  MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(root));
  UpsertRun run{o, group};
  MF_RETURN_IF_ERROR(Agree(group, dataset.Exists().status_or_ok()));
  MF_RETURN_IF_ERROR(Agree(group, Prepare(dataset, change_specs, &run)));
  if (!AllEqual(group, run.current.pointer_token + "\n" + run.change_list.dump()))
    return Status::IOError("the processes read different versions of " + root +
                           " or different change files (changed while the job started?)");
  if (run.files.empty() && !o.compact) return run.result;

  // What killed writers of other versions left goes first (best effort).
  if (group.leader()) (void)ReclaimAbandonedVersions(dataset);
  Result<std::unique_ptr<OutputCommitter>> started = OutputCommitter::Start(VersionDir(dataset.root(), run_id), run_id);
  MF_RETURN_IF_ERROR(Agree(group, started.status_or_ok()));
  const std::unique_ptr<OutputCommitter> committer = std::move(started).value();
  std::vector<PartInfo> parts;
  MF_RETURN_IF_ERROR(Agree(group, WriteOwnBuckets(run_id, committer.get(), &run, &parts)));

  // Commit together: the leader writes the manifest once every process's
  // files are in.
  MF_RETURN_IF_ERROR(
      Agree(group, !group.leader() ? Status::OK() : committer->BeginCommit()));
  MF_RETURN_IF_ERROR(Agree(group, committer->PublishFiles()));
  const std::vector<std::string> reports = group.GatherAll(ShareReport(run, parts, committer->file_names()));
  Status finished;
  if (group.leader()) {
    std::vector<std::string> files;
    MergeShares(reports, &run, &parts, &files);
    run.result.manifest = UpsertManifest(parts, run_id, started_at, &run);
    finished = committer->FinishCommit(run.result.manifest, files);
  }
  MF_RETURN_IF_ERROR(Agree(group, finished));
  run.result.version = run_id;
  run.result.buckets = run.buckets;
  Status published;
  if (publish && group.leader()) {
    published =
        dataset.Publish(run_id, o.compact ? "compact" : "upsert", run_id, run.current.pointer_token).status_or_ok();
    // The version was built on the one the winner replaced: applying the
    // changes again, on top of the winner's, is the way on.
    if (published.code() == Status::Code::kConflict)
      published = Status::Conflict(published.message() + (o.compact ? "; run the compaction again"
                                                                     : "; run the upsert again to apply its changes on top"));
  }
  MF_RETURN_IF_ERROR(Agree(group, published));
  return run.result;
}

Result<UpsertResult> CompactDataset(const std::string& root, const UpsertOptions& options, const std::string& run_id,
                                    bool publish) {
  MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(root));
  MF_ASSIGN_OR_RETURN(std::optional<Dataset::PointerState> pointer, dataset.ReadPointer());
  if (!pointer) return Status::IOError(root + " has no published version to compact");
  MF_ASSIGN_OR_RETURN(VersionManifest manifest, dataset.ManifestPointedTo(pointer->pointer));
  UpsertOptions o = options;
  o.compact = true;
  o.merge_on_read = false;
  try {
    const nlohmann::json doc = nlohmann::json::parse(manifest.text);
    if (!doc.contains("upsert")) return Status::InvalidArgument(root + " was not written by upsert: nothing to compact");
    const nlohmann::json& u = doc.at("upsert");
    o.key = u.at("key").get<std::vector<std::string>>();
    o.order_column = u.at("order_by").at("column").get<std::string>();
    MF_ASSIGN_OR_RETURN(o.order_type, ParseOrderType(u.at("order_by").at("type").get<std::string>()));
    o.commit_time = u.at("merge_mode").get<std::string>() == "commit-time";
    o.tombstone_versions = u.at("tombstone_versions").get<uint32_t>();
  } catch (const nlohmann::json::exception& e) {
    return Status::BadInput(root + ": the manifest of version " + manifest.version +
                            " lacks what a compaction needs: " + e.what());
  }
  const bool merged_on_read =
      !manifest.deltas.empty() ||
      std::any_of(manifest.parts.begin(), manifest.parts.end(), [](const VersionPart& p) { return p.deletes; });
  if (!merged_on_read) return UpsertResult();
  const SingleProcess alone;
  return RunUpsert(root, {}, o, run_id, publish, alone);
}

}  // namespace mergeflow
