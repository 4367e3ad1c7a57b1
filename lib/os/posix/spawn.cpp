// spawn(): fork + exec with the child fully isolated from supd.
//
// The daemon has threads, so after fork() the child holds copies of locks that other threads
// may have held (malloc's among them). Everything is therefore prepared before fork()
// (spawn_plan.cpp) and the child runs only async-signal-safe system calls until execve().
// If a step fails, the child writes {step, errno} to a close-on-exec pipe and _exits; the
// parent reads that pipe until EOF (execve() closed it) and turns a record into an Error.
//
// On Linux the child is made with clone(CLONE_VM | CLONE_VFORK), as posix_spawn() does: it
// runs on a small stack of its own in supd's memory, and supd waits only until its execve().
// fork() would copy supd's page tables for each child (and execve() tear them down again),
// so with a thousand services every spawn would pay for all of them. The child writes
// nothing the parent reads but the failure pipe.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#ifdef __linux__
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "os/posix/async_pipe.h"
#include "os/posix/child.h"
#include "os/posix/reaper.h"
#include "os/posix/spawn_plan.h"
#include "os/process.h"
#include "os/result.h"

namespace supd::os {
namespace {

using posix::SpawnPlan;

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Both ends close-on-exec, so no other child inherits them.
Status make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
#ifdef __APPLE__
  if (::pipe(fds) != 0) return last_error("create a pipe");
  ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#else
  if (::pipe2(fds, O_CLOEXEC) != 0) return last_error("create a pipe");
#endif
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return {};
}

Status open_null(Fd& fd, int flags) {
  fd.reset(::open("/dev/null", flags | O_CLOEXEC));
  if (fd.get() < 0) return last_error("open /dev/null");
  return {};
}

// Moves a descriptor the child must keep to a number above 2, so that putting stdin, stdout
// and stderr in place with dup2() can never overwrite another one it still needs.
Status lift_above_stdio(Fd& fd) {
  if (fd.get() < 0 || fd.get() > 2) return {};
  const int lifted = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (lifted < 0) return last_error("duplicate a descriptor");
  fd.reset(lifted);
  return {};
}

// The child's ends (-1: inherit supd's) and supd's ends of the output pipes.
struct Stdio {
  Fd child_in, child_out, child_err;
  Fd parent_out, parent_err;
  bool err_to_out = false;
};

Status open_output(StdioMode mode, Fd& child_end, Fd& parent_end) {
  switch (mode) {
    case StdioMode::Inherit:
      return {};
    case StdioMode::Null:
      return open_null(child_end, O_WRONLY);
    case StdioMode::Pipe:
      if (Status ok = make_pipe(parent_end, child_end); !ok) return ok;
      if (::fcntl(parent_end.get(), F_SETFL, O_NONBLOCK) != 0) {
        return last_error("make a pipe non-blocking");
      }
      return {};
  }
  return {};
}

Status open_stdio(const ProcessSpec& spec, Stdio& stdio) {
  if (spec.stdin_mode != StdioMode::Inherit) {
    if (Status ok = open_null(stdio.child_in, O_RDONLY); !ok) return ok;
  }
  if (Status ok = open_output(spec.stdout_mode, stdio.child_out, stdio.parent_out); !ok) {
    return ok;
  }
  stdio.err_to_out = spec.stderr_to_stdout;
  if (!stdio.err_to_out) {
    if (Status ok = open_output(spec.stderr_mode, stdio.child_err, stdio.parent_err); !ok) {
      return ok;
    }
  }
  for (Fd* fd : {&stdio.child_in, &stdio.child_out, &stdio.child_err}) {
    if (Status ok = lift_above_stdio(*fd); !ok) return ok;
  }
  return {};
}

// ---- the child, between fork() and execve() ----

enum class Step : int {
  Stdin,
  Stdout,
  Stderr,
  Setsid,
  Limit,
  Groups,
  Gid,
  Uid,
  Chdir,
  DeathSignal,
  Exec
};

struct Failure {
  int step;
  int index;  // which limit, for kLimit
  int error;  // errno
};

// Raw views of the plan: all the child touches.
struct ChildArgs {
  const char* path;
  char* const* argv;
  char* const* envp;
  const char* cwd;  // null: unchanged
  const SpawnPlan* plan;
  int in, out, err;  // -1: inherit
  bool err_to_out;
  int report;  // write end of the failure pipe
  pid_t parent;
};

[[noreturn]] void fail(int report, Step step, int index = 0) noexcept {
  const Failure failure{static_cast<int>(step), index, errno};
  // Fewer than PIPE_BUF bytes: written whole or not at all.
  while (::write(report, &failure, sizeof failure) < 0 && errno == EINTR) {
  }
  ::_exit(127);
}

void reset_signal_dispositions() noexcept {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::sigaction(sig, &dfl, nullptr);  // fails harmlessly for numbers the libc reserves
  }
}

