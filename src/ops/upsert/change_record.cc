#include "ops/upsert/change_record.h"

#include <cstdint>
#include <cstring>

namespace mergeflow {
namespace {

template <typename T>
void Put(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));
}

void PutBytes(std::string* out, std::string_view bytes) {
  Put<uint32_t>(out, static_cast<uint32_t>(bytes.size()));
  out->append(bytes);
}

// Reads fixed-size values and length-prefixed strings front to back.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  bool Get(T* value) {
    if (bytes_.size() < sizeof(T)) return false;
    std::memcpy(value, bytes_.data(), sizeof(T));
    bytes_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetBytes(std::string_view* value) {
    uint32_t size = 0;
    if (!Get(&size) || bytes_.size() < size) return false;
    *value = bytes_.substr(0, size);
    bytes_.remove_prefix(size);
    return true;
  }
  bool done() const { return bytes_.empty(); }

 private:
  std::string_view bytes_;
};

}  // namespace

void EncodeChange(const ChangeView& c, std::string* out) {
  Put(out, c.op);
  Put(out, c.file);
  Put(out, c.offset);
  PutBytes(out, c.order);
  PutBytes(out, c.order_text);
  PutBytes(out, c.row);
  PutBytes(out, c.key_fields);
}

Result<ChangeView> DecodeChange(std::string_view bytes) {
  ChangeView c;
  Reader in(bytes);
  if (!in.Get(&c.op) || !in.Get(&c.file) || !in.Get(&c.offset) || !in.GetBytes(&c.order) ||
      !in.GetBytes(&c.order_text) || !in.GetBytes(&c.row) || !in.GetBytes(&c.key_fields) || !in.done())
    return Status::Internal("a spilled change record is cut short");
  return c;
}

}  // namespace mergeflow
