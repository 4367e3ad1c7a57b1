// The job behind every child: stopping the whole group, and nothing left behind.
#include <windows.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "os/process.h"
#include "os/win/handle.h"
#include "win_test_util.h"

namespace supd::os {
namespace {

using test::child_spec;
using test::running_under_wine;
using test::wait_until;
using win::UniqueHandle;

// Runs the loop until the child's stdout holds a whole "grandchild <pid>" line, wherever it
// is among what the child printed.
DWORD grandchild_pid(asio::io_context& io, const test::PipeCollector& out) {
  const std::string prefix = "grandchild ";
  auto line_start = [&] {
    const std::string& text = out.text();
    const std::size_t at = text.find(prefix);
    return at != std::string::npos && text.find('\n', at) != std::string::npos ? at
                                                                               : std::string::npos;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line_start() == std::string::npos && !out.done() &&
         std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(20));
    if (io.stopped()) io.restart();
  }
  const std::size_t at = line_start();
  if (at == std::string::npos) {
    ADD_FAILURE() << "no \"grandchild <pid>\" line from the child"
                  << (out.done() ? " (its stdout ended)" : "") << "; it printed: [" << out.text()
                  << "]";
    return 0;
  }
  return static_cast<DWORD>(std::stoul(out.text().substr(at + prefix.size())));
}

// PROCESS_QUERY_INFORMATION, not ..._LIMITED_...: Wine's IsProcessInJob needs the full right.
UniqueHandle open_process(DWORD pid) {
  return UniqueHandle(OpenProcess(SYNCHRONIZE | PROCESS_QUERY_INFORMATION, FALSE, pid));
}

bool has_exited(const UniqueHandle& process, DWORD timeout_ms = 20000) {
  return WaitForSingleObject(process.get(), timeout_ms) == WAIT_OBJECT_0;
}

struct Family {
  std::unique_ptr<Child> child;
  std::unique_ptr<test::PipeCollector> out;  // keeps reading the child's stdout
  UniqueHandle main;
  UniqueHandle grandchild;
};

// A child that started a grandchild and then sleeps.
Family start_family(asio::io_context& io, std::vector<std::string> extra = {}) {
  std::vector<std::string> commands = {"grandchild"};
  commands.insert(commands.end(), extra.begin(), extra.end());
  commands.push_back("sleep");
  commands.push_back("600000");
  Family f;
  auto child = spawn(io, child_spec(commands));
  EXPECT_TRUE(child) << (child ? "" : child.error().message());
  if (!child) return f;
  f.child = std::move(child.value());
  f.main = open_process(static_cast<DWORD>(f.child->pid()));
  f.out = std::make_unique<test::PipeCollector>(f.child->take_stdout());
  const DWORD pid = grandchild_pid(io, *f.out);
  EXPECT_NE(pid, 0u);
  f.grandchild = open_process(pid);
  EXPECT_TRUE(f.grandchild) << GetLastError();
  return f;
}

TEST(WindowsJob, TheGrandchildIsInTheJob) {
  asio::io_context io;
  Family f = start_family(io);
  ASSERT_TRUE(f.grandchild);
  BOOL in_job = FALSE;
  ASSERT_TRUE(IsProcessInJob(f.grandchild.get(), nullptr, &in_job)) << GetLastError();
  EXPECT_TRUE(in_job);
  // The main process gone, the grandchild still counts for the group.
  ASSERT_TRUE(test::ok(f.child->send_signal(Signal::Kill)));
  ASSERT_TRUE(has_exited(f.main));
  EXPECT_TRUE(f.child->group_alive());
  EXPECT_FALSE(has_exited(f.grandchild, 0));
  ASSERT_TRUE(test::ok(f.child->signal_group(Signal::Kill)));
  EXPECT_TRUE(has_exited(f.grandchild));
}

TEST(WindowsJob, DroppingTheChildKillsItAndItsGrandchild) {
  asio::io_context io;
  Family f = start_family(io);
  ASSERT_TRUE(f.main && f.grandchild);
  f.child.reset();  // the job's last handle closes: kill-on-close
  EXPECT_TRUE(has_exited(f.main));
  EXPECT_TRUE(has_exited(f.grandchild));
}

TEST(WindowsJob, KillEndsTheWholeGroup) {
  asio::io_context io;
  Family f = start_family(io);
  ASSERT_TRUE(f.child && f.grandchild);
  EXPECT_TRUE(f.child->group_alive());
  ASSERT_TRUE(test::ok(f.child->signal_group(Signal::Kill)));
  auto done = test::finish(io, *f.child);
  ASSERT_TRUE(done);
  EXPECT_TRUE(done->status.signaled);
  EXPECT_EQ(done->status.describe(), "killed by SIGKILL");
  EXPECT_EQ(done->status.shell_code(), 137);
  EXPECT_TRUE(has_exited(f.grandchild));
  EXPECT_TRUE(wait_until([&] { return !f.child->group_alive(); }));
  // Nothing left: succeeds, doing nothing.
  EXPECT_TRUE(test::ok(f.child->signal_group(Signal::Kill)));
  EXPECT_TRUE(test::ok(f.child->signal_group(Signal::Term)));
}

TEST(WindowsJob, TermStopsTheGroupGracefullyOrByEndingTheJob) {
  asio::io_context io;
  Family f = start_family(io, {"on-ctrl-break", "42"});
  ASSERT_TRUE(f.child && f.grandchild);
  ASSERT_TRUE(test::ok(f.child->signal_group(Signal::Term)));
  auto done = test::finish(io, *f.child);
  ASSERT_TRUE(done);
  EXPECT_TRUE(has_exited(f.grandchild));
  if (running_under_wine()) {
    // Wine 8.0 cannot send CTRL_BREAK_EVENT: this is the fallback, TerminateJobObject.
    EXPECT_TRUE(done->status.signaled);
    EXPECT_EQ(done->status.describe(), "killed by SIGTERM");
  } else {
    // CTRL_BREAK reached the child's handler.
    EXPECT_FALSE(done->status.signaled);
    EXPECT_EQ(done->status.code, 42);
  }
}

TEST(WindowsJob, CtrlBreakReachesTheChild) {
  if (running_under_wine()) {
    GTEST_SKIP() << "Wine 8.0 does not implement CTRL_BREAK_EVENT (the fallback is tested by "
                    "TermStopsTheGroupGracefullyOrByEndingTheJob)";
  }
  asio::io_context io;
  auto child = spawn(io, child_spec({"on-ctrl-break", "42", "sleep", "600000"}));
  ASSERT_TRUE(child) << child.error().message();
  // The child needs a moment to install its handler; until then CTRL_BREAK ends it with
  // 0xC000013A. Either proves delivery, so accept both.
  ASSERT_TRUE(test::ok(child.value()->send_signal(Signal::Term)));
  auto done = test::finish(io, *child.value());
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->status.signaled);
  EXPECT_TRUE(done->status.code == 42 || static_cast<unsigned>(done->status.code) == 0xC000013Au)
      << done->status.describe();
}

