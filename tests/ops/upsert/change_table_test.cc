// The flat table of reduced changes: whatever order changes come in, each
// key holds the winner by ChangeWins (checked against a std::map reference),
// keys whose hashes collide stay apart, bytes stay valid as the table grows,
// and exactly one of several threads marks a change matched first.
#include "ops/upsert/change_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "engine/key_encoder.h"

namespace mergeflow {
namespace {

// A change with its own bytes.
struct OwnedChange {
  char op;
  uint32_t file;
  uint64_t offset;
  std::string order, order_text, row, key_fields;
  ChangeView view() const { return {op, file, offset, order, order_text, row, key_fields}; }
};

bool SameChange(const ChangeView& a, const ChangeView& b) {
  return a.op == b.op && a.file == b.file && a.offset == b.offset && a.order == b.order &&
         a.order_text == b.order_text && a.row == b.row && a.key_fields == b.key_fields;
}

// Offers `changes` (key, change) to a table with hashes from `hash_of`, and
// checks every key's held change against the winner a map keeps.
void ExpectWinners(const std::vector<std::pair<std::string, OwnedChange>>& changes,
                   uint64_t (*hash_of)(std::string_view)) {
  ChangeTable table;
  std::map<std::string, OwnedChange> reference;
  std::vector<std::string> first_seen;
  for (const auto& [key, change] : changes) {
    table.Offer(hash_of(key), key, change.view());
    auto [at, fresh] = reference.try_emplace(key, change);
    if (fresh) first_seen.push_back(key);
    if (!fresh && ChangeWins(change.view(), at->second.view())) at->second = change;
  }
  ASSERT_EQ(table.size(), reference.size());
  size_t i = 0;
  for (const HeldChange& held : table.changes()) {
    EXPECT_EQ(held.key(), first_seen[i++]) << "keys are listed in the order they first came";
    EXPECT_EQ(held.hash(), hash_of(held.key()));
  }
  for (const auto& [key, winner] : reference) {
    HeldChange* held = table.Find(hash_of(key), key);
    ASSERT_NE(held, nullptr) << key;
    EXPECT_EQ(held->key(), key);
    EXPECT_TRUE(SameChange(held->view(), winner.view())) << key;
    EXPECT_FALSE(held->matched());
  }
  EXPECT_EQ(table.Find(hash_of("absent"), "absent"), nullptr);
}

std::vector<std::pair<std::string, OwnedChange>> RandomChanges(int n, int keys, uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<std::pair<std::string, OwnedChange>> changes;
  for (int i = 0; i < n; ++i) {
    const std::string key = "k" + std::to_string(random() % keys);
    OwnedChange c{"IUD"[random() % 3], static_cast<uint32_t>(random() % 3), random() % 50, std::string(1, 'a' + random() % 4),
                  std::to_string(i), "row " + std::to_string(i) + std::string(random() % 40, 'x'), key};
    changes.emplace_back(key, std::move(c));
  }
  return changes;
}

uint64_t RealHash(std::string_view key) { return KeyEncoder::Hash(key); }
// Every key the same hash: each look-up must compare keys.
uint64_t OneHash(std::string_view) { return 0x9e3779b97f4a7c15ull; }
// Hashes that differ only in their top bits: equal tags, different slots.
uint64_t SameTag(std::string_view key) { return (KeyEncoder::Hash(key) & ~0xffffffffull) | 7; }

TEST(ChangeTableTest, EachKeyHoldsItsWinnerInAnyOrder) {
  std::vector<std::pair<std::string, OwnedChange>> changes = RandomChanges(40000, 6000, 1);
  ExpectWinners(changes, RealHash);
  std::shuffle(changes.begin(), changes.end(), std::mt19937(2));
  ExpectWinners(changes, RealHash);
}

TEST(ChangeTableTest, KeysWithCollidingHashesStayApart) {
  ExpectWinners(RandomChanges(3000, 400, 3), OneHash);
  ExpectWinners(RandomChanges(20000, 5000, 4), SameTag);
}

TEST(ChangeTableTest, ExactlyOneThreadMarksAChangeMatchedFirst) {
  ChangeTable table;
  const OwnedChange change{'U', 0, 0, "o", "1", "row", "k"};
  table.Offer(RealHash("k"), "k", change.view());
  HeldChange* held = table.Find(RealHash("k"), "k");
  ASSERT_NE(held, nullptr);
  std::atomic<int> first{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      if (!held->MarkMatched()) ++first;
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(first.load(), 1);
  EXPECT_TRUE(held->matched());
}

}  // namespace
}  // namespace mergeflow
