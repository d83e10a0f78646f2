// Numbers in the byte strings that ranks gather from each other (samples,
// keys): 8 bytes each, in the machine's byte order (the ranks of one job
// run the same binary on the same kind of machine).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace mergeflow {

inline void PutNumber(uint64_t n, std::string* out) { out->append(reinterpret_cast<const char*>(&n), sizeof n); }

// The number at *at (0 past the end of `bytes`), moving *at past it.
inline uint64_t TakeNumber(const std::string& bytes, size_t* at) {
  uint64_t n = 0;
  if (*at + sizeof n <= bytes.size()) std::memcpy(&n, bytes.data() + *at, sizeof n);
  *at += sizeof n;
  return n;
}

}  // namespace mergeflow
