// Key bytes and hashes: the one place that decides which rows share a key.
#pragma once

#define XXH_INLINE_ALL  // let the compiler inline the hash of short keys
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace mergeflow {

// Equality of two key byte strings of length n, fast for short keys (no
// library call, no read outside [0, n) of either).
inline bool KeyBytesEqual(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    uint64_t a0, b0, a1, b1;  // first and last 8 bytes, overlapping when n < 16
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n >= 4) {
    uint32_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Turns the key field values of a row into one comparable byte string and its
// hash. A single key is its own bytes; a composite key is each value
// prefixed with its 4-byte length, so ("a","bc") and ("ab","c") differ.
class KeyEncoder {
 public:
  KeyEncoder(size_t key_count, bool null_keys_equal) : key_count_(key_count), null_keys_equal_(null_keys_equal) {}

  // Encodes `values` (key_count_ of them). Returns false when the key is NULL
  // (an empty value) and NULLs match nothing. On true, *key views the encoded
  // bytes: `values[0]` itself for a single key, else internal storage valid
  // until the next call.
  __attribute__((always_inline)) bool Encode(const std::string_view* values, std::string_view* key) {
    if (key_count_ == 1) {
      if (values[0].empty() && !null_keys_equal_) return false;
      *key = values[0];
      return true;
    }
    return EncodeComposite(values, key);
  }

  bool EncodeComposite(const std::string_view* values, std::string_view* key) {
    composite_.clear();
    for (size_t i = 0; i < key_count_; ++i) {
      if (values[i].empty() && !null_keys_equal_) return false;
      const uint32_t size = static_cast<uint32_t>(values[i].size());
      composite_.append(reinterpret_cast<const char*>(&size), sizeof(size));
      composite_.append(values[i]);
    }
    *key = composite_;
    return true;
  }

  // Encode, and the key's hash in *hash (0 for a NULL key). Returns false
  // for a NULL key.
  bool EncodeAndHash(const std::string_view* values, std::string_view* key, uint64_t* hash) {
    const bool has_key = Encode(values, key);
    *hash = has_key ? Hash(*key) : 0;
    return has_key;
  }

  // True when Encode's result points into the row itself for this input.
  bool single() const { return key_count_ == 1; }

  static uint64_t Hash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

 private:
  size_t key_count_;
  bool null_keys_equal_;
  std::string composite_;
};

}  // namespace mergeflow
