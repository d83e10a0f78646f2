// Keys files: rows come back sorted by hash as written, in the documented
// bytes (offsets four bytes wide, or eight when a part is larger); anything
// cut short or out of order is a clear error; and the offsets of a set of
// hashes are exactly those of the rows holding them.
#include "dataset/part_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace mergeflow {
namespace {

std::vector<KeyAt> RowsOf(const PartKeys& keys) {
  std::vector<KeyAt> rows;
  for (uint64_t i = 0; i < keys.rows(); ++i) rows.push_back(keys.row(i));
  return rows;
}

TEST(PartKeysTest, RowsComeBackSortedByHash) {
  std::mt19937 rng(11);
  for (int round = 0; round < 30; ++round) {
    std::vector<KeyAt> rows;
    for (int i = 0; i < round * 97; ++i) {
      const uint64_t offset = round % 2 == 0 ? rng() : uint64_t{rng()} << (i % 3 * 8);  // past 2^32 on odd rounds
      rows.push_back({static_cast<uint32_t>(round % 3 == 0 ? rng() % 50 : rng()), offset});
    }
    const std::string encoded = EncodePartKeys(rows);
    Result<PartKeys> keys = PartKeys::Parse(encoded, "k");
    ASSERT_TRUE(keys.ok()) << keys.status().message();
    std::sort(rows.begin(), rows.end());
    const std::vector<KeyAt> back = RowsOf(keys.value());
    ASSERT_EQ(back.size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(back[i].hash, rows[i].hash);
      EXPECT_EQ(back[i].offset, rows[i].offset);
    }
  }
  // As documented: the header, the hashes, then the offsets (4 bytes wide
  // while they fit, else 8).
  EXPECT_EQ(EncodePartKeys({{300, 7}, {5, 200}}),
            std::string("mergeflow keys 2\n\x04\0\0\0\0\0\0\x02\0\0\0\0\0\0\0", 32) +
                std::string("\x05\0\0\0\x2c\x01\0\0", 8) +
                std::string("\xc8\0\0\0\x07\0\0\0", 8));
  EXPECT_EQ(EncodePartKeys({{1, uint64_t{1} << 32}}).size(), 32u + 4 + 8);
}

TEST(PartKeysTest, AnythingButAKeysFileIsAClearError) {
  const std::string good = EncodePartKeys({{1, 10}, {UINT32_MAX, 20}, {7, 300}});
  for (size_t cut = 0; cut < good.size(); ++cut) {
    Result<PartKeys> r = PartKeys::Parse(good.substr(0, cut), "ds/keys-00001");
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_TRUE(r.status().message().starts_with("ds/keys-00001: ")) << r.status().message();
  }
  EXPECT_FALSE(PartKeys::Parse(good + "x", "k").ok());
  std::string bad_width = good;
  bad_width[17] = 5;
  EXPECT_FALSE(PartKeys::Parse(bad_width, "k").ok());
  EXPECT_TRUE(PartKeys::Parse(EncodePartKeys({}), "k").ok());  // a part of no rows
}

// Hashes out of order are found where a search reads them.
TEST(PartKeysTest, HashesOutOfOrderWhereASearchGoesAreAClearError) {
  // Rows hashed 3, 4, 1, 2: looking for 4 reads 4 and then the 1 after it.
  std::string disordered = EncodePartKeys({{1, 0}, {2, 10}, {3, 20}, {4, 30}});
  std::swap_ranges(disordered.begin() + 32, disordered.begin() + 40, disordered.begin() + 40);
  const PartKeys keys = PartKeys::Parse(disordered, "ds/keys-00002").value();
  Result<std::vector<uint64_t>> r = keys.OffsetsOf({4});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "ds/keys-00002: a keys file's hashes must be in order");
  EXPECT_FALSE(keys.OffsetsOf({2, 9}).ok());  // 3 then 4 then 1: below the 4 before it
  // A search that reads no pair out of order cannot tell.
  EXPECT_TRUE(keys.OffsetsOf({}).ok());
}

TEST(PartKeysTest, OffsetsOfHashesAreThoseOfTheRowsHoldingThem) {
  std::mt19937 rng(3);
  for (uint32_t spread : {2000u, 20u, UINT32_MAX}) {
    std::vector<KeyAt> rows;
    for (uint64_t i = 0; i < 5000; ++i) rows.push_back({static_cast<uint32_t>(rng() % spread), i * 40});
    const std::string encoded = EncodePartKeys(rows);
    const PartKeys keys = PartKeys::Parse(encoded, "k").value();
    std::vector<uint32_t> hashes;
    for (int i = 0; i < 300; ++i) hashes.push_back(rng() % 3 == 0 ? rows[rng() % rows.size()].hash : rng() % spread);
    hashes.push_back(0);
    hashes.push_back(UINT32_MAX);
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    const std::set<uint32_t> wanted(hashes.begin(), hashes.end());
    std::vector<uint64_t> expected;
    for (const KeyAt& row : rows)
      if (wanted.count(row.hash)) expected.push_back(row.offset);
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(keys.OffsetsOf(hashes).value(), expected) << "hashes below " << spread;
    EXPECT_TRUE(keys.OffsetsOf({}).value().empty());
  }
}

}  // namespace
}  // namespace mergeflow
