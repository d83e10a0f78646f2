// The byte encodings under mergeflow's Parquet writer, against bytes worked
// out by hand from Thrift's compact protocol and Parquet's encodings
// specifications (the whole files are read back by DuckDB in
// tests/parquet/parquet_duckdb_test.py).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/thrift_compact.h"

namespace mergeflow {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(ThriftCompactTest, ShortFieldHeadersCarryTheIdDelta) {
  ThriftCompactWriter w;
  w.BeginStruct();
  w.I32(1, 7);        // delta 1, type i32 (5); zigzag(7) = 14
  w.Bool(2, true);    // delta 1, type "true" (1)
  w.Binary(4, "ab");  // delta 2, type binary (8); length 2
  w.EndStruct();
  EXPECT_EQ(w.bytes(), Bytes({0x15, 0x0E, 0x11, 0x28, 0x02, 'a', 'b', 0x00}));
}

TEST(ThriftCompactTest, ALongJumpWritesTheIdAndNegativesAreZigzagged) {
  ThriftCompactWriter w;
  w.BeginStruct();
  w.I32(1, -1);    // zigzag(-1) = 1
  w.I64(20, -64);  // delta 19 > 15: type byte, then zigzag(20) = 40; zigzag(-64) = 127
  w.I64(21, 64);   // zigzag(64) = 128: two varint bytes
  w.EndStruct();
  EXPECT_EQ(w.bytes(), Bytes({0x15, 0x01, 0x06, 0x28, 0x7F, 0x16, 0x80, 0x01, 0x00}));
}

TEST(ThriftCompactTest, ListsAndNestedStructsKeepTheirOwnFieldIds) {
  ThriftCompactWriter w;
  w.BeginStruct();
  w.BeginList(3, ThriftCompactWriter::kI32, 2);  // delta 3, type list (9); size 2 << 4 | i32
  w.ListI32(1);
  w.ListI32(2);
  w.BeginList(4, ThriftCompactWriter::kBinary, 15);  // 15 elements: 0xF8, then the size
  for (int i = 0; i < 15; ++i) w.ListBinary("");
  w.BeginStructField(5);  // delta 1, type struct (12)
  w.I32(1, 0);            // ids start again inside
  w.EndStruct();
  w.EndStruct();
  std::string want = Bytes({0x39, 0x25, 0x02, 0x04, 0x19, 0xF8, 0x0F});
  want += std::string(15, '\0');
  want += Bytes({0x1C, 0x15, 0x00, 0x00, 0x00});
  EXPECT_EQ(w.bytes(), want);
}

TEST(ParquetEncodingTest, VarintsAndPlainValues) {
  std::string out;
  AppendVarint(&out, 300);
  PutPlain(&out, "hi");
  EXPECT_EQ(out, Bytes({0xAC, 0x02, 0x02, 0x00, 0x00, 0x00, 'h', 'i'}));
}

TEST(ParquetEncodingTest, DictionaryIndexesAreBitPackedInGroupsOfEight) {
  const std::vector<uint32_t> indexes = {0, 1, 2, 3, 3, 2, 1, 0, 1};
  std::string out;
  PutIndexes(&out, indexes.data(), indexes.size(), 2);
  // width 2; one bit-packed run of 2 groups ((2 << 1) | 1); 0,1,2,3 -> 0b11100100;
  // 3,2,1,0 -> 0b00011011; 1 then padding -> 0b00000001, 0
  EXPECT_EQ(out, Bytes({0x02, 0x05, 0xE4, 0x1B, 0x01, 0x00}));
}

TEST(ParquetEncodingTest, DefinitionLevelsAreRleRunsAfterTheirLength) {
  const std::vector<bool> defined = {true, true, true, false, false, true, false};
  std::string out;
  PutDefinitionLevels(&out, defined, 0, 6);
  // runs (3 x 1), (2 x 0), (1 x 1): header run << 1, then the value in one byte
  EXPECT_EQ(out, Bytes({0x06, 0x00, 0x00, 0x00, 0x06, 0x01, 0x04, 0x00, 0x02, 0x01}));
}

TEST(ParquetEncodingTest, NumbersParseWholeOrNotAtAll) {
  char bytes[8];
  ASSERT_TRUE(ParseNumber("-2", ColumnType::kInt64, bytes));
  int64_t i;
  std::memcpy(&i, bytes, 8);
  EXPECT_EQ(i, -2);
  ASSERT_TRUE(ParseNumber("1e-05", ColumnType::kDouble, bytes));
  double d;
  std::memcpy(&d, bytes, 8);
  EXPECT_EQ(d, 1e-05);
  EXPECT_FALSE(ParseNumber("2.5", ColumnType::kInt64, bytes));
  EXPECT_FALSE(ParseNumber("12abc", ColumnType::kDouble, bytes));
  EXPECT_FALSE(ParseNumber("", ColumnType::kDouble, bytes));
}

}  // namespace
}  // namespace mergeflow
