// The crash handler's last act: every child's process group killed.
#include <signal.h>

#include "os/child_test_support.h"

namespace supd::os {
namespace {

using testing::ChildTest;
using testing::helper;
using testing::TempDir;

class KillAllChildrenTest : public ChildTest {};

TEST_F(KillAllChildrenTest, KillsEveryGroup) {
  TempDir dir;
  constexpr int kChildren = 5;
  std::vector<Child*> children;
  std::vector<pid_t> grandchildren;
  for (int i = 0; i < kChildren; ++i) {
    const std::string pid_file = dir / ("grandchild" + std::to_string(i) + ".pid");
    // TERM ignored, so only the KILL can end them.
    Child* child = start(helper({"ignore-term", "grandchild", pid_file, "ready", "sleep", "60"}));
    ASSERT_NE(child, nullptr);
    children.push_back(child);
    auto grandchild = wait_for_pid_file(pid_file);
    ASSERT_TRUE(grandchild);
    kill_at_end(*grandchild);
    grandchildren.push_back(*grandchild);
  }
  // One whose main process already exited: its leftover grandchild must go too.
  const std::string leftover_file = dir / "leftover.pid";
  Child* exited = start(helper({"grandchild", leftover_file, "exit", "0"}));
  ASSERT_NE(exited, nullptr);
  ASSERT_TRUE(wait_exit(exited));
  auto leftover = wait_for_pid_file(leftover_file);
  ASSERT_TRUE(leftover);
  kill_at_end(*leftover);
  grandchildren.push_back(*leftover);

  kill_all_children_from_signal_handler();

  for (Child* child : children) {
    auto status = wait_exit(child);
    ASSERT_TRUE(status);
    EXPECT_EQ(status->describe(), "killed by SIGKILL");
  }
  for (pid_t pid : grandchildren) {
    EXPECT_TRUE(run_until([&] { return testing::dead(pid); })) << "grandchild " << pid;
  }
}

}  // namespace
}  // namespace supd::os
