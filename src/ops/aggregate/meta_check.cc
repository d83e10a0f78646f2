#include "ops/aggregate/meta_check.h"

#include <xxhash.h>

#include <algorithm>
#include <string>
#include <unordered_set>

#include "ops/aggregate/partial_groups.h"
#include "text/bad_row_log.h"
#include "text/row_lines.h"
#include "text/row_scanner.h"
#include "text/scan_rows.h"

namespace mergeflow {
namespace {

// Where a key was seen: the key's 128-bit hash (two keys with one hash are
// taken as equal: the chance of a false report is about n^2 / 2^129) and
// its file and line.
struct KeySeen {
  uint64_t high;
  uint64_t low;
  uint32_t file;
  uint64_t line;
  bool operator<(const KeySeen& o) const {
    if (high != o.high) return high < o.high;
    if (low != o.low) return low < o.low;
    if (file != o.file) return file < o.file;
    return line < o.line;
  }
};

}  // namespace

Result<MetaFacts> CheckMeta(ChunkReader* reader, const Dialect& dialect, uint32_t fields,
                            uint32_t key_field, const std::vector<uint32_t>& group_fields, bool skip_bad_rows,
                            std::unordered_map<std::string, std::vector<std::string>>* groups_of_key) {
  std::vector<uint32_t> located{key_field};
  located.insert(located.end(), group_fields.begin(), group_fields.end());
  RowScanner scanner(dialect, fields, located);
  BadRowLog log(skip_bad_rows, reader);
  std::vector<KeySeen> seen;
  std::unordered_set<std::string> groups;
  std::vector<std::string> values(group_fields.size());
  RowLines lines;
  MetaFacts facts;
  MF_RETURN_IF_ERROR(ScanRows(
      reader, &scanner, &log,
      [&](const RowView& row, const Chunk& chunk) {
        const std::string_view key = row.keys[0];
        if (!key.empty()) {
          const XXH128_hash_t h = XXH3_128bits(key.data(), key.size());
          seen.push_back({h.high64, h.low64, chunk.file_index, lines.LineOf(row, chunk)});
        }
        bool complete = true;
        for (size_t i = 0; i < group_fields.size(); ++i) {
          values[i].assign(row.keys[1 + i]);
          complete = complete && !values[i].empty();
        }
        if (complete) groups.insert(EncodeGroupKey(values));
        if (groups_of_key != nullptr && !key.empty()) groups_of_key->emplace(key, values);
      },
      [] { return Status::OK(); }, &facts.rows));
  std::sort(seen.begin(), seen.end());
  for (size_t i = 1; i < seen.size(); ++i) {
    const KeySeen& a = seen[i - 1];
    const KeySeen& b = seen[i];
    if (a.high != b.high || a.low != b.low) continue;
    // Name the later line, pointing back to the earlier one.
    const std::string& first = reader->files()[a.file].path;
    const std::string& second = reader->files()[b.file].path;
    return Status::BadInput(second + ":" + std::to_string(b.line) + ": META key is also on line " +
                            std::to_string(a.line) + (a.file == b.file ? "" : " of " + first) +
                            ": a key must name one row");
  }
  facts.groups = groups.size();
  return facts;
}

}  // namespace mergeflow
