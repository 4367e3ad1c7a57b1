// A child for the Windows platform tests. Its arguments are commands run in order:
//   exit N            exit with code N (decimal or 0x hex)
//   crash             write to address 0x10 (exit 0xC0000005)
//   abort             call abort()
//   overflow          overflow the stack (exit 0xC00000FD)
//   crash-handler     install supd's crash handler, reporting to stderr; its hook prints
//                     "hook ran: <code>" to stderr
//   sleep MS          sleep
//   out TEXT          write TEXT and a newline to stdout; `err TEXT`: to stderr
//   lines N LEN       write N lines of LEN 'x's to stdout
//   args              print every argument, argv[0] included, as hex of its UTF-8, one a line
//   env NAME          print NAME's value, or <unset>
//   cwd               print the working directory
//   grandchild        start `<this program> sleep 600000` (with no stdio) and print
//                     "grandchild <pid>"
//   sem-post NAME     open supd's named semaphore NAME and post it once
//   console           get a console of its own (FreeConsole, AllocConsole)
//   on-ctrl-break N   exit with N when a CTRL_BREAK arrives
//   pipe-talk PIPE N  connect to supd's control pipe PIPE and make N round trips: write a
//                     line, read it echoed back; then print "talked N"
//   map-read PATH     map PATH read-only and print its bytes up to the first NUL
//   map-write PATH SIZE TEXT   map PATH (SIZE bytes) for writing and write TEXT at its start
// The arguments are read with CommandLineToArgvW, the splitting rule spawn() quotes for.
#include <windows.h>
// After windows.h, which it needs.
#include <shellapi.h>

#include <cstdint>
#include <cstdlib>
#include <cwchar>
#include <string>

#include <asio/io_context.hpp>

#include "os/crash_handler.h"
#include "os/file_mapping.h"
#include "os/local_socket.h"
#include "os/named_semaphore.h"

namespace {

std::string narrow(const wchar_t* s) {
  const int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, nullptr, 0, nullptr, nullptr);
  if (n <= 1) return {};
  std::string out(static_cast<std::size_t>(n - 1), '\0');
  WideCharToMultiByte(CP_UTF8, 0, s, -1, out.data(), n, nullptr, nullptr);
  return out;
}

void write(DWORD which, const std::string& text) {
  HANDLE h = GetStdHandle(which);
  DWORD written = 0;
  WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &written, nullptr);
}

void print(const std::string& line) { write(STD_OUTPUT_HANDLE, line + "\n"); }

std::string hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out.empty() ? "-" : out;
}

UINT g_break_exit_code = 0;

BOOL WINAPI on_break(DWORD event) {
  if (event != CTRL_BREAK_EVENT) return FALSE;
  ExitProcess(g_break_exit_code);
}

volatile bool g_never = false;
// Read at run time, so the compiler cannot see the bad write coming.
volatile std::uintptr_t g_crash_address = 0x10;

// Each frame keeps a buffer the next one reads through a pointer, so neither the buffer
// nor the recursion can be optimized away.
__attribute__((noinline)) int recurse(volatile char* previous) {
  volatile char frame[4096];
  frame[0] = previous == nullptr ? char{1} : previous[0];
  if (g_never) return 0;
  return recurse(frame) + frame[100];
}

void on_crash(const supd::os::CrashInfo& info) noexcept {
  char text[64] = "hook ran: 0x";
  std::size_t n = 12;
  for (int shift = 28; shift >= 0; shift -= 4) {
    text[n++] = "0123456789ABCDEF"[(static_cast<unsigned>(info.signo) >> shift) & 0xf];
  }
  text[n++] = '\n';
  DWORD written = 0;
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), text, static_cast<DWORD>(n), &written, nullptr);
}

int start_grandchild() {
  wchar_t self[MAX_PATH];
  GetModuleFileNameW(nullptr, self, MAX_PATH);
  std::wstring command_line = L"\"" + std::wstring(self) + L"\" sleep 600000";
  // No standard handles at all, so that it holds none of the test's pipes open.
  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  startup.dwFlags = STARTF_USESTDHANDLES;
  PROCESS_INFORMATION info{};
  if (!CreateProcessW(self, command_line.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr,
                      &startup, &info)) {
    return 71;
  }
  print("grandchild " + std::to_string(info.dwProcessId));
  CloseHandle(info.hThread);
  CloseHandle(info.hProcess);
  return 0;
}

