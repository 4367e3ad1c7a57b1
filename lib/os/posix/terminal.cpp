// The terminal on POSIX: isatty, TIOCGWINSZ, termios raw mode and ANSI screen switches.
#include "os/terminal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iostream>

namespace supd::os {
namespace {

// Alternate screen + hidden cursor, and back.
constexpr char kEnterScreen[] = "\x1b[?1049h\x1b[?25l";
constexpr char kLeaveScreen[] = "\x1b[?25h\x1b[?1049l";

constexpr std::array<int, 4> kFatalSignals = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

// What the signal handler needs to undo full-screen mode; written before it is installed.
termios g_saved{};
volatile sig_atomic_t g_active = 0;
std::array<struct sigaction, kFatalSignals.size()> g_previous{};

void write_all(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Async-signal-safe: only tcsetattr and write.
void restore_terminal() noexcept {
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
  write_all(STDOUT_FILENO, kLeaveScreen, sizeof kLeaveScreen - 1);
}

void on_fatal_signal(int signo) {
  const int saved_errno = errno;
  if (g_active != 0) {
    g_active = 0;
    restore_terminal();
  }
  // SA_RESETHAND gave the signal its default action back; it is blocked while this handler
  // runs and is delivered again, to that action, as soon as the handler returns.
  ::raise(signo);
  errno = saved_errno;
}

void restore_signal_handlers() {
  for (std::size_t i = 0; i < kFatalSignals.size(); ++i) {
    ::sigaction(kFatalSignals[i], &g_previous[i], nullptr);
  }
}

int fd_of(StdStream stream) {
  switch (stream) {
    case StdStream::In:
      return STDIN_FILENO;
    case StdStream::Out:
      return STDOUT_FILENO;
    case StdStream::Err:
      return STDERR_FILENO;
  }
  return -1;
}

Error plain_error(std::string what) { return Error{std::error_code(), std::move(what)}; }

}  // namespace

bool is_terminal(StdStream stream) { return ::isatty(fd_of(stream)) == 1; }

std::optional<TerminalSize> terminal_size() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) {
    return std::nullopt;
  }
  return TerminalSize{ws.ws_row, ws.ws_col};
}

Result<FullScreen> FullScreen::enter() {
  if (g_active != 0) return plain_error("the terminal is already in full-screen mode");
  if (!is_terminal(StdStream::In)) return plain_error("stdin is not a terminal");
  if (!is_terminal(StdStream::Out)) return plain_error("stdout is not a terminal");
  if (::tcgetattr(STDIN_FILENO, &g_saved) != 0) return last_error("read the terminal settings");

  termios raw = g_saved;
  raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
  raw.c_cflag |= CS8;
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;

  g_active = 1;
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  for (int signo : kFatalSignals) sigaddset(&action.sa_mask, signo);
  action.sa_flags = SA_RESETHAND;
  for (std::size_t i = 0; i < kFatalSignals.size(); ++i) {
    ::sigaction(kFatalSignals[i], &action, &g_previous[i]);
  }

  if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) != 0) {
    Error error = last_error("switch the terminal to raw mode");
    g_active = 0;
    restore_signal_handlers();
    return error;
  }
  std::cout.flush();
  write_all(STDOUT_FILENO, kEnterScreen, sizeof kEnterScreen - 1);
  return FullScreen();
}

void FullScreen::leave() {
  if (!active_) return;
  active_ = false;
  std::cout.flush();
  // Block the signals while undoing, so a handler cannot restore half-way through with us.
  sigset_t block;
  sigset_t old;
  sigemptyset(&block);
  for (int signo : kFatalSignals) sigaddset(&block, signo);
  ::sigprocmask(SIG_BLOCK, &block, &old);
  if (g_active != 0) {
    g_active = 0;
    restore_terminal();
  }
  restore_signal_handlers();
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
}

Result<std::optional<char>> wait_for_key(std::chrono::milliseconds timeout) {
  pollfd pfd{};
  pfd.fd = STDIN_FILENO;
  pfd.events = POLLIN;
  const int ms = static_cast<int>(std::max<std::int64_t>(0, timeout.count()));
  const int rc = ::poll(&pfd, 1, ms);
  if (rc == 0) return std::optional<char>();
  if (rc < 0) {
    if (errno == EINTR) return std::optional<char>();
    return last_error("wait for a key on stdin");
  }
  char c = 0;
  ssize_t n;
  do {
    n = ::read(STDIN_FILENO, &c, 1);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_error("read a key from stdin");
  if (n == 0) return plain_error("stdin was closed");
  return std::optional<char>(c);
}

}  // namespace supd::os
