#include "cluster/row_router.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace mergeflow {
namespace {

// Samples of `ranks` ranks, each with 1000 rows per side, where key hash 7
// holds `left_rows` of each rank's left rows and `right_rows` of its right.
std::vector<std::vector<SideSample>> Samples(int ranks, uint64_t left_rows, uint64_t right_rows) {
  std::vector<std::vector<SideSample>> samples;
  for (int r = 0; r < ranks; ++r) {
    SideSample left{1000, {}}, right{1000, {}};
    if (left_rows > 0) left.top.push_back({7, left_rows});
    if (right_rows > 0) right.top.push_back({7, right_rows});
    samples.push_back({left, right});
  }
  return samples;
}

const JoinType kTypes[] = {JoinType::kInner, JoinType::kLeft, JoinType::kRight,
                           JoinType::kOuter, JoinType::kSemi, JoinType::kAnti};

TEST(RowRouterTest, AKeyHeavyOnTheLeftIsSpreadThereForEveryJoinType) {
  for (JoinType type : kTypes) {
    const std::vector<HeavyKey> heavy = FindHeavyKeys(Samples(4, 100, 1), type, 0.2);
    ASSERT_EQ(heavy.size(), 1u);
    EXPECT_EQ(heavy[0].hash, 7u);
    EXPECT_EQ(heavy[0].spread, Side::kLeft);
    EXPECT_EQ(heavy[0].first_right_row_only, OutputsLeftOnly(type));
  }
}

TEST(RowRouterTest, AKeyHeavyOnTheRightIsSpreadThereUnlessLeftRowsMustStayWhole) {
  for (JoinType type : kTypes) {
    const std::vector<HeavyKey> heavy = FindHeavyKeys(Samples(4, 1, 100), type, 0.2);
    ASSERT_EQ(heavy.size(), 1u);
    if (OutputsLeftOnly(type)) {
      // The left's rows would be on every rank: nothing is spread, and of
      // the right's rows only the first of the key reaches the owner.
      EXPECT_FALSE(heavy[0].spread.has_value());
      EXPECT_TRUE(heavy[0].first_right_row_only);
    } else {
      EXPECT_EQ(heavy[0].spread, Side::kRight);
      EXPECT_FALSE(heavy[0].first_right_row_only);
    }
  }
}

TEST(RowRouterTest, SemiJoinsSpreadAKeyHeavyOnBothSidesOnTheLeft) {
  const std::vector<HeavyKey> heavy = FindHeavyKeys(Samples(4, 100, 300), JoinType::kSemi, 0.2);
  ASSERT_EQ(heavy.size(), 1u);
  EXPECT_EQ(heavy[0].spread, Side::kLeft);
  EXPECT_TRUE(heavy[0].first_right_row_only);
}

TEST(RowRouterTest, AKeyBelowTheThresholdIsNotHeavy) {
  // 10 of 1000 rows on 4 ranks: 0.04 of a rank's share, under 0.2.
  EXPECT_TRUE(FindHeavyKeys(Samples(4, 10, 10), JoinType::kInner, 0.2).empty());
}

TEST(RowRouterTest, SpreadRowsGoRoundRobinAndTheOtherSidesToEveryRank) {
  const RowRouter router(4, 1, {{7, Side::kLeft}});
  EXPECT_EQ(router.HeavyIndex(7), 0);
  EXPECT_EQ(router.HeavyIndex(8), -1);
  uint64_t turn = 0;
  std::multiset<int> spread;
  for (int i = 0; i < 8; ++i) router.Route(Side::kLeft, true, 7, &turn, [&](int to) { spread.insert(to); });
  for (int r = 0; r < 4; ++r) EXPECT_EQ(spread.count(r), 2u) << r;
  std::vector<int> broadcast;
  router.Route(Side::kRight, true, 7, &turn, [&](int to) { broadcast.push_back(to); });
  EXPECT_EQ(broadcast, (std::vector<int>{0, 1, 2, 3}));
  std::vector<int> owner;
  router.Route(Side::kRight, true, 8, &turn, [&](int to) { owner.push_back(to); });
  EXPECT_EQ(owner, std::vector<int>{router.Owner(8)});
  const RowRouter unspread(4, 1, {{7, std::nullopt, true}});
  std::vector<int> to_owner;
  unspread.Route(Side::kLeft, true, 7, &turn, [&](int to) { to_owner.push_back(to); });
  unspread.Route(Side::kRight, true, 7, &turn, [&](int to) { to_owner.push_back(to); });
  EXPECT_EQ(to_owner, (std::vector<int>{unspread.Owner(7), unspread.Owner(7)}));
  std::vector<int> null_key;
  router.Route(Side::kRight, false, 0, &turn, [&](int to) { null_key.push_back(to); });
  EXPECT_EQ(null_key, std::vector<int>{1});
}

}  // namespace
}  // namespace mergeflow
