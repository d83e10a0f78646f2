#include "ops/join/output_schema.h"

#include <gtest/gtest.h>

namespace mergeflow {
namespace {

std::vector<std::string> Names(const std::vector<OutputColumn>& columns) {
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  return names;
}

TEST(OutputSchemaTest, SameNamedKeyAppearsOnceAndClashesGetSuffixes) {
  SideSchema left{{"ID", "value", "a"}, {0}};
  SideSchema right{{"ID", "value", "b"}, {0}};
  auto columns = PlanOutputColumns(left, right, JoinType::kInner, "_x", "_y").value();
  EXPECT_EQ(Names(columns), (std::vector<std::string>{"ID", "value_x", "a", "value_y", "b"}));
  EXPECT_EQ(columns[0].source, OutputColumn::Source::kKey);
  EXPECT_EQ(columns[0].right_field, 0u);
  EXPECT_EQ(columns[3].source, OutputColumn::Source::kRight);
  EXPECT_EQ(columns[3].right_field, 1u);
}

TEST(OutputSchemaTest, DifferentlyNamedKeysAreBothKept) {
  SideSchema left{{"id", "v"}, {0}};
  SideSchema right{{"key", "id"}, {0}};
  auto columns = PlanOutputColumns(left, right, JoinType::kLeft, "_l", "_r").value();
  EXPECT_EQ(Names(columns), (std::vector<std::string>{"id_l", "v", "key", "id_r"}));
  EXPECT_EQ(columns[0].source, OutputColumn::Source::kLeft);
}

TEST(OutputSchemaTest, CompositeKeysMergePairwise) {
  SideSchema left{{"a", "b", "x"}, {1, 0}};
  SideSchema right{{"b", "a", "y"}, {0, 1}};
  auto columns = PlanOutputColumns(left, right, JoinType::kOuter, "_x", "_y").value();
  EXPECT_EQ(Names(columns), (std::vector<std::string>{"a", "b", "x", "y"}));
  EXPECT_EQ(columns[0].source, OutputColumn::Source::kKey);
  EXPECT_EQ(columns[0].right_field, 1u);
  EXPECT_EQ(columns[1].right_field, 0u);
}

TEST(OutputSchemaTest, SemiAndAntiKeepLeftColumnsOnly) {
  SideSchema left{{"id", "v"}, {0}};
  SideSchema right{{"id", "v"}, {0}};
  EXPECT_EQ(Names(PlanOutputColumns(left, right, JoinType::kAnti, "_x", "_y").value()),
            (std::vector<std::string>{"id", "v"}));
}

TEST(OutputSchemaTest, SuffixesThatStillClashAreRejected) {
  SideSchema left{{"id", "v"}, {0}};
  SideSchema right{{"id", "v"}, {0}};
  auto r = PlanOutputColumns(left, right, JoinType::kInner, "", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace mergeflow
