#include "status/seqlock.h"

#include <cstring>

namespace supd::status::seqlock {

void copy_in(const std::byte* block, void* dst, std::size_t size) noexcept {
  auto* out = static_cast<std::byte*>(dst);
  for (std::size_t i = 0; i < size; i += 4) {
    const std::uint32_t w = word(block + i).load(std::memory_order_relaxed);
    std::memcpy(out + i, &w, sizeof w);
  }
}

void write(std::byte* seq, std::byte* block, const void* src, std::size_t size) noexcept {
  auto sequence = word(seq);
  // The next odd number even if the word is odd already (a writer that was interrupted
  // for good, e.g. by a crash): readers then see it change and retry.
  const std::uint32_t begin = (sequence.load(std::memory_order_relaxed) + 1) | 1u;
  sequence.store(begin, std::memory_order_relaxed);
  // Orders the odd sequence before the data: a reader that sees any new data and then
  // fences sees the odd (or a later) sequence.
  std::atomic_thread_fence(std::memory_order_release);
  const auto* in = static_cast<const std::byte*>(src);
  for (std::size_t i = 0; i < size; i += 4) {
    std::uint32_t w = 0;
    std::memcpy(&w, in + i, sizeof w);
    word(block + i).store(w, std::memory_order_relaxed);
  }
  sequence.store(begin + 1, std::memory_order_release);
}

bool try_read(const std::byte* seq, const std::byte* block, void* dst, std::size_t size) noexcept {
  auto sequence = word(seq);
  const std::uint32_t before = sequence.load(std::memory_order_acquire);
  copy_in(block, dst, size);
  // Orders the data loads before the second sequence load (pairs with the writer's fence).
  std::atomic_thread_fence(std::memory_order_acquire);
  const std::uint32_t after = sequence.load(std::memory_order_relaxed);
  return (before & 1u) == 0 && before == after;
}

}  // namespace supd::status::seqlock
