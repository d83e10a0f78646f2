#include "text/number_format.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace mergeflow {
namespace {

std::string Shortest(double x) {
  std::string out;
  AppendShortestDouble(&out, x);
  return out;
}

TEST(NumberFormatTest, SpellsNumbersAsPythonsRepr) {
  // Each pair: a double and repr() of it in Python 3.
  const std::pair<double, const char*> cases[] = {
      {2.0, "2.0"},
      {0.1, "0.1"},
      {-0.5, "-0.5"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1e-20, "1e-20"},
      {1e-5, "1e-05"},
      {0.0001, "0.0001"},
      {0.00012345, "0.00012345"},
      {1.5e-7, "1.5e-07"},
      {123456789.0, "123456789.0"},
      {1e15, "1000000000000000.0"},
      {1e16, "1e+16"},
      {1.2345678901234568e+17, "1.2345678901234568e+17"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {5e-324, "5e-324"},
      {1.0 / 3, "0.3333333333333333"},
      {2.5e100, "2.5e+100"},
      {-123.456, "-123.456"},
      {std::numeric_limits<double>::infinity(), "inf"},
      {-std::numeric_limits<double>::infinity(), "-inf"},
  };
  for (const auto& [value, repr] : cases) EXPECT_EQ(Shortest(value), repr) << value;
  EXPECT_EQ(Shortest(std::nan("")), "nan");
}

TEST(NumberFormatTest, EveryNumberReadsBackToItself) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 200000; ++i) {
    uint64_t bits = random();
    double x;
    std::memcpy(&x, &bits, sizeof(x));
    if (!std::isfinite(x)) continue;
    const std::string text = Shortest(x);
    double back = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), back);
    ASSERT_EQ(result.ec, std::errc()) << text;
    ASSERT_EQ(result.ptr, text.data() + text.size()) << text;
    ASSERT_EQ(std::memcmp(&back, &x, sizeof(x)), 0) << text;
  }
}

TEST(NumberFormatTest, CountsAreIntegers) {
  std::string out;
  AppendCount(&out, 0);
  out += ' ';
  AppendCount(&out, 18446744073709551615ull);
  EXPECT_EQ(out, "0 18446744073709551615");
}

}  // namespace
}  // namespace mergeflow
