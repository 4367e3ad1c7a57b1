// spawn(): what the child gets from supd and what it must not (environment, directory,
// umask, limits, descriptors, signal state, session, identity).
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <vector>

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

TEST_F(SpawnIsolationTest, SystemdVariablesOfSupdAreNotInherited) {
  // supd's own unit's notify socket and watchdog are not the service's to use; a service
  // that wants readiness gets its own NOTIFY_SOCKET through `env`.
  ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ProcessSpec spec = helper({"print-env", "NOTIFY_SOCKET", "print-env", "WATCHDOG_USEC"});
  const std::string without = output_of(spec);
  spec.env = {{"NOTIFY_SOCKET", "/run/supd/notify/web.notify"}};
  const std::string with_own = output_of(spec);
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_EQ(without, "<unset>\n<unset>\n");
  EXPECT_EQ(with_own, "/run/supd/notify/web.notify\n<unset>\n");
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

TEST_F(SpawnIsolationTest, TakesTheUsersSupplementaryGroups) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  // Any user other than root who belongs to more groups than its primary one.
  std::string name;
  std::string expected;
  ::setpwent();
  while (passwd* pw = ::getpwent()) {
    if (pw->pw_uid == 0) continue;
    int n = 64;
    std::vector<gid_t> groups(64);
    if (::getgrouplist(pw->pw_name, pw->pw_gid, groups.data(), &n) < 0 || n < 2) continue;
    name = pw->pw_name;
    expected =
        "uid=" + std::to_string(pw->pw_uid) + " gid=" + std::to_string(pw->pw_gid) + " groups=";
    groups.resize(static_cast<std::size_t>(n));
    std::sort(groups.begin(), groups.end());
    for (std::size_t i = 0; i < groups.size(); ++i) {
      expected += (i > 0 ? "," : "") + std::to_string(groups[i]);
    }
    break;
  }
  ::endpwent();
  if (name.empty()) GTEST_SKIP() << "no user with supplementary groups";
  ProcessSpec spec = helper({"print-creds"});
  spec.user = name;
  const std::string out = output_of(spec);
  // The helper prints groups in the kernel's order: compare as sorted lists.
  const auto groups_at = out.find("groups=");
  ASSERT_NE(groups_at, std::string::npos) << out;
  std::vector<long> got;
  std::stringstream list(out.substr(groups_at + 7));
  for (std::string g; std::getline(list, g, ',');) got.push_back(std::stol(g));
  std::sort(got.begin(), got.end());
  std::string sorted = out.substr(0, groups_at + 7);
  for (std::size_t i = 0; i < got.size(); ++i) {
    sorted += (i > 0 ? "," : "") + std::to_string(got[i]);
  }
  EXPECT_EQ(sorted, expected) << "user " << name;
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

// A daemon may be started with stdin, stdout and stderr closed: its own descriptors then
// take the numbers 0-2, and the child must still get exactly its pipes there.
TEST(SpawnWithoutStdioTest, WorksWhenSupdHasNoStdio) {
  const pid_t tester = ::fork();
  ASSERT_GE(tester, 0);
  if (tester == 0) {
    ::close(0);
    ::close(1);
    ::close(2);
    asio::io_context io;
    auto child = spawn(io, helper({"list-fds", "eprint", "err"}));
    if (!child) ::_exit(10);
    auto out = testing::Collector::start((*child)->take_stdout());
    auto err = testing::Collector::start((*child)->take_stderr());
    std::optional<ExitStatus> status;
    (*child)->async_wait([&](const ExitStatus& s) { status = s; });
    if (!testing::run_until(io, [&] { return status && out->done() && err->done(); })) {
      ::_exit(11);
    }
    if (status->describe() != "exited 0") ::_exit(12);
    if (out->text() != "0 1 2\n") ::_exit(13);
    if (err->text() != "err\n") ::_exit(14);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(tester, &status, 0), tester);
  ASSERT_TRUE(WIFEXITED(status));
  // 10 spawn failed, 11 timed out, 12 bad exit, 13 wrong descriptors, 14 stderr lost.
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace supd::os
