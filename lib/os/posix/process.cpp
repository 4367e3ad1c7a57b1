// A spawned child (signals, exit wait, output pipes) and the process-wide queries.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __FreeBSD__
#include <sys/procctl.h>
#endif

#include "os/posix/child.h"
#include "os/posix/children_list.h"
#include "os/posix/reaper.h"
#include "os/process.h"
#include "os/result.h"
#include "os/signals.h"

namespace supd::os {
namespace posix {
namespace {

class PosixChild final : public Child {
 public:
  PosixChild(std::shared_ptr<ChildRecord> record, std::unique_ptr<AsyncPipe> stdout_pipe,
             std::unique_ptr<AsyncPipe> stderr_pipe)
      : record_(std::move(record)),
        stdout_(std::move(stdout_pipe)),
        stderr_(std::move(stderr_pipe)) {}

  ~PosixChild() override { release_child(record_); }

  PosixChild(const PosixChild&) = delete;
  PosixChild& operator=(const PosixChild&) = delete;

  Pid pid() const override { return record_->pid; }

  void async_wait(std::function<void(const ExitStatus&)> on_exit) override {
    wait_for_exit(record_, std::move(on_exit));
  }

  Status send_signal(Signal s) override {
    const int signo = native_signal(s);
    const std::string what =
        std::string("signal ") + signal_name(s) + " to pid " + std::to_string(record_->pid);
    // Under the lock the pid cannot be reaped, so it is still ours (a zombie at worst),
    // never a recycled pid of some unrelated process.
    ChildrenLock lock = lock_children();
    if (record_->reaped) {
      return Error{std::make_error_code(std::errc::no_such_process), what + " (it already exited)"};
    }
    if (::kill(record_->pid, signo) != 0) return last_error(what);
    return {};
  }

  // The group id is the main process's pid, which the kernel does not hand out again while
  // any process still belongs to the group; only once the group is empty could the number
  // be reused (after pid_max more forks), a risk accepted for leftovers that are signalled
  // soon after the main process exits.
  Status signal_group(Signal s) override {
    if (::kill(-record_->pid, native_signal(s)) == 0 || errno == ESRCH) return {};
    return last_error(std::string("signal ") + signal_name(s) + " to process group " +
                      std::to_string(record_->pid));
  }

  bool group_alive() const override {
    // EPERM: a member exists but changed its credentials beyond ours.
    return ::kill(-record_->pid, 0) == 0 || errno == EPERM;
  }

  std::unique_ptr<AsyncPipe> take_stdout() override { return std::move(stdout_); }
  std::unique_ptr<AsyncPipe> take_stderr() override { return std::move(stderr_); }

 private:
  std::shared_ptr<ChildRecord> record_;
  std::unique_ptr<AsyncPipe> stdout_;
  std::unique_ptr<AsyncPipe> stderr_;
};

}  // namespace

std::unique_ptr<Child> make_child(std::shared_ptr<ChildRecord> record,
                                  std::unique_ptr<AsyncPipe> stdout_pipe,
                                  std::unique_ptr<AsyncPipe> stderr_pipe) {
  return std::make_unique<PosixChild>(std::move(record), std::move(stdout_pipe),
                                      std::move(stderr_pipe));
}

}  // namespace posix

Status become_subreaper() {
#if defined(__linux__)
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    return last_error("become a child subreaper (prctl PR_SET_CHILD_SUBREAPER)");
  }
#elif defined(__FreeBSD__)
  // Fails with EBUSY when this process already is a reaper, which is what was asked.
  if (::procctl(P_PID, ::getpid(), PROC_REAP_ACQUIRE, nullptr) != 0 && errno != EBUSY) {
    return last_error("become a reaper (procctl PROC_REAP_ACQUIRE)");
  }
#endif
  return {};
}

void kill_adopted_orphans() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  const pid_t own_group = ::getpgrp();
  for (;;) {
    const std::vector<pid_t> children = posix::list_children();
    if (children.empty()) return;
    posix::kill_with_groups(children, own_group);
    // Reaped here: they are no service's, and the loop that would reap them is ending.
    for (pid_t pid : children) ::waitpid(pid, nullptr, WNOHANG);
    if (std::chrono::steady_clock::now() >= deadline) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<Pid> session_of(Pid pid) {
  const pid_t sid = ::getsid(static_cast<pid_t>(pid));
  if (sid < 0) return std::nullopt;
  return static_cast<Pid>(sid);
}

bool process_exists(Pid pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

Pid current_pid() { return ::getpid(); }

}  // namespace supd::os
