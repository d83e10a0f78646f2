// Hdf5File: what mergeflow reads from HDF5 files (10x feature-barcode
// matrices, AnnData .h5ad), through Debian's libhdf5. Datasets compressed
// with gzip, or with LZF through the hdf5-plugin-lzf filter plugin, read
// like any other. Every failure is a Status naming the file and the object;
// libhdf5's own error printing is turned off. Not thread-safe: one thread
// reads a file at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace mergeflow {

// The kind of values a dataset holds.
enum class Hdf5Type { kString, kInteger, kFloat, kOther };

class Hdf5File {
 public:
  // Opens `path` (a local file) for reading. BadInput if it is not HDF5.
  static Result<std::unique_ptr<Hdf5File>> Open(const std::string& path);
  // Whether `bytes` start with HDF5's signature (at offset 0).
  static bool HasSignature(const std::string& bytes);
  ~Hdf5File();
  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;

  const std::string& path() const { return path_; }
  // Whether `object` (an absolute or root-relative path) is a group, a
  // dataset; false when it does not exist.
  bool IsGroup(const std::string& object) const;
  bool IsDataset(const std::string& object) const;
  // A string attribute of `object`; NotFound when it has none of that name.
  Result<std::string> StringAttribute(const std::string& object, const std::string& name) const;
  // An integer (array) attribute of `object`, such as a sparse matrix's shape.
  Result<std::vector<int64_t>> IntegerAttribute(const std::string& object, const std::string& name) const;
  // What dataset `object` holds.
  Result<Hdf5Type> TypeOf(const std::string& object) const;
  // The dimensions of dataset `object`.
  Result<std::vector<uint64_t>> Dimensions(const std::string& object) const;
  // A whole 1-D dataset of strings (variable- or fixed-length).
  Result<std::vector<std::string>> ReadStrings(const std::string& object) const;
  // `count` elements of a 1-D dataset from `offset`, converted to the type
  // asked for (libhdf5 converts any integer or float type).
  Status ReadDoubles(const std::string& object, uint64_t offset, uint64_t count, double* out) const;
  Status ReadIntegers(const std::string& object, uint64_t offset, uint64_t count, int64_t* out) const;
  // Rows [row, row + rows) and columns [column, column + columns) of a 2-D
  // dataset, row-major, as doubles.
  Status ReadBlock(const std::string& object, uint64_t row, uint64_t rows, uint64_t column, uint64_t columns,
                   double* out) const;

 private:
  Hdf5File(std::string path, int64_t id) : path_(std::move(path)), id_(id) {}
  Status Error(const std::string& object, const std::string& what) const;
  // Reads a hyperslab of `object` into `out` as memory type `type`.
  Status ReadSlab(const std::string& object, const std::vector<uint64_t>& start, const std::vector<uint64_t>& count,
                  int64_t type, void* out) const;

  std::string path_;
  int64_t id_;  // hid_t
};

}  // namespace mergeflow
