// The process groups of supd's children, kept where an async-signal-safe crash handler can
// reach them: a grow-only chain of lock-free atomic slots (see child_groups.cpp).
#pragma once

#include <sys/types.h>

#include <atomic>

namespace supd::os::posix {

using GroupSlot = std::atomic<pid_t>;

// Records `pgid` in a free slot and returns it. Never fails (the table grows when full).
GroupSlot* claim_group_slot(pid_t pgid);

// Frees a slot returned by claim_group_slot.
void release_group_slot(GroupSlot* slot) noexcept;

}  // namespace supd::os::posix
