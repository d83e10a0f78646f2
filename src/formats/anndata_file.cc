#include "formats/anndata_file.h"

#include <algorithm>
#include <cmath>

#include "formats/compressed_matrix.h"
#include "text/number_format.h"

namespace mergeflow {
namespace {

// The values of a 1-D dataset as text (see AnnDataFile::ObsColumn).
Result<std::vector<std::string>> ValuesAsText(const Hdf5File& file, const std::string& object) {
  MF_ASSIGN_OR_RETURN(const Hdf5Type type, file.TypeOf(object));
  if (type == Hdf5Type::kString) return file.ReadStrings(object);
  MF_ASSIGN_OR_RETURN(const std::vector<uint64_t> dims, file.Dimensions(object));
  if (dims.size() != 1 || (type != Hdf5Type::kInteger && type != Hdf5Type::kFloat))
    return Status::BadInput(file.path() + ": " + object + " is not a column of strings or numbers");
  std::vector<std::string> text(dims[0]);
  if (type == Hdf5Type::kInteger) {
    std::vector<int64_t> values(dims[0]);
    MF_RETURN_IF_ERROR(file.ReadIntegers(object, 0, dims[0], values.data()));
    for (size_t i = 0; i < values.size(); ++i) text[i] = std::to_string(values[i]);
    return text;
  }
  std::vector<double> values(dims[0]);
  MF_RETURN_IF_ERROR(file.ReadDoubles(object, 0, dims[0], values.data()));
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isnan(values[i])) AppendShortestDouble(&text[i], values[i]);
  }
  return text;
}

}  // namespace

Result<std::unique_ptr<AnnDataFile>> AnnDataFile::Open(std::unique_ptr<Hdf5File> hdf5, const std::string& layer,
                                                       bool raw) {
  if (raw && !layer.empty()) return Status::InvalidArgument("give --layer or --raw, not both");
  const std::string path = hdf5->path();
  std::unique_ptr<AnnDataFile> file(new AnnDataFile(std::move(hdf5)));
  const Hdf5File& h = *file->file_;
  if (!h.IsGroup("obs") || !h.IsGroup("var"))
    return Status::BadInput(path + ": neither an AnnData file (obs, var) nor a 10x feature-barcode matrix (/matrix)");
  file->matrix_ = raw ? "raw/X" : layer.empty() ? "X" : "layers/" + layer;
  const std::string& m = file->matrix_;
  if (h.IsDataset(m)) {
    MF_ASSIGN_OR_RETURN(const std::vector<uint64_t> dims, h.Dimensions(m));
    if (dims.size() != 2) return Status::BadInput(path + ": " + m + " is not a 2-D matrix");
    file->layout_ = MatrixLayout::kDense;
    file->rows_ = dims[0];
    file->features_ = dims[1];
  } else if (h.IsGroup(m)) {
    Result<std::string> encoding = h.StringAttribute(m, "encoding-type");
    if (!encoding.ok()) encoding = h.StringAttribute(m, "h5sparse_format");
    const std::string kind = encoding.ok() ? encoding.value() : "";
    if (kind == "csr_matrix" || kind == "csr") {
      file->layout_ = MatrixLayout::kCsr;
    } else if (kind == "csc_matrix" || kind == "csc") {
      file->layout_ = MatrixLayout::kCsc;
    } else {
      return Status::BadInput(path + ": " + m + " is neither a dense nor a CSR or CSC sparse matrix");
    }
    Result<std::vector<int64_t>> shape = h.IntegerAttribute(m, "shape");
    if (!shape.ok()) shape = h.IntegerAttribute(m, "h5sparse_shape");
    if (!shape.ok() || shape.value().size() != 2 || shape.value()[0] < 0 || shape.value()[1] < 0)
      return Status::BadInput(path + ": " + m + " has no shape attribute");
    file->rows_ = static_cast<uint64_t>(shape.value()[0]);
    file->features_ = static_cast<uint64_t>(shape.value()[1]);
  } else {
    return Status::BadInput(path + ": no matrix " + m + " in this AnnData file" +
                            (layer.empty() ? "" : " (is --layer spelled as in adata.layers?)"));
  }
  MF_ASSIGN_OR_RETURN(file->row_ids_, file->Index("obs"));
  MF_ASSIGN_OR_RETURN(file->feature_names_, file->Index(raw ? "raw/var" : "var"));
  if (file->row_ids_.size() != file->rows_ || file->feature_names_.size() != file->features_)
    return Status::BadInput(path + ": " + m + " is " + std::to_string(file->rows_) + " x " +
                            std::to_string(file->features_) + " but obs has " + std::to_string(file->row_ids_.size()) +
                            " rows and var " + std::to_string(file->feature_names_.size()));
  return file;
}

