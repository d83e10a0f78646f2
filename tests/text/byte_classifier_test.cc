#include "text/byte_classifier.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cstdio>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace mergeflow {
namespace {

// Blocks of random bytes, dense in separators and newlines, ending exactly
// at the end of their allocation (so that AddressSanitizer sees any read
// past it).
std::unique_ptr<char[]> RandomBlocks(size_t blocks, uint32_t seed) {
  std::unique_ptr<char[]> data(new char[64 * blocks]);
  std::mt19937 random(seed);
  const char alphabet[] = {'\t', '\n', ',', '"', 'a', '\0', '\xff', '\r'};
  for (size_t i = 0; i < 64 * blocks; ++i) data[i] = alphabet[random() % sizeof(alphabet)];
  return data;
}

uint64_t ScalarBits(const char* block, char c) {
  uint64_t bits = 0;
  for (int i = 0; i < 64; ++i) bits |= static_cast<uint64_t>(block[i] == c) << i;
  return bits;
}

// Every SIMD target compiled in and supported by this CPU gives the bits
// and counts of a plain scalar loop.
TEST(ByteClassifierTest, EveryTargetAgreesWithScalar) {
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  std::string names;
  for (int64_t target : targets) names += std::string(" ") + hwy::TargetName(target);
  std::printf("SIMD targets tested:%s\n", names.c_str());
  for (int64_t target : targets) {
    SCOPED_TRACE(hwy::TargetName(target));
    hwy::SetSupportedTargetsForTest(target);
    for (size_t blocks : {size_t{1}, size_t{2}, size_t{7}}) {
      for (char separator : {'\t', ','}) {
        auto data = RandomBlocks(blocks, static_cast<uint32_t>(blocks * 31 + separator));
        std::vector<uint64_t> separators(blocks), newlines(blocks);
        ClassifyBlocks(data.get(), blocks, separator, separators.data(), newlines.data());
        size_t expected_count = 0;
        for (size_t b = 0; b < blocks; ++b) {
          EXPECT_EQ(separators[b], ScalarBits(data.get() + 64 * b, separator)) << "block " << b;
          EXPECT_EQ(newlines[b], ScalarBits(data.get() + 64 * b, '\n')) << "block " << b;
          expected_count += static_cast<size_t>(__builtin_popcountll(ScalarBits(data.get() + 64 * b, separator)));
        }
        // CountByte over the last n bytes, up to the allocation's end.
        for (size_t n : {size_t{0}, size_t{1}, size_t{63}, 64 * blocks - 5}) {
          const char* tail = data.get() + 64 * blocks - n;
          size_t scalar = 0;
          for (size_t i = 0; i < n; ++i) scalar += tail[i] == separator;
          EXPECT_EQ(CountByte(tail, n, separator), scalar) << "last " << n << " bytes";
        }
        EXPECT_EQ(CountByte(data.get(), 64 * blocks, separator), expected_count);
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

}  // namespace
}  // namespace mergeflow
