#include "pipeline/interpolation.h"

#include <gtest/gtest.h>

#include <map>

namespace mergeflow {
namespace {

TEST(InterpolationTest, ReplacesReferencesAndKeepsEscapedDollars) {
  const std::map<std::string, std::string> values = {{"day", "2026-12-01"}, {"steps.a.version", "v1"}};
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    auto at = values.find(name);
    return at == values.end() ? std::nullopt : std::optional<std::string>(at->second);
  };
  EXPECT_EQ(Interpolate("s3://b/${day}/x@${steps.a.version}", lookup).value(), "s3://b/2026-12-01/x@v1");
  EXPECT_EQ(Interpolate("cost $$5 and $HOME, ${day}$", lookup).value(), "cost $5 and $HOME, 2026-12-01$");
  EXPECT_EQ(Interpolate("", lookup).value(), "");
  EXPECT_EQ(Interpolate("a ${nope} b", lookup).status().message(), "undefined ${nope}");
  EXPECT_FALSE(Interpolate("a ${day", lookup).ok());
  EXPECT_FALSE(Interpolate("a ${} b", lookup).ok());
}

TEST(InterpolationTest, FindsEveryReferenceWithItsOffset) {
  const auto refs = FindReferences("${a}-$${b}-${c.d}").value();
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].name, "a");
  EXPECT_EQ(refs[0].offset, 0u);
  EXPECT_EQ(refs[1].name, "c.d");
  EXPECT_EQ(refs[1].offset, 11u);
}

}  // namespace
}  // namespace mergeflow
