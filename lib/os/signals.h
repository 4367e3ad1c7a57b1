// Signals, portably named, and the daemon's own signal handling.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <asio/io_context.hpp>

namespace supd::os {

// The signals supd can send or receive by name. On Windows only Term, Int and Kill have a
// meaning for children (CTRL_BREAK, then TerminateJobObject); the others are refused there.
enum class Signal { Hup, Int, Quit, Kill, Usr1, Usr2, Term, Cont, Stop, Winch, Alrm };

// "TERM", "SIGTERM", "term", "sigterm" -> Signal::Term. nullopt when unknown.
std::optional<Signal> parse_signal(std::string_view name);
// Signal::Term -> "SIGTERM".
const char* signal_name(Signal s);
// Native number (POSIX signal number; on Windows a private numbering).
int native_signal(Signal s);
// A native signal number's name: 11 -> "SIGSEGV"; unknown numbers -> "SIG<n>".
std::string native_signal_name(int signo);

// What the daemon hears from the outside world. Installed once, on the loop's thread.
//   SIGTERM -> Terminate, SIGINT -> Interrupt, SIGHUP -> Reload, SIGUSR1 -> ReopenLogs.
enum class ControlSignal { Terminate, Interrupt, Reload, ReopenLogs };

class SignalWatcher {
 public:
  // Delivers SIGTERM/SIGINT/SIGHUP/SIGUSR1 (Windows: console control events) to `on_signal`
  // on the io_context's thread, one call per signal received, until destroyed. Signals that
  // arrive while a call runs are delivered afterwards, none lost (repeats of one signal
  // still pending may merge, as POSIX signals do). `on_signal` may destroy the watcher.
  SignalWatcher(asio::io_context& io, std::function<void(ControlSignal)> on_signal);
  // Stops the delivery; the signals get their default action back.
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  struct Impl;
  Impl* impl_;
};

// Makes SIGPIPE (and SIGXFSZ) ignored process-wide, so a write to a closed pipe or socket
// fails with EPIPE (a file past RLIMIT_FSIZE with EFBIG) instead of killing supd. Children get
// default dispositions back when spawned. No-op on Windows.
void ignore_sigpipe();

}  // namespace supd::os
