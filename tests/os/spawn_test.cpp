// spawn(): how children end, and how a failure to start is reported.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "os/child_test_support.h"

namespace supd::os {
namespace {

using testing::ChildTest;
using testing::helper;
using testing::TempDir;

ProcessSpec command(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  return spec;
}

class SpawnTest : public ChildTest {
 protected:
  // The message of a spawn that must fail.
  std::string spawn_error(const ProcessSpec& spec) {
    auto spawned = spawn(io_, spec);
    if (spawned) {
      ADD_FAILURE() << "spawn of " << spec.argv.at(0) << " succeeded";
      return {};
    }
    return spawned.error().message();
  }
};

TEST_F(SpawnTest, ReportsTheExitCode) {
  auto f = run(helper({"exit", "3"}));
  ASSERT_TRUE(f.status);
  EXPECT_FALSE(f.status->signaled);
  EXPECT_EQ(f.status->code, 3);
  EXPECT_EQ(f.status->describe(), "exited 3");
}

TEST_F(SpawnTest, ReportsSuccess) {
  auto f = run(helper({}));
  ASSERT_TRUE(f.status);
  EXPECT_EQ(f.status->describe(), "exited 0");
}

TEST_F(SpawnTest, DecodesADeathBySignalWithoutCore) {
  ProcessSpec spec = helper({"crash", "segv"});
  spec.limits.push_back({"core", 0});
  auto f = run(spec);
  ASSERT_TRUE(f.status);
  EXPECT_TRUE(f.status->signaled);
  EXPECT_EQ(f.status->signo, SIGSEGV);
  EXPECT_FALSE(f.status->core_dumped);
  EXPECT_EQ(f.status->describe(), "killed by SIGSEGV");
  EXPECT_EQ(f.status->signal_name(), "SIGSEGV");
  EXPECT_EQ(f.status->shell_code(), 128 + SIGSEGV);
}

TEST_F(SpawnTest, ReportsACoreDumpWhenTheLimitAllowsOne) {
  TempDir dir;
  ProcessSpec spec = helper({"crash", "abort"});
  spec.cwd = dir.path().string();
  spec.limits.push_back({"core", std::nullopt});
  auto f = run(spec);
  ASSERT_TRUE(f.status);
  EXPECT_TRUE(f.status->signaled);
  EXPECT_EQ(f.status->signo, SIGABRT);
  // Whether the kernel writes a core depends on core_pattern; a plain file name in a
  // writable directory always works.
  const std::string pattern = testing::read_file("/proc/sys/kernel/core_pattern");
  if (!pattern.empty() && pattern[0] != '|' && pattern[0] != '/') {
    EXPECT_TRUE(f.status->core_dumped);
  }
  EXPECT_EQ(f.status->describe(),
            f.status->core_dumped ? "killed by SIGABRT (core dumped)" : "killed by SIGABRT");
}

TEST_F(SpawnTest, AMissingBinaryIsASpawnError) {
  EXPECT_EQ(spawn_error(command({"/nonexistent/dir/prog"})),
            "spawn /nonexistent/dir/prog: No such file or directory");
}

TEST_F(SpawnTest, ANonExecutableFileIsASpawnError) {
  TempDir dir;
  const std::string path = dir / "data.txt";
  std::ofstream(path) << "not a program\n";
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(spawn_error(command({path})), "spawn " + path + ": Permission denied");
}

TEST_F(SpawnTest, ADirectoryIsASpawnError) {
  TempDir dir;
  EXPECT_EQ(spawn_error(command({dir.path().string()})),
            "spawn " + dir.path().string() + ": Permission denied");
}

TEST_F(SpawnTest, ANameMissingFromPathIsASpawnError) {
  TempDir dir;
  ProcessSpec spec = command({"supd-no-such-program"});
  spec.env.emplace_back("PATH", dir.path().string());
  EXPECT_EQ(spawn_error(spec), "spawn supd-no-such-program (searched PATH=" + dir.path().string() +
                                   "): No such file or directory");
}

TEST_F(SpawnTest, LooksUpANameInTheChildsPath) {
  TempDir dir;
  std::filesystem::create_symlink(SUPD_TEST_HELPER, dir / "renamed-helper");
  ProcessSpec spec = command({"renamed-helper", "exit", "7"});
  spec.inherit_env = false;
  spec.env.emplace_back("PATH", "/nonexistent:" + dir.path().string());
  auto f = run(spec);
  ASSERT_TRUE(f.status);
  EXPECT_EQ(f.status->describe(), "exited 7");
}

TEST_F(SpawnTest, ABadWorkingDirectoryIsASpawnError) {
  ProcessSpec spec = helper({"exit", "0"});
  spec.cwd = "/nonexistent/supd-cwd";
  EXPECT_EQ(spawn_error(spec), "chdir /nonexistent/supd-cwd: No such file or directory");
}

TEST_F(SpawnTest, AWorkingDirectoryTheUserMayNotEnterIsASpawnError) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  TempDir dir;
  const std::string locked = dir / "locked";
  std::filesystem::create_directory(locked);
  ::chmod(locked.c_str(), 0700);
  ::chmod(dir.path().c_str(), 0755);
  ProcessSpec spec = helper({"exit", "0"});
  spec.user = "65534";
  spec.cwd = locked;
  EXPECT_EQ(spawn_error(spec), "chdir " + locked + ": Permission denied");
}

TEST_F(SpawnTest, AnUnknownResourceLimitIsAnError) {
  ProcessSpec spec = helper({});
  spec.limits.push_back({"bogus", 1});
  EXPECT_EQ(spawn_error(spec),
            "limits: unknown resource 'bogus' (known: nofile core nproc as fsize cpu stack "
            "memlock): Invalid argument");
}

TEST_F(SpawnTest, ARefusedResourceLimitIsASpawnError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may raise any limit";
  ProcessSpec spec = helper({});
  spec.limits.push_back({"nofile", std::nullopt});
  EXPECT_EQ(spawn_error(spec), "setrlimit nofile unlimited: Operation not permitted");
}

TEST_F(SpawnTest, AnUnknownUserIsASpawnError) {
  ProcessSpec spec = helper({});
  spec.user = "supd-no-such-user";
  EXPECT_EQ(spawn_error(spec), "unknown user 'supd-no-such-user'");
}

TEST_F(SpawnTest, AnUnknownGroupIsASpawnError) {
  ProcessSpec spec = helper({});
  spec.group = "supd-no-such-group";
  EXPECT_EQ(spawn_error(spec), "unknown group 'supd-no-such-group'");
}

TEST_F(SpawnTest, AnotherUserNeedsRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may run as anyone";
  ProcessSpec spec = helper({});
  spec.user = "root";
  EXPECT_EQ(spawn_error(spec), "user: supd is not root, cannot run as 'root'");
}

TEST_F(SpawnTest, AnEmptyCommandIsAnError) {
  EXPECT_EQ(spawn_error(ProcessSpec{}), "spawn: empty command: Invalid argument");
}

TEST_F(SpawnTest, AFailedSpawnLeavesNoChild) {
  ProcessSpec spec = helper({});
  spec.cwd = "/nonexistent/supd-cwd";
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(spawn(io_, spec));
  // Peek (WNOWAIT) for a zombie: none may be left, without the loop having run.
  siginfo_t info{};
  const int rc = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
  EXPECT_TRUE((rc == -1 && errno == ECHILD) || (rc == 0 && info.si_pid == 0))
      << "a zombie (pid " << info.si_pid << ") is left";
}

}  // namespace
}  // namespace supd::os
