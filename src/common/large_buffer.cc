#include "common/large_buffer.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

namespace mergeflow {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

}  // namespace

LargeBuffer::LargeBuffer(size_t bytes, bool huge_pages) : size_(bytes) {
  if (bytes == 0) return;
  if (bytes < kHugePage) {
    data_ = static_cast<char*>(std::calloc(bytes, 1));
    if (data_ == nullptr) throw std::bad_alloc();
    return;
  }
  // Map one huge page more than needed so the start can be aligned to one.
  const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  const size_t mapped = rounded + kHugePage;
  void* raw = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  char* base = static_cast<char*>(raw);
  char* aligned = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(base) + kHugePage - 1) / kHugePage * kHugePage);
  if (aligned > base) munmap(base, static_cast<size_t>(aligned - base));
  char* end = base + mapped;
  if (end > aligned + rounded) munmap(aligned + rounded, static_cast<size_t>(end - (aligned + rounded)));
  if (huge_pages) madvise(aligned, rounded, MADV_HUGEPAGE);
  data_ = aligned;
  mapped_ = rounded;
}

LargeBuffer::~LargeBuffer() { Release(); }

LargeBuffer::LargeBuffer(LargeBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

LargeBuffer& LargeBuffer::operator=(LargeBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

void LargeBuffer::Release() {
  if (data_ == nullptr) return;
  if (mapped_ > 0) munmap(data_, mapped_);
  else std::free(data_);
  data_ = nullptr;
}

}  // namespace mergeflow
