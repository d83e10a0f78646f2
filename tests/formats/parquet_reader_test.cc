// mergeflow's Parquet reader: Thrift's compact protocol read back, the
// RLE/bit-packed hybrid decoded, values spelled by their logical types, and
// whole files written by mergeflow's writer read back to the same text
// (files written by DuckDB are read in tests/parquet/parquet_duckdb_test.py).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "formats/parquet/parquet_column_chunk.h"
#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_text_file.h"
#include "formats/parquet/parquet_text_stream.h"
#include "formats/parquet/parquet_value_text.h"
#include "formats/parquet/thrift_compact.h"
#include "io/file_system.h"
#include "test_files.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(ThriftCompactReaderTest, ReadsBackWhatTheWriterWrites) {
  ThriftCompactWriter w;
  w.BeginStruct();
  w.I32(1, -7);
  w.Bool(2, false);
  w.BeginStructField(3);
  w.Binary(1, "inner");
  w.EndStruct();
  w.BeginList(4, ThriftCompactWriter::kI32, 20);  // a long list: size in a varint
  for (int i = 0; i < 20; ++i) w.ListI32(i * 1000);
  w.I64(40, int64_t{1} << 40);  // an id jump past 15
  w.BeginList(41, ThriftCompactWriter::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.BeginStruct();
    w.I32(1, i);
    w.EndStruct();
  }
  w.EndStruct();

  ThriftCompactReader r(w.bytes());
  r.BeginStruct();
  ThriftCompactReader::Field f;
  std::vector<int16_t> ids;
  while (r.NextField(&f).value()) {
    ids.push_back(f.id);
    if (f.id == 1) { EXPECT_EQ(r.Int(f.type).value(), -7); }
    if (f.id == 2) { EXPECT_FALSE(r.Bool(f.type, false).value()); }
    if (f.id == 3) {
      r.BeginStruct();
      ASSERT_TRUE(r.NextField(&f).value());
      EXPECT_EQ(r.Binary().value(), "inner");
      EXPECT_FALSE(r.NextField(&f).value());
    }
    if (f.id == 4) {
      const auto list = r.BeginList().value();
      ASSERT_EQ(list.size, 20u);
      for (int i = 0; i < 20; ++i) EXPECT_EQ(r.Int(list.element_type).value(), i * 1000);
    }
    if (f.id == 40) { EXPECT_EQ(r.Int(f.type).value(), int64_t{1} << 40); }
    if (f.id == 41) { ASSERT_TRUE(r.Skip(f.type).ok()); }
  }
  EXPECT_EQ(ids, (std::vector<int16_t>{1, 2, 3, 4, 40, 41}));
  EXPECT_EQ(r.position(), w.bytes().size());
}

TEST(ThriftCompactReaderTest, EveryTruncationIsAnErrorNotAnOverread) {
  ThriftCompactWriter w;
  w.BeginStruct();
  w.Binary(1, "a value that is long enough");
  w.BeginList(2, ThriftCompactWriter::kBinary, 3);
  for (const char* s : {"x", "yy", "zzz"}) w.ListBinary(s);
  w.EndStruct();
  const std::string bytes = w.bytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    ThriftCompactReader r(std::string_view(bytes).substr(0, n));  // the view ends where the bytes do: ASan sees overreads
    EXPECT_FALSE(r.Skip(ThriftCompactReader::kStruct).ok()) << n;
  }
  ThriftCompactReader whole(bytes);
  EXPECT_TRUE(whole.Skip(ThriftCompactReader::kStruct).ok());
}

TEST(HybridDecodingTest, DecodesWhatTheWriterEncodes) {
  std::mt19937 random(7);
  for (int width : {1, 3, 8, 13, 20}) {
    std::vector<uint32_t> values(1000 + width);
    for (uint32_t& v : values) v = random() & ((1u << width) - 1);
    std::string encoded;
    PutIndexes(&encoded, values.data(), values.size(), width);
    std::vector<uint32_t> decoded(values.size());
    ASSERT_EQ(encoded[0], static_cast<char>(width));
    ASSERT_TRUE(DecodeHybrid(std::string_view(encoded).substr(1), width, values.size(), decoded.data()).ok());
    EXPECT_EQ(decoded, values) << width;
  }
  std::vector<bool> defined(777);
  for (size_t i = 0; i < defined.size(); ++i) defined[i] = i % 5 != 0 && i < 700;  // short and long runs
  std::string levels;
  PutDefinitionLevels(&levels, defined, 0, defined.size());
  std::vector<uint32_t> decoded(defined.size());
  ASSERT_TRUE(DecodeHybrid(std::string_view(levels).substr(4), 1, defined.size(), decoded.data()).ok());
  for (size_t i = 0; i < defined.size(); ++i) EXPECT_EQ(decoded[i], defined[i] ? 1u : 0u) << i;
}

