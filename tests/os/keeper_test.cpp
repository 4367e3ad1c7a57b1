// The keeper, tried on real process trees: supd_keeper_probe calls start_keeper() and, as
// the daemon, starts a service whose descendants try to escape (a child in its group, a
// double-forked grandchild in a new session that ignores SIGTERM and SIGHUP). The test is
// the keeper's parent, as a shell or systemd would be.
#if !defined(_WIN32) && defined(SUPD_KEEPER_PROBE)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

// Polls `done` every 5 ms for up to `limit`.
bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether `pid` is still running: it exists and is not a zombie waiting to be reaped.
bool running(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  return stat[close + 2] != 'Z';
}

class KeeperTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "supd-keeper-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }

  void TearDown() override {
    // Whatever a failed test left behind must not outlive it. (A passing test saw every
    // pid gone, and a reused pid must not be hit.)
    if (HasFailure()) {
      for (pid_t pid : all_pids()) kill(pid, SIGKILL);
    }
    if (keeper_ > 0 && !keeper_reaped_) {
      kill(keeper_, SIGKILL);
      waitpid(keeper_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }

  struct Probe {
    bool tree = false;             // the daemon starts the escaping service
    bool no_keeper = false;        // SUPD_NO_KEEPER=1
    bool sigchld_ignored = false;  // started with SIGCHLD set to SIG_IGN
  };

  // Starts the probe in its own process group, as a shell starts a job.
  void start_probe(Probe probe) {
    const bool tree = probe.tree;
    keeper_ = fork();
    ASSERT_GE(keeper_, 0);
    if (keeper_ == 0) {
      setpgid(0, 0);
      if (probe.no_keeper) setenv("SUPD_NO_KEEPER", "1", 1);
      if (probe.sigchld_ignored) signal(SIGCHLD, SIG_IGN);  // kept across exec
      execl(SUPD_KEEPER_PROBE, SUPD_KEEPER_PROBE, dir_.c_str(), tree ? "tree" : "idle",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_TRUE(wait_for([&] { return !read_file(dir_ + "/role").empty(); }))
        << "the probe never reported its role";
    std::istringstream role(read_file(dir_ + "/role"));
    std::string field;
    while (role >> field) {
      std::size_t eq = field.find('=');
      role_[field.substr(0, eq)] = std::atol(field.c_str() + eq + 1);
    }
    daemon_ = static_cast<pid_t>(role_["pid"]);
    if (tree) {
      ASSERT_TRUE(wait_for([&] { return service_pids().size() == 3; }))
          << "pids: " << read_file(dir_ + "/pids");
    }
  }

  std::vector<pid_t> service_pids() const {
    std::istringstream in(read_file(dir_ + "/pids"));
    std::vector<pid_t> pids;
    long pid = 0;
    while (in >> pid) pids.push_back(static_cast<pid_t>(pid));
    return pids;
  }

  std::vector<pid_t> all_pids() const {
    std::vector<pid_t> pids = service_pids();
    if (daemon_ > 0 && daemon_ != keeper_) pids.push_back(daemon_);
    return pids;
  }

  // The keeper's wait status, waiting at most 10 s.
  int wait_keeper() {
    int status = 0;
    bool ended = wait_for([&] { return waitpid(keeper_, &status, WNOHANG) == keeper_; });
    EXPECT_TRUE(ended) << "the keeper did not exit";
    keeper_reaped_ = ended;
    return status;
  }

  void expect_nothing_left() {
    for (pid_t pid : all_pids()) {
      EXPECT_TRUE(wait_for([&] { return !running(pid); }, 5s)) << "pid " << pid << " survived";
    }
  }

  std::string dir_;
  pid_t keeper_ = -1;
  pid_t daemon_ = -1;
  bool keeper_reaped_ = false;
  std::map<std::string, long> role_;
};

TEST_F(KeeperTest, DaemonRunsAsChildOfTheKeeperInItsOwnGroupAsSubreaper) {
  ASSERT_NO_FATAL_FAILURE(start_probe({}));
  EXPECT_EQ(role_["has_keeper"], 1);
  EXPECT_NE(daemon_, keeper_);
  EXPECT_EQ(role_["ppid"], keeper_);
  EXPECT_EQ(role_["pgrp"], daemon_);
  EXPECT_EQ(role_["subreaper"], 1);
  kill(keeper_, SIGTERM);
  int status = wait_keeper();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST_F(KeeperTest, SigkillOfTheDaemonKillsEveryDescendantAndTheKeeperDiesOfSigkill) {
  ASSERT_NO_FATAL_FAILURE(start_probe({.tree = true}));
  for (pid_t pid : service_pids()) ASSERT_TRUE(running(pid)) << pid;

  ASSERT_EQ(kill(daemon_, SIGKILL), 0);
  int status = wait_keeper();
  ASSERT_TRUE(WIFSIGNALED(status)) << "keeper exited " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  expect_nothing_left();
}

TEST_F(KeeperTest, InheritedIgnoredSigchldDoesNotHideTheDaemonsEnd) {
  ASSERT_NO_FATAL_FAILURE(start_probe({.tree = true, .sigchld_ignored = true}));
  ASSERT_EQ(kill(daemon_, SIGKILL), 0);
  int status = wait_keeper();
  ASSERT_TRUE(WIFSIGNALED(status)) << "keeper exited " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  expect_nothing_left();
}

TEST_F(KeeperTest, SigtermToTheKeeperIsForwardedAndLeftoversAreKilled) {
  ASSERT_NO_FATAL_FAILURE(start_probe({.tree = true}));
  ASSERT_EQ(kill(keeper_, SIGTERM), 0);
  int status = wait_keeper();
  ASSERT_TRUE(WIFEXITED(status)) << "keeper killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(read_file(dir_ + "/signal"), "SIGTERM\n");
  // The probe's daemon exits without stopping its service: the keeper cleans up.
  expect_nothing_left();
}

TEST_F(KeeperTest, KeeperExitsWithTheDaemonsExitCode) {
  ASSERT_NO_FATAL_FAILURE(start_probe({}));
  ASSERT_EQ(kill(keeper_, SIGHUP), 0);
  int status = wait_keeper();
  ASSERT_TRUE(WIFEXITED(status)) << "keeper killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(read_file(dir_ + "/signal"), "SIGHUP\n");
}

TEST_F(KeeperTest, CtrlCToTheForegroundGroupReachesTheDaemonThroughTheKeeper) {
  ASSERT_NO_FATAL_FAILURE(start_probe({}));
  // A terminal sends SIGINT to its foreground group: the keeper's, not the daemon's.
  ASSERT_EQ(kill(-keeper_, SIGINT), 0);
  int status = wait_keeper();
  ASSERT_TRUE(WIFEXITED(status)) << "keeper killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_EQ(read_file(dir_ + "/signal"), "SIGINT\n");
}

TEST_F(KeeperTest, SigkillOfTheKeeperSendsTheDaemonSigterm) {
  ASSERT_NO_FATAL_FAILURE(start_probe({}));
  ASSERT_EQ(kill(keeper_, SIGKILL), 0);
  int status = wait_keeper();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  EXPECT_TRUE(wait_for([&] { return read_file(dir_ + "/signal") == "SIGTERM\n"; }))
      << "the daemon was not told";
  EXPECT_TRUE(wait_for([&] { return !running(daemon_); }));
}

TEST_F(KeeperTest, SupdNoKeeperRunsTheDaemonWithoutFork) {
  ASSERT_NO_FATAL_FAILURE(start_probe({.no_keeper = true}));
  EXPECT_EQ(role_["has_keeper"], 0);
  EXPECT_EQ(daemon_, keeper_);
  ASSERT_EQ(kill(daemon_, SIGTERM), 0);
  int status = wait_keeper();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

}  // namespace
#endif
