// The crash handler, tried on real crashes: a forked child installs it with a pipe as the
// report fd, crashes, and the test reads the report and checks how the child died.
#if !defined(_WIN32)
#include "os/crash_handler.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <regex>
#include <string>

#include <gtest/gtest.h>

namespace supd::os {
namespace {

using namespace std::chrono_literals;

int g_hook_fd = -1;

// Writes "hook signo=<n> address=<n> time=<n>\n" using only async-signal-safe calls.
void recording_hook(const CrashInfo& info) noexcept {
  char line[128];
  char* p = line;
  char* end = line + sizeof(line);
  auto text = [&](const char* s) {
    while (*s != '\0' && p < end) *p++ = *s++;
  };
  auto number = [&](auto n) { p = std::to_chars(p, end, n).ptr; };
  text("hook signo=");
  number(info.signo);
  text(" address=");
  number(info.address);
  text(" time=");
  number(info.unix_time);
  text("\n");
  ssize_t ignored = write(g_hook_fd, line, static_cast<std::size_t>(p - line));
  (void)ignored;
}

void aborting_hook(const CrashInfo& info) noexcept {
  recording_hook(info);
  std::abort();
}

void write_near_null() {
  volatile std::uintptr_t address = 0x10;
  // NOLINTNEXTLINE(performance-no-int-to-ptr): a bad address on purpose
  *reinterpret_cast<volatile int*>(address) = 1;
}

volatile bool g_keep_recursing = true;

int overflow_stack(int depth) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  if (!g_keep_recursing) return frame[0];
  return overflow_stack(depth + 1) + frame[0];
}

struct CrashRun {
  std::string output;  // the report, then the hook's line
  int status = 0;      // waitpid status
  bool finished = false;
  std::int64_t started = 0;
};

// Forks a child that installs the handler (report and hook writing to one pipe) and runs
// `crash`. Waits at most 10 s for the child to end.
CrashRun run_crash(void (*crash)(), CrashHook hook = recording_hook) {
  CrashRun run;
  run.started = static_cast<std::int64_t>(std::time(nullptr));
  int fds[2];
  if (pipe(fds) != 0) return run;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    g_hook_fd = fds[1];
    install_crash_handler(fds[1], hook);
    crash();
    _exit(99);  // survived the crash: the test fails on the status
  }
  close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  // Read until end of file: the child held the only write end.
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    if (std::chrono::steady_clock::now() >= deadline) break;
    if (poll(&p, 1, 20) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    run.output.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &run.status, WNOHANG) == pid) {
      run.finished = true;
      return run;
    }
    poll(nullptr, 0, 5);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &run.status, 0);
  return run;
}

void expect_killed_by(const CrashRun& run, int signo) {
  ASSERT_TRUE(run.finished) << "the child did not end within 10 s; output:\n" << run.output;
  ASSERT_TRUE(WIFSIGNALED(run.status)) << "exited " << WEXITSTATUS(run.status) << "; output:\n"
                                       << run.output;
  EXPECT_EQ(WTERMSIG(run.status), signo) << run.output;
}

void expect_backtrace(const std::string& output) {
#if defined(__GLIBC__)
  // "backtrace:" then frames such as "/path/supd_os_test(+0x1234)[0x55d0c0a01234]".
  EXPECT_TRUE(std::regex_search(output, std::regex("backtrace:\n(.*\\[0x[0-9a-f]+\\]\n)+")))
      << output;
#else
  (void)output;
#endif
}

TEST(CrashHandlerTest, SegvIsReportedWithAddressAndBacktraceThenKillsBySegv) {
  CrashRun run = run_crash(write_near_null);
  expect_killed_by(run, SIGSEGV);
  EXPECT_EQ(run.output.rfind("supd crashed: SIGSEGV at address 0x10\n", 0), 0u) << run.output;
  expect_backtrace(run.output);

  std::smatch hook;
  ASSERT_TRUE(std::regex_search(run.output, hook,
                                std::regex("\nhook signo=([0-9]+) address=16 time=([0-9]+)\n$")))
      << run.output;
  EXPECT_EQ(std::stoi(hook[1]), SIGSEGV);
  const std::int64_t time = std::stoll(hook[2]);
  EXPECT_GE(time, run.started);
  EXPECT_LE(time, static_cast<std::int64_t>(std::time(nullptr)));
}

TEST(CrashHandlerTest, AbortIsReportedThenKillsBySigabrt) {
  CrashRun run = run_crash([] { std::abort(); });
  expect_killed_by(run, SIGABRT);
  EXPECT_EQ(run.output.rfind("supd crashed: SIGABRT (raised by supd itself)\n", 0), 0u)
      << run.output;
  expect_backtrace(run.output);
  EXPECT_NE(run.output.find("\nhook signo=" + std::to_string(SIGABRT) + " address=0 "),
            std::string::npos)
      << run.output;
}

TEST(CrashHandlerTest, SignalSentByAnotherProcessNamesTheSender) {
  CrashRun run = run_crash([] {
    // A grandchild sends the signal, so the sender's pid is not the crashing process's.
    pid_t target = getpid();
    if (fork() == 0) {
      kill(target, SIGBUS);
      _exit(0);
    }
    for (;;) pause();
  });
  expect_killed_by(run, SIGBUS);
  EXPECT_TRUE(
      std::regex_search(run.output, std::regex("^supd crashed: SIGBUS \\(sent by pid [0-9]+\\)\n")))
      << run.output;
  EXPECT_NE(run.output.find("\nhook signo=" + std::to_string(SIGBUS) + " address=0 "),
            std::string::npos)
      << run.output;
}

TEST(CrashHandlerTest, StackOverflowIsReportedFromTheAlternateStack) {
  CrashRun run = run_crash([] { g_keep_recursing = overflow_stack(0) != 0; });
  expect_killed_by(run, SIGSEGV);
  EXPECT_EQ(run.output.rfind("supd crashed: SIGSEGV at address 0x", 0), 0u) << run.output;
  EXPECT_NE(run.output.find("\nhook signo=" + std::to_string(SIGSEGV)), std::string::npos)
      << run.output;
}

TEST(CrashHandlerTest, CrashInsideTheHookDiesOfTheFirstCauseAfterOneReport) {
  CrashRun run = run_crash(write_near_null, aborting_hook);
  expect_killed_by(run, SIGSEGV);
  EXPECT_EQ(run.output.rfind("supd crashed: SIGSEGV at address 0x10\n", 0), 0u) << run.output;
  EXPECT_EQ(run.output.find("supd crashed", 1), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("\nhook signo="), std::string::npos) << run.output;
}

}  // namespace
}  // namespace supd::os
#endif  // !_WIN32