TEST(WindowsJob, SendSignalReachesOnlyTheMainProcessWhenItMustTerminate) {
  asio::io_context io;
  Family f = start_family(io);
  ASSERT_TRUE(f.child && f.grandchild);
  ASSERT_TRUE(test::ok(f.child->send_signal(Signal::Kill)));
  auto done = test::finish(io, *f.child);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status.describe(), "killed by SIGKILL");
  EXPECT_FALSE(has_exited(f.grandchild, 0));
  EXPECT_TRUE(f.child->group_alive());
  // To the main process only, and it is gone.
  auto again = f.child->send_signal(Signal::Kill);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("already exited"), std::string::npos);
}

TEST(WindowsJob, RefusesSignalsWindowsCannotDeliver) {
  asio::io_context io;
  auto child = spawn(io, child_spec({"sleep", "600000"}));
  ASSERT_TRUE(child);
  for (Signal s : {Signal::Hup, Signal::Usr1, Signal::Stop}) {
    auto sent = child.value()->send_signal(s);
    ASSERT_FALSE(sent);
    EXPECT_NE(sent.error().message().find(std::string(signal_name(s)) + ": not supported"),
              std::string::npos)
        << sent.error().message();
    EXPECT_FALSE(child.value()->signal_group(s));
  }
  EXPECT_TRUE(test::ok(child.value()->signal_group(Signal::Kill)));
}

TEST(WindowsJob, KillAllChildrenEndsEveryJob) {
  asio::io_context io;
  Family a = start_family(io);
  Family b = start_family(io);
  ASSERT_TRUE(a.grandchild && b.grandchild);
  kill_all_children_from_signal_handler();
  EXPECT_TRUE(has_exited(a.main));
  EXPECT_TRUE(has_exited(a.grandchild));
  EXPECT_TRUE(has_exited(b.main));
  EXPECT_TRUE(has_exited(b.grandchild));
}

}  // namespace
}  // namespace supd::os