TEST(HybridDecodingTest, RunsEndingEarlyAreErrors) {
  uint32_t out[16];
  // An RLE run of 4 copies of a 2-byte value, cut inside the value.
  EXPECT_FALSE(DecodeHybrid(std::string("\x08\x01", 2), 13, 4, out).ok());
  // A bit-packed run of 2 groups of width 3 (6 bytes) with 2 bytes present.
  EXPECT_FALSE(DecodeHybrid(std::string("\x05\xFF\xFF", 3), 3, 16, out).ok());
  // More values asked for than the runs hold.
  EXPECT_FALSE(DecodeHybrid(std::string("\x04\x01", 2), 1, 3, out).ok());
  ASSERT_TRUE(DecodeHybrid(std::string("\x04\x01", 2), 1, 2, out).ok());
  EXPECT_EQ(out[0], 1u);
  EXPECT_EQ(out[1], 1u);
}

// The two examples of Parquet's specification of DELTA_BINARY_PACKED,
// worked out to bytes by hand.
TEST(DeltaBinaryPackedTest, DecodesTheSpecificationsExamples) {
  std::vector<int64_t> out;
  // 1..5: block of 128 values in 4 miniblocks, 5 values, first 1 (zigzag 2);
  // min delta 1 (zigzag 2), every miniblock of width 0 (no bytes).
  const std::string ones("\x80\x01\x04\x05\x02\x02\x00\x00\x00\x00", 10);
  ASSERT_EQ(DecodeDeltaBinaryPacked(ones, 5, &out).value(), ones.size());
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  // 7 5 3 1 2 3 4 5: min delta -2 (zigzag 3); deltas less the minimum 0 0 0
  // 3 3 3 3 in 2 bits each: 0xC0 0x3F, then the miniblock's padding.
  const std::string mixed = std::string("\x80\x01\x04\x08\x0E\x03\x02\x00\x00\x00\xC0\x3F", 12) +
                            std::string(6, '\0');
  ASSERT_EQ(DecodeDeltaBinaryPacked(mixed, 8, &out).value(), mixed.size());
  EXPECT_EQ(out, (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  // Without the last miniblock's padding (some writers leave it out).
  ASSERT_TRUE(DecodeDeltaBinaryPacked(mixed.substr(0, 12), 8, &out).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  // Cut inside the values, or a malformed block size: errors.
  EXPECT_FALSE(DecodeDeltaBinaryPacked(mixed.substr(0, 11), 8, &out).ok());
  EXPECT_FALSE(DecodeDeltaBinaryPacked(std::string("\x05\x04\x08\x0E", 4), 8, &out).ok());
  EXPECT_FALSE(DecodeDeltaBinaryPacked(ones, 6, &out).ok());  // fewer values than asked for
}

// A data page of DELTA_BYTE_ARRAY strings (prefix lengths, then suffixes
// as DELTA_LENGTH_BYTE_ARRAY), built by hand: apple, applesauce, apply.
TEST(DeltaBinaryPackedTest, DeltaByteArrayPagesShareEachValuesPrefix) {
  const std::string padding(11, '\0');
  std::string values;
  values += std::string("\x80\x01\x04\x03\x00\x01\x03\x00\x00\x00\x06", 11) + padding;  // prefixes 0 5 4
  values += std::string("\x80\x01\x04\x03\x0A\x07\x03\x00\x00\x00\x04", 11) + padding;  // lengths 5 5 1
  values += "applesaucey";
  ThriftCompactWriter header;
  header.BeginStruct();
  header.I32(1, 0);  // DATA_PAGE
  header.I32(2, static_cast<int32_t>(values.size()));
  header.I32(3, static_cast<int32_t>(values.size()));
  header.BeginStructField(5);
  header.I32(1, 3);  // values
  header.I32(2, 7);  // DELTA_BYTE_ARRAY
  header.I32(3, 3);
  header.I32(4, 3);
  header.EndStruct();
  header.EndStruct();
  const std::string chunk_bytes = header.bytes() + values;
  ParquetColumn column;
  column.name = "fruit";
  column.physical = 6;
  column.optional = false;
  ParquetChunkMeta chunk;
  chunk.values = 3;
  chunk.compressed_size = static_cast<int64_t>(chunk_bytes.size());
  TextColumn out;
  const Status decoded = DecodeColumnChunk(column, chunk, chunk_bytes, &out);
  ASSERT_TRUE(decoded.ok()) << decoded.message();
  ASSERT_EQ(out.ends.size(), 3u);
  EXPECT_EQ(out.Value(0), "apple");
  EXPECT_EQ(out.Value(1), "applesauce");
  EXPECT_EQ(out.Value(2), "apply");
  // A prefix longer than the value before it: an error naming the column.
  std::string bad = chunk_bytes;
  bad[header.bytes().size() + 10] = '\x07';  // prefixes 0 6 5: "apple" has no 6 bytes
  const Status refused = DecodeColumnChunk(column, chunk, bad, &out);
  EXPECT_EQ(refused.message(), "column 'fruit': a delta-encoded byte array's lengths are out of range");
}

// The text of one PLAIN value of a column of `physical` type and `logical` meaning.
std::string Text(int32_t physical, ParquetLogical logical, std::string bytes, int scale = 0, int digits = 0) {
  ParquetColumn c;
  c.physical = physical;
  c.logical = logical;
  c.scale = scale;
  c.time_unit_digits = digits;
  c.type_length = static_cast<int32_t>(bytes.size());
  std::string out;
  const Result<size_t> used = AppendPlainValueText(c, bytes, &out);
  EXPECT_TRUE(used.ok()) << used.status().message();
  return out;
}

template <typename T>
std::string Le(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

TEST(ParquetValueTextTest, LogicalTypesAreSpelledAsPeopleWriteThem) {
  using L = ParquetLogical;
  EXPECT_EQ(Text(1, L::kNone, Le<int32_t>(-42)), "-42");
  EXPECT_EQ(Text(1, L::kUnsigned, Le<int32_t>(-1)), "4294967295");
  EXPECT_EQ(Text(2, L::kUnsigned, Le<int64_t>(-1)), "18446744073709551615");
  EXPECT_EQ(Text(1, L::kDecimal, Le<int32_t>(-1250), 2), "-12.50");
  EXPECT_EQ(Text(2, L::kDecimal, Le<int64_t>(5), 3), "0.005");
  EXPECT_EQ(Text(7, L::kDecimal, std::string("\xFF\x85", 2), 1), "-12.3");  // -123 big-endian
  EXPECT_EQ(Text(1, L::kDate, Le<int32_t>(19783)), "2024-03-01");
  EXPECT_EQ(Text(1, L::kDate, Le<int32_t>(-1)), "1969-12-31");
  EXPECT_EQ(Text(2, L::kTimestamp, Le<int64_t>(1709296200000000), 0, 6), "2024-03-01 12:30:00");
  EXPECT_EQ(Text(2, L::kTimestamp, Le<int64_t>(1709296200120), 0, 3), "2024-03-01 12:30:00.12");
  EXPECT_EQ(Text(2, L::kTimestamp, Le<int64_t>(-1), 0, 6), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(Text(2, L::kTime, Le<int64_t>(45296000001), 0, 6), "12:34:56.000001");
  // INT96: nanoseconds of the day, then the Julian day (2460371 is 2024-03-01).
  EXPECT_EQ(Text(3, L::kTimestamp, Le<int64_t>(45000000000000) + Le<int32_t>(2460371), 0, 9), "2024-03-01 12:30:00");
  EXPECT_EQ(Text(4, L::kNone, Le<float>(0.1f)), "0.1");
  EXPECT_EQ(Text(5, L::kNone, Le<double>(1e-5)), "1e-05");
  EXPECT_EQ(Text(5, L::kNone, Le<double>(2)), "2.0");
  // Outside the years 1 to 9999 (or the day): the number stored.
  EXPECT_EQ(Text(1, L::kDate, Le<int32_t>(-719163)), "-719163");
  EXPECT_EQ(Text(2, L::kTimestamp, Le<int64_t>(INT64_MAX), 0, 6), "9223372036854775807");
  EXPECT_EQ(Text(2, L::kTimestamp, Le<int64_t>(INT64_MIN), 0, 9), "1677-09-21 00:12:43.145224192");
  EXPECT_EQ(Text(2, L::kTime, Le<int64_t>(86400000000), 0, 6), "86400000000");
  EXPECT_EQ(Text(3, L::kTimestamp, Le<int64_t>(0) + Le<int32_t>(INT32_MIN), 0, 9),
            "-185753453990400000000000");  // (INT32_MIN - 2440588) days in nanoseconds
  EXPECT_EQ(Text(7, L::kUuid, std::string("\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89\xab\xcd\xef", 16)),
            "12345678-9abc-def0-0123-456789abcdef");
  EXPECT_EQ(Text(6, L::kNone, Le<uint32_t>(3) + "a\tb"), "a\tb");
}

// Writes `text` as Parquet to `path` with mergeflow's writer.
void WriteParquet(const std::string& path, const std::string& text, std::vector<ColumnType> types,
                  ParquetOptions options) {
  FileSystem* fs = FileSystemFor(path).value();
  std::unique_ptr<WritableFile> file =
      NewParquetTextFile(fs->OpenForWrite(path).value(), Dialect{}, std::move(types), options);
  ASSERT_TRUE(file->Append(text).ok());
  const Status closed = file->Close();
  ASSERT_TRUE(closed.ok()) << closed.message();
}

Result<std::string> ReadAsText(const std::string& path, Dialect dialect = Dialect{}) {
  MF_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> stream, OpenParquetAsText(path, dialect));
  std::string text;
  char buffer[4096];
  for (;;) {
    MF_ASSIGN_OR_RETURN(const size_t got, stream->Read(buffer, sizeof buffer));
    if (got == 0) return text;
    text.append(buffer, got);
  }
}

// A table of `rows` rows: a repeating text column (dictionary-encoded), a
// distinct one (PLAIN) holding separators, quotes and line breaks, a double
// and an integer column with empty (NULL) values.
std::string SampleTable(int rows) {
  std::string text = "group\tnote\tscore\tcount\n";
  for (int i = 0; i < rows; ++i) {
    text += "g" + std::to_string(i % 7) + "\t";
    text += i % 3 == 0 ? "\"tab\there \"\"quoted\"\"\nline " + std::to_string(i) + "\"" : "n" + std::to_string(i);
    text += "\t" + (i % 4 == 0 ? std::string() : std::to_string(i) + ".5");
    text += "\t" + (i % 5 == 0 ? std::string() : std::to_string(i * 1000003LL)) + "\n";
  }
  return text;
}

TEST(ParquetTextStreamTest, MergeflowsOwnFilesReadBackToTheSameText) {
  TempDir dir;
  const std::vector<ColumnType> types = {ColumnType::kText, ColumnType::kText, ColumnType::kDouble,
                                         ColumnType::kInt64};
  const std::string text = SampleTable(5000);
  for (ParquetCodec codec : {ParquetCodec::kZstd, ParquetCodec::kSnappy, ParquetCodec::kNone}) {
    for (uint64_t group_bytes : {uint64_t{128} << 20, uint64_t{10000}}) {  // one row group, or many
      ParquetOptions options;
      options.codec = codec;
      options.row_group_bytes = group_bytes;
      const std::string path = dir / "t.parquet";
      WriteParquet(path, text, types, options);
      const Result<std::string> back = ReadAsText(path);
      ASSERT_TRUE(back.ok()) << back.status().message();
      EXPECT_EQ(back.value(), text) << static_cast<int>(codec) << " " << group_bytes;
    }
  }
}

TEST(ParquetTextStreamTest, HeaderOnlyAndCommaDialect) {
  TempDir dir;
  WriteParquet(dir / "empty.parquet", "a\tb\n", {}, ParquetOptions());
  EXPECT_EQ(ReadAsText(dir / "empty.parquet").value(), "a\tb\n");
  WriteParquet(dir / "t.parquet", "a\tb\nx,y\t1\n", {}, ParquetOptions());
  EXPECT_EQ(ReadAsText(dir / "t.parquet", Dialect{',', true}).value(), "a,b\n\"x,y\",1\n");
  const Result<std::string> raw = ReadAsText(dir / "t.parquet", Dialect{',', false});
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.status().message(), dir / "t.parquet" +
                                        ": row 1, column 1 holds the separator or a line break: read it with "
                                        "quoting (not --quote none)");
}

TEST(ParquetTextStreamTest, TruncatedAndCorruptFilesAreErrorsNamingTheFile) {
  TempDir dir;
  const std::string good = dir / "good.parquet";
  WriteParquet(good, SampleTable(300), {ColumnType::kText, ColumnType::kText, ColumnType::kDouble, ColumnType::kInt64},
               ParquetOptions());
  const std::string bytes = ReadFile(good);
  const std::string bad = dir / "bad.parquet";
  for (size_t cut : {size_t{0}, size_t{4}, size_t{11}, bytes.size() / 2, bytes.size() - 1}) {
    WriteFile(bad, bytes.substr(0, cut));
    const Result<std::string> read = ReadAsText(bad);
    ASSERT_FALSE(read.ok()) << cut;
    EXPECT_EQ(read.status().message().rfind(bad + ": ", 0), 0u) << read.status().message();
  }
  // Bytes flipped anywhere: an error or some text, never a crash or an
  // overread (the sanitizer builds run this).
  std::mt19937 random(11);
  int errors = 0;
  for (int round = 0; round < 300; ++round) {
    std::string corrupt = bytes;
    for (int k = 0; k < 3; ++k) corrupt[random() % corrupt.size()] ^= static_cast<char>(1 + random() % 255);
    WriteFile(bad, corrupt);
    errors += !ReadAsText(bad).ok();
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace mergeflow