Result<std::vector<std::string>> AnnDataFile::Index(const std::string& dataframe) const {
  Result<std::string> name = file_->StringAttribute(dataframe, "_index");
  const std::string column = name.ok() ? name.value() : "_index";
  if (!file_->IsDataset(dataframe + "/" + column))
    return Status::BadInput(file_->path() + ": " + dataframe + " has no index (" + column + ")");
  return ValuesAsText(*file_, dataframe + "/" + column);
}

Result<std::vector<std::string>> AnnDataFile::ObsColumn(const std::string& name) const {
  const std::string object = "obs/" + name;
  const Hdf5File& h = *file_;
  if (h.IsGroup(object)) {
    if (!h.IsDataset(object + "/codes") || !h.IsDataset(object + "/categories"))
      return Status::BadInput(h.path() + ": obs column " + name + " is a group but not a categorical");
    MF_ASSIGN_OR_RETURN(const std::vector<std::string> categories, ValuesAsText(h, object + "/categories"));
    MF_ASSIGN_OR_RETURN(const std::vector<uint64_t> dims, h.Dimensions(object + "/codes"));
    if (dims.size() != 1 || dims[0] != rows_)
      return Status::BadInput(h.path() + ": obs column " + name + " has " + std::to_string(dims.empty() ? 0 : dims[0]) +
                              " codes for " + std::to_string(rows_) + " rows");
    std::vector<int64_t> codes(rows_);
    MF_RETURN_IF_ERROR(h.ReadIntegers(object + "/codes", 0, rows_, codes.data()));
    std::vector<std::string> values(rows_);
    for (size_t i = 0; i < rows_; ++i) {
      if (codes[i] < -1 || codes[i] >= static_cast<int64_t>(categories.size()))
        return Status::BadInput(h.path() + ": obs column " + name + ": code " + std::to_string(codes[i]) +
                                " of row " + std::to_string(i) + " names no category");
      if (codes[i] >= 0) values[i] = categories[static_cast<size_t>(codes[i])];
    }
    return values;
  }
  if (!h.IsDataset(object)) return Status::BadInput(h.path() + ": no obs column '" + name + "'");
  MF_ASSIGN_OR_RETURN(std::vector<std::string> values, ValuesAsText(h, object));
  if (values.size() != rows_)
    return Status::BadInput(h.path() + ": obs column " + name + " has " + std::to_string(values.size()) +
                            " values for " + std::to_string(rows_) + " rows");
  return values;
}

Status AnnDataFile::ReadSlices(uint64_t begin, uint64_t end, uint64_t entries,
                               const std::function<Status(const MatrixSlice&)>& fn) const {
  const Hdf5File& h = *file_;
  MatrixSlice slice;
  slice.by_row = layout_ != MatrixLayout::kCsc;
  if (layout_ == MatrixLayout::kDense) {
    const uint64_t rows_per = std::max<uint64_t>(1, entries / std::max<uint64_t>(features_, 1));
    std::vector<double> block;
    for (uint64_t at = begin; at < end; at += rows_per) {
      const uint64_t n = std::min(rows_per, end - at);
      block.resize(n * features_);
      MF_RETURN_IF_ERROR(h.ReadBlock(matrix_, at, n, 0, features_, block.data()));
      slice.first = at;
      slice.offsets.assign(1, 0);
      slice.indices.clear();
      slice.values.clear();
      for (uint64_t r = 0; r < n; ++r) {
        const double* row = block.data() + r * features_;
        for (uint64_t f = 0; f < features_; ++f) {
          if (row[f] != 0) {  // NaN != 0: kept, as a missing value
            slice.indices.push_back(f);
            slice.values.push_back(row[f]);
          }
        }
        slice.offsets.push_back(slice.indices.size());
      }
      MF_RETURN_IF_ERROR(fn(slice));
    }
    return Status::OK();
  }
  return ReadCompressedSlices(h, matrix_, layout_ == MatrixLayout::kCsc ? rows_ : features_, slice.by_row, begin, end,
                              entries, fn);
}

}  // namespace mergeflow
