#include "common/size_parser.h"

#include <gtest/gtest.h>

namespace mergeflow {
namespace {

TEST(SizeParserTest, ParsesSuffixesAsPowersOf1024) {
  EXPECT_EQ(ParseSize("512", 0).value(), 512u);
  EXPECT_EQ(ParseSize("4K", 0).value(), 4096u);
  EXPECT_EQ(ParseSize("2M", 0).value(), 2u << 20);
  EXPECT_EQ(ParseSize("8G", 0).value(), 8ull << 30);
  EXPECT_EQ(ParseSize("1.5G", 0).value(), 3ull << 29);
  EXPECT_EQ(ParseSize("2GB", 0).value(), 2ull << 30);
  EXPECT_EQ(ParseSize("2GiB", 0).value(), 2ull << 30);
  EXPECT_EQ(ParseSize("2g", 0).value(), 2ull << 30);
}

TEST(SizeParserTest, PercentIsOfTheTotal) {
  EXPECT_EQ(ParseSize("60%", 1000).value(), 600u);
  EXPECT_FALSE(ParseSize("160%", 1000).ok());
}

TEST(SizeParserTest, RejectsGarbageWithTheText) {
  auto r = ParseSize("lots", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'lots'"), std::string::npos);
  EXPECT_FALSE(ParseSize("12X", 0).ok());
  EXPECT_FALSE(ParseSize("", 0).ok());
}

}  // namespace
}  // namespace mergeflow
