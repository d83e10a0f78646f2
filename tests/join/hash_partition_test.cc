#include "join/hash_partition.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "join/key_encoder.h"

namespace mergeflow {
namespace {

BuildRow Row(const std::string& key, uint32_t chunk, const char* address) {
  BuildRow b;
  b.key = key.data();
  b.key_size = static_cast<uint32_t>(key.size());
  b.hash = KeyEncoder::Hash(key);
  b.row = address;
  b.chunk_id = chunk;
  return b;
}

TEST(HashPartitionTest, FindsEveryRowOfAKeyInInputOrder) {
  std::vector<std::string> keys = {"a", "b", "a", "c", "a"};
  std::vector<char> rows(16);
  // Given out of input order on purpose (chunk 1 before chunk 0).
  std::vector<BuildRow> given = {Row(keys[4], 1, &rows[0]), Row(keys[0], 0, &rows[1]), Row(keys[1], 0, &rows[2]),
                                 Row(keys[2], 0, &rows[3]), Row(keys[3], 1, &rows[4])};
  HashPartition part;
  part.Build(given, /*keep_order=*/true, /*track_matches=*/true);
  std::vector<const char*> found;
  part.ForEachMatch(KeyEncoder::Hash("a"), "a", [&](size_t i) { found.push_back(part.row(i).row); });
  EXPECT_EQ(found, (std::vector<const char*>{&rows[1], &rows[3], &rows[0]}));
  int misses = 0;
  part.ForEachMatch(KeyEncoder::Hash("zz"), "zz", [&](size_t) { ++misses; });
  EXPECT_EQ(misses, 0);
}

TEST(HashPartitionTest, TracksMatches) {
  std::string k1 = "x", k2 = "y";
  char bytes[2];
  HashPartition part;
  part.Build({Row(k1, 0, &bytes[0]), Row(k2, 0, &bytes[1])}, false, true);
  part.ForEachMatch(KeyEncoder::Hash("y"), "y", [&](size_t i) { part.MarkMatched(i); });
  int matched = 0;
  for (size_t i = 0; i < part.size(); ++i) matched += part.IsMatched(i);
  EXPECT_EQ(matched, 1);
}

TEST(HashPartitionTest, EmptyPartitionFindsNothing) {
  HashPartition part;
  part.Build({}, false, false);
  int found = 0;
  part.ForEachMatch(1, "a", [&](size_t) { ++found; });
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
