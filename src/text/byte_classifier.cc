#include "text/byte_classifier.h"

#include <bit>
#include <cstring>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "text/byte_classifier.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

static_assert(std::endian::native == std::endian::little, "mask packing assumes a little-endian CPU");

HWY_BEFORE_NAMESPACE();
namespace mergeflow {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

uint64_t ScalarBits(const uint8_t* p, uint8_t c) {
  uint64_t bits = 0;
  for (int i = 0; i < 64; ++i) bits |= static_cast<uint64_t>(p[i] == c) << i;
  return bits;
}

void ClassifyBlocksImpl(const char* data, size_t blocks, char separator, uint64_t* separator_bits,
                        uint64_t* newline_bits) {
  const hn::CappedTag<uint8_t, 64> d;
  const size_t lanes = hn::Lanes(d);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data);
  const uint8_t sep = static_cast<uint8_t>(separator);
  if (lanes < 8) {
    for (size_t b = 0; b < blocks; ++b) {
      separator_bits[b] = ScalarBits(p + 64 * b, sep);
      newline_bits[b] = ScalarBits(p + 64 * b, '\n');
    }
    return;
  }
  const auto vsep = hn::Set(d, sep);
  const auto vnl = hn::Set(d, uint8_t{'\n'});
  for (size_t b = 0; b < blocks; ++b) {
    // StoreMaskBits may write up to 8 bytes wherever it stores, so each
    // array has 8 bytes of room past the 8 it fills.
    uint8_t sep_bytes[16];
    uint8_t nl_bytes[16];
    for (size_t i = 0; i < 64; i += lanes) {
      const auto v = hn::LoadU(d, p + 64 * b + i);
      hn::StoreMaskBits(d, hn::Eq(v, vsep), sep_bytes + i / 8);
      hn::StoreMaskBits(d, hn::Eq(v, vnl), nl_bytes + i / 8);
    }
    std::memcpy(&separator_bits[b], sep_bytes, 8);
    std::memcpy(&newline_bits[b], nl_bytes, 8);
  }
}

size_t CountByteImpl(const char* data, size_t n, char c) {
  const hn::ScalableTag<uint8_t> d;
  const size_t lanes = hn::Lanes(d);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data);
  const auto vc = hn::Set(d, static_cast<uint8_t>(c));
  size_t count = 0;
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) count += hn::CountTrue(d, hn::Eq(hn::LoadU(d, p + i), vc));
  for (; i < n; ++i) count += p[i] == static_cast<uint8_t>(c);
  return count;
}

}  // namespace HWY_NAMESPACE
}  // namespace mergeflow
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace mergeflow {

HWY_EXPORT(ClassifyBlocksImpl);
HWY_EXPORT(CountByteImpl);

void ClassifyBlocks(const char* data, size_t blocks, char separator, uint64_t* separator_bits,
                    uint64_t* newline_bits) {
  HWY_DYNAMIC_DISPATCH(ClassifyBlocksImpl)(data, blocks, separator, separator_bits, newline_bits);
}

size_t CountByte(const char* data, size_t n, char c) { return HWY_DYNAMIC_DISPATCH(CountByteImpl)(data, n, c); }

}  // namespace mergeflow
#endif  // HWY_ONCE