// The client half of the control pipe test: each line must come back unchanged.
int pipe_talk(const std::string& pipe, unsigned long rounds) {
  asio::io_context io;
  auto stream = supd::os::connect(io, pipe);
  if (!stream) {
    write(STD_ERROR_HANDLE, "connect: " + stream.error().message() + "\n");
    return 74;
  }
  for (unsigned long round = 0; round < rounds; ++round) {
    const std::string line =
        "round " + std::to_string(round) + " from " + std::to_string(GetCurrentProcessId()) + "\n";
    if (!stream.value()->write_all(line.data(), line.size())) return 75;
    std::string echoed;
    while (echoed.size() < line.size()) {
      char buffer[256];
      auto n = stream.value()->read_some(buffer, sizeof(buffer));
      if (!n || n.value() == 0) return 76;
      echoed.append(buffer, n.value());
    }
    if (echoed != line) {
      write(STD_ERROR_HANDLE, "sent " + line + "got " + echoed + "\n");
      return 77;
    }
  }
  print("talked " + std::to_string(rounds));
  return 0;
}

int map_read(const std::string& path) {
  auto mapping = supd::os::FileMapping::open_read_only(path);
  if (!mapping) return 78;
  std::string text;
  for (std::size_t i = 0; i < mapping->size() && mapping->data()[i] != std::byte{0}; ++i) {
    text.push_back(static_cast<char>(mapping->data()[i]));
  }
  print(text);
  return 0;
}

int map_write(const std::string& path, std::size_t size, const std::string& text) {
  auto mapping = supd::os::FileMapping::create(path, size, 0600);
  if (!mapping || mapping->size() < text.size()) return 79;
  for (std::size_t i = 0; i < text.size(); ++i) {
    mapping->data()[i] = static_cast<std::byte>(text[i]);
  }
  return 0;
}

}  // namespace

int main() {
  int argc = 0;
  wchar_t** argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  if (argv == nullptr) return 70;
  for (int i = 1; i < argc; ++i) {
    const std::wstring command = argv[i];
    const bool has_value = i + 1 < argc;
    if (command == L"exit" && has_value) {
      ExitProcess(static_cast<UINT>(std::wcstoul(argv[++i], nullptr, 0)));
    } else if (command == L"crash") {
      *reinterpret_cast<volatile int*>(g_crash_address) = 1;  // NOLINT(performance-no-int-to-ptr)
    } else if (command == L"abort") {
      std::abort();
    } else if (command == L"overflow") {
      return recurse(nullptr);
    } else if (command == L"crash-handler") {
      supd::os::install_crash_handler(
          reinterpret_cast<supd::os::NativeHandle>(GetStdHandle(STD_ERROR_HANDLE)), on_crash);
    } else if (command == L"sleep" && has_value) {
      Sleep(static_cast<DWORD>(std::wcstoul(argv[++i], nullptr, 10)));
    } else if (command == L"out" && has_value) {
      print(narrow(argv[++i]));
    } else if (command == L"err" && has_value) {
      write(STD_ERROR_HANDLE, narrow(argv[++i]) + "\n");
    } else if (command == L"lines" && i + 2 < argc) {
      const unsigned long count = std::wcstoul(argv[++i], nullptr, 10);
      const std::string line(std::wcstoul(argv[++i], nullptr, 10), 'x');
      for (unsigned long n = 0; n < count; ++n) print(line);
    } else if (command == L"args") {
      for (int j = 0; j < argc; ++j) print(hex(narrow(argv[j])));
    } else if (command == L"env" && has_value) {
      const wchar_t* name = argv[++i];
      wchar_t value[32767];
      const DWORD n = GetEnvironmentVariableW(name, value, 32767);
      print(n == 0 && GetLastError() == ERROR_ENVVAR_NOT_FOUND ? "<unset>" : narrow(value));
    } else if (command == L"cwd") {
      wchar_t dir[MAX_PATH];
      GetCurrentDirectoryW(MAX_PATH, dir);
      print(narrow(dir));
    } else if (command == L"grandchild") {
      if (int rc = start_grandchild(); rc != 0) return rc;
    } else if (command == L"sem-post" && has_value) {
      auto sem = supd::os::NamedSemaphore::open(narrow(argv[++i]));
      if (!sem || !sem->post()) return 73;
    } else if (command == L"console") {
      FreeConsole();
      if (!AllocConsole()) return 72;
    } else if (command == L"on-ctrl-break" && has_value) {
      g_break_exit_code = static_cast<UINT>(std::wcstoul(argv[++i], nullptr, 0));
      SetConsoleCtrlHandler(on_break, TRUE);
    } else if (command == L"pipe-talk" && i + 2 < argc) {
      const std::string pipe = narrow(argv[++i]);
      if (int rc = pipe_talk(pipe, std::wcstoul(argv[++i], nullptr, 10)); rc != 0) return rc;
    } else if (command == L"map-read" && has_value) {
      if (int rc = map_read(narrow(argv[++i])); rc != 0) return rc;
    } else if (command == L"map-write" && i + 3 < argc) {
      const std::string path = narrow(argv[++i]);
      const std::size_t size = std::wcstoul(argv[++i], nullptr, 10);
      if (int rc = map_write(path, size, narrow(argv[++i])); rc != 0) return rc;
    } else {
      write(STD_ERROR_HANDLE, "supd_win_child: bad command " + narrow(argv[i]) + "\n");
      return 64;
    }
  }
  return 0;
}
