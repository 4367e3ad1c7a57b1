// The table behind kill_all_children_from_signal_handler().
//
// A crash handler may run at any instant, on any thread, possibly while another thread holds
// a lock or is inside malloc, so it can only read memory that is always valid and never
// changes shape under it. Hence: fixed-size chunks of atomic slots, chained by atomic
// pointers, never freed. A slot holds a process group id (> 0) or 0 when free. The first
// chunk is static, so a daemon with up to kChunkSlots children never allocates here.
#include "os/posix/child_groups.h"

#include <signal.h>

#include <array>
#include <atomic>
#include <cerrno>

#include "os/process.h"

namespace supd::os::posix {
namespace {

static_assert(std::atomic<pid_t>::is_always_lock_free);
static_assert(std::atomic<void*>::is_always_lock_free);

constexpr std::size_t kChunkSlots = 4096;

struct Chunk {
  std::array<GroupSlot, kChunkSlots> slots{};
  std::atomic<Chunk*> next{nullptr};
};

constinit Chunk g_first_chunk;

GroupSlot* claim_in(Chunk& chunk, pid_t pgid) {
  for (GroupSlot& slot : chunk.slots) {
    pid_t expected = 0;
    if (slot.load(std::memory_order_relaxed) == 0 &&
        slot.compare_exchange_strong(expected, pgid, std::memory_order_release)) {
      return &slot;
    }
  }
  return nullptr;
}

}  // namespace

GroupSlot* claim_group_slot(pid_t pgid) {
  Chunk* chunk = &g_first_chunk;
  for (;;) {
    if (GroupSlot* slot = claim_in(*chunk, pgid)) return slot;
    Chunk* next = chunk->next.load(std::memory_order_acquire);
    if (next == nullptr) {
      // Every slot is taken: append a chunk. If another thread appended one first, use it.
      auto* fresh = new Chunk;  // never freed: the crash handler may be walking the chain
      if (chunk->next.compare_exchange_strong(next, fresh, std::memory_order_acq_rel)) {
        next = fresh;
      } else {
        delete fresh;
      }
    }
    chunk = next;
  }
}

void release_group_slot(GroupSlot* slot) noexcept {
  if (slot != nullptr) slot->store(0, std::memory_order_release);
}

}  // namespace supd::os::posix

namespace supd::os {

void kill_all_children_from_signal_handler() noexcept {
  const int saved_errno = errno;
  for (posix::Chunk* chunk = &posix::g_first_chunk; chunk != nullptr;
       chunk = chunk->next.load(std::memory_order_acquire)) {
    for (const posix::GroupSlot& slot : chunk->slots) {
      const pid_t pgid = slot.load(std::memory_order_acquire);
      if (pgid > 0) ::kill(-pgid, SIGKILL);
    }
  }
  errno = saved_errno;
}

}  // namespace supd::os
