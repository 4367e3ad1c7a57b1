// The process-wide table of spawned children and the SIGCHLD reaper that collects their exits
// (see reaper.cpp for why it reaps with waitpid(-1)).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>

#include <asio/io_context.hpp>

#include "os/posix/child_groups.h"
#include "os/process.h"

namespace supd::os::posix {

// A wait(2) status as an ExitStatus.
ExitStatus decode_wait_status(int wait_status);

// One child started by spawn(), as the reaper sees it. Shared by the table (until the child
// is reaped), its Child object, and exit deliveries queued on the io_context.
struct ChildRecord {
  explicit ChildRecord(pid_t p) : pid(p) {}

  const pid_t pid;  // also its process group id: each child leads its own session

  // Everything below is guarded by the table's lock (lock_children()).
  asio::io_context* io = nullptr;  // where the exit is delivered; null once it is destroyed
  bool reaped = false;
  ExitStatus status;      // valid once reaped
  bool released = false;  // its Child object is gone
  std::function<void(const ExitStatus&)> on_exit;
  GroupSlot* group_slot = nullptr;  // held until reaped and released
};

using ChildrenLock = std::unique_lock<std::mutex>;

// Locks the table of children. Every waitpid() of the reaper happens under this lock, so:
// spawn() holds it across fork() until the new pid is registered (a child can never be reaped
// before it is known), and Child holds it while it signals its main process (the pid can be
// neither reaped nor recycled meanwhile).
ChildrenLock lock_children();

// Makes `io` watch SIGCHLD (once per io_context). Call before forking a child owned by `io`,
// so that no SIGCHLD of it can be missed.
void watch_children(asio::io_context& io);

// Registers a child just forked, whose exit will be delivered on `io`. Lock held.
std::shared_ptr<ChildRecord> register_child(const ChildrenLock& lock, asio::io_context& io,
                                            pid_t pid);

// Reaps a child that failed before exec (it exits at once) and forgets it. Lock held; blocks
// only until that child's _exit completes.
void reap_failed_child(const ChildrenLock& lock, const std::shared_ptr<ChildRecord>& record);

// Sets the handler that receives the exit, posted to `io` (at once if already reaped).
void wait_for_exit(const std::shared_ptr<ChildRecord>& record,
                   std::function<void(const ExitStatus&)> on_exit);

// The Child object is gone: drop its handler. The child is still reaped when it exits.
void release_child(const std::shared_ptr<ChildRecord>& record);

}  // namespace supd::os::posix
