#include "formats/parquet/parquet_value_text.h"

#include <chrono>
#include <cstdint>
#include <cstring>

#include "formats/parquet/parquet_format.h"
#include "text/number_format.h"

namespace mergeflow {
namespace {

using namespace parquet;  // NOLINT: the format's names

template <typename T>
T LoadLittleEndian(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Appends `v` in decimal, at least `width` digits (zero-padded).
void AppendPadded(std::string* out, uint64_t v, int width) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = n; i < width; ++i) out->push_back('0');
  while (n > 0) out->push_back(digits[--n]);
}

void AppendSigned(std::string* out, __int128 v) {
  if (v < 0) out->push_back('-');
  unsigned __int128 magnitude = v < 0 ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  char digits[48];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  while (n > 0) out->push_back(digits[--n]);
}

void AppendDecimal(std::string* out, __int128 unscaled, int scale) {
  if (scale <= 0) {
    AppendSigned(out, unscaled);
    for (int i = 0; i < -scale; ++i) out->push_back('0');
    return;
  }
  std::string digits;
  AppendSigned(&digits, unscaled < 0 ? -unscaled : unscaled);
  if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
  if (unscaled < 0) out->push_back('-');
  out->append(digits, 0, digits.size() - static_cast<size_t>(scale));
  out->push_back('.');
  out->append(digits, digits.size() - static_cast<size_t>(scale));
}

// Days since 1970-01-01 of 0001-01-01 and of 9999-12-31: dates outside are
// spelled as the number stored.
constexpr int64_t kFirstDay = -719162;
constexpr int64_t kLastDay = 2932896;

// REQUIRES: days in [kFirstDay, kLastDay].
void AppendDate(std::string* out, int64_t days) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  AppendPadded(out, static_cast<uint64_t>(static_cast<int>(date.year())), 4);
  out->push_back('-');
  AppendPadded(out, static_cast<unsigned>(date.month()), 2);
  out->push_back('-');
  AppendPadded(out, static_cast<unsigned>(date.day()), 2);
}

// HH:MM:SS of `seconds` into a day, then the fraction `fraction` of
// `digits` digits when it is not zero, trailing zeros dropped.
void AppendTimeOfDay(std::string* out, int64_t seconds, uint64_t fraction, int digits) {
  AppendPadded(out, static_cast<uint64_t>(seconds / 3600), 2);
  out->push_back(':');
  AppendPadded(out, static_cast<uint64_t>(seconds / 60 % 60), 2);
  out->push_back(':');
  AppendPadded(out, static_cast<uint64_t>(seconds % 60), 2);
  if (fraction != 0) {
    out->push_back('.');
    AppendPadded(out, fraction, digits);
    while (out->back() == '0') out->pop_back();
  }
}

int64_t PowerOfTen(int digits) {
  int64_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

// `units` of 10^-digits seconds since 1970-01-01 00:00:00.
void AppendTimestamp(std::string* out, int64_t units, int digits) {
  const int64_t per_second = PowerOfTen(digits);
  int64_t seconds = units / per_second, fraction = units % per_second;
  if (fraction < 0) {
    fraction += per_second;
    --seconds;
  }
  int64_t days = seconds / 86400, in_day = seconds % 86400;
  if (in_day < 0) {
    in_day += 86400;
    --days;
  }
  if (days < kFirstDay || days > kLastDay) return AppendSigned(out, units);
  AppendDate(out, days);
  out->push_back(' ');
  AppendTimeOfDay(out, in_day, static_cast<uint64_t>(fraction), digits);
}

void AppendInteger(std::string* out, const ParquetColumn& column, int64_t v) {
  const int digits = column.time_unit_digits;
  switch (column.logical) {
    case ParquetLogical::kDecimal:
      return AppendDecimal(out, v, column.scale);
    case ParquetLogical::kDate:
      if (v < kFirstDay || v > kLastDay) return AppendSigned(out, v);
      return AppendDate(out, v);
    case ParquetLogical::kTimestamp:
      return AppendTimestamp(out, v, digits);
    case ParquetLogical::kTime:
      if (v < 0 || v / PowerOfTen(digits) >= 86400) return AppendSigned(out, v);
      return AppendTimeOfDay(out, v / PowerOfTen(digits), static_cast<uint64_t>(v % PowerOfTen(digits)), digits);
    case ParquetLogical::kUnsigned:
      return AppendCount(out, column.physical == kInt32Type ? static_cast<uint32_t>(v) : static_cast<uint64_t>(v));
    default:
      return AppendSigned(out, v);
  }
}

// A big-endian two's-complement DECIMAL held in bytes.
Status AppendBytesDecimal(std::string* out, std::string_view bytes, int scale) {
  if (bytes.size() > 16) return Status::BadInput("a decimal wider than 128 bits");
  if (bytes.empty()) return Status::OK();
  unsigned __int128 v = static_cast<int8_t>(bytes[0]) < 0 ? ~static_cast<unsigned __int128>(0) : 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  AppendDecimal(out, static_cast<__int128>(v), scale);
  return Status::OK();
}

void AppendUuid(std::string* out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out->push_back('-');
    out->push_back(kHex[static_cast<uint8_t>(bytes[i]) >> 4]);
    out->push_back(kHex[static_cast<uint8_t>(bytes[i]) & 15]);
  }
}

