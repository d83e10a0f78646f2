#include "formats/hdf5_file.h"

#include <dlfcn.h>
#include <hdf5.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace mergeflow {
namespace {

// Closes an HDF5 identifier with its own close function when it goes.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// Whether each link on the way to `object` exists (H5Lexists fails on a
// missing intermediate group instead of answering).
bool LinkExists(hid_t file, const std::string& object) {
  size_t at = 0;
  while (at != std::string::npos) {
    at = object.find('/', at + 1);
    const std::string prefix = object.substr(0, at);
    if (prefix.empty() || prefix == "/") continue;
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

H5O_type_t ObjectType(hid_t file, const std::string& object) {
  if (!LinkExists(file, object)) return H5O_TYPE_UNKNOWN;
  H5O_info_t info;
  if (H5Oget_info_by_name(file, object.c_str(), &info, H5P_DEFAULT) < 0) return H5O_TYPE_UNKNOWN;
  return info.type;
}

// Lets libhdf5 find Debian's filter plugins (LZF, from hdf5-plugin-lzf)
// without HDF5_PLUGIN_PATH. Debian 12's LZF plugin does not link liblzf,
// whose functions it calls: loading liblzf first, with its symbols global,
// lets the plugin load. Once per process; each step is best effort (a file
// without LZF datasets needs neither, and one with them fails to read with
// a message saying so).
void SetUpFilterPlugins() {
  static std::once_flag once;
  std::call_once(once, [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    (void)dlopen("liblzf.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (std::getenv("HDF5_PLUGIN_PATH") == nullptr) H5PLappend(MERGEFLOW_HDF5_PLUGIN_DIR);
  });
}

}  // namespace

bool Hdf5File::HasSignature(const std::string& bytes) {
  static const char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kSignature, 8) == 0;
}

Result<std::unique_ptr<Hdf5File>> Hdf5File::Open(const std::string& path) {
  SetUpFilterPlugins();
  if (H5Fis_hdf5(path.c_str()) <= 0) return Status::BadInput(path + ": not an HDF5 file");
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) return Status::IOError(path + ": cannot open as HDF5");
  return std::unique_ptr<Hdf5File>(new Hdf5File(path, id));
}

Hdf5File::~Hdf5File() { H5Fclose(id_); }

Status Hdf5File::Error(const std::string& object, const std::string& what) const {
  return Status::BadInput(path_ + ": " + object + ": " + what);
}

bool Hdf5File::IsGroup(const std::string& object) const { return ObjectType(id_, object) == H5O_TYPE_GROUP; }

bool Hdf5File::IsDataset(const std::string& object) const { return ObjectType(id_, object) == H5O_TYPE_DATASET; }

Result<std::string> Hdf5File::StringAttribute(const std::string& object, const std::string& name) const {
  if (!LinkExists(id_, object) || H5Aexists_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT) <= 0)
    return Status::NotFound(path_ + ": " + object + " has no attribute " + name);
  Handle attribute(H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  if (!attribute.ok() || !type.ok() || H5Tget_class(type.get()) != H5T_STRING)
    return Error(object, "attribute " + name + " is not a string");
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
    char* value = nullptr;
    if (H5Aread(attribute.get(), memory.get(), &value) < 0 || value == nullptr)
      return Error(object, "cannot read attribute " + name);
    std::string text(value);
    H5free_memory(value);
    return text;
  }
  const size_t size = H5Tget_size(type.get());
  std::string text(size, '\0');
  if (H5Aread(attribute.get(), type.get(), text.data()) < 0) return Error(object, "cannot read attribute " + name);
  text.resize(std::strlen(text.c_str()));
  return text;
}

Result<std::vector<int64_t>> Hdf5File::IntegerAttribute(const std::string& object, const std::string& name) const {
  if (!LinkExists(id_, object) || H5Aexists_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT) <= 0)
    return Status::NotFound(path_ + ": " + object + " has no attribute " + name);
  Handle attribute(H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  Handle space(H5Aget_space(attribute.get()), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) return Error(object, "cannot read attribute " + name);
  std::vector<int64_t> values(static_cast<size_t>(n));
  if (H5Aread(attribute.get(), H5T_NATIVE_INT64, values.data()) < 0)
    return Error(object, "attribute " + name + " is not an integer array");
  return values;
}

