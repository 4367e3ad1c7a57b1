// spawn() on Windows, against real child processes (tests/win/child).
#include "os/process.h"

#include <windows.h>

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "os/win/handle.h"
#include "os/win/wide.h"
#include "win_test_util.h"

namespace supd::os {
namespace {

using test::child_spec;
using test::lines;
using test::run;

std::string hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out.empty() ? "-" : out;
}

TEST(WindowsSpawn, ReportsTheExitCode) {
  auto done = run(child_spec({"exit", "3"}));
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->status.signaled);
  EXPECT_EQ(done->status.code, 3);
  EXPECT_EQ(done->status.describe(), "exited 3");
}

TEST(WindowsSpawn, ReportsTheFull32BitExitCode) {
  auto done = run(child_spec({"exit", "0xE0000001"}));
  ASSERT_TRUE(done);
  EXPECT_EQ(static_cast<unsigned>(done->status.code), 0xE0000001u);
}

TEST(WindowsSpawn, DecodesACrash) {
  auto done = run(child_spec({"crash"}));
  ASSERT_TRUE(done);
  EXPECT_EQ(static_cast<unsigned>(done->status.code), 0xC0000005u);
  EXPECT_EQ(done->status.describe(), "exited 0xC0000005 (access violation)");
}

TEST(WindowsSpawn, CapturesStdoutAndStderrSeparately) {
  auto done = run(child_spec({"out", "to stdout", "err", "to stderr", "out", "again"}));
  ASSERT_TRUE(done);
  EXPECT_EQ(lines(done->out), (std::vector<std::string>{"to stdout", "again"}));
  EXPECT_EQ(lines(done->err), (std::vector<std::string>{"to stderr"}));
}

TEST(WindowsSpawn, MergesStderrIntoStdout) {
  ProcessSpec spec = child_spec({"out", "one", "err", "two", "out", "three"});
  spec.stderr_to_stdout = true;
  asio::io_context io;
  auto child = spawn(io, spec);
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child.value()->take_stderr(), nullptr);
  auto done = test::finish(io, *child.value());
  ASSERT_TRUE(done);
  EXPECT_EQ(lines(done->out), (std::vector<std::string>{"one", "two", "three"}));
}

TEST(WindowsSpawn, CapturesMoreThanAPipeBufferOfOutput) {
  // 64 KiB pipe buffer; the child blocks unless supd keeps reading.
  auto done = run(child_spec({"lines", "1000", "1000"}));
  ASSERT_TRUE(done);
  const std::vector<std::string> got = lines(done->out);
  ASSERT_EQ(got.size(), 1000u);
  EXPECT_EQ(got.back(), std::string(1000, 'x'));
  EXPECT_EQ(done->status.code, 0);
}

TEST(WindowsSpawn, RefusesACommandLineWindowsCannotPass) {
  ProcessSpec spec = child_spec({"out", std::string(40000, 'x')});
  asio::io_context io;
  auto child = spawn(io, spec);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().code.value(), ERROR_FILENAME_EXCED_RANGE);
  EXPECT_NE(child.error().message().find("command line is"), std::string::npos);
}

TEST(WindowsSpawn, NullAndInheritModesGiveNoPipes) {
  ProcessSpec spec = child_spec({"out", "nowhere", "exit", "4"});
  spec.stdout_mode = StdioMode::Null;
  spec.stderr_mode = StdioMode::Inherit;
  asio::io_context io;
  auto child = spawn(io, spec);
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child.value()->take_stdout(), nullptr);
  EXPECT_EQ(child.value()->take_stderr(), nullptr);
  auto done = test::finish(io, *child.value());
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status.code, 4);
}

TEST(WindowsSpawn, ArgumentsSurviveQuotingUnchanged) {
  const std::vector<std::string> args = {"plain",
                                         "",
                                         "two words",
                                         R"(quote"inside)",
                                         R"(trailing\)",
                                         R"(\\server\share\)",
                                         R"(a\\\"b)",
                                         "tab\tand\nnewline",
                                         "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
                                         "%PATH%",
                                         "^&|<>"};
  ProcessSpec spec = child_spec({"args"});
  for (const std::string& a : args) spec.argv.push_back(a);
  // The child prints its arguments and then rejects the first unknown command: fine.
  auto done = run(spec);
  ASSERT_TRUE(done);
  std::vector<std::string> expected;
  for (const std::string& a : spec.argv) expected.push_back(hex(a));
  EXPECT_EQ(lines(done->out), expected);
}

TEST(WindowsSpawn, FindsAProgramInTheChildsPath) {
  const std::string path = test::child_program();
  const std::size_t slash = path.find_last_of("/\\");
  ASSERT_NE(slash, std::string::npos);
  ProcessSpec spec;
  // No extension: name.exe is found, as CreateProcess would.
  std::string name = path.substr(slash + 1);
  name = name.substr(0, name.size() - 4);
  spec.argv = {name, "exit", "5"};
  spec.env = {{"PATH", "C:\\supd-no-such-dir;" + path.substr(0, slash)}};
  auto done = run(spec);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status.code, 5);
}

TEST(WindowsSpawn, AMissingProgramFailsAtSpawnNamingIt) {
  asio::io_context io;
  ProcessSpec spec;
  spec.argv = {"supd-no-such-program"};
  auto child = spawn(io, spec);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().code.value(), ERROR_FILE_NOT_FOUND);
  EXPECT_NE(child.error().message().find("supd-no-such-program"), std::string::npos);

  spec.argv = {"C:\\supd-no-such-dir\\prog.exe"};
  child = spawn(io, spec);
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().message().find("C:\\supd-no-such-dir\\prog.exe"), std::string::npos);
}