// The bytes of a byte-array value, spelled.
Status AppendBytes(std::string* out, const ParquetColumn& column, std::string_view bytes) {
  if (column.logical == ParquetLogical::kDecimal) return AppendBytesDecimal(out, bytes, column.scale);
  if (column.logical == ParquetLogical::kUuid && bytes.size() == 16) {
    AppendUuid(out, bytes);
    return Status::OK();
  }
  out->append(bytes);
  return Status::OK();
}

}  // namespace

size_t PlainValueBytes(const ParquetColumn& column) {
  switch (column.physical) {
    case kInt32Type:
    case kFloatType:
      return 4;
    case kInt64Type:
    case kDoubleType:
      return 8;
    case kInt96:
      return 12;
    case kFixedLenByteArray:
      return static_cast<size_t>(column.type_length);
    default:
      return 0;
  }
}

Result<size_t> AppendPlainValueText(const ParquetColumn& column, std::string_view data, std::string* out) {
  const Status short_data = Status::BadInput("a page's values end early");
  if (column.physical == kByteArray) {
    if (data.size() < 4) return short_data;
    const uint32_t length = LoadLittleEndian<uint32_t>(data.data());
    if (length > data.size() - 4) return short_data;
    MF_RETURN_IF_ERROR(AppendBytes(out, column, data.substr(4, length)));
    return size_t{4} + length;
  }
  const size_t size = PlainValueBytes(column);
  if (data.size() < size || size == 0) return short_data;
  const char* p = data.data();
  switch (column.physical) {
    case kInt32Type:
      AppendInteger(out, column, LoadLittleEndian<int32_t>(p));
      break;
    case kInt64Type:
      AppendInteger(out, column, LoadLittleEndian<int64_t>(p));
      break;
    case kFloatType:
      AppendShortestFloat(out, LoadLittleEndian<float>(p));
      break;
    case kDoubleType:
      AppendShortestDouble(out, LoadLittleEndian<double>(p));
      break;
    case kInt96: {
      constexpr int64_t kUnixEpochJulianDay = 2440588;
      const int64_t nanos = LoadLittleEndian<int64_t>(p);
      const int64_t day = LoadLittleEndian<int32_t>(p + 8) - kUnixEpochJulianDay;
      constexpr int64_t kNanosPerDay = int64_t{86400} * 1000000000;
      if (day < kFirstDay || day > kLastDay || nanos < 0 || nanos >= kNanosPerDay) {
        AppendSigned(out, static_cast<__int128>(day) * kNanosPerDay + nanos);  // nanoseconds since 1970
        break;
      }
      AppendDate(out, day);
      out->push_back(' ');
      AppendTimeOfDay(out, nanos / 1000000000, static_cast<uint64_t>(nanos % 1000000000), 9);
      break;
    }
    default:
      MF_RETURN_IF_ERROR(AppendBytes(out, column, data.substr(0, size)));
  }
  return size;
}

}  // namespace mergeflow
