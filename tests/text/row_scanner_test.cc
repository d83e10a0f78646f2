#include "text/row_scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mergeflow {
namespace {

struct Collected {
  std::vector<std::string> rows;
  std::vector<std::vector<std::string>> keys;
  std::vector<bool> quoted;
  std::vector<std::pair<uint64_t, std::string>> bad;
  size_t key_count = 1;
  bool keep_going = true;

  void OnRow(const RowView& r) {
    rows.emplace_back(r.data, r.size);
    std::vector<std::string> k;
    for (size_t i = 0; i < key_count; ++i) k.emplace_back(r.keys[i]);
    keys.push_back(k);
    quoted.push_back(r.quoted);
  }
  bool OnBadRow(uint64_t offset, std::string message) {
    bad.emplace_back(offset, message);
    return keep_going;
  }
};

Collected Scan(const std::string& text, uint32_t fields, std::vector<uint32_t> keys, bool skip_header = false,
               Dialect dialect = {}) {
  RowScanner scanner(dialect, fields, keys);
  Collected c;
  c.key_count = keys.size();
  scanner.Scan(text.data(), text.size(), skip_header, c);
  return c;
}

TEST(RowScannerTest, FindsRowsAndKeyFields) {
  auto c = Scan("a\t1\tx\nb\t2\ty\n", 3, {1});
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[0], "a\t1\tx");
  EXPECT_EQ(c.keys[0][0], "1");
  EXPECT_EQ(c.keys[1][0], "2");
  EXPECT_TRUE(c.bad.empty());
}

TEST(RowScannerTest, LastKeyFieldEndsAtTheLineEnd) {
  auto c = Scan("a\tkey1\r\nb\tkey2", 2, {1});
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[0], "a\tkey1");  // CRLF never leaks into values
  EXPECT_EQ(c.keys[0][0], "key1");
  EXPECT_EQ(c.rows[1], "b\tkey2");  // no final newline
  EXPECT_EQ(c.keys[1][0], "key2");
}

TEST(RowScannerTest, CompositeKeysInAnyOrder) {
  auto c = Scan("a\tb\tc\n", 3, {2, 0});
  ASSERT_EQ(c.keys.size(), 1u);
  EXPECT_EQ(c.keys[0], (std::vector<std::string>{"c", "a"}));
}

// Found by fuzzing: the quoted path took key fields in ascending order only,
// so a composite key named last column first got a stale value.
TEST(RowScannerTest, CompositeKeysInAnyOrderInQuotedRows) {
  Dialect csv{',', true};
  auto c = Scan("\"a\",b,\"c,c\"\nd,\"e\",f\n", 3, {2, 0}, false, csv);
  ASSERT_EQ(c.keys.size(), 2u);
  EXPECT_EQ(c.keys[0], (std::vector<std::string>{"c,c", "a"}));
  EXPECT_EQ(c.keys[1], (std::vector<std::string>{"f", "d"}));
  auto twice = Scan("\"a\",b\n", 2, {0, 1, 0}, false, csv);
  ASSERT_EQ(twice.keys.size(), 1u);
  EXPECT_EQ(twice.keys[0], (std::vector<std::string>{"a", "b", "a"}));
}

TEST(RowScannerTest, SkipsHeaderAndBlankLines) {
  auto c = Scan("id\tv\n\n1\tx\n\r\n2\ty\n", 2, {0}, true);
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[0], "1\tx");
  EXPECT_EQ(c.rows[1], "2\ty");
}

TEST(RowScannerTest, ReportsWrongFieldCountsWithOffsets) {
  auto c = Scan("1\tx\n2\tx\ty\n3\n4\tz\n", 2, {0});
  ASSERT_EQ(c.bad.size(), 2u);
  EXPECT_EQ(c.bad[0].first, 4u);
  EXPECT_EQ(c.bad[0].second, "expected 2 fields, found 3");
  EXPECT_EQ(c.bad[1].second, "expected 2 fields, found 1");
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[1], "4\tz");
}

TEST(RowScannerTest, StopsWhenTheVisitorSaysSo) {
  RowScanner scanner(Dialect{}, 2, {0});
  Collected c;
  c.keep_going = false;
  std::string text = "1\tx\n2\n3\tz\n";
  scanner.Scan(text.data(), text.size(), false, c);
  EXPECT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.bad.size(), 1u);
}

TEST(RowScannerTest, LongRowsCrossManyBlocks) {
  std::string value(1000, 'v');
  std::string text;
  for (int i = 0; i < 50; ++i) text += std::to_string(i) + "\t" + value + "\t" + std::to_string(i * 7) + "\n";
  auto c = Scan(text, 3, {2});
  ASSERT_EQ(c.rows.size(), 50u);
  EXPECT_EQ(c.keys[49][0], "343");
}

TEST(RowScannerTest, QuotedFieldsHoldSeparatorsNewlinesAndQuotes) {
  Dialect csv{',', true};
  auto c = Scan("\"a,b\",1\n\"x\"\"y\",\"line1\nline2\"\r\n\"\",3\n", 2, {0}, false, csv);
  ASSERT_EQ(c.rows.size(), 3u);
  EXPECT_EQ(c.keys[0][0], "a,b");
  EXPECT_EQ(c.keys[1][0], "x\"y");
  EXPECT_EQ(c.rows[1], "\"x\"\"y\",\"line1\nline2\"");
  EXPECT_TRUE(c.quoted[1]);
  EXPECT_EQ(c.keys[2][0], "");
}

TEST(RowScannerTest, BrokenQuotingIsABadRow) {
  Dialect csv{',', true};
  auto c = Scan("1,ok\n\"2\"x,bad\n3,ok\n", 2, {0}, false, csv);
  ASSERT_EQ(c.bad.size(), 1u);
  EXPECT_EQ(c.bad[0].first, 5u);
  EXPECT_EQ(c.bad[0].second, "unexpected character after a closing quote");
  EXPECT_EQ(c.rows.size(), 2u);
  auto u = Scan("1,ok\n\"never closed,x\n", 2, {0}, false, csv);
  ASSERT_EQ(u.bad.size(), 1u);
  EXPECT_EQ(u.bad[0].second, "unterminated quoted field");
  auto m = Scan("1,a\"b\n", 2, {0}, false, csv);
  ASSERT_EQ(m.bad.size(), 1u);
  EXPECT_NE(m.bad[0].second.find("--quote none"), std::string::npos);
}

TEST(RowScannerTest, QuoteNoneKeepsQuotesAsData) {
  auto c = Scan("\"1\t\"x\n", 2, {0}, false, Dialect{'\t', false});
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.keys[0][0], "\"1");
  EXPECT_FALSE(c.quoted[0]);
}

TEST(SplitFieldsTest, SplitsPlainAndQuotedRows) {
  std::vector<std::string_view> fields;
  std::string scratch;
  std::string plain = "a\t\tc";
  SplitFields(plain.data(), plain.size(), false, Dialect{}, &fields, &scratch);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"a", "", "c"}));
  std::string quoted = "\"a,1\",\"say \"\"hi\"\"\",,\"\"";
  SplitFields(quoted.data(), quoted.size(), true, Dialect{',', true}, &fields, &scratch);
  EXPECT_EQ(fields, (std::vector<std::string_view>{"a,1", "say \"hi\"", "", ""}));
}

}  // namespace
}  // namespace mergeflow
