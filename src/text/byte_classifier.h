// SIMD byte classification (Highway, dispatched at run time to the best
// instruction set of the CPU: SSE4/AVX2/AVX-512 on x86-64, NEON/SVE on ARM64).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mergeflow {

// For each 64-byte block of data[0, 64 * blocks), sets bit i of
// separator_bits[b] when data[64b + i] == separator and bit i of
// newline_bits[b] when it is '\n'.
void ClassifyBlocks(const char* data, size_t blocks, char separator, uint64_t* separator_bits,
                    uint64_t* newline_bits);

// The number of bytes equal to `c` in data[0, n).
size_t CountByte(const char* data, size_t n, char c);

}  // namespace mergeflow
