// Children die with the process that spawned them, even when it dies without cleaning up.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "os/child_test_support.h"

namespace supd::os {
namespace {

using testing::helper;
using testing::TempDir;

#ifdef __linux__
TEST(ParentDeathTest, AChildDiesWhenSupdDies) {
  TempDir dir;
  const std::string pid_file = dir / "child.pid";
  const pid_t supd = ::fork();
  ASSERT_GE(supd, 0);
  if (supd == 0) {
    // Stands in for supd: spawns, waits until the child is up, then vanishes as abruptly as
    // a crash or a SIGKILL would (no destructors, no stop sequence).
    asio::io_context io;
    auto child = spawn(io, helper({"print-pid-file", pid_file, "sleep", "60"}));
    if (!child) ::_exit(1);
    for (int i = 0; i < 2000 && !std::filesystem::exists(pid_file); ++i) ::usleep(5000);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(supd, &status, 0), supd);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the stand-in failed";
  const std::string text = testing::read_file(pid_file);
  ASSERT_FALSE(text.empty());
  const pid_t orphan = static_cast<pid_t>(std::stol(text));

  asio::io_context io;
  const bool died = testing::run_until(io, [&] { return testing::dead(orphan); });
  if (!died) ::kill(orphan, SIGKILL);
  EXPECT_TRUE(died) << "pid " << orphan << " outlived the process that spawned it";
  // If this process is a subreaper, the orphan is its zombie now.
  ::waitpid(orphan, nullptr, WNOHANG);
}
#endif

}  // namespace
}  // namespace supd::os
