// The terminal on Windows: the console. Full-screen mode turns off line input, echo and
// Ctrl+C processing on the input side, turns on VT processing on the output side (Windows 10
// consoles understand the same escape sequences as POSIX terminals), and switches to the
// alternate screen. Closing the console window or Ctrl+Break restores it first.
#include "os/terminal.h"

#include <windows.h>

#include <atomic>
#include <chrono>
#include <string>

#include "os/win/wide.h"

namespace supd::os {
namespace {

constexpr char kEnter[] = "\x1b[?1049h\x1b[?25l";
constexpr char kLeave[] = "\x1b[?25h\x1b[?1049l";

HANDLE std_handle(StdStream stream) {
  switch (stream) {
    case StdStream::In:
      return GetStdHandle(STD_INPUT_HANDLE);
    case StdStream::Out:
      return GetStdHandle(STD_OUTPUT_HANDLE);
    case StdStream::Err:
      return GetStdHandle(STD_ERROR_HANDLE);
  }
  return nullptr;
}

bool is_console(HANDLE h) {
  DWORD mode = 0;
  return h != nullptr && h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode) != 0;
}

void write_out(const char* text, DWORD size) {
  DWORD written = 0;
  WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text, size, &written, nullptr);
}

// The modes to restore; read by the console control handler on its own thread.
std::atomic<bool> g_active{false};
std::atomic<DWORD> g_input_mode{0};
std::atomic<DWORD> g_output_mode{0};

void restore() {
  if (!g_active.exchange(false)) return;
  write_out(kLeave, sizeof(kLeave) - 1);
  SetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), g_input_mode.load());
  SetConsoleMode(GetStdHandle(STD_OUTPUT_HANDLE), g_output_mode.load());
}

BOOL WINAPI restore_on_event(DWORD) {
  restore();
  return FALSE;  // then whatever would have happened anyway
}

Error not_a_terminal(const char* which) {
  return Error{std::error_code(), std::string(which) + " is not a terminal"};
}

}  // namespace

bool is_terminal(StdStream stream) { return is_console(std_handle(stream)); }

std::optional<TerminalSize> terminal_size() {
  CONSOLE_SCREEN_BUFFER_INFO info{};
  if (!GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE), &info)) return std::nullopt;
  TerminalSize size;
  size.rows = info.srWindow.Bottom - info.srWindow.Top + 1;
  size.columns = info.srWindow.Right - info.srWindow.Left + 1;
  if (size.rows <= 0 || size.columns <= 0) return std::nullopt;
  return size;
}

Result<FullScreen> FullScreen::enter() {
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  DWORD in_mode = 0;
  DWORD out_mode = 0;
  if (!GetConsoleMode(in, &in_mode)) return not_a_terminal("stdin");
  if (!GetConsoleMode(out, &out_mode)) return not_a_terminal("stdout");
  if (g_active.load()) {
    return Error{std::error_code(), "the terminal is already in full-screen mode"};
  }
  const DWORD raw_in = (in_mode & ~static_cast<DWORD>(ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT |
                                                      ENABLE_PROCESSED_INPUT)) |
                       ENABLE_EXTENDED_FLAGS;
  if (!SetConsoleMode(in, raw_in)) return last_error("set the console's input mode");
  if (!SetConsoleMode(out,
                      out_mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING | ENABLE_PROCESSED_OUTPUT)) {
    Error e = last_error("turn on the console's escape sequences");
    SetConsoleMode(in, in_mode);
    return e;
  }
  g_input_mode.store(in_mode);
  g_output_mode.store(out_mode);
  g_active.store(true);
  SetConsoleCtrlHandler(restore_on_event, TRUE);
  write_out(kEnter, sizeof(kEnter) - 1);
  return FullScreen();
}

void FullScreen::leave() {
  if (!active_) return;
  active_ = false;
  restore();
  SetConsoleCtrlHandler(restore_on_event, FALSE);
}

Result<std::optional<char>> wait_for_key(std::chrono::milliseconds timeout) {
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!is_console(in)) {
    // A pipe or a file: poll for a byte.
    for (;;) {
      DWORD available = 0;
      const BOOL piped = PeekNamedPipe(in, nullptr, 0, nullptr, &available, nullptr);
      if (!piped && GetLastError() == ERROR_BROKEN_PIPE) {
        return Error{std::error_code(), "stdin reached its end"};
      }
      if (!piped || available > 0) {
        char byte = 0;
        DWORD got = 0;
        if (!ReadFile(in, &byte, 1, &got, nullptr) || got == 0) {
          return Error{std::error_code(), "stdin reached its end"};
        }
        return std::optional<char>(byte);
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::optional<char>();
      Sleep(10);
    }
  }
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return std::optional<char>();
    const DWORD waited = WaitForSingleObject(in, static_cast<DWORD>(left.count()));
    if (waited == WAIT_TIMEOUT) return std::optional<char>();
    if (waited != WAIT_OBJECT_0) return last_error("wait for a key");
    INPUT_RECORD record{};
    DWORD count = 0;
    if (!ReadConsoleInputW(in, &record, 1, &count)) return last_error("read a key");
    if (count == 1 && record.EventType == KEY_EVENT && record.Event.KeyEvent.bKeyDown &&
        record.Event.KeyEvent.uChar.UnicodeChar != 0) {
      const std::string text =
          win::narrow(std::wstring(1, record.Event.KeyEvent.uChar.UnicodeChar));
      if (!text.empty()) return std::optional<char>(text.front());
    }
  }
}

}  // namespace supd::os