// `source` -1: keep supd's descriptor, but make sure it survives execve().
void put_stdio(int source, int target, int report, Step step) noexcept {
  if (source < 0) {
    ::fcntl(target, F_SETFD, 0);
    return;
  }
  if (::dup2(source, target) < 0) fail(report, step);
}

// Every descriptor but 0, 1, 2 and the failure pipe (which closes on execve()).
void close_other_fds(int keep, int below) noexcept {
#if defined(__linux__) && defined(SYS_close_range)
  // close_range(2), Linux 5.9+: one call instead of thousands of close().
  const unsigned k = static_cast<unsigned>(keep);
  if ((k == 3 || ::syscall(SYS_close_range, 3u, k - 1, 0u) == 0) &&
      ::syscall(SYS_close_range, k + 1, ~0u, 0u) == 0) {
    return;
  }
#endif
  for (int fd = 3; fd < below; ++fd) {
    if (fd != keep) ::close(fd);
  }
}

[[noreturn]] void run_child(const ChildArgs& a) noexcept {
  // Signals stay blocked (spawn() blocked them before fork()) until just before execve(), so
  // no handler of supd's can run in the child.
  reset_signal_dispositions();
  if (::setsid() < 0) fail(a.report, Step::Setsid);

  put_stdio(a.in, 0, a.report, Step::Stdin);
  put_stdio(a.out, 1, a.report, Step::Stdout);
  if (a.err_to_out) {
    if (::dup2(1, 2) < 0) fail(a.report, Step::Stderr);
  } else {
    put_stdio(a.err, 2, a.report, Step::Stderr);
  }
  close_other_fds(a.report, a.plan->close_fds_below);

  if (a.plan->umask) ::umask(*a.plan->umask);
  for (std::size_t i = 0; i < a.plan->limits.size(); ++i) {
    const posix::PlannedLimit& limit = a.plan->limits[i];
    if (::setrlimit(limit.resource, &limit.value) != 0) {
      fail(a.report, Step::Limit, static_cast<int>(i));
    }
  }
  if (const auto& creds = a.plan->credentials) {
    // Groups first: they can only be changed while still root.
    if (::setgroups(static_cast<int>(creds->groups.size()), creds->groups.data()) != 0) {
      fail(a.report, Step::Groups);
    }
    if (::setgid(creds->gid) != 0) fail(a.report, Step::Gid);
    if (::setuid(creds->uid) != 0) fail(a.report, Step::Uid);
  }
  // After the switch, so the directory is entered with the service's own rights.
  if (a.cwd != nullptr && ::chdir(a.cwd) != 0) fail(a.report, Step::Chdir);

#ifdef __linux__
  // The child dies with supd. Set after setuid(), which clears it. It fires when the thread
  // that forked exits: spawn() is called from the event loop's thread, which lives as long
  // as supd. If supd died before this line, nothing would deliver the signal: check.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(a.report, Step::DeathSignal);
  if (::getppid() != a.parent) ::_exit(127);
#endif

  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(a.path, a.argv, a.envp);
  fail(a.report, Step::Exec);
}

#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
#define SUPD_SPAWN_WITH_CLONE 1
#endif

#ifdef SUPD_SPAWN_WITH_CLONE
// Enough for run_child() and the libc calls it makes; 64 KiB also covers an unusual libc.
constexpr std::size_t kChildStackSize = std::size_t{64} * 1024;

int child_entry(void* args) { run_child(*static_cast<const ChildArgs*>(args)); }

// clone(CLONE_VM | CLONE_VFORK): returns once the child has called execve() or _exit().
// Sanitizer builds use fork() instead: their runtime would track the child's stack as if it
// were supd's own and report on it later.
pid_t start_child(const ChildArgs& args, int& error) {
  void* stack = ::mmap(nullptr, kChildStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    error = errno;
    return -1;
  }
  // The stack grows down on every architecture supd runs on.
  char* top = static_cast<char*>(stack) + kChildStackSize;
  const pid_t pid =
      ::clone(child_entry, top, CLONE_VM | CLONE_VFORK | SIGCHLD, const_cast<ChildArgs*>(&args));
  error = errno;
  ::munmap(stack, kChildStackSize);
  return pid;
}
#else
pid_t start_child(const ChildArgs& args, int& error) {
  const pid_t pid = ::fork();
  if (pid == 0) run_child(args);
  error = errno;
  return pid;
}
#endif

