// Signalling a child, its process group and what is left of it.
#include <signal.h>
#include <unistd.h>

#include "os/child_test_support.h"

namespace supd::os {
namespace {

using testing::ChildTest;
using testing::Collector;
using testing::helper;
using testing::TempDir;

class ChildSignalTest : public ChildTest {};

TEST_F(ChildSignalTest, SendSignalReachesTheMainProcess) {
  Child* child = start(helper({"sleep", "60"}));
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(child->send_signal(Signal::Term));
  auto status = wait_exit(child);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->describe(), "killed by SIGTERM");
}

TEST_F(ChildSignalTest, AnIgnoredTermNeedsAKill) {
  Child* child = start(helper({"ignore-term", "ready", "sleep", "60"}));
  ASSERT_NE(child, nullptr);
  auto out = Collector::start(child->take_stdout());
  ASSERT_TRUE(wait_for_text(*out));
  ASSERT_TRUE(child->signal_group(Signal::Term));
  ASSERT_TRUE(child->signal_group(Signal::Kill));
  auto status = wait_exit(child);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->describe(), "killed by SIGKILL");
}

TEST_F(ChildSignalTest, SignalGroupReachesAGrandchild) {
  TempDir dir;
  Child* child = start(helper({"grandchild", dir / "grandchild.pid", "ready", "sleep", "60"}));
  ASSERT_NE(child, nullptr);
  auto out = Collector::start(child->take_stdout());
  ASSERT_TRUE(wait_for_text(*out));
  auto grandchild = wait_for_pid_file(dir / "grandchild.pid");
  ASSERT_TRUE(grandchild);
  kill_at_end(*grandchild);

  ASSERT_TRUE(child->signal_group(Signal::Term));
  auto status = wait_exit(child);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->describe(), "killed by SIGTERM");
  EXPECT_TRUE(run_until([&] { return testing::dead(*grandchild); }));
  EXPECT_TRUE(run_until([&] { return !child->group_alive(); }));
}

TEST_F(ChildSignalTest, SignalGroupAfterTheMainExitedKillsLeftovers) {
  TempDir dir;
  Child* child = start(helper({"grandchild", dir / "grandchild.pid", "exit", "4"}));
  ASSERT_NE(child, nullptr);
  auto status = wait_exit(child);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->describe(), "exited 4");
  auto grandchild = wait_for_pid_file(dir / "grandchild.pid");
  ASSERT_TRUE(grandchild);
  kill_at_end(*grandchild);

  EXPECT_TRUE(child->group_alive());
  EXPECT_FALSE(testing::dead(*grandchild));
  ASSERT_TRUE(child->signal_group(Signal::Kill));
  EXPECT_TRUE(run_until([&] { return testing::dead(*grandchild); }));
  EXPECT_TRUE(run_until([&] { return !child->group_alive(); }));
  // Nothing left: still a success.
  EXPECT_TRUE(child->signal_group(Signal::Kill));
}

TEST_F(ChildSignalTest, SendSignalAfterTheExitIsAnError) {
  Child* child = start(helper({"exit", "0"}));
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(wait_exit(child));
  Status sent = child->send_signal(Signal::Term);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, std::errc::no_such_process);
  EXPECT_EQ(sent.error().message(), "signal SIGTERM to pid " + std::to_string(child->pid()) +
                                        " (it already exited): No such process");
  EXPECT_TRUE(child->signal_group(Signal::Term));
  EXPECT_FALSE(child->group_alive());
}

TEST_F(ChildSignalTest, AGrandchildThatLeftTheGroupIsNotReached) {
  // What a process group cannot do: a daemonizing grandchild escapes it.
  TempDir dir;
  Child* child = start(helper({"double-fork", dir / "escaped.pid", "ready", "sleep", "60"}));
  ASSERT_NE(child, nullptr);
  auto out = Collector::start(child->take_stdout());
  ASSERT_TRUE(wait_for_text(*out));
  auto escaped = wait_for_pid_file(dir / "escaped.pid");
  ASSERT_TRUE(escaped);
  kill_at_end(*escaped);
  EXPECT_NE(::getpgid(*escaped), child->pid());

  ASSERT_TRUE(child->signal_group(Signal::Kill));
  ASSERT_TRUE(wait_exit(child));
  EXPECT_TRUE(run_until([&] { return !child->group_alive(); }));
  EXPECT_FALSE(testing::dead(*escaped));
}

TEST_F(ChildSignalTest, StopAndContinue) {
  Child* child = start(helper({"sleep", "60"}));
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(child->signal_group(Signal::Stop));
  ASSERT_TRUE(child->signal_group(Signal::Cont));
  ASSERT_TRUE(child->send_signal(Signal::Usr1));
  auto status = wait_exit(child);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->describe(), "killed by SIGUSR1");
}

}  // namespace
}  // namespace supd::os
