// TableSink: a command's rows kept as columns of text values.
#include "io/table_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mergeflow {
namespace {

std::vector<std::string> Values(const TextColumn& column) {
  std::vector<std::string> values;
  for (size_t i = 0; i < column.ends.size(); ++i) values.emplace_back(column.Value(i));
  return values;
}

TEST(TableSinkTest, QuotedFieldsComeBackAsTheirValues) {
  TableSink sink("id\t\"a\tb\"\n", '\t', 1);
  ASSERT_TRUE(sink.Write(0, "1\t\"x\ty\"\n2\t\"two\nlines\"\n3\t\"say \"\"hi\"\"\"\n4\t\n", 4).ok());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(sink.names(), (std::vector<std::string>{"id", "a\tb"}));
  EXPECT_EQ(Values(sink.columns()[0]), (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(Values(sink.columns()[1]), (std::vector<std::string>{"x\ty", "two\nlines", "say \"hi\"", ""}));
}

TEST(TableSinkTest, EmptyLinesOfAOneColumnTableAreRows) {
  TableSink sink("v\n", ',', 1);
  ASSERT_TRUE(sink.Write(0, "a\n\n\nb\n", 4).ok());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(Values(sink.columns()[0]), (std::vector<std::string>{"a", "", "", "b"}));
}

TEST(TableSinkTest, LanesFollowOneAnotherInLaneOrder) {
  TableSink sink("k\tv\n", '\t', 3);
  ASSERT_TRUE(sink.Write(2, "c\t3\n", 1).ok());
  ASSERT_TRUE(sink.Write(0, "a\t1\n", 1).ok());
  ASSERT_TRUE(sink.Write(2, "d\t4\n", 1).ok());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(Values(sink.columns()[0]), (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(Values(sink.columns()[1]), (std::vector<std::string>{"1", "3", "4"}));
}

TEST(TableSinkTest, RowsThatDoNotFitTheHeaderAreAnError) {
  TableSink sink("k\tv\n", '\t', 1);
  EXPECT_FALSE(sink.Write(0, "a\t1\t2\n", 1).ok());
  EXPECT_FALSE(sink.Write(0, "a\t1\nb\t2\n", 3).ok());  // fewer rows than said
}

}  // namespace
}  // namespace mergeflow