// ---- the parent ----

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> ptrs;
  ptrs.reserve(strings.size() + 1);
  for (std::string& s : strings) ptrs.push_back(s.data());
  ptrs.push_back(nullptr);
  return ptrs;
}

std::string describe_step(const SpawnPlan& plan, const Failure& f) {
  switch (static_cast<Step>(f.step)) {
    case Step::Stdin:
      return "redirect stdin";
    case Step::Stdout:
      return "redirect stdout";
    case Step::Stderr:
      return "redirect stderr";
    case Step::Setsid:
      return "setsid";
    case Step::Limit:
      if (f.index >= 0 && static_cast<std::size_t>(f.index) < plan.limits.size()) {
        return plan.limits[static_cast<std::size_t>(f.index)].what;
      }
      return "setrlimit";
    case Step::Groups:
      return "setgroups for user '" + plan.credentials->user + "'";
    case Step::Gid:
      return "setgid " + std::to_string(plan.credentials->gid);
    case Step::Uid:
      return "setuid " + std::to_string(plan.credentials->uid) + " (user '" +
             plan.credentials->user + "')";
    case Step::Chdir:
      return "chdir " + plan.cwd;
    case Step::DeathSignal:
      return "prctl PR_SET_PDEATHSIG";
    case Step::Exec:
      return "spawn " + plan.path;
  }
  return "spawn " + plan.path;
}

// Reads the failure pipe until the child execs (EOF, success) or reports a failed step.
bool read_failure(int fd, Failure& failure) {
  std::size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(&failure);
  while (got < sizeof failure) {
    const ssize_t n = ::read(fd, bytes + got, sizeof failure - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  if (got == 0) return false;
  if (got != sizeof failure) failure = Failure{static_cast<int>(Step::Exec), 0, EIO};
  return true;
}

}  // namespace

Result<std::unique_ptr<Child>> spawn(asio::io_context& io, const ProcessSpec& spec) {
  Result<SpawnPlan> planned = posix::plan_spawn(spec);
  if (!planned) return planned.error();
  SpawnPlan& plan = *planned;
  std::vector<char*> argv = pointers(plan.argv);
  std::vector<char*> envp = pointers(plan.env);

  Stdio stdio;
  if (Status ok = open_stdio(spec, stdio); !ok) return ok.error();
  Fd report_read, report_write;
  if (Status ok = make_pipe(report_read, report_write); !ok) return ok.error();
  if (Status ok = lift_above_stdio(report_write); !ok) return ok.error();

  const ChildArgs args{plan.path.c_str(),
                       argv.data(),
                       envp.data(),
                       plan.cwd.empty() ? nullptr : plan.cwd.c_str(),
                       &plan,
                       stdio.child_in.get(),
                       stdio.child_out.get(),
                       stdio.child_err.get(),
                       stdio.err_to_out,
                       report_write.get(),
                       ::getpid()};

  posix::watch_children(io);  // before fork(): its SIGCHLD must find a watcher

  // Every signal blocked across fork(), so none reaches a handler of supd's in the child
  // before run_child() resets them.
  sigset_t all, previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t pid = -1;
  int fork_error = 0;
  std::shared_ptr<posix::ChildRecord> record;
  {
    posix::ChildrenLock lock = posix::lock_children();
    pid = start_child(args, fork_error);
    if (pid > 0) record = posix::register_child(lock, io, pid);
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) {
    return Error{std::error_code(fork_error, std::generic_category()),
                 "create a process for " + plan.path};
  }

  stdio.child_in.reset();
  stdio.child_out.reset();
  stdio.child_err.reset();
  report_write.reset();

  Failure failure{};
  if (read_failure(report_read.get(), failure)) {
    posix::ChildrenLock lock = posix::lock_children();
    posix::reap_failed_child(lock, record);
    return Error{std::error_code(failure.error, std::generic_category()),
                 describe_step(plan, failure)};
  }

  std::unique_ptr<AsyncPipe> out, err;
  if (stdio.parent_out.get() >= 0) out = posix::make_async_pipe(io, stdio.parent_out.release());
  if (stdio.parent_err.get() >= 0) err = posix::make_async_pipe(io, stdio.parent_err.release());
  return posix::make_child(std::move(record), std::move(out), std::move(err));
}

}  // namespace supd::os
