// supd's own crash: report it, let the daemon clean up, then die of the same cause.
//
// POSIX: SIGSEGV SIGBUS SIGILL SIGFPE SIGABRT are caught on an alternate signal stack (so a
// stack overflow is reported too). The handler writes
//     supd crashed: SIGSEGV at address 0x10
//     backtrace:
//     /usr/bin/supd(+0x1234)[0x55d0c0a01234]
//     ...
// to the report fd (the backtrace on glibc only), calls the hook, then lets the signal kill
// the process with its default action, so the exit status (and a core dump, if enabled)
// show the original cause and systemd restarts supd.
// Windows: an unhandled-exception filter does the same with the exception code.
#pragma once

#include <cstdint>

namespace supd::os {

// A native file descriptor (POSIX) or HANDLE value (Windows).
using NativeHandle = std::intptr_t;

struct CrashInfo {
  int signo;               // native signal number (Windows: the exception code)
  std::uintptr_t address;  // faulting address; 0 when the signal was sent or raised
  std::int64_t unix_time;  // seconds since the epoch, when the crash was caught
};

// Runs inside the signal handler, once, after the report is written. It may only use
// async-signal-safe calls (write, kill, plain stores to memory, ...): no locks, no malloc,
// no logging. A second crash inside the hook ends the process at once.
using CrashHook = void (*)(const CrashInfo&) noexcept;

// Installs the handler for the whole process (calling again replaces the fd and hook).
// The alternate stack serves the calling thread: install it from the loop thread, before
// other threads start. `report_fd` stays owned by the caller and must stay open; `hook`
// may be null.
void install_crash_handler(NativeHandle report_fd, CrashHook hook);

}  // namespace supd::os
