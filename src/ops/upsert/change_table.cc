#include "ops/upsert/change_table.h"

#include <cstring>

namespace mergeflow {
namespace {

// Copies `piece` to `*at` and moves past it.
void Put(char** at, std::string_view piece) {
  if (!piece.empty()) std::memcpy(*at, piece.data(), piece.size());
  *at += piece.size();
}

}  // namespace

ChangeTable::Slot* ChangeTable::Probe(uint64_t hash, std::string_view key) {
  const size_t mask = slots_.size() - 1;
  const uint32_t tag = TagOf(hash);
  for (size_t i = hash >> shift_;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.record == 0) return &slot;
    if (slot.tag != tag) continue;
    const HeldChange& held = changes_[slot.record - 1];
    if (held.hash_ == hash && held.key() == key) return &slot;
  }
}

HeldChange* ChangeTable::Find(uint64_t hash, std::string_view key) {
  if (slots_.empty()) return nullptr;
  const Slot* slot = Probe(hash, key);
  return slot->record == 0 ? nullptr : &changes_[slot->record - 1];
}

void ChangeTable::Grow() {
  const size_t size = slots_.empty() ? 16 : slots_.size() * 2;
  shift_ = 64 - std::countr_zero(size);
  slots_.assign(size, Slot{});
  const size_t mask = size - 1;
  for (size_t r = 0; r < changes_.size(); ++r) {
    const uint64_t hash = changes_[r].hash_;
    size_t i = hash >> shift_;
    while (slots_[i].record != 0) i = (i + 1) & mask;
    slots_[i] = Slot{static_cast<uint32_t>(r + 1), TagOf(hash)};
  }
}

uint64_t ChangeTable::Offer(uint64_t hash, std::string_view key, const ChangeView& change) {
  if ((changes_.size() + 1) * 2 > slots_.size()) Grow();
  Slot* slot = Probe(hash, key);
  HeldChange* held = nullptr;
  uint64_t grown = 0;
  if (slot->record != 0) {
    held = &changes_[slot->record - 1];
    if (!ChangeWins(change, held->view())) return 0;
  } else {
    *slot = Slot{static_cast<uint32_t>(changes_.size() + 1), TagOf(hash)};
    held = &changes_.emplace_back();
    held->hash_ = hash;
    held->key_size_ = static_cast<uint32_t>(key.size());
    grown = kRecordBytes;
  }
  const size_t bytes =
      key.size() + change.order.size() + change.order_text.size() + change.row.size() + change.key_fields.size();
  char* at = arena_.Reserve(bytes);
  held->bytes_ = at;
  Put(&at, key);  // copied again: the old bytes stay in the arena until it goes
  Put(&at, change.order);
  Put(&at, change.order_text);
  Put(&at, change.row);
  Put(&at, change.key_fields);
  held->order_size_ = static_cast<uint32_t>(change.order.size());
  held->order_text_size_ = static_cast<uint32_t>(change.order_text.size());
  held->row_size_ = static_cast<uint32_t>(change.row.size());
  held->key_fields_size_ = static_cast<uint32_t>(change.key_fields.size());
  held->op_ = change.op;
  held->file_ = change.file;
  held->offset_ = change.offset;
  return grown + bytes;
}

}  // namespace mergeflow
