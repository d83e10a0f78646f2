#include "ops/aggregate/group_states.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "ops/aggregate/partial_groups.h"

namespace mergeflow {
namespace {

std::vector<Statistic> All() {
  return ParseStatistics({"count", "sum", "mean", "var", "std", "min", "max", "nnz", "frac_nnz", "count_ge:1",
                          "count_gt:0"})
      .value();
}

// Adds `values` (NaN: missing) as rows of group 0, feature 0.
void AddAll(GroupStates* s, const std::vector<double>& values) {
  for (double x : values) {
    s->CountRow(0);
    if (std::isnan(x))
      s->AddMissing(0, 0);
    else if (x != 0)
      s->AddValue(0, 0, x);
  }
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof(a)) == 0 || (std::isnan(a) && std::isnan(b)); }

TEST(GroupStatesTest, ZerosAndMissingValuesCountAsPandasCountsThem) {
  const std::vector<Statistic> stats = All();
  GroupStates s(NeedsOf(stats), 1);
  s.AddGroup();
  const double nan = std::nan("");
  AddAll(&s, {0, 2, nan, -1, 0, 4});
  auto value = [&](const char* name) {
    for (const Statistic& st : stats)
      if (st.name == name) return s.Value(st, 0, 0, 1);
    return -1.0;
  };
  EXPECT_EQ(value("count"), 5);
  EXPECT_EQ(value("sum"), 5);
  EXPECT_EQ(value("mean"), 1);
  // Deviations from 1: -1, 1, -2, -1, 3: squares sum to 16; / (5 - 1).
  EXPECT_EQ(value("var"), 4);
  EXPECT_EQ(value("std"), 2);
  EXPECT_EQ(value("min"), -1);
  EXPECT_EQ(value("max"), 4);
  EXPECT_EQ(value("nnz"), 3);
  EXPECT_DOUBLE_EQ(value("frac_nnz"), 0.6);
  EXPECT_EQ(value("count_ge:1"), 2);
  EXPECT_EQ(value("count_gt:0"), 2);
}

TEST(GroupStatesTest, NoValuesGiveNaNExceptCountsAndSum) {
  const std::vector<Statistic> stats = All();
  GroupStates s(NeedsOf(stats), 1);
  s.AddGroup();
  AddAll(&s, {std::nan(""), std::nan("")});
  for (const Statistic& st : stats) {
    const double v = s.Value(st, 0, 0, 1);
    if (st.is_count() || st.kind == StatKind::kSum)
      EXPECT_EQ(v, 0) << st.name;
    else
      EXPECT_TRUE(std::isnan(v)) << st.name;
  }
  // One value: a variance with ddof 1 is NaN, with ddof 0 it is 0.
  GroupStates one(NeedsOf(stats), 1);
  one.AddGroup();
  AddAll(&one, {3});
  EXPECT_TRUE(std::isnan(one.Value(stats[3], 0, 0, 1)));
  EXPECT_EQ(one.Value(stats[3], 0, 0, 0), 0);
}

TEST(GroupStatesTest, VarianceKeepsItsDigitsBesideALargeMean) {
  const std::vector<Statistic> stats = ParseStatistics({"var"}).value();
  GroupStates s(NeedsOf(stats), 1);
  s.AddGroup();
  // 1e9 + {1, 2, 3, 4}: variance 5/3. A naive sum of squares in doubles
  // loses it entirely (1e18 has no room for units).
  AddAll(&s, {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4});
  EXPECT_NEAR(s.Value(stats[0], 0, 0, 1), 5.0 / 3, 1e-12);
}

TEST(GroupStatesTest, AnySplitOfTheRowsGivesTheSameBits) {
  const std::vector<Statistic> stats = All();
  const StateNeeds needs = NeedsOf(stats);
  std::mt19937_64 random(3);
  std::uniform_real_distribution<double> uniform(-1e6, 1e6);
  std::vector<double> values(20000);
  for (double& v : values) v = random() % 4 == 0 ? 0 : uniform(random) * (random() % 2 ? 1e-6 : 1);
  GroupStates whole(needs, 1);
  whole.AddGroup();
  AddAll(&whole, values);
  for (int parts : {2, 3, 7}) {
    GroupStates merged(needs, 1);
    merged.AddGroup();
    std::vector<double> shuffled = values;
    std::shuffle(shuffled.begin(), shuffled.end(), random);
    for (int p = 0; p < parts; ++p) {
      GroupStates part(needs, 1);
      part.AddGroup();
      const size_t begin = shuffled.size() * p / parts;
      const size_t end = shuffled.size() * (p + 1) / parts;
      AddAll(&part, std::vector<double>(shuffled.begin() + begin, shuffled.begin() + end));
      merged.Merge(part, 0, 0);
    }
    for (const Statistic& st : stats)
      EXPECT_TRUE(SameBits(merged.Value(st, 0, 0, 1), whole.Value(st, 0, 0, 1))) << st.name << " in " << parts;
  }
}

TEST(PartialGroupsTest, EncodesAndMergesByGroupValues) {
  const std::vector<Statistic> stats = ParseStatistics({"sum", "count"}).value();
  const StateNeeds needs = NeedsOf(stats);
  PartialGroups a(needs, 2);
  PartialGroups b(needs, 2);
  const size_t ax = a.GroupOf({"x", "1"});
  a.states.CountRow(ax);
  a.states.AddValue(ax, 1, 2.5);
  const size_t by = b.GroupOf({"y", ""});
  const size_t bx = b.GroupOf({"x", "1"});
  b.states.CountRow(bx);
  b.states.AddValue(bx, 1, 1.5);
  b.states.CountRow(by);
  b.unmatched_rows = 4;
  PartialGroups decoded(needs, 2);
  ASSERT_TRUE(decoded.Decode(b.Encode()));
  EXPECT_EQ(decoded.unmatched_rows, 4u);
  a.Merge(decoded);
  ASSERT_EQ(a.values.size(), 2u);
  EXPECT_EQ(a.states.Value(stats[0], a.GroupOf({"x", "1"}), 1, 1), 4.0);
  EXPECT_EQ(a.states.Value(stats[1], a.GroupOf({"x", "1"}), 1, 1), 2.0);
  EXPECT_EQ(a.states.rows(a.GroupOf({"y", ""})), 1u);
  // Group values that would run together unprefixed stay apart.
  EXPECT_NE(EncodeGroupKey({"ab", "c"}), EncodeGroupKey({"a", "bc"}));
  PartialGroups broken(needs, 2);
  const std::string bytes = b.Encode();
  EXPECT_FALSE(broken.Decode(bytes.substr(0, bytes.size() - 1)));
}

TEST(StatisticTest, ParsesThresholdsAndRefusesTheUnknown) {
  auto stats = ParseStatistics({"count_ge:1", "count_gt:-2.5e1", "mean"});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats.value()[1].threshold, -25);
  EXPECT_EQ(stats.value()[1].name, "count_gt:-2.5e1");
  EXPECT_FALSE(ParseStatistics({"median"}).ok());
  EXPECT_FALSE(ParseStatistics({"count_ge:"}).ok());
  EXPECT_FALSE(ParseStatistics({"count_ge:x"}).ok());
  EXPECT_FALSE(ParseStatistics({"mean", "mean"}).ok());
}

}  // namespace
}  // namespace mergeflow
