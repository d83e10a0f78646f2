#include "formats/h5ad_writer.h"

#include <hdf5.h>

namespace mergeflow {
namespace {

// Writes one file; every call returns false once anything failed, and
// what() says what.
class Writer {
 public:
  explicit Writer(const std::string& path) : path_(path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file_ < 0) Fail("/", "cannot create the file");
    string_type_ = H5Tcopy(H5T_C_S1);
    H5Tset_size(string_type_, H5T_VARIABLE);
    H5Tset_cset(string_type_, H5T_CSET_UTF8);
  }
  ~Writer() {
    H5Tclose(string_type_);
    if (file_ >= 0) H5Fclose(file_);
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Closes the file (flushing it); the status of everything written.
  Status Finish() {
    if (file_ >= 0 && H5Fclose(file_) < 0) Fail("/", "cannot close the file");
    file_ = -1;
    return status_;
  }

  // A group with anndata's encoding attributes.
  void Group(const std::string& name, const char* type, const char* version) {
    if (!status_.ok()) return;
    const hid_t group = H5Gcreate2(file_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (group < 0) return Fail(name, "cannot create the group");
    H5Gclose(group);
    Encoding(name, type, version);
  }
  void Encoding(const std::string& object, const char* type, const char* version) {
    Attribute(object, "encoding-type", type);
    Attribute(object, "encoding-version", version);
  }
  // A scalar string attribute.
  void Attribute(const std::string& object, const std::string& name, const std::string& value) {
    StringsAttribute(object, name, {value}, true);
  }
  // An array of strings attribute (scalar: one value, no array).
  void StringsAttribute(const std::string& object, const std::string& name, const std::vector<std::string>& values,
                        bool scalar = false) {
    if (!status_.ok()) return;
    std::vector<const char*> pointers;
    for (const std::string& v : values) pointers.push_back(v.c_str());
    const hsize_t n = values.size();
    const hid_t space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr);
    const hid_t attribute =
        H5Acreate_by_name(file_, object.c_str(), name.c_str(), string_type_, space, H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT);
    const bool ok = attribute >= 0 && (n == 0 || H5Awrite(attribute, string_type_, pointers.data()) >= 0);
    if (attribute >= 0) H5Aclose(attribute);
    H5Sclose(space);
    if (!ok) Fail(object, "cannot write attribute " + name);
  }
  // A 1-D dataset of strings, encoded as anndata's string-array.
  void Strings(const std::string& name, const std::vector<std::string>& values) {
    std::vector<const char*> pointers;
    for (const std::string& v : values) pointers.push_back(v.c_str());
    Dataset(name, {values.size()}, string_type_, pointers.data());
    Encoding(name, "string-array", "0.2.0");
  }
  // A dense array of int64 or double values, encoded as anndata's array.
  void Integers(const std::string& name, const std::vector<int64_t>& values) {
    Dataset(name, {values.size()}, H5T_NATIVE_INT64, values.data());
    Encoding(name, "array", "0.2.0");
  }
  void Matrix(const std::string& name, uint64_t rows, uint64_t columns, const std::vector<double>& values) {
    Dataset(name, {rows, columns}, H5T_NATIVE_DOUBLE, values.data());
    Encoding(name, "array", "0.2.0");
  }

 private:
  void Fail(const std::string& object, const std::string& what) {
    if (status_.ok()) status_ = Status::IOError(path_ + ": " + object + ": " + what);
  }
  void Dataset(const std::string& name, const std::vector<hsize_t>& dims, hid_t type, const void* data) {
    if (!status_.ok()) return;
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t dataset = H5Dcreate2(file_, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t elements = 1;
    for (hsize_t d : dims) elements *= d;
    const bool ok = dataset >= 0 && (elements == 0 || H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    if (dataset >= 0) H5Dclose(dataset);
    H5Sclose(space);
    if (!ok) Fail(name, "cannot write the dataset");
  }

  std::string path_;
  hid_t file_ = -1;
  hid_t string_type_;
  Status status_;
};

}  // namespace

Status WriteH5ad(const std::string& path, const H5adContent& c) {
  Writer w(path);
  const uint64_t rows = c.obs_names.size();
  const uint64_t columns = c.var_names.size();
  w.Encoding("/", "anndata", "0.1.0");
  w.Group("obs", "dataframe", "0.2.0");
  w.Attribute("obs", "_index", "_index");
  std::vector<std::string> obs_columns;
  for (const auto& [name, values] : c.obs_text) obs_columns.push_back(name);
  for (const auto& [name, values] : c.obs_integers) obs_columns.push_back(name);
  w.StringsAttribute("obs", "column-order", obs_columns);
  w.Strings("obs/_index", c.obs_names);
  for (const auto& [name, values] : c.obs_text) w.Strings("obs/" + name, values);
  for (const auto& [name, values] : c.obs_integers) w.Integers("obs/" + name, values);
  w.Group("var", "dataframe", "0.2.0");
  w.Attribute("var", "_index", "_index");
  w.StringsAttribute("var", "column-order", {});
  w.Strings("var/_index", c.var_names);
  if (c.x != nullptr) w.Matrix("X", rows, columns, *c.x);
  w.Group("layers", "dict", "0.1.0");
  for (const auto& [name, values] : c.layers) w.Matrix("layers/" + name, rows, columns, *values);
  for (const char* empty : {"obsm", "varm", "obsp", "varp", "uns"}) w.Group(empty, "dict", "0.1.0");
  return w.Finish();
}

}  // namespace mergeflow
