// Parquet's enumerations and constants as its format specification defines
// them (the parts mergeflow writes and reads), and the column types and page codecs
// mergeflow offers.
#pragma once

#include <cstdint>

namespace mergeflow {

// What the values of a column are.
enum class ColumnType { kText, kDouble, kInt64 };

// How pages are compressed.
enum class ParquetCodec { kZstd, kSnappy, kNone };

namespace parquet {

constexpr int32_t kBoolean = 0;        // Type
constexpr int32_t kInt32Type = 1;      // Type
constexpr int32_t kInt64Type = 2;      // Type
constexpr int32_t kInt96 = 3;          // Type
constexpr int32_t kFloatType = 4;      // Type
constexpr int32_t kDoubleType = 5;     // Type
constexpr int32_t kByteArray = 6;      // Type
constexpr int32_t kFixedLenByteArray = 7;  // Type
constexpr int32_t kRequired = 0;       // FieldRepetitionType
constexpr int32_t kOptional = 1;       // FieldRepetitionType
constexpr int32_t kRepeated = 2;       // FieldRepetitionType
constexpr int32_t kUtf8 = 0;           // ConvertedType
constexpr int32_t kPlain = 0;          // Encoding
constexpr int32_t kPlainDictionary = 2;  // Encoding (dictionary indexes, Parquet 1.0)
constexpr int32_t kRle = 3;            // Encoding (definition levels)
constexpr int32_t kDeltaBinaryPacked = 5;     // Encoding
constexpr int32_t kDeltaLengthByteArray = 6;  // Encoding
constexpr int32_t kDeltaByteArray = 7;        // Encoding
constexpr int32_t kRleDictionary = 8;  // Encoding
constexpr int32_t kByteStreamSplit = 9;       // Encoding
constexpr int32_t kDataPage = 0;       // PageType
constexpr int32_t kDictionaryPage = 2; // PageType
constexpr int32_t kDataPageV2 = 3;     // PageType
constexpr int32_t kUncompressed = 0;   // CompressionCodec
constexpr int32_t kSnappyCodec = 1;    // CompressionCodec
constexpr int32_t kGzipCodec = 2;      // CompressionCodec
constexpr int32_t kBrotliCodec = 4;    // CompressionCodec
constexpr int32_t kZstdCodec = 6;      // CompressionCodec
constexpr int32_t kLz4RawCodec = 7;    // CompressionCodec
constexpr char kMagic[] = "PAR1";      // the first and last 4 bytes of a file

// Parquet's CompressionCodec of `codec`.
inline int32_t CodecId(ParquetCodec codec) {
  return codec == ParquetCodec::kZstd ? kZstdCodec : codec == ParquetCodec::kSnappy ? kSnappyCodec : kUncompressed;
}

// The physical Type of a column of `type`.
inline int32_t PhysicalType(ColumnType type) {
  return type == ColumnType::kText ? kByteArray : type == ColumnType::kInt64 ? kInt64Type : kDoubleType;
}

}  // namespace parquet
}  // namespace mergeflow
