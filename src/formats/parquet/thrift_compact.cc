#include "formats/parquet/thrift_compact.h"

namespace mergeflow {
namespace {

// Field types of a field header (booleans carry their value in the type).
constexpr uint8_t kTrue = 1;
constexpr uint8_t kFalse = 2;
constexpr uint8_t kList = 9;

}  // namespace

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void ThriftCompactWriter::FieldHeader(int16_t id, uint8_t type) {
  int16_t& last = last_ids_.back();
  const int delta = id - last;
  if (delta > 0 && delta <= 15) {
    bytes_.push_back(static_cast<char>((delta << 4) | type));
  } else {
    bytes_.push_back(static_cast<char>(type));
    AppendVarint(&bytes_, ZigZag(id));
  }
  last = id;
}

void ThriftCompactWriter::BeginStruct() { last_ids_.push_back(0); }

void ThriftCompactWriter::EndStruct() {
  bytes_.push_back(0);  // stop
  last_ids_.pop_back();
}

void ThriftCompactWriter::BeginStructField(int16_t id) {
  FieldHeader(id, kStruct);
  BeginStruct();
}

void ThriftCompactWriter::I32(int16_t id, int32_t value) {
  FieldHeader(id, kI32);
  AppendVarint(&bytes_, ZigZag(value));
}

void ThriftCompactWriter::I64(int16_t id, int64_t value) {
  FieldHeader(id, kI64);
  AppendVarint(&bytes_, ZigZag(value));
}

void ThriftCompactWriter::Bool(int16_t id, bool value) { FieldHeader(id, value ? kTrue : kFalse); }

void ThriftCompactWriter::Binary(int16_t id, std::string_view value) {
  FieldHeader(id, kBinary);
  ListBinary(value);
}

void ThriftCompactWriter::BeginList(int16_t id, Type type, uint32_t size) {
  FieldHeader(id, kList);
  if (size < 15) {
    bytes_.push_back(static_cast<char>((size << 4) | type));
  } else {
    bytes_.push_back(static_cast<char>(0xF0 | type));
    AppendVarint(&bytes_, size);
  }
}

void ThriftCompactWriter::ListBinary(std::string_view value) {
  AppendVarint(&bytes_, value.size());
  bytes_.append(value);
}

}  // namespace mergeflow
