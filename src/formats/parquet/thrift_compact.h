// ThriftCompactWriter and ThriftCompactReader: Apache Thrift's compact protocol, the encoding of
// Parquet's page headers and footer, written directly (only what Parquet's
// structures use: integers, binary, lists of structs or scalars, structs).
//
// Fields are written in increasing id order within a struct, as the
// protocol's short field headers (id deltas) expect:
//
//   ThriftCompactWriter w;
//   w.BeginStruct();
//   w.I32(1, 7);               // field 1: i32
//   w.BeginStructField(2);     // field 2: a struct
//   w.Binary(1, "name");
//   w.EndStruct();
//   w.EndStruct();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/varint.h"

namespace mergeflow {

class ThriftCompactWriter {
 public:
  // The compact protocol's element types (as in a list header).
  enum Type : uint8_t { kI32 = 5, kI64 = 6, kBinary = 8, kStruct = 12 };

  // A top-level struct (a page header, the footer), or a struct as a list element.
  void BeginStruct();
  void EndStruct();
  // A struct-valued field.
  void BeginStructField(int16_t id);

  void I32(int16_t id, int32_t value);
  void I64(int16_t id, int64_t value);
  void Bool(int16_t id, bool value);
  void Binary(int16_t id, std::string_view value);

  // A list field of `size` elements of `type`, written next with ListI32,
  // ListBinary or BeginStruct/EndStruct per element.
  void BeginList(int16_t id, Type type, uint32_t size);
  void ListI32(int32_t value) { AppendVarint(&bytes_, ZigZag(value)); }
  void ListBinary(std::string_view value);

  const std::string& bytes() const { return bytes_; }
  std::string Take() { return std::move(bytes_); }

 private:
  static uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
  void FieldHeader(int16_t id, uint8_t type);

  std::string bytes_;
  std::vector<int16_t> last_ids_;  // per open struct: the last field id written
};

// ThriftCompactReader: reads what ThriftCompactWriter writes (and what any
// Parquet writer's footer and page headers hold), field by field. A caller
// walks a struct with NextField, reads the fields it knows by their id and
// Skip()s the rest:
//
//   ThriftCompactReader r(bytes);
//   r.BeginStruct();
//   ThriftCompactReader::Field f;
//   while (r.NextField(&f).value()) {
//     if (f.id == 1) x = r.Int(f).value(); else r.Skip(f.type);
//   }
//
// Every read checks its bounds: a truncated or corrupt encoding is
// BadInput("..."), never a read past the bytes given.
class ThriftCompactReader {
 public:
  // The compact protocol's type codes.
  enum Type : uint8_t {
    kBoolTrue = 1, kBoolFalse = 2, kByte = 3, kI16 = 4, kI32 = 5, kI64 = 6, kDouble = 7,
    kBinary = 8, kList = 9, kSet = 10, kMap = 11, kStruct = 12,
  };
  struct Field {
    int16_t id = 0;
    uint8_t type = 0;
  };
  struct ListHeader {
    uint8_t element_type = 0;
    uint32_t size = 0;
  };

  explicit ThriftCompactReader(std::string_view bytes) : bytes_(bytes) {}

  // Enters a struct (the top-level one too); NextField then walks its fields.
  void BeginStruct() { last_ids_.push_back(0); }
  // The next field of the current struct in `field`, or false at its end
  // (the struct is then left).
  Result<bool> NextField(Field* field);
  // An integer field or list element (byte, i16, i32, i64) of type `type`.
  Result<int64_t> Int(uint8_t type);
  // A boolean field (its value is its type) or list element (one byte).
  Result<bool> Bool(uint8_t type, bool in_list);
  Result<std::string_view> Binary();
  Result<ListHeader> BeginList();
  // Skips a value of `type` (a field's or a list element's).
  Status Skip(uint8_t type, bool in_list = false);

  // Bytes consumed so far.
  size_t position() const { return pos_; }

 private:
  Result<uint64_t> Varint();
  Status SkipValue(uint8_t type, bool in_list, int depth);

  std::string_view bytes_;
  size_t pos_ = 0;
  std::vector<int16_t> last_ids_;
};

}  // namespace mergeflow
