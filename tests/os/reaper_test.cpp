// Exit collection: every exit reported once, early exits kept, no zombie left, orphans reaped.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "os/child_test_support.h"

namespace supd::os {
namespace {

using testing::ChildTest;
using testing::helper;
using testing::TempDir;

// Whether this process has no zombie child (a peek: nothing is reaped here).
bool no_zombie() {
  siginfo_t info{};
  const int rc = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
  return (rc == -1 && errno == ECHILD) || (rc == 0 && info.si_pid == 0);
}

class ReaperTest : public ChildTest {};

TEST_F(ReaperTest, AnExitBeforeAsyncWaitIsStillReported) {
  auto spawned = spawn(io_, helper({"exit", "5"}));
  ASSERT_TRUE(spawned) << spawned.error().message();
  std::unique_ptr<Child> child = std::move(*spawned);
  // Reaped once its group is gone (a zombie still counts as a member).
  ASSERT_TRUE(run_until([&] { return !child->group_alive(); }));

  std::optional<ExitStatus> status;
  child->async_wait([&](const ExitStatus& s) { status = s; });
  ASSERT_TRUE(run_until([&] { return status.has_value(); }));
  EXPECT_EQ(status->describe(), "exited 5");
}

TEST_F(ReaperTest, ManyChildrenExitingTogetherAreEachReportedOnce) {
  constexpr int kChildren = 200;
  TempDir dir;
  const std::string gate = dir / "go";
  std::vector<Child*> children;
  for (int i = 0; i < kChildren; ++i) {
    ProcessSpec spec = helper({"wait-file", gate, "exit", std::to_string(i % 50)});
    spec.stdout_mode = StdioMode::Null;
    spec.stderr_mode = StdioMode::Null;
    Child* child = start(spec);
    ASSERT_NE(child, nullptr) << "child " << i;
    children.push_back(child);
  }
  // All released within a millisecond or two of each other: SIGCHLDs merge.
  std::ofstream(gate).close();
  const bool all = run_until(
      [&] {
        for (Child* c : children) {
          if (!exit_of(c).status) return false;
        }
        return true;
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(all);
  // Let any duplicate delivery that was queued run before counting.
  io_.restart();
  io_.poll();
  for (int i = 0; i < kChildren; ++i) {
    const auto& exit = exit_of(children[static_cast<std::size_t>(i)]);
    EXPECT_EQ(exit.reports, 1) << "child " << i;
    EXPECT_EQ(exit.status->describe(), "exited " + std::to_string(i % 50)) << "child " << i;
  }
  EXPECT_TRUE(no_zombie());
}

TEST_F(ReaperTest, ADestroyedChildIsStillReaped) {
  auto spawned = spawn(io_, helper({"sleep-then-exit", "50", "0"}));
  ASSERT_TRUE(spawned) << spawned.error().message();
  const pid_t pid = static_cast<pid_t>((*spawned)->pid());
  spawned->reset();
  EXPECT_TRUE(run_until([&] { return !process_exists(pid); }));
  EXPECT_TRUE(no_zombie());
}

TEST_F(ReaperTest, DestroyingTheChildCancelsTheWait) {
  bool called = false;
  auto spawned = spawn(io_, helper({"sleep-then-exit", "50", "0"}));
  ASSERT_TRUE(spawned) << spawned.error().message();
  const pid_t pid = static_cast<pid_t>((*spawned)->pid());
  (*spawned)->async_wait([&](const ExitStatus&) { called = true; });
  spawned->reset();
  ASSERT_TRUE(run_until([&] { return !process_exists(pid); }));
  io_.restart();
  io_.poll();
  EXPECT_FALSE(called);
}

#ifdef __linux__
TEST_F(ReaperTest, OrphansAdoptedAsASubreaperAreReaped) {
  ASSERT_TRUE(become_subreaper());
  TempDir dir;
  Child* child = start(helper({"grandchild", dir / "orphan.pid", "exit", "0"}));
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(wait_exit(child));
  auto orphan = wait_for_pid_file(dir / "orphan.pid");
  ASSERT_TRUE(orphan);
  kill_at_end(*orphan);
  // Its parent exited: it is now this process's child, though not spawned by spawn().
  EXPECT_EQ(testing::parent_of(*orphan), ::getpid());
  ASSERT_TRUE(child->signal_group(Signal::Kill));
  // Killed, it becomes our zombie until the reaper collects it.
  EXPECT_TRUE(run_until([&] { return !process_exists(*orphan); }));
  EXPECT_TRUE(no_zombie());
}
#endif

TEST_F(ReaperTest, ExitsReachTheIoContextThatSpawned) {
  asio::io_context other;
  auto a = spawn(io_, helper({"exit", "1"}));
  auto b = spawn(other, helper({"exit", "2"}));
  ASSERT_TRUE(a && b);
  std::optional<ExitStatus> status_a, status_b;
  (*a)->async_wait([&](const ExitStatus& s) { status_a = s; });
  (*b)->async_wait([&](const ExitStatus& s) { status_b = s; });
  // Whichever loop's reaper collects both, each exit is delivered on its own loop.
  ASSERT_TRUE(testing::run_until(other, [&] { return status_b.has_value(); }));
  EXPECT_FALSE(status_a.has_value());
  ASSERT_TRUE(run_until([&] { return status_a.has_value(); }));
  EXPECT_EQ(status_a->describe(), "exited 1");
  EXPECT_EQ(status_b->describe(), "exited 2");
}

#ifdef __linux__
TEST_F(ReaperTest, AStoppedChildIsNotAnExit) {
  Child* child = start(helper({"sleep", "60"}));
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(child->send_signal(Signal::Stop));
  // Give the reaper a SIGCHLD for the stop: it must not be taken for an exit.
  ASSERT_TRUE(run_until([&] {
    const std::string stat = testing::read_file("/proc/" + std::to_string(child->pid()) + "/stat");
    return stat.find(") T ") != std::string::npos;
  }));
  io_.restart();
  io_.poll();
  EXPECT_FALSE(exit_of(child).status);
  ASSERT_TRUE(child->send_signal(Signal::Kill));
  auto status = wait_exit(child);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->describe(), "killed by SIGKILL");
}
#endif

TEST(ProcessQueriesTest, CurrentPidAndProcessExists) {
  EXPECT_EQ(current_pid(), ::getpid());
  EXPECT_TRUE(process_exists(current_pid()));
  EXPECT_FALSE(process_exists(0));
  EXPECT_FALSE(process_exists(-1));
}

}  // namespace
}  // namespace supd::os
