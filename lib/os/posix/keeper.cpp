// The keeper process (see keeper.h). Linux only: it relies on PR_SET_CHILD_SUBREAPER to
// inherit every orphan below it and on PR_SET_PDEATHSIG to tell the daemon it is gone.
#include "os/keeper.h"

#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__linux__)
#include <dirent.h>
#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>

#include "os/posix/children_list.h"
#endif

namespace supd::os {
namespace {

bool keeper_disabled() {
  const char* value = std::getenv("SUPD_NO_KEEPER");
  return value != nullptr && *value != '\0' && std::strcmp(value, "0") != 0;
}

// An inherited SIG_IGN for SIGCHLD makes the kernel reap children unasked, so neither the
// keeper nor the daemon could learn how a child ended.
void restore_sigchld() { ::signal(SIGCHLD, SIG_DFL); }

}  // namespace

#if defined(__linux__)
namespace {

constexpr int kForwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
// Job-control stops would freeze the keeper (not the daemon, in its own group): swallow them.
constexpr int kSwallowed[] = {SIGTSTP, SIGTTIN, SIGTTOU};
constexpr std::chrono::seconds kCleanupBudget{2};
constexpr long kCleanupPollNanos = 10'000'000;

sigset_t keeper_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int signo : kForwarded) sigaddset(&set, signo);
  for (int signo : kSwallowed) sigaddset(&set, signo);
  sigaddset(&set, SIGCHLD);
  return set;
}

bool is_forwarded(int signo) {
  for (int s : kForwarded) {
    if (s == signo) return true;
  }
  return false;
}

// Reaps every child that has ended. Records the daemon's status when it is among them.
// Returns false once no child at all is left (ECHILD).
bool reap(pid_t daemon, bool& daemon_ended, int& daemon_status) {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      if (pid == daemon) {
        daemon_ended = true;
        daemon_status = status;
      }
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    return !(pid < 0 && errno == ECHILD);
  }
}

// SIGKILLs every process still below the keeper, and each one's process group, until none
// is left to reap. Orphans re-parented to the keeper while this runs are caught by the
// next round. Never touches the keeper's own group: it may hold the user's shell pipeline.
void kill_everything_left(pid_t daemon, bool& daemon_ended, int& daemon_status) {
  const pid_t own_group = ::getpgrp();
  const auto deadline = std::chrono::steady_clock::now() + kCleanupBudget;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  while (reap(daemon, daemon_ended, daemon_status)) {
    posix::kill_with_groups(posix::list_children(), own_group);
    if (std::chrono::steady_clock::now() >= deadline) return;
    timespec poll{0, kCleanupPollNanos};
    ::sigtimedwait(&chld, nullptr, &poll);
  }
}

// Ends the keeper the way the daemon ended.
[[noreturn]] void exit_like(int status) {
  if (WIFEXITED(status)) ::_exit(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int signo = WTERMSIG(status);
    // The daemon already dumped its core if it was going to; the keeper's is of no use.
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(signo, SIG_DFL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, signo);
    ::sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
    ::raise(signo);
    // Still here: PID 1 of a container cannot be killed by its own signals.
    ::_exit(128 + signo);
  }
  ::_exit(1);
}

[[noreturn]] void run_keeper(pid_t daemon) {
  const sigset_t waited = keeper_signals();
  bool daemon_ended = false;
  int daemon_status = 0;
  while (!daemon_ended) {
    siginfo_t info{};
    int signo = ::sigwaitinfo(&waited, &info);
    if (signo < 0) continue;  // EINTR
    if (is_forwarded(signo) && info.si_pid != daemon) ::kill(daemon, signo);
    // Reap on every wake-up: SIGCHLDs merge, and the daemon may end at any moment.
    reap(daemon, daemon_ended, daemon_status);
  }
  kill_everything_left(daemon, daemon_ended, daemon_status);
  exit_like(daemon_status);
}

// systemd names the unit's main pid (the keeper) in WATCHDOG_PID; the daemon does the pinging.
void hand_over_watchdog(pid_t keeper) {
  const char* watchdog_pid = std::getenv("WATCHDOG_PID");
  if (watchdog_pid != nullptr && std::atol(watchdog_pid) == static_cast<long>(keeper)) {
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  }
}

void become_daemon(pid_t keeper, const sigset_t& original_mask) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  ::setpgid(0, 0);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  hand_over_watchdog(keeper);
  ::sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  // The keeper died before PR_SET_PDEATHSIG took effect: act as if it had been in time.
  if (::getppid() != keeper) ::raise(SIGTERM);
}

}  // namespace

KeeperRole start_keeper() {
  restore_sigchld();
  if (keeper_disabled()) return KeeperRole{false, "SUPD_NO_KEEPER is set"};

  // Block the keeper's signals before forking, so none is lost between fork and the loop
  // and SIGCHLD for a daemon that dies at once is still pending when the loop starts.
  const sigset_t waited = keeper_signals();
  sigset_t original_mask;
  ::sigprocmask(SIG_BLOCK, &waited, &original_mask);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);

  const pid_t keeper = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::sigprocmask(SIG_SETMASK, &original_mask, nullptr);
    return KeeperRole{false, std::string("fork: ") + std::strerror(error)};
  }
  if (pid > 0) run_keeper(pid);
  become_daemon(keeper, original_mask);
  return KeeperRole{true, ""};
}

#else

KeeperRole start_keeper() {
  restore_sigchld();
  if (keeper_disabled()) return KeeperRole{false, "SUPD_NO_KEEPER is set"};
  return KeeperRole{false, "no keeper on this platform"};
}

#endif

}  // namespace supd::os
