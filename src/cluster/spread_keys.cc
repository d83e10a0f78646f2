#include "cluster/spread_keys.h"

#include <algorithm>
#include <cstdint>

#include "cluster/rank_bytes.h"

namespace mergeflow {

void SpreadKeys::Note(size_t heavy, std::string_view key) {
  std::vector<std::string>& known = keys_[heavy];
  if (!known.empty() && known.back() == key) return;
  if (std::find(known.begin(), known.end(), key) == known.end()) known.emplace_back(key);
}

bool SpreadKeys::Has(size_t heavy, std::string_view key) const {
  const std::vector<std::string>& known = keys_[heavy];
  return std::find(known.begin(), known.end(), key) != known.end();
}

void SpreadKeys::Merge(const SpreadKeys& other) {
  for (size_t h = 0; h < keys_.size() && h < other.keys_.size(); ++h) {
    for (const std::string& key : other.keys_[h]) Note(h, key);
  }
}

std::string SpreadKeys::Encode() const {
  std::string out;
  for (const std::vector<std::string>& known : keys_) {
    PutNumber(known.size(), &out);
    for (const std::string& key : known) {
      PutNumber(key.size(), &out);
      out += key;
    }
  }
  return out;
}

void SpreadKeys::MergeEncoded(const std::string& bytes, size_t* at) {
  for (size_t h = 0; h < keys_.size(); ++h) {
    const uint64_t count = TakeNumber(bytes, at);
    for (uint64_t i = 0; i < count && *at < bytes.size(); ++i) {
      const uint64_t size = TakeNumber(bytes, at);
      Note(h, std::string_view(bytes).substr(std::min(*at, bytes.size()), size));
      *at += size;
    }
  }
}

}  // namespace mergeflow
