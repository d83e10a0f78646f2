// The order-preserving encodings of --order-by values: byte order must be
// value order, equal values (in any spelling) must encode alike, and bad
// values must be refused.
#include "ops/upsert/order_value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace mergeflow {
namespace {

std::string Encode(OrderType type, const std::string& text) {
  Result<std::string> encoded = EncodeOrderValue(type, text);
  EXPECT_TRUE(encoded.ok()) << text << ": " << encoded.status().message();
  return encoded.ok() ? encoded.value() : "";
}

// Checks that `sorted` (ascending by value) encodes in strictly ascending order.
void ExpectAscending(OrderType type, const std::vector<std::string>& sorted) {
  for (size_t i = 1; i < sorted.size(); ++i)
    EXPECT_LT(Encode(type, sorted[i - 1]), Encode(type, sorted[i])) << sorted[i - 1] << " < " << sorted[i];
}

TEST(OrderValueTest, IntegersCompareAsNumbers) {
  ExpectAscending(OrderType::kInt, {"-1000", "-99", "-10", "-9", "-1", "0", "1", "9", "10", "99", "1000",
                                    "123456789012345678901234567890"});
  EXPECT_EQ(Encode(OrderType::kInt, "007"), Encode(OrderType::kInt, "7"));
  EXPECT_EQ(Encode(OrderType::kInt, "+7"), Encode(OrderType::kInt, "7"));
  EXPECT_EQ(Encode(OrderType::kInt, "-0"), Encode(OrderType::kInt, "0"));
  for (const char* bad : {"", "1.5", "x", "-", "1e3", " 1"})
    EXPECT_FALSE(EncodeOrderValue(OrderType::kInt, bad).ok()) << bad;
}

TEST(OrderValueTest, DecimalsCompareAsNumbersWhateverTheirDigits) {
  ExpectAscending(OrderType::kDecimal, {"-10.5", "-10.25", "-9.99", "-0.5", "-0.05", "0", "0.049", "0.05", "0.5", "1.5",
                                        "1.55", "9.99", "10", "10.25"});
  EXPECT_EQ(Encode(OrderType::kDecimal, "1.50"), Encode(OrderType::kDecimal, "1.5"));
  EXPECT_EQ(Encode(OrderType::kDecimal, "01.5"), Encode(OrderType::kDecimal, "1.500"));
  EXPECT_EQ(Encode(OrderType::kDecimal, ".5"), Encode(OrderType::kDecimal, "0.5"));
  for (const char* bad : {"", ".", "1.", "1.2.3", "abc", "--1"})
    EXPECT_FALSE(EncodeOrderValue(OrderType::kDecimal, bad).ok()) << bad;
}

TEST(OrderValueTest, RandomDecimalsSortLikeTheirValues) {
  std::mt19937 random(7);
  std::vector<std::pair<long double, std::string>> values;
  for (int i = 0; i < 2000; ++i) {
    const long whole = static_cast<long>(random() % 2001) - 1000;
    const int cents = static_cast<int>(random() % 100);
    const bool negative = whole < 0 || (whole == 0 && random() % 2);
    char text[64];
    std::snprintf(text, sizeof(text), "%s%ld.%02d", negative ? "-" : "", std::labs(whole), cents);
    values.emplace_back((std::labs(whole) + cents / 100.0L) * (negative ? -1 : 1), text);
  }
  for (size_t i = 1; i < values.size(); ++i) {
    const auto& [a, a_text] = values[i - 1];
    const auto& [b, b_text] = values[i];
    const std::string ea = Encode(OrderType::kDecimal, a_text);
    const std::string eb = Encode(OrderType::kDecimal, b_text);
    EXPECT_EQ(a < b, ea < eb) << a_text << " vs " << b_text;
    EXPECT_EQ(a == b, ea == eb) << a_text << " vs " << b_text;
  }
}

TEST(OrderValueTest, TimestampsCompareAsInstants) {
  ExpectAscending(OrderType::kTimestamp,
                  {"1969-12-31 23:59:59", "1970-01-01 00:00:00", "2026-01-01 10:00:00", "2026-01-01 10:00:00.000001",
                   "2026-01-01T10:00:01Z", "2026-01-01T09:30:00-02:00", "2026-01-02"});
  EXPECT_EQ(Encode(OrderType::kTimestamp, "2026-01-01 10:00:00"),
            Encode(OrderType::kTimestamp, "2026-01-01T10:00:00Z"));
  EXPECT_EQ(Encode(OrderType::kTimestamp, "2026-01-01T12:00:00+02:00"),
            Encode(OrderType::kTimestamp, "2026-01-01 10:00:00.000"));
  for (const char* bad :
       {"", "2026-13-01", "2026-02-30 00:00:00", "2026-01-01 25:00:00", "yesterday", "2026-01-01 10:00:00.1234567890"})
    EXPECT_FALSE(EncodeOrderValue(OrderType::kTimestamp, bad).ok()) << bad;
}

TEST(OrderValueTest, StringsCompareAsBytesAndTypesParse) {
  ExpectAscending(OrderType::kString, {"10", "9", "A", "a", "b"});
  EXPECT_FALSE(EncodeOrderValue(OrderType::kString, "").ok());
  EXPECT_EQ(ParseOrderType("timestamp").value(), OrderType::kTimestamp);
  EXPECT_FALSE(ParseOrderType("float").ok());
}

}  // namespace
}  // namespace mergeflow
