// SpreadKeys: the keys whose rows were spread, as read on the spread side.
//
// Heavy keys are routed by their 64-bit hash; the keys themselves are
// collected here, so that whether a broadcast row has a partner somewhere is
// decided by its exact key, not by a hash it may share with another key.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mergeflow {

class SpreadKeys {
 public:
  // For the heavy keys of a RowRouter (indexes into its heavy()).
  explicit SpreadKeys(size_t heavy_keys = 0) : keys_(heavy_keys) {}

  // A row of the spread side with this encoded key and heavy key index was
  // read. Cheap when the key was noted before (as nearly always: one key
  // per hash).
  void Note(size_t heavy, std::string_view key);
  // Whether a spread-side row with this encoded key was noted.
  bool Has(size_t heavy, std::string_view key) const;
  // Adds what `other` noted (for the same heavy keys).
  void Merge(const SpreadKeys& other);

  // As bytes, to gather from every rank, and back (appending what `bytes`
  // holds from *at, which moves past it).
  std::string Encode() const;
  void MergeEncoded(const std::string& bytes, size_t* at);

 private:
  std::vector<std::vector<std::string>> keys_;  // per heavy key, distinct
};

}  // namespace mergeflow
