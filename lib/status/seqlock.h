// The seqlock used for every mutable block of the status page (internal to lib/status).
//
// A block is guarded by a 32-bit sequence word. The writer makes it odd, writes the block,
// and makes it even again; a reader copies the block between two reads of the word and keeps
// the copy only when both reads are the same even number. All shared accesses are 32-bit
// atomics (relaxed for the data, acquire/release fences around them), which makes this a
// data-race-free seqlock in the C++ memory model, lock-free, and async-signal-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace supd::status::seqlock {

static_assert(std::atomic_ref<std::uint32_t>::is_always_lock_free);

// The shared 32-bit word at `p` (4-byte aligned, inside a mapping).
inline std::atomic_ref<std::uint32_t> word(const std::byte* p) noexcept {
  // Readers map the page read-only: loads through this reference never write.
  return std::atomic_ref<std::uint32_t>(
      *reinterpret_cast<std::uint32_t*>(const_cast<std::byte*>(p)));
}

// Writes `size` bytes (a multiple of 4) from `src` into the block at `block`, guarded by the
// sequence word at `seq`. One writer per block at a time. Async-signal-safe.
void write(std::byte* seq, std::byte* block, const void* src, std::size_t size) noexcept;

// One attempt to copy the block at `block` into `dst`: true when the copy is consistent.
// After false, `dst` holds whatever was read, possibly torn.
bool try_read(const std::byte* seq, const std::byte* block, void* dst, std::size_t size) noexcept;

// Copies a block with no sequence check, for data nobody writes any more.
void copy_in(const std::byte* block, void* dst, std::size_t size) noexcept;

}  // namespace supd::status::seqlock