Result<Hdf5Type> Hdf5File::TypeOf(const std::string& object) const {
  if (!IsDataset(object)) return Error(object, "no such dataset");
  Handle dataset(H5Dopen2(id_, object.c_str(), H5P_DEFAULT), H5Dclose);
  Handle type(H5Dget_type(dataset.get()), H5Tclose);
  switch (H5Tget_class(type.get())) {
    case H5T_STRING:
      return Hdf5Type::kString;
    case H5T_INTEGER:
    case H5T_ENUM:  // h5py's booleans
      return Hdf5Type::kInteger;
    case H5T_FLOAT:
      return Hdf5Type::kFloat;
    default:
      return Hdf5Type::kOther;
  }
}

Result<std::vector<uint64_t>> Hdf5File::Dimensions(const std::string& object) const {
  if (!IsDataset(object)) return Error(object, "no such dataset");
  Handle dataset(H5Dopen2(id_, object.c_str(), H5P_DEFAULT), H5Dclose);
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) return Error(object, "cannot read its dimensions");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return std::vector<uint64_t>(dims.begin(), dims.end());
}

Result<std::vector<std::string>> Hdf5File::ReadStrings(const std::string& object) const {
  MF_ASSIGN_OR_RETURN(std::vector<uint64_t> dims, Dimensions(object));
  if (dims.size() != 1) return Error(object, "is not a 1-D dataset of strings");
  Handle dataset(H5Dopen2(id_, object.c_str(), H5P_DEFAULT), H5Dclose);
  Handle type(H5Dget_type(dataset.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return Error(object, "is not a dataset of strings");
  const size_t n = dims[0];
  std::vector<std::string> values(n);
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
    std::vector<char*> pointers(n, nullptr);
    if (n > 0 && H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
      return Error(object, "cannot read its strings");
    for (size_t i = 0; i < n; ++i) values[i] = pointers[i] != nullptr ? pointers[i] : "";
    Handle space(H5Dget_space(dataset.get()), H5Sclose);
    if (n > 0) H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, pointers.data());
    return values;
  }
  const size_t size = H5Tget_size(type.get());
  std::string buffer(n * size, '\0');
  if (n > 0 && H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
    return Error(object, "cannot read its strings");
  for (size_t i = 0; i < n; ++i) {
    const char* s = buffer.data() + i * size;
    values[i].assign(s, strnlen(s, size));
  }
  return values;
}

Status Hdf5File::ReadSlab(const std::string& object, const std::vector<uint64_t>& start,
                          const std::vector<uint64_t>& count, int64_t type, void* out) const {
  if (!IsDataset(object)) return Error(object, "no such dataset");
  Handle dataset(H5Dopen2(id_, object.c_str(), H5P_DEFAULT), H5Dclose);
  Handle file_space(H5Dget_space(dataset.get()), H5Sclose);
  if (H5Sget_simple_extent_ndims(file_space.get()) != static_cast<int>(start.size()))
    return Error(object, "has " + std::to_string(H5Sget_simple_extent_ndims(file_space.get())) +
                             " dimensions, not " + std::to_string(start.size()));
  uint64_t elements = 1;
  for (uint64_t c : count) elements *= c;
  if (elements == 0) return Status::OK();
  const std::vector<hsize_t> offsets(start.begin(), start.end());
  const std::vector<hsize_t> sizes(count.begin(), count.end());
  if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, offsets.data(), nullptr, sizes.data(), nullptr) < 0)
    return Error(object, "a read past its end");
  const hsize_t flat = elements;
  Handle memory_space(H5Screate_simple(1, &flat, nullptr), H5Sclose);
  if (H5Dread(dataset.get(), type, memory_space.get(), file_space.get(), H5P_DEFAULT, out) < 0)
    return Error(object, "cannot read it (a compression filter that is not installed, such as LZF from "
                         "hdf5-plugin-lzf? or a damaged file)");
  return Status::OK();
}

Status Hdf5File::ReadDoubles(const std::string& object, uint64_t offset, uint64_t count, double* out) const {
  return ReadSlab(object, {offset}, {count}, H5T_NATIVE_DOUBLE, out);
}

Status Hdf5File::ReadIntegers(const std::string& object, uint64_t offset, uint64_t count, int64_t* out) const {
  return ReadSlab(object, {offset}, {count}, H5T_NATIVE_INT64, out);
}

Status Hdf5File::ReadBlock(const std::string& object, uint64_t row, uint64_t rows, uint64_t column,
                           uint64_t columns, double* out) const {
  return ReadSlab(object, {row, column}, {rows, columns}, H5T_NATIVE_DOUBLE, out);
}

}  // namespace mergeflow
