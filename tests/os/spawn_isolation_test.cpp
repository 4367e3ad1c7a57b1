// spawn(): what the child gets from supd and what it must not (environment, directory,
// umask, limits, descriptors, signal state, session, identity).
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "os/child_test_support.h"

namespace supd::os {
namespace {

using testing::ChildTest;
using testing::helper;
using testing::TempDir;

class SpawnIsolationTest : public ChildTest {
 protected:
  // The child's stdout, after checking that it exited 0.
  std::string output_of(const ProcessSpec& spec) {
    auto f = run(spec);
    EXPECT_TRUE(f.status && f.status->describe() == "exited 0")
        << (f.status ? f.status->describe() : "no exit") << "; stderr: " << f.err;
    return f.out;
  }
};

TEST_F(SpawnIsolationTest, InheritsSupdsEnvironment) {
  ::setenv("SUPD_TEST_INHERITED", "from-supd", 1);
  EXPECT_EQ(output_of(helper({"print-env", "SUPD_TEST_INHERITED"})), "from-supd\n");
}

TEST_F(SpawnIsolationTest, AdditionsOverrideTheInheritedEnvironment) {
  ::setenv("SUPD_TEST_INHERITED", "from-supd", 1);
  ProcessSpec spec = helper({"print-env", "SUPD_TEST_INHERITED", "print-env", "SUPD_TEST_NEW"});
  spec.env = {
      {"SUPD_TEST_INHERITED", "first"}, {"SUPD_TEST_NEW", "new"}, {"SUPD_TEST_INHERITED", "last"}};
  EXPECT_EQ(output_of(spec), "last\nnew\n");
}

TEST_F(SpawnIsolationTest, ACleanEnvironmentHoldsOnlyTheAdditions) {
  ::setenv("SUPD_TEST_INHERITED", "from-supd", 1);
  ProcessSpec spec =
      helper({"print-env", "SUPD_TEST_INHERITED", "print-env", "PATH", "print-env", "ONLY"});
  spec.inherit_env = false;
  spec.env = {{"ONLY", "this"}};
  EXPECT_EQ(output_of(spec), "<unset>\n<unset>\nthis\n");
}

TEST_F(SpawnIsolationTest, RunsInTheGivenDirectory) {
  TempDir dir;
  ProcessSpec spec = helper({"print-cwd"});
  spec.cwd = dir.path().string();
  EXPECT_EQ(output_of(spec), dir.path().string() + "\n");
}

TEST_F(SpawnIsolationTest, SetsTheUmask) {
  ProcessSpec spec = helper({"print-umask"});
  spec.umask = 027;
  EXPECT_EQ(output_of(spec), "027\n");
  spec.umask = 0;
  EXPECT_EQ(output_of(spec), "000\n");
}

TEST_F(SpawnIsolationTest, KeepsSupdsUmaskByDefault) {
  const mode_t previous = ::umask(0046);
  const std::string out = output_of(helper({"print-umask"}));
  ::umask(previous);
  EXPECT_EQ(out, "046\n");
}

TEST_F(SpawnIsolationTest, SetsResourceLimits) {
  ProcessSpec spec = helper({"print-rlimit", "nofile", "print-rlimit", "core"});
  spec.limits = {{"nofile", 123}, {"core", 0}};
  EXPECT_EQ(output_of(spec), "123 123\n0 0\n");
}

TEST_F(SpawnIsolationTest, OnlyStdioIsOpenInTheChild) {
  // A descriptor supd leaks by mistake (no close-on-exec) must not reach the child.
  const int leaked = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaked, 3);
  const std::string out = output_of(helper({"list-fds"}));
  ::close(leaked);
  EXPECT_EQ(out, "0 1 2\n");
}

TEST_F(SpawnIsolationTest, StdioStaysOpenWhenInherited) {
  ProcessSpec spec = helper({"list-fds"});
  spec.stdin_mode = StdioMode::Inherit;
  EXPECT_EQ(output_of(spec), "0 1 2\n");
}

TEST_F(SpawnIsolationTest, SignalMaskAndDispositionsAreReset) {
  // Block one signal and ignore another in supd: the child must start with neither.
  sigset_t block, previous_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &previous_mask), 0);
  struct sigaction ignore {
  }, previous_action{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGUSR1, &ignore, &previous_action), 0);

  auto f = run(helper({"sigmask"}));

  ::sigaction(SIGUSR1, &previous_action, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  ASSERT_TRUE(f.status);
  EXPECT_EQ(f.out, "blocked:\nignored:\n");
}

TEST_F(SpawnIsolationTest, TheChildLeadsItsOwnSessionAndGroup) {
  Child* child = start(helper({"print-ids"}));
  ASSERT_NE(child, nullptr);
  auto out = testing::Collector::start(child->take_stdout());
  ASSERT_TRUE(run_until([&] { return out->done(); }));
  const std::string pid = std::to_string(child->pid());
  EXPECT_EQ(out->text(), "pid=" + pid + " ppid=" + std::to_string(::getpid()) + " pgid=" + pid +
                             " sid=" + pid + "\n");
}

#ifdef __linux__
TEST_F(SpawnIsolationTest, TheChildDiesWithSupd) {
  EXPECT_EQ(output_of(helper({"print-pdeathsig"})), std::to_string(SIGKILL) + "\n");
}
#endif

TEST_F(SpawnIsolationTest, RunsAsAnotherUserWithItsGroupsAndHome) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user 'nobody'";
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  const std::string home = nobody->pw_dir;
  ProcessSpec spec = helper({"print-creds", "print-env", "HOME", "print-env", "USER"});
  spec.user = "nobody";
  const std::string out = output_of(spec);
  const auto got = testing::lines(out);
  ASSERT_EQ(got.size(), 3u) << out;
  EXPECT_EQ(
      got[0].rfind("uid=" + std::to_string(uid) + " gid=" + std::to_string(gid) + " groups=", 0),
      0u)
      << got[0];
  EXPECT_EQ(got[0].find("groups=0"), std::string::npos) << "kept root's groups: " << got[0];
  EXPECT_EQ(got[1], home);
  EXPECT_EQ(got[2], "nobody");
}

TEST_F(SpawnIsolationTest, RunsAsANumericUserAndGroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  ProcessSpec spec = helper({"print-creds"});
  spec.user = "54321";
  spec.group = "54322";
  EXPECT_EQ(output_of(spec), "uid=54321 gid=54322 groups=54322\n");
}

TEST_F(SpawnIsolationTest, NamingSupdsOwnUserNeedsNoPrivilege) {
  passwd* self = ::getpwuid(::geteuid());
  if (self == nullptr) GTEST_SKIP() << "supd's user has no name";
  ProcessSpec spec = helper({"print-creds"});
  spec.user = self->pw_name;
  const auto got = output_of(spec);
  EXPECT_EQ(got.rfind("uid=" + std::to_string(::geteuid()) + " ", 0), 0u) << got;
}

}  // namespace
}  // namespace supd::os
