#include "validate/validation.h"

#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>

#include "dataset/dataset_inputs.h"
#include "io/output_committer.h"
#include "io/temp_directory.h"
#include "engine/key_encoder.h"
#include "text/bad_row_log.h"
#include "text/dialect_choice.h"
#include "text/header_reader.h"
#include "text/scan_rows.h"

namespace mergeflow {
namespace {

constexpr size_t kReadChunkBytes = size_t{4} << 20;

// An input opened for one front-to-back scan.
struct OpenedInput {
  std::vector<FileInfo> files;
  Dialect dialect;
  std::unique_ptr<ChunkReader> reader;
  std::vector<std::string> columns;  // from the header
};

Result<OpenedInput> Open(const std::string& input, const std::string& separator) {
  OpenedInput in;
  MF_ASSIGN_OR_RETURN(in.files, ResolveInputFiles(input));
  MF_ASSIGN_OR_RETURN(in.dialect, ChooseDialect(in.files.front().path, separator, true));
  in.reader = std::make_unique<ChunkReader>(in.files, in.dialect, kReadChunkBytes, 2, ChunkOrder::kFileOrder);
  Result<std::optional<std::vector<std::string>>> first = ReadFirstRow(in.reader.get(), in.dialect);
  if (!first.ok()) return first.status().WithPrefix(in.files.front().path + ":");
  if (first.value()) in.columns = *first.value();
  return in;
}

// Where a row starts: its file (index into the input's files) and offset.
struct RowPlace {
  uint32_t file = 0;
  uint64_t offset = 0;
};

// The 128-bit hash of a row's unique key and where the row is.
struct KeyHash {
  uint64_t low = 0;
  uint64_t high = 0;
  RowPlace place;
  // By key, then by place: of rows with one key, the first in the input first.
  bool operator<(const KeyHash& o) const {
    if (high != o.high) return high < o.high;
    if (low != o.low) return low < o.low;
    return place.file != o.place.file ? place.file < o.place.file : place.offset < o.place.offset;
  }
  bool SameKey(const KeyHash& o) const { return high == o.high && low == o.low; }
};

// The key hashes of every row, in memory up to a limit; beyond it in
// kPartitions files by the hash's top byte, each small enough to sort in
// memory in its turn. Two rows with one hash are taken for one key: two
// distinct keys share a 128-bit hash with a chance far below a disk error's.
class KeyHashSet {
 public:
  static constexpr size_t kPartitions = 256;

  KeyHashSet(uint64_t memory_limit, std::string temp_parent)
      : capacity_(std::max<uint64_t>(memory_limit / sizeof(KeyHash), 1024)), temp_parent_(std::move(temp_parent)) {}
  ~KeyHashSet() {
    for (std::FILE* f : files_) {
      if (f != nullptr) std::fclose(f);
    }
  }

  Status Add(const KeyHash& h) {
    hashes_.push_back(h);
    return hashes_.size() >= capacity_ ? Spill() : Status::OK();
  }

  // The first two rows (in the order of the sorted hashes) that share a key; nullopt when none do.
  Result<std::optional<std::pair<KeyHash, KeyHash>>> FindRepeat() {
    if (spill_ == nullptr) return Repeat(&hashes_);
    MF_RETURN_IF_ERROR(Spill());
    for (size_t p = 0; p < kPartitions; ++p) {
      if (files_[p] == nullptr) continue;
      std::vector<KeyHash> part(static_cast<size_t>(std::ftell(files_[p])) / sizeof(KeyHash));
      std::rewind(files_[p]);
      if (std::fread(part.data(), sizeof(KeyHash), part.size(), files_[p]) != part.size())
        return ErrnoStatus("cannot read back spilled key hashes in " + spill_->path(), errno);
      auto repeat = Repeat(&part);
      if (repeat) return repeat;
    }
    return std::optional<std::pair<KeyHash, KeyHash>>();
  }

 private:
  static std::optional<std::pair<KeyHash, KeyHash>> Repeat(std::vector<KeyHash>* hashes) {
    std::sort(hashes->begin(), hashes->end());
    for (size_t i = 1; i < hashes->size(); ++i) {
      if ((*hashes)[i].SameKey((*hashes)[i - 1])) return std::make_pair((*hashes)[i - 1], (*hashes)[i]);
    }
    return std::nullopt;
  }

  Status Spill() {
    if (spill_ == nullptr) {
      MF_ASSIGN_OR_RETURN(spill_, TempDirectory::Create(temp_parent_, std::string(TempDirectory::kPrefix) +
                                                                          "validate-" + NewRunId()));
      files_.assign(kPartitions, nullptr);
    }
    for (const KeyHash& h : hashes_) {
      std::FILE*& f = files_[h.high >> 56];
      if (f == nullptr) {
        const std::string path = JoinPath(spill_->path(), "part-" + std::to_string(h.high >> 56));
        f = std::fopen(path.c_str(), "w+e");
        if (f == nullptr) return ErrnoStatus("cannot spill key hashes to " + path, errno);
      }
      if (std::fwrite(&h, sizeof(h), 1, f) != 1)
        return ErrnoStatus("cannot spill key hashes to " + spill_->path(), errno);
    }
    hashes_.clear();
    return Status::OK();
  }

