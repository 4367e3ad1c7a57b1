// Shared by the Windows end-to-end tests: running supd.exe, supctl.exe and sc.exe to
// completion, reading the status page, writing a config.
#pragma once

#include <windows.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "os/process.h"
#include "os/win/wide.h"
#include "status/status_reader.h"
#include "win_test_util.h"

namespace supd::e2e {

struct ToolRun {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::ostream& operator<<(std::ostream& os, const ToolRun& r) {
  return os << "exit " << r.code << "\nstdout:\n" << r.out << "stderr:\n" << r.err;
}

// Runs `program args...` to completion (bounded by `timeout`); nullopt if it could not be
// started or did not finish.
inline std::optional<ToolRun> run_tool(const std::string& program, std::vector<std::string> args,
                                       std::chrono::seconds timeout = std::chrono::seconds(90)) {
  os::ProcessSpec spec;
  spec.argv.push_back(program);
  for (std::string& a : args) spec.argv.push_back(std::move(a));
  asio::io_context io;
  auto child = os::spawn(io, spec);
  if (!child) return std::nullopt;
  auto done = os::test::finish(io, *child.value(), timeout);
  if (!done) return std::nullopt;
  return ToolRun{done->status.code, done->out, done->err};
}

inline std::optional<ToolRun> supd(std::vector<std::string> args) {
  return run_tool(SUPD_EXE, std::move(args));
}
inline std::optional<ToolRun> supctl(std::vector<std::string> args) {
  return run_tool(SUPCTL_EXE, std::move(args));
}

inline std::string system_program(const wchar_t* name) {
  wchar_t dir[MAX_PATH];
  const UINT n = GetSystemDirectoryW(dir, MAX_PATH);
  return os::win::narrow(std::wstring(dir, n) + L"\\" + name);
}

// The whole text of a file, or "" when it cannot be read.
inline std::string read_text(const std::string& path) {
  HANDLE h = CreateFileW(os::win::widen(path).c_str(), GENERIC_READ,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_EXISTING, 0, nullptr);
  if (h == INVALID_HANDLE_VALUE) return {};
  std::string text;
  char buffer[4096];
  DWORD n = 0;
  while (ReadFile(h, buffer, sizeof(buffer), &n, nullptr) && n > 0) text.append(buffer, n);
  CloseHandle(h);
  return text;
}

inline bool write_text(const std::string& path, const std::string& text) {
  HANDLE h = CreateFileW(os::win::widen(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0,
                         nullptr);
  if (h == INVALID_HANDLE_VALUE) return false;
  DWORD n = 0;
  const bool ok =
      WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &n, nullptr) && n == text.size();
  CloseHandle(h);
  return ok;
}

// A YAML single-quoted scalar: Windows paths need no escaping in it.
inline std::string yaml_quoted(const std::string& s) { return "'" + s + "'"; }

// One service's line of the status page, read directly (as supctl status does).
inline std::optional<status::ServiceStatus> page_service(const std::string& page,
                                                         const std::string& name) {
  auto reader = status::StatusReader::open(page);
  if (!reader) return std::nullopt;
  auto snapshot = reader->read();
  if (!snapshot) return std::nullopt;
  for (const status::ServiceStatus& s : snapshot->services) {
    if (s.name == name) return s;
  }
  return std::nullopt;
}

// Polls the status page until `name` satisfies `condition`; its last reading either way.
template <class Condition>
std::optional<status::ServiceStatus> wait_for_service(
    const std::string& page, const std::string& name, Condition condition,
    std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  std::optional<status::ServiceStatus> last;
  os::test::wait_until(
      [&] {
        last = page_service(page, name);
        return last && condition(*last);
      },
      timeout);
  return last;
}

inline bool is_running(const status::ServiceStatus& s) {
  return s.state == status::ServiceState::Running && s.pid > 0;
}

}  // namespace supd::e2e