TEST(WindowsSpawn, SetsTheEnvironment) {
  ASSERT_TRUE(SetEnvironmentVariableW(L"SUPD_TEST_FROM_PARENT", L"parent"));
  ProcessSpec spec =
      child_spec({"env", "SUPD_TEST_FROM_PARENT", "env", "SUPD_TEST_SET", "env", "Unicode"});
  spec.env = {{"SUPD_TEST_SET", "value with spaces"}, {"Unicode", "\xc3\xa9t\xc3\xa9"}};
  auto inherited = run(spec);
  ASSERT_TRUE(inherited);
  EXPECT_EQ(lines(inherited->out),
            (std::vector<std::string>{"parent", "value with spaces", "\xc3\xa9t\xc3\xa9"}));

  spec.inherit_env = false;
  auto clean = run(spec);
  ASSERT_TRUE(clean);
  EXPECT_EQ(lines(clean->out),
            (std::vector<std::string>{"<unset>", "value with spaces", "\xc3\xa9t\xc3\xa9"}));
  SetEnvironmentVariableW(L"SUPD_TEST_FROM_PARENT", nullptr);
}

TEST(WindowsSpawn, RunsInTheGivenDirectory) {
  wchar_t temp[MAX_PATH];
  ASSERT_GT(GetTempPathW(MAX_PATH, temp), 0u);
  wchar_t full[MAX_PATH];
  ASSERT_GT(GetLongPathNameW(temp, full, MAX_PATH), 0u);
  std::wstring dir = full;
  if (dir.size() > 3 && dir.back() == L'\\') dir.pop_back();
  ProcessSpec spec = child_spec({"cwd"});
  spec.cwd = win::narrow(dir);
  auto done = run(spec);
  ASSERT_TRUE(done);
  ASSERT_EQ(lines(done->out).size(), 1u);
  EXPECT_EQ(
      CompareStringOrdinal(win::widen(lines(done->out)[0]).c_str(), -1, dir.c_str(), -1, TRUE),
      CSTR_EQUAL)
      << lines(done->out)[0];

  spec.cwd = "C:\\supd-no-such-dir";
  asio::io_context io;
  auto child = spawn(io, spec);
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().message().find("cwd C:\\supd-no-such-dir"), std::string::npos)
      << child.error().message();
}

TEST(WindowsSpawn, RefusesPosixOnlySettings) {
  asio::io_context io;
  struct Case {
    const char* field;
    ProcessSpec spec;
  };
  std::vector<Case> cases(4, Case{"", child_spec({"exit", "0"})});
  cases[0].field = "user";
  cases[0].spec.user = "nobody";
  cases[1].field = "group";
  cases[1].spec.group = "nogroup";
  cases[2].field = "umask";
  cases[2].spec.umask = 022;
  cases[3].field = "limits";
  cases[3].spec.limits = {{"nofile", 1024}};
  for (const Case& c : cases) {
    auto child = spawn(io, c.spec);
    ASSERT_FALSE(child) << c.field;
    EXPECT_NE(child.error().message().find(std::string(c.field) + ": not supported on Windows"),
              std::string::npos)
        << child.error().message();
  }
}

TEST(WindowsSpawn, ChildInheritsOnlyItsStdioHandles) {
  // An inheritable pipe supd holds for its own reasons: if the child inherited the write
  // end, the read end would not see the pipe broken while the child lives.
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE read_end = nullptr;
  HANDLE write_end = nullptr;
  ASSERT_TRUE(CreatePipe(&read_end, &write_end, &inheritable, 0));
  win::UniqueHandle reader(read_end);
  win::UniqueHandle writer(write_end);

  asio::io_context io;
  auto child = spawn(io, child_spec({"sleep", "600000"}));
  ASSERT_TRUE(child) << child.error().message();
  writer.reset();
  DWORD available = 0;
  EXPECT_FALSE(PeekNamedPipe(reader.get(), nullptr, 0, nullptr, &available, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_BROKEN_PIPE));
  EXPECT_TRUE(test::ok(child.value()->signal_group(Signal::Kill)));
}

TEST(WindowsSpawn, DestroyingTheChildCancelsTheWait) {
  asio::io_context io;
  bool called = false;
  {
    auto child = spawn(io, child_spec({"exit", "0"}));
    ASSERT_TRUE(child);
    child.value()->async_wait([&](const ExitStatus&) { called = true; });
  }
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(called);
}

TEST(WindowsProcess, CurrentPidExists) {
  EXPECT_EQ(current_pid(), static_cast<Pid>(GetCurrentProcessId()));
  EXPECT_TRUE(process_exists(current_pid()));
  EXPECT_TRUE(become_subreaper());
}

TEST(WindowsProcess, AnExitedChildNoLongerExists) {
  asio::io_context io;
  auto child = spawn(io, child_spec({"sleep", "600000"}));
  ASSERT_TRUE(child);
  const Pid pid = child.value()->pid();
  EXPECT_TRUE(process_exists(pid));
  ASSERT_TRUE(test::ok(child.value()->send_signal(Signal::Kill)));
  auto done = test::finish(io, *child.value());
  ASSERT_TRUE(done);
  // Its handle (held by the Child) keeps the process object; it has exited all the same.
  EXPECT_FALSE(process_exists(pid));
}

}  // namespace
}  // namespace supd::os
