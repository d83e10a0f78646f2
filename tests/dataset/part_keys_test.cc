// Keys files: rows come back sorted by hash as written, in the documented
// bytes; anything cut short or out of order is a clear error; and the
// offsets of a set of hashes are exactly those of the rows holding them.
#include "dataset/part_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace mergeflow {
namespace {

TEST(PartKeysTest, RowsComeBackSortedByHash) {
  std::mt19937 rng(11);
  for (int round = 0; round < 30; ++round) {
    std::vector<KeyAt> rows;
    for (int i = 0; i < round * 97; ++i)
      rows.push_back({static_cast<uint32_t>(round % 3 == 0 ? rng() % 50 : rng()), uint64_t{rng()} << (i % 3 * 8)});
    Result<std::vector<KeyAt>> decoded = DecodePartKeys(EncodePartKeys(rows), "k");
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    std::sort(rows.begin(), rows.end());
    ASSERT_EQ(decoded.value().size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(decoded.value()[i].hash, rows[i].hash);
      EXPECT_EQ(decoded.value()[i].offset, rows[i].offset);
    }
  }
  // As documented: the magic line, the count, then (hash step, offset).
  EXPECT_EQ(EncodePartKeys({{300, 7}, {5, 200}}), std::string("mergeflow keys 1\n\x02\x05\xc8\x01\xa7\x02\x07", 24));
}

TEST(PartKeysTest, AnythingButAKeysFileIsAClearError) {
  const std::string good = EncodePartKeys({{1, 10}, {UINT32_MAX, 20}, {7, 300}});
  for (size_t cut = 0; cut < good.size(); ++cut) {
    Result<std::vector<KeyAt>> r = DecodePartKeys(good.substr(0, cut), "ds/keys-00001");
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_TRUE(r.status().message().starts_with("ds/keys-00001: ")) << r.status().message();
  }
  EXPECT_FALSE(DecodePartKeys(good + "x", "k").ok());
  // A step past 2^32: hashes out of order.
  std::string wrapped = "mergeflow keys 1\n\x02";
  wrapped += std::string("\xff\xff\xff\xff\x0f\x01", 6) + std::string("\x01\x01", 2);
  Result<std::vector<KeyAt>> r = DecodePartKeys(wrapped, "k");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("in order"), std::string::npos) << r.status().message();
  // A count larger than the rows that follow.
  EXPECT_FALSE(DecodePartKeys(std::string("mergeflow keys 1\n\x7f\x01\x01", 20), "k").ok());
}

TEST(PartKeysTest, OffsetsOfHashesAreThoseOfTheRowsHoldingThem) {
  std::mt19937 rng(3);
  std::vector<KeyAt> rows;
  for (uint64_t i = 0; i < 5000; ++i) rows.push_back({static_cast<uint32_t>(rng() % 2000), i * 40});
  const std::vector<KeyAt> sorted = DecodePartKeys(EncodePartKeys(rows), "k").value();
  std::vector<uint32_t> hashes;
  for (uint32_t h = 0; h < 2100; h += 1 + rng() % 9) hashes.push_back(h);
  const std::set<uint32_t> wanted(hashes.begin(), hashes.end());
  std::vector<uint64_t> expected;
  for (const KeyAt& row : rows)
    if (wanted.count(row.hash)) expected.push_back(row.offset);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(OffsetsOfHashes(sorted, hashes), expected);
  EXPECT_TRUE(OffsetsOfHashes(sorted, {}).empty());
}

}  // namespace
}  // namespace mergeflow
