// The terminal supctl talks to: is a stream a terminal, how big is it, and a full-screen mode
// (raw keys, alternate screen, hidden cursor) for `supctl top` that is always undone, also
// when the process is stopped by SIGTERM, SIGINT, SIGHUP or SIGQUIT.
#pragma once

#include <chrono>
#include <optional>

#include "os/result.h"

namespace supd::os {

enum class StdStream { In, Out, Err };

// Whether the stream is connected to a terminal (isatty).
bool is_terminal(StdStream stream);

struct TerminalSize {
  int rows = 0;
  int columns = 0;
};

// The size of the terminal on stdout; nullopt when stdout is not a terminal or the size is
// unknown.
std::optional<TerminalSize> terminal_size();

// Full-screen mode on the controlling terminal (stdin for keys, stdout for the screen): keys
// arrive one byte at a time, unechoed, with no signal keys (Ctrl+C is read as the byte 3);
// output goes to the alternate screen with the cursor hidden. Only one may exist at a time.
class FullScreen {
 public:
  // Saves the terminal's settings, then switches. Errors: stdin or stdout is not a terminal,
  // or the settings cannot be changed. While it is active, SIGTERM, SIGINT, SIGHUP and SIGQUIT
  // restore the terminal and then take their default action.
  static Result<FullScreen> enter();

  FullScreen(FullScreen&& other) noexcept : active_(other.active_) { other.active_ = false; }
  FullScreen& operator=(FullScreen&&) = delete;
  FullScreen(const FullScreen&) = delete;
  FullScreen& operator=(const FullScreen&) = delete;
  ~FullScreen() { leave(); }

  // Restores the saved settings, the main screen and the cursor, and the signals' previous
  // handlers. Idempotent.
  void leave();

 private:
  FullScreen() : active_(true) {}
  bool active_ = false;
};

// Waits up to `timeout` for input on stdin and reads one byte. nullopt: nothing arrived in
// time (or a signal interrupted the wait). Error: stdin reached its end or failed.
Result<std::optional<char>> wait_for_key(std::chrono::milliseconds timeout);

}  // namespace supd::os
