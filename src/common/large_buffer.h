// LargeBuffer: a big, zero-initialised block of memory backed by transparent
// huge pages where the kernel allows, so random access over hundreds of MB
// (hash tables, the bytes their rows point into) does not pay a TLB miss per
// access.
#pragma once

#include <cstddef>

namespace mergeflow {

class LargeBuffer {
 public:
  LargeBuffer() = default;
  // Allocates `bytes` (rounded up to whole pages), asking for huge pages
  // unless `huge_pages` is false (for memory whose pages are given back one
  // by one with madvise). Throws std::bad_alloc when the system has no memory left.
  explicit LargeBuffer(size_t bytes, bool huge_pages = true);
  ~LargeBuffer();
  LargeBuffer(LargeBuffer&& other) noexcept;
  LargeBuffer& operator=(LargeBuffer&& other) noexcept;
  LargeBuffer(const LargeBuffer&) = delete;
  LargeBuffer& operator=(const LargeBuffer&) = delete;

  char* data() const { return data_; }
  size_t size() const { return size_; }

  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(data_);
  }

 private:
  void Release();

  char* data_ = nullptr;
  size_t size_ = 0;    // usable bytes
  size_t mapped_ = 0;  // bytes mapped (0 when malloc'ed)
};

}  // namespace mergeflow
