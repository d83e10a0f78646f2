#include "ops/aggregate/row_groups.h"

#include <unordered_map>

#include "ops/aggregate/meta_check.h"
#include "ops/aggregate/partial_groups.h"

namespace mergeflow {
namespace {

// Numbers groups as they are met.
class GroupNumbers {
 public:
  explicit GroupNumbers(RowGroups* groups) : groups_(groups) {}
  int32_t Of(const std::vector<std::string>& values) {
    for (const std::string& v : values) {
      if (v.empty()) return RowGroups::kNullGroup;
    }
    auto [at, added] = index_.try_emplace(EncodeGroupKey(values), static_cast<int32_t>(groups_->groups.size()));
    if (added) groups_->groups.push_back(values);
    return at->second;
  }

 private:
  RowGroups* groups_;
  std::unordered_map<std::string, int32_t> index_;
};

}  // namespace

Result<RowGroups> GroupsFromObs(const AnnDataFile& file, const std::vector<std::string>& by) {
  std::vector<std::vector<std::string>> columns;
  for (const std::string& name : by) {
    MF_ASSIGN_OR_RETURN(std::vector<std::string> column, file.ObsColumn(name));
    columns.push_back(std::move(column));
  }
  RowGroups groups;
  GroupNumbers numbers(&groups);
  std::vector<std::string> values(by.size());
  groups.of_row.resize(file.rows());
  for (uint64_t r = 0; r < file.rows(); ++r) {
    for (size_t k = 0; k < by.size(); ++k) values[k] = columns[k][r];
    groups.of_row[r] = numbers.Of(values);
  }
  return groups;
}

Result<RowGroups> GroupsFromMeta(const std::vector<std::string>& row_ids, const AggregateSource& meta,
                                 const std::vector<uint32_t>& group_fields, const AggregateOptions& options,
                                 uint64_t* meta_rows) {
  ChunkReader reader(meta.files, meta.dialect, options.chunk_bytes, options.threads, ChunkOrder::kFileOrder);
  std::unordered_map<std::string, std::vector<std::string>> groups_of_key;
  MF_ASSIGN_OR_RETURN(const MetaFacts facts,
                      CheckMeta(&reader, meta.dialect, static_cast<uint32_t>(meta.columns.size()), meta.key_field,
                                group_fields, options.skip_bad_rows, &groups_of_key));
  *meta_rows = facts.rows;
  RowGroups groups;
  GroupNumbers numbers(&groups);
  groups.of_row.resize(row_ids.size());
  for (size_t r = 0; r < row_ids.size(); ++r) {
    auto found = groups_of_key.find(row_ids[r]);
    groups.of_row[r] = found == groups_of_key.end() ? RowGroups::kNoMetaRow : numbers.Of(found->second);
  }
  return groups;
}

}  // namespace mergeflow
