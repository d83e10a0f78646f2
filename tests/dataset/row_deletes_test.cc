#include "dataset/row_deletes.h"

#include <gtest/gtest.h>

#include <random>

namespace mergeflow {
namespace {

bool Same(const std::vector<ByteRange>& a, const std::vector<ByteRange>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].begin != b[i].begin || a[i].end != b[i].end) return false;
  return true;
}

TEST(RowDeletesTest, RangesComeBackAsWritten) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<ByteRange> ranges;
    uint64_t at = rng() % 3;
    for (int i = 0; i < round * 7; ++i) {
      at += 1 + rng() % (i % 5 == 0 ? (uint64_t{1} << 40) : 300);  // gaps short and huge
      const uint64_t length = 1 + rng() % 500;
      ranges.push_back({at, at + length});
      at += length;
    }
    const std::string encoded = EncodeRowDeletes(ranges);
    Result<std::vector<ByteRange>> decoded = DecodeRowDeletes(encoded, "d");
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_TRUE(Same(decoded.value(), ranges)) << "round " << round;
  }
  // The format as documented: the magic line, then (gap, length) varints.
  EXPECT_EQ(EncodeRowDeletes({{5, 9}, {300, 301}}), std::string("mergeflow deletes 1\n\x05\x04\xa3\x02\x01", 25));
}

TEST(RowDeletesTest, AnythingButADeletesFileIsAClearError) {
  const std::string good = EncodeRowDeletes({{10, 20}, {30, 40}});
  for (size_t cut = 0; cut < good.size(); ++cut) {
    Result<std::vector<ByteRange>> r = DecodeRowDeletes(good.substr(0, cut), "ds/deletes-00001");
    if (cut == 20) continue;  // just the magic line: no ranges, which is a valid file
    if (cut == 22) continue;  // the first range whole
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.status().message().rfind("ds/deletes-00001: ", 0), 0u) << r.status().message();
  }
  // An empty range, and touching ranges (the writer joins them).
  EXPECT_FALSE(DecodeRowDeletes(std::string("mergeflow deletes 1\n\x05\x00", 22), "d").ok());
  EXPECT_FALSE(DecodeRowDeletes(std::string("mergeflow deletes 1\n\x05\x04\x00\x02", 24), "d").ok());
  EXPECT_FALSE(DecodeRowDeletes("mergeflow deletes 2\n", "d").ok());
}

TEST(RowDeletesTest, UnitedRangesAreSortedAndJoinedWhereTheyTouch) {
  const std::vector<ByteRange> old_ranges = {{10, 20}, {40, 50}, {90, 95}};
  const std::vector<ByteRange> added = {{0, 5}, {20, 30}, {60, 70}, {95, 99}};
  EXPECT_TRUE(Same(UniteRanges(old_ranges, added), {{0, 5}, {10, 30}, {40, 50}, {60, 70}, {90, 99}}));
  EXPECT_TRUE(Same(UniteRanges({}, added), added));
  EXPECT_TRUE(Same(UniteRanges(old_ranges, {}), old_ranges));
}

}  // namespace
}  // namespace mergeflow
