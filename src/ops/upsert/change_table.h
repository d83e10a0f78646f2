// ChangeTable: the reduced changes of one bucket of an upsert, kept flat:
// each change's bytes copied once into the table's arena (a bucket's bytes
// together, so reading them in order streams), a fixed-size record per
// key in one vector, and an open-addressing index of the records by key
// hash. No allocation per change, and a look-up touches one index slot and
// (when the slot's hash tag matches) one record.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/key_arena.h"

namespace mergeflow {

// One change of one row as read, its bytes held elsewhere.
struct ChangeView {
  char op = 'I';               // 'I', 'U' or 'D' ('I' and 'U' both mean "this is the row now")
  uint32_t file = 0;           // index of its change file
  uint64_t offset = 0;         // of the row in its file
  std::string_view order;      // EncodeOrderValue of the order value
  std::string_view order_text; // the order value as written
  std::string_view row;        // the row in the dataset's columns and output dialect, no line end
  std::string_view key_fields; // the key values in the output dialect (for tombstones)
};

// Whether change `a` wins over `b` for the same key within one call: the
// greater order value, then the later file, then the later row. A total
// order, so the winner does not depend on the order changes arrive in.
inline bool ChangeWins(const ChangeView& a, const ChangeView& b) {
  if (a.order != b.order) return a.order > b.order;
  return a.file != b.file ? a.file > b.file : a.offset > b.offset;
}

// A change held by a ChangeTable, its bytes in the table's arena.
class HeldChange {
 public:
  std::string_view key() const { return {bytes_, key_size_}; }
  uint64_t hash() const { return hash_; }  // KeyEncoder::Hash of key()
  ChangeView view() const {
    const char* at = bytes_ + key_size_;
    ChangeView v{op_, file_, offset_, {at, order_size_}, {}, {}, {}};
    at += order_size_;
    v.order_text = {at, order_text_size_};
    at += order_text_size_;
    v.row = {at, row_size_};
    v.key_fields = {at + row_size_, key_fields_size_};
    return v;
  }
  char op() const { return op_; }
  uint32_t file() const { return file_; }
  uint64_t offset() const { return offset_; }
  // Whether a stored row with this key was met (read once merging ends).
  bool matched() const { return matched_; }
  // Marks the change as met by a stored row; returns whether one had been
  // met before. Safe on several threads at once.
  bool MarkMatched() { return std::atomic_ref<bool>(matched_).exchange(true); }

 private:
  friend class ChangeTable;
  const char* bytes_ = nullptr;  // key, order, order_text, row, key_fields, one after another
  uint32_t key_size_ = 0, order_size_ = 0, order_text_size_ = 0, row_size_ = 0, key_fields_size_ = 0;
  uint32_t file_ = 0;
  uint64_t offset_ = 0;
  uint64_t hash_ = 0;
  char op_ = 'I';
  bool matched_ = false;
};

class ChangeTable {
 public:
  // Keeps `change` for `key` (whose KeyEncoder::Hash is `hash`), copying its
  // bytes to the table's arena, unless the change held for the key wins over it.
  // Returns the bytes held now more than before: the change's bytes, and for
  // a new key its record and two index slots (the vectors' slack as they
  // double is left to the caller's margin).
  uint64_t Offer(uint64_t hash, std::string_view key, const ChangeView& change);

  // The change held for `key` (of hash `hash`), or null. Safe on several
  // threads at once while nothing is offered.
  HeldChange* Find(uint64_t hash, std::string_view key);

  // The held changes, in the order their keys first came.
  std::span<HeldChange> changes() { return changes_; }
  size_t size() const { return changes_.size(); }

 private:
  // A slot of the index: the record's number + 1 (0: free), and the low
  // half of its key's hash, so most probes of other keys stop here.
  struct Slot {
    uint32_t record = 0;
    uint32_t tag = 0;
  };
  static uint32_t TagOf(uint64_t hash) { return static_cast<uint32_t>(hash); }
  // The slot holding `key`, or the free slot where it goes.
  Slot* Probe(uint64_t hash, std::string_view key);
  // Doubles the index.
  void Grow();

  // What a key costs besides its change's bytes: its record and two slots.
  static constexpr uint64_t kRecordBytes = sizeof(HeldChange) + 2 * sizeof(Slot);

  KeyArena arena_{4096};
  std::vector<HeldChange> changes_;
  std::vector<Slot> slots_;  // a power of two of them, at most half used
  int shift_ = 64;           // a hash's slot: its top bits
};

}  // namespace mergeflow