  const uint64_t capacity_;
  const std::string temp_parent_;
  std::vector<KeyHash> hashes_;
  std::unique_ptr<TempDirectory> spill_;
  std::vector<std::FILE*> files_;
};

// The positions of `wanted` among `columns`; InvalidArgument naming `rule`
// for one that is not there.
Result<std::vector<uint32_t>> FieldsOf(const std::vector<std::string>& wanted, const std::vector<std::string>& columns,
                                       const std::string& rule, const std::string& input) {
  std::vector<uint32_t> fields;
  for (const std::string& name : wanted) {
    const auto at = std::find(columns.begin(), columns.end(), name);
    if (at == columns.end()) return Status::InvalidArgument(rule + ": no column '" + name + "' in " + input);
    fields.push_back(static_cast<uint32_t>(at - columns.begin()));
  }
  return fields;
}

std::string Listed(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string Located(const OpenedInput& in, const RowPlace& place) {
  const std::string& path = in.files[place.file].path;
  return path + ":" + std::to_string(LineAtOffset(path, place.offset));
}

}  // namespace

Result<uint64_t> CountRows(const std::string& input, const std::string& separator) {
  MF_ASSIGN_OR_RETURN(OpenedInput in, Open(input, separator));
  RowScanner scanner(in.dialect, static_cast<uint32_t>(in.columns.size()), {});
  BadRowLog log(false, in.reader.get());
  uint64_t rows = 0;
  MF_RETURN_IF_ERROR(ScanRows(
      in.reader.get(), &scanner, &log, [](const RowView&, const Chunk&) {}, [] { return Status::OK(); }, &rows));
  return rows;
}

Result<ValidationReport> Validate(const std::string& input, const ValidationRules& rules) {
  MF_ASSIGN_OR_RETURN(OpenedInput in, Open(input, rules.separator));
  std::vector<std::string> absent;
  for (const std::string& name : rules.columns) {
    if (std::find(in.columns.begin(), in.columns.end(), name) == in.columns.end()) absent.push_back(name);
  }
  if (!absent.empty())
    return Status::BadInput("columns: " + input + " has no column " + Listed(absent) + " (it has " +
                            Listed(in.columns) + ")");
  MF_ASSIGN_OR_RETURN(std::vector<uint32_t> not_empty, FieldsOf(rules.not_empty, in.columns, "not_empty", input));
  MF_ASSIGN_OR_RETURN(std::vector<uint32_t> unique, FieldsOf(rules.unique, in.columns, "unique", input));
  // The scanner hands over the not_empty fields, then the unique ones.
  std::vector<uint32_t> fields = not_empty;
  fields.insert(fields.end(), unique.begin(), unique.end());
  RowScanner scanner(in.dialect, static_cast<uint32_t>(in.columns.size()), fields);
  BadRowLog log(false, in.reader.get());
  KeyEncoder encoder(unique.size(), true);
  KeyHashSet hashes(rules.memory_limit, rules.temp_dir);
  Status failed;
  uint64_t rows = 0;
  auto on_row = [&](const RowView& row, const Chunk& chunk) {
    for (size_t i = 0; i < not_empty.size(); ++i) {
      if (row.keys[i].empty()) log.Report(chunk, row.offset, "not_empty: column " + rules.not_empty[i] + " is empty");
    }
    if (unique.empty() || !failed.ok()) return;
    std::string_view key;
    encoder.Encode(row.keys + not_empty.size(), &key);
    const XXH128_hash_t h = XXH3_128bits(key.data(), key.size());
    failed = hashes.Add(KeyHash{h.low64, h.high64, RowPlace{chunk.file_index, chunk.file_offset + row.offset}});
  };
  MF_RETURN_IF_ERROR(ScanRows(in.reader.get(), &scanner, &log, on_row, [&] { return failed; }, &rows));
  ValidationReport report{rows, in.columns};
  if (rules.min_rows && rows < *rules.min_rows)
    return Status::BadInput("min_rows: " + input + " has " + std::to_string(rows) + " rows, fewer than " +
                            std::to_string(*rules.min_rows));
  if (rules.max_rows && rows > *rules.max_rows)
    return Status::BadInput("max_rows: " + input + " has " + std::to_string(rows) + " rows, more than " +
                            std::to_string(*rules.max_rows));
  if (!unique.empty()) {
    MF_ASSIGN_OR_RETURN(auto repeat, hashes.FindRepeat());
    if (repeat)
      return Status::BadInput("unique [" + Listed(rules.unique) + "]: " + Located(in, repeat->second.place) +
                              " repeats the key of " + Located(in, repeat->first.place));
  }
  if (rules.expect_rows_equal) {
    MF_ASSIGN_OR_RETURN(uint64_t expected, CountRows(*rules.expect_rows_equal, rules.separator));
    if (expected != rows)
      return Status::BadInput("expect_rows_equal: " + input + " has " + std::to_string(rows) + " rows, " +
                              *rules.expect_rows_equal + " has " + std::to_string(expected));
  }
  return report;
}

}  // namespace mergeflow
