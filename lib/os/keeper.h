// The keeper: no service process outlives supd, even when supd is killed with SIGKILL.
//
// start_keeper() forks. The process that was started (by a user, a shell, systemd, or as
// PID 1 of a container) stays behind as the keeper; the child returns and becomes the
// daemon.
//
// The keeper (Linux) is a child subreaper with one loop and no threads. It
//   - forwards SIGHUP SIGINT SIGQUIT SIGTERM SIGUSR1 SIGUSR2 SIGWINCH to the daemon and is
//     not stopped or killed by them itself (it ignores SIGTSTP SIGTTIN SIGTTOU);
//   - reaps every child it gets, adopted orphans included, so supd as PID 1 leaves no
//     zombie;
//   - when the daemon ends, however it ends, SIGKILLs whatever is left below it (every
//     remaining child and orphan, and each one's process group), reaping until none is
//     left (bounded by 2 s), then exits with the daemon's exit code, or dies of the
//     signal that killed the daemon, so whoever started supd sees the daemon's own end.
// The daemon
//   - gets SIGTERM if the keeper dies (PR_SET_PDEATHSIG), so it shuts down cleanly;
//   - leads its own process group, so a terminal's Ctrl+C reaches it once, via the keeper;
//   - is a child subreaper itself: orphans of services come to it while it lives, and to
//     the keeper once it is gone.
//
// Under systemd the keeper is the unit's main process: the daemon sends sd_notify messages
// from another pid, so the unit needs NotifyAccess=all. WATCHDOG_PID, when it names the
// keeper, is handed over to the daemon. KillMode=mixed lets the daemon stop services in
// dependency order (SIGTERM goes to the keeper alone, which forwards it).
//
// FreeBSD, macOS and others: no keeper yet; start_keeper() returns at once.
//
// Debugging: SUPD_NO_KEEPER=1 in the environment turns the keeper off (no fork), e.g. to
// run supd under a debugger; the no-orphan guarantee then rests on the daemon alone.
#pragma once

#include <string>

namespace supd::os {

struct KeeperRole {
  // This process is the daemon and its parent is its keeper.
  bool has_keeper = false;
  // When !has_keeper: why not, for the log ("SUPD_NO_KEEPER=1", "fork: ...").
  std::string why_not;
};

// Call first thing in main(), before any thread exists and before anything is opened that
// the keeper should not hold. Returns only in the daemon (the keeper process never
// returns: it exits as described above). The signal mask and dispositions are as they
// were on entry, except SIGCHLD's, reset to the default: an inherited SIG_IGN would have
// the kernel reap children before supd could learn how they ended.
KeeperRole start_keeper();

}  // namespace supd::os
