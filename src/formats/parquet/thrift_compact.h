// ThriftCompactWriter: Apache Thrift's compact protocol, the encoding of
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
#include <string>
#include <string_view>
#include <vector>

namespace mergeflow {

// Appends `v` as an unsigned LEB128 varint (7 bits a byte, low bits first),
// the integer encoding of Thrift's compact protocol and of Parquet's RLE
// run headers.
void AppendVarint(std::string* out, uint64_t v);

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

}  // namespace mergeflow
