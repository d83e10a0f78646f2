#include "formats/parquet/thrift_compact.h"

namespace mergeflow {
namespace {

// Field types of a field header (booleans carry their value in the type).
constexpr uint8_t kTrue = 1;
constexpr uint8_t kFalse = 2;
constexpr uint8_t kList = 9;

}  // namespace

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

namespace mergeflow {
namespace {

constexpr int kMaxDepth = 64;  // nesting a corrupt encoding could claim

Status Truncated() { return Status::BadInput("truncated Thrift encoding"); }

int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

}  // namespace

Result<uint64_t> ThriftCompactReader::Varint() {
  const std::optional<uint64_t> v = ReadVarint(bytes_, &pos_);
  if (!v.has_value()) return Truncated();
  return *v;
}

Result<bool> ThriftCompactReader::NextField(Field* field) {
  if (pos_ >= bytes_.size()) return Truncated();
  const uint8_t header = static_cast<uint8_t>(bytes_[pos_++]);
  if (header == 0) {
    last_ids_.pop_back();
    return false;
  }
  field->type = header & 0x0F;
  const int delta = header >> 4;
  if (delta != 0) {
    field->id = static_cast<int16_t>(last_ids_.back() + delta);
  } else {
    MF_ASSIGN_OR_RETURN(const uint64_t id, Varint());
    field->id = static_cast<int16_t>(UnZigZag(id));
  }
  last_ids_.back() = field->id;
  return true;
}

Result<int64_t> ThriftCompactReader::Int(uint8_t type) {
  if (type == kByte) {
    if (pos_ >= bytes_.size()) return Truncated();
    return static_cast<int8_t>(bytes_[pos_++]);
  }
  if (type != kI16 && type != kI32 && type != kI64)
    return Status::BadInput("Thrift type " + std::to_string(type) + " where an integer was expected");
  MF_ASSIGN_OR_RETURN(const uint64_t v, Varint());
  return UnZigZag(v);
}

Result<bool> ThriftCompactReader::Bool(uint8_t type, bool in_list) {
  if (in_list) {
    if (pos_ >= bytes_.size()) return Truncated();
    return bytes_[pos_++] == kBoolTrue;
  }
  if (type != kBoolTrue && type != kBoolFalse)
    return Status::BadInput("Thrift type " + std::to_string(type) + " where a boolean was expected");
  return type == kBoolTrue;
}

Result<std::string_view> ThriftCompactReader::Binary() {
  MF_ASSIGN_OR_RETURN(const uint64_t size, Varint());
  if (size > bytes_.size() - pos_) return Truncated();
  const std::string_view value = bytes_.substr(pos_, size);
  pos_ += size;
  return value;
}

Result<ThriftCompactReader::ListHeader> ThriftCompactReader::BeginList() {
  if (pos_ >= bytes_.size()) return Truncated();
  const uint8_t header = static_cast<uint8_t>(bytes_[pos_++]);
  ListHeader list;
  list.element_type = header & 0x0F;
  list.size = header >> 4;
  if (list.size == 15) {
    MF_ASSIGN_OR_RETURN(const uint64_t size, Varint());
    if (size > bytes_.size() - pos_) return Truncated();  // every element takes a byte at least
    list.size = static_cast<uint32_t>(size);
  }
  return list;
}

Status ThriftCompactReader::Skip(uint8_t type, bool in_list) { return SkipValue(type, in_list, 0); }

Status ThriftCompactReader::SkipValue(uint8_t type, bool in_list, int depth) {
  if (depth > kMaxDepth) return Status::BadInput("Thrift structures nested too deep");
  switch (type) {
    case kBoolTrue:
    case kBoolFalse:
      if (in_list) return Bool(type, true).status_or_ok();
      return Status::OK();
    case kByte:
    case kI16:
    case kI32:
    case kI64:
      return Int(type).status_or_ok();
    case kDouble:
      if (bytes_.size() - pos_ < 8) return Truncated();
      pos_ += 8;
      return Status::OK();
    case kBinary:
      return Binary().status_or_ok();
    case kList:
    case kSet: {
      MF_ASSIGN_OR_RETURN(const ListHeader list, BeginList());
      for (uint32_t i = 0; i < list.size; ++i) MF_RETURN_IF_ERROR(SkipValue(list.element_type, true, depth + 1));
      return Status::OK();
    }
    case kMap: {
      MF_ASSIGN_OR_RETURN(const uint64_t size, Varint());
      if (size == 0) return Status::OK();
      if (size > bytes_.size() - pos_) return Truncated();
      const uint8_t types = static_cast<uint8_t>(bytes_[pos_++]);
      for (uint64_t i = 0; i < size; ++i) {
        MF_RETURN_IF_ERROR(SkipValue(types >> 4, true, depth + 1));
        MF_RETURN_IF_ERROR(SkipValue(types & 0x0F, true, depth + 1));
      }
      return Status::OK();
    }
    case kStruct: {
      BeginStruct();
      Field field;
      for (;;) {
        MF_ASSIGN_OR_RETURN(const bool more, NextField(&field));
        if (!more) return Status::OK();
        MF_RETURN_IF_ERROR(SkipValue(field.type, false, depth + 1));
      }
    }
    default:
      return Status::BadInput("unknown Thrift type " + std::to_string(type));
  }
}

}  // namespace mergeflow
