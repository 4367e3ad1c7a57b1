// Exit collection: one SIGCHLD watch per io_context, one table of children per process.
//
// Why waitpid(-1) and not one pidfd per child: supd runs as a child subreaper or as PID 1,
// so orphaned descendants of its services are re-parented to it and become its zombies when
// they die. Nobody else will reap them, and a pidfd only exists for the pids supd spawned.
// So on every SIGCHLD the reaper loops waitpid(-1, WNOHANG) until nothing is left, hands each
// status to the child registered for that pid, and simply discards the others (adopted
// orphans). Since waitpid(-1) can collect any child of the process, the table of children is
// process-wide: a reaper running on one io_context posts the status to the io_context that
// owns the child. SIGCHLD signals merge, hence the loop rather than one wait per signal.
#include "os/posix/reaper.h"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <unordered_map>
#include <utility>

#include <asio/post.hpp>
#include <asio/signal_set.hpp>

namespace supd::os::posix {
namespace {

struct Table {
  std::mutex mutex;
  std::unordered_map<pid_t, std::shared_ptr<ChildRecord>> running;  // spawned, not reaped
};

// Never destroyed: children may still exit while static destructors run.
Table& table() {
  static Table* t = new Table;
  return *t;
}

// Runs on the owner's io_context: hands the status to the handler unless the Child is gone.
void deliver_exit(const std::shared_ptr<ChildRecord>& record) {
  std::function<void(const ExitStatus&)> on_exit;
  ExitStatus status;
  {
    ChildrenLock lock = lock_children();
    if (record->released || !record->on_exit) return;
    on_exit = std::move(record->on_exit);
    record->on_exit = nullptr;
    status = record->status;
  }
  on_exit(status);
}

// Lock held. The group slot outlives the main process while its Child exists, so the crash
// handler still reaches leftovers of the group; it goes once both are gone.
void release_slot_if_done(ChildRecord& record) {
  if (record.reaped && record.released) {
    release_group_slot(record.group_slot);
    record.group_slot = nullptr;
  }
}

// Lock held: records the exit and queues its delivery.
void on_reaped(const std::shared_ptr<ChildRecord>& record, int wait_status) {
  record->reaped = true;
  record->status = decode_wait_status(wait_status);
  release_slot_if_done(*record);
  if (!record->released && record->on_exit && record->io != nullptr) {
    asio::post(*record->io, [record] { deliver_exit(record); });
  }
}

// Reaps every child that has exited, never blocking.
void reap_exited() {
  ChildrenLock lock = lock_children();
  Table& t = table();
  for (;;) {
    int wait_status = 0;
    const pid_t pid = ::waitpid(-1, &wait_status, WNOHANG);
    if (pid == 0) return;  // children left, none exited
    if (pid < 0) {
      if (errno == EINTR) continue;
      return;  // ECHILD: no children at all
    }
    auto it = t.running.find(pid);
    if (it == t.running.end()) continue;  // an adopted orphan: reaping it was all to do
    std::shared_ptr<ChildRecord> record = std::move(it->second);
    t.running.erase(it);
    on_reaped(record, wait_status);
  }
}

// Owned by one io_context (asio service): its SIGCHLD watch. Created on the first spawn for
// that io_context and destroyed with it.
class Reaper : public asio::execution_context::service {
 public:
  static asio::execution_context::id id;

  explicit Reaper(asio::execution_context& context)
      : asio::execution_context::service(context),
        io_(static_cast<asio::io_context&>(context)),
        sigchld_(io_, SIGCHLD) {
    arm();
    // Children that ended while no reaper was watching (orphans adopted meanwhile) are
    // collected now rather than at the next SIGCHLD.
    asio::post(io_, [] { reap_exited(); });
  }

 private:
  void arm() {
    sigchld_.async_wait([this](std::error_code ec, int) {
      if (ec) return;  // cancelled: the io_context is going away
      reap_exited();
      arm();
    });
  }

  void shutdown() override {
    // Exits of this io_context's children can no longer be delivered anywhere.
    ChildrenLock lock = lock_children();
    for (auto& [pid, record] : table().running) {
      if (record->io == &io_) record->io = nullptr;
    }
  }

  asio::io_context& io_;
  asio::signal_set sigchld_;
};

asio::execution_context::id Reaper::id;

}  // namespace

ChildrenLock lock_children() { return ChildrenLock(table().mutex); }

void watch_children(asio::io_context& io) { asio::use_service<Reaper>(io); }

std::shared_ptr<ChildRecord> register_child(const ChildrenLock& /*lock*/, asio::io_context& io,
                                            pid_t pid) {
  auto record = std::make_shared<ChildRecord>(pid);
  record->io = &io;
  record->group_slot = claim_group_slot(pid);
  table().running[pid] = record;
  return record;
}

void reap_failed_child(const ChildrenLock& /*lock*/, const std::shared_ptr<ChildRecord>& record) {
  int wait_status = 0;
  while (::waitpid(record->pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  table().running.erase(record->pid);
  record->reaped = true;
  record->released = true;
  release_slot_if_done(*record);
}

void wait_for_exit(const std::shared_ptr<ChildRecord>& record,
                   std::function<void(const ExitStatus&)> on_exit) {
  std::function<void(const ExitStatus&)> replaced;
  {
    ChildrenLock lock = lock_children();
    replaced = std::exchange(record->on_exit, std::move(on_exit));
    if (record->reaped && record->io != nullptr) {
      asio::post(*record->io, [record] { deliver_exit(record); });
    }
  }
  // `replaced` is destroyed here, outside the lock: its captures may own other children.
}

void release_child(const std::shared_ptr<ChildRecord>& record) {
  std::function<void(const ExitStatus&)> dropped;
  {
    ChildrenLock lock = lock_children();
    record->released = true;
    dropped = std::move(record->on_exit);
    record->on_exit = nullptr;
    release_slot_if_done(*record);
  }
}

}  // namespace supd::os::posix
