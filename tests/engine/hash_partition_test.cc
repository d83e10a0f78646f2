#include "engine/partitioned_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/key_encoder.h"

namespace mergeflow {
namespace {

// A build row whose bytes are `key` itself (the key is the whole row).
BuildRow Row(const std::string& key, uint32_t chunk) {
  BuildRow b;
  b.row = key.data();
  b.row_size_and_flags = static_cast<uint32_t>(key.size());
  b.key_size = static_cast<uint32_t>(key.size());
  b.hash = KeyEncoder::Hash(key);
  b.chunk_id = chunk;
  return b;
}


TEST(PartitionedTableTest, FindsEveryRowOfAKeyInInputOrder) {
  std::vector<std::string> keys = {"a", "b", "a", "c", "a"};
  // Worker 0 read chunk 1, worker 1 read chunk 0: input order differs from
  // the order the workers hand their rows over.
  auto staging = std::make_unique<RowStaging>(1, 2);
  for (const BuildRow& row : {Row(keys[4], 1), Row(keys[3], 1)}) staging->Add(0, 0, row);
  for (const BuildRow& row : {Row(keys[0], 0), Row(keys[1], 0), Row(keys[2], 0)}) staging->Add(1, 0, row);
  PartitionedTable table(0);
  table.Build(std::move(staging), /*keep_order=*/true, /*track_matches=*/true, 2);
  const HashPartition& part = table.partition(0);
  ASSERT_EQ(part.size(), 5u);
  std::vector<const char*> found;
  part.ForEachMatch(KeyEncoder::Hash("a"), "a", [&](size_t i) { found.push_back(part.row(i).row); });
  EXPECT_EQ(found, (std::vector<const char*>{keys[0].data(), keys[2].data(), keys[4].data()}));
  int misses = 0;
  part.ForEachMatch(KeyEncoder::Hash("zz"), "zz", [&](size_t) { ++misses; });
  EXPECT_EQ(misses, 0);
}

TEST(PartitionedTableTest, SpreadsRowsOverPartitionsByTopHashBits) {
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("key" + std::to_string(i));
  PartitionedTable table(4);
  auto staging = std::make_unique<RowStaging>(table.size(), 2);
  for (size_t i = 0; i < keys.size(); ++i) staging->Add(i % 2, table.PartitionOf(KeyEncoder::Hash(keys[i])), Row(keys[i], 0));
  table.Build(std::move(staging), false, false, 3);
  size_t total = 0;
  for (size_t p = 0; p < table.size(); ++p) {
    total += table.partition(p).size();
    EXPECT_GT(table.partition(p).size(), 20u);  // 1000 keys over 16 partitions
  }
  EXPECT_EQ(total, keys.size());
  for (const std::string& k : keys) {
    const uint64_t h = KeyEncoder::Hash(k);
    int found = 0;
    table.partition(table.PartitionOf(h)).ForEachMatch(h, k, [&](size_t) { ++found; });
    EXPECT_EQ(found, 1) << k;
  }
}

TEST(RowStagingTest, KeepsEachWorkersFilingOrderAcrossBlocks) {
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back(std::to_string(i));
  RowStaging staging(2, 2);
  for (int i = 0; i < 5000; ++i) staging.Add(i % 2, 1, Row(keys[i], 0));
  EXPECT_EQ(staging.Count(0), 0u);
  EXPECT_EQ(staging.Count(1), 5000u);
  std::vector<std::string> seen;
  for (auto block : staging.Rows(1)) {
    for (const BuildRow& row : block) seen.emplace_back(row.key_view());
  }
  ASSERT_EQ(seen.size(), 5000u);
  EXPECT_EQ(seen[0], "0");
  EXPECT_EQ(seen[1], "2");       // worker 0's rows first
  EXPECT_EQ(seen[2499], "4998");
  EXPECT_EQ(seen[2500], "1");    // then worker 1's
  EXPECT_EQ(seen[4999], "4999");
}

std::string KeyName(int k) {
  std::string name = "k";
  name += std::to_string(k);
  return name;
}

TEST(PartitionedTableTest, ManyBlocksFromSeveralWorkersStayFindable) {
  // 5000 rows of 7 keys over two workers: partly filled blocks, buckets
  // that cross block boundaries, and duplicates in input order.
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back(KeyName(i % 7));
  auto staging = std::make_unique<RowStaging>(1, 2);
  for (int i = 0; i < 5000; ++i) {
    BuildRow row = Row(keys[i], static_cast<uint32_t>(i));
    staging->Add(i < 2500 ? 0 : 1, 0, row);
  }
  PartitionedTable table(0);
  table.Build(std::move(staging), /*keep_order=*/true, false, 2);
  const HashPartition& part = table.partition(0);
  ASSERT_EQ(part.size(), 5000u);
  for (int k = 0; k < 7; ++k) {
    const std::string key = KeyName(k);
    std::vector<uint32_t> chunks;
    part.ForEachMatch(KeyEncoder::Hash(key), key, [&](size_t i) { chunks.push_back(part.row(i).chunk_id); });
    ASSERT_EQ(chunks.size(), 5000u / 7 + (k < 5000 % 7 ? 1 : 0)) << key;
    EXPECT_TRUE(std::is_sorted(chunks.begin(), chunks.end())) << key;
    EXPECT_EQ(chunks.front(), static_cast<uint32_t>(k));
  }
}

TEST(PartitionedTableTest, TracksMatches) {
  std::string k1 = "x", k2 = "y";
  auto staging = std::make_unique<RowStaging>(1, 1);
  staging->Add(0, 0, Row(k1, 0));
  staging->Add(0, 0, Row(k2, 0));
  PartitionedTable table(0);
  table.Build(std::move(staging), false, true, 1);
  HashPartition& part = table.partition(0);
  part.ForEachMatch(KeyEncoder::Hash("y"), "y", [&](size_t i) { part.MarkMatched(i); });
  int matched = 0;
  for (size_t i = 0; i < part.size(); ++i) matched += part.IsMatched(i);
  EXPECT_EQ(matched, 1);
}

TEST(PartitionedTableTest, EmptyPartitionFindsNothing) {
  PartitionedTable table(0);
  table.Build(std::make_unique<RowStaging>(1, 1), false, false, 1);
  int found = 0;
  table.partition(0).ForEachMatch(1, "a", [&](size_t) { ++found; });
  EXPECT_EQ(found, 0);
}

TEST(KeyEncoderTest, CompositeKeysDoNotCollideAcrossBoundaries) {
  KeyEncoder encoder(2, false);
  std::string_view ab_c[] = {"ab", "c"};
  std::string_view a_bc[] = {"a", "bc"};
  std::string_view key;
  ASSERT_TRUE(encoder.Encode(ab_c, &key));
  std::string first(key);
  ASSERT_TRUE(encoder.Encode(a_bc, &key));
  EXPECT_NE(first, std::string(key));
}

TEST(KeyEncoderTest, EmptyValuesAreNullUnlessNullsAreEqual) {
  std::string_view values[] = {"a", ""};
  std::string_view key;
  EXPECT_FALSE(KeyEncoder(2, false).Encode(values, &key));
  EXPECT_TRUE(KeyEncoder(2, true).Encode(values, &key));
  std::string_view empty[] = {""};
  EXPECT_FALSE(KeyEncoder(1, false).Encode(empty, &key));
}

}  // namespace
}  // namespace mergeflow
