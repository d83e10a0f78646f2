#include "ops/aggregate/aggregate_h5ad.h"

#include <fstream>
#include <memory>

#include "formats/h5ad_writer.h"
#include "io/checksummed_file.h"
#include "io/temp_directory.h"

namespace mergeflow {

Result<PartInfo> WriteAggregateH5ad(const AggregateResult& result, const std::vector<Statistic>& stats,
                                    const std::vector<std::string>& group_columns, const std::string& temp_dir,
                                    OutputCommitter* committer) {
  H5adContent content;
  for (const std::vector<std::string>& group : result.groups) {
    std::string name;
    for (const std::string& v : group) name += (name.empty() ? "" : "_") + v;
    content.obs_names.push_back(std::move(name));
  }
  for (size_t k = 0; k < group_columns.size(); ++k) {
    std::vector<std::string> column;
    for (const std::vector<std::string>& group : result.groups) column.push_back(group[k]);
    content.obs_text.emplace_back(group_columns[k], std::move(column));
  }
  content.obs_integers.emplace_back("n_obs_aggregated",
                                    std::vector<int64_t>(result.group_rows.begin(), result.group_rows.end()));
  content.var_names = result.feature_names;
  content.x = &result.values.front();
  for (size_t s = 0; s < stats.size(); ++s) content.layers.emplace_back(stats[s].name, &result.values[s]);

  MF_ASSIGN_OR_RETURN(std::unique_ptr<TempDirectory> dir, TempDirectory::Create(temp_dir, "mergeflow-h5ad-" + NewRunId()));
  const std::string local = JoinPath(dir->path(), "aggregate.h5ad");
  MF_RETURN_IF_ERROR(WriteH5ad(local, content));
  PartInfo info;
  info.name = "aggregate.h5ad";
  info.rows = result.groups.size();
  MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> target, committer->CreateFile(info.name));
  ChecksummedFile out(std::move(target), &info);
  std::ifstream in(local, std::ios::binary);
  std::string buffer(1 << 20, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) MF_RETURN_IF_ERROR(out.Append(std::string_view(buffer.data(), static_cast<size_t>(in.gcount()))));
  }
  if (in.bad()) return Status::IOError("cannot read back " + local);
  MF_RETURN_IF_ERROR(out.Close());
  return info;
}

}  // namespace mergeflow
