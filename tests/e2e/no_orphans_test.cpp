// No orphan, whatever happens to supd: SIGKILL to the daemon or to the keeper, a crash; and
// one supd per control socket.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/supd_instance.h"

namespace supd::e2e {
namespace {

using Clock = std::chrono::steady_clock;

// A plain service, one with a grandchild in its group, and one whose grandchild ran away:
// its own session, deaf to SIGTERM and SIGHUP.
constexpr const char* kTree = R"(
services:
  plain:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
  family:
    command: ["@HELPER@", "grandchild", "@DIR@/grandchild.pid", "sleep", "60"]
    start_secs: 100ms
  runaway:
    command: ["@HELPER@", "double-fork", "@DIR@/runaway.pid", "sleep", "60"]
    start_secs: 100ms
    stop_timeout: 1s
)";

Pid wait_pid_file(const std::string& path) {
  const auto deadline = Clock::now() + 30s;
  for (;;) {
    const std::string text = read_file(path);
    if (!text.empty()) return std::stol(text);
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "no pid in " << path;
      return 0;
    }
    std::this_thread::sleep_for(10ms);
  }
}

struct Tree {
  Pid grandchild = 0;
  Pid runaway = 0;
  std::vector<Pid> all;
};

// Starts kTree and returns every process of it once all are up.
Tree bring_up(SupdInstance& supd) {
  Tree t;
  EXPECT_TRUE(supd.start());
  for (const char* name : {"plain", "family", "runaway"}) {
    EXPECT_TRUE(supd.wait_for_state(name, "running"));
  }
  t.grandchild = wait_pid_file(supd.path("grandchild.pid"));
  t.runaway = wait_pid_file(supd.path("runaway.pid"));
  t.all = supd.tree();
  EXPECT_NE(::getsid(static_cast<pid_t>(t.runaway)), ::getsid(static_cast<pid_t>(t.grandchild)));
  for (Pid p : {supd.keeper_pid(), supd.daemon_pid(), t.grandchild, t.runaway}) {
    EXPECT_NE(std::find(t.all.begin(), t.all.end(), p), t.all.end()) << p << " is not in the tree";
  }
  return t;
}

// Polls until nothing of the tree is alive; the time it took, or -1 at the deadline (with
// what is left in `left`).
double time_until_gone(SupdInstance& supd, Clock::time_point since, std::vector<Pid>& left) {
  const auto deadline = since + 5s;
  for (;;) {
    left = supd.tree();
    if (left.empty()) return seconds_between(since, Clock::now());
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(5ms);
  }
}

double time_until_gone(SupdInstance& supd, Clock::time_point since) {
  std::vector<Pid> left;
  const double took = time_until_gone(supd, since, left);
  if (took < 0) {
    std::string list;
    for (Pid p : left) list += "\n  " + std::to_string(p) + ": " + process_cmdline(p);
    ADD_FAILURE() << "still alive 5 s later:" << list;
  }
  return took;
}

TEST(NoOrphans, SigkillToTheDaemonLeavesNothingBehind) {
  SupdInstance supd(kTree);
  const Tree tree = bring_up(supd);
  ASSERT_FALSE(::testing::Test::HasFailure());
  const auto killed = Clock::now();
  supd.signal_daemon(SIGKILL);
  const double took = time_until_gone(supd, killed);
  report_measure("SIGKILL to the daemon: whole tree gone after (s)", std::to_string(took));
  EXPECT_GE(took, 0);
  EXPECT_LT(took, 5.0);
  auto ending = supd.wait_exit(10s);
  ASSERT_TRUE(ending);
  // The keeper ends the way the daemon did.
  EXPECT_TRUE(ending->signaled) << ending->describe();
  EXPECT_EQ(ending->signo, SIGKILL) << ending->describe();
}

TEST(NoOrphans, SigkillToTheKeeperLeavesNothingBehind) {
  SupdInstance supd(kTree);
  const Tree tree = bring_up(supd);
  ASSERT_FALSE(::testing::Test::HasFailure());
  const auto killed = Clock::now();
  supd.signal_keeper(SIGKILL);
  std::vector<Pid> left;
  const double took = time_until_gone(supd, killed, left);
  report_measure("SIGKILL to the keeper: whole tree gone after (s)", std::to_string(took));
  auto ending = supd.wait_exit(10s);
  ASSERT_TRUE(ending);
  EXPECT_TRUE(ending->signaled && ending->signo == SIGKILL) << ending->describe();
  EXPECT_TRUE(left.empty());
  EXPECT_GE(took, 0);
  EXPECT_LT(took, 5.0);
}

TEST(NoOrphans, GracefulShutdownLeavesNoRunawayGrandchild) {
  SupdInstance supd(kTree);
  const Tree tree = bring_up(supd);
  ASSERT_FALSE(::testing::Test::HasFailure());
  const auto sent = Clock::now();
  ASSERT_TRUE(supd.stop());
  const double took = time_until_gone(supd, sent);
  report_measure("SIGTERM: whole tree gone after (s)", std::to_string(took));
  EXPECT_GE(took, 0);
}

TEST(NoOrphans, CrashOfTheDaemonIsReportedTakesEveryChildAlongAndIsRememberedNextTime) {
  // There is no hook to make supd fault on purpose; a SIGSEGV sent from outside takes the
  // same path through the crash handler (with fault address 0).
  SupdInstance supd(kTree);
  const Tree tree = bring_up(supd);
  ASSERT_FALSE(::testing::Test::HasFailure());
  const Pid crashed_pid = supd.daemon_pid();
  const auto sent = Clock::now();
  supd.signal_daemon(SIGSEGV);
  const double took = time_until_gone(supd, sent);
  report_measure("SIGSEGV to the daemon: whole tree gone after (s)", std::to_string(took));
  EXPECT_GE(took, 0);
  auto ending = supd.wait_exit(10s);
  ASSERT_TRUE(ending);
  EXPECT_TRUE(ending->signaled && ending->signo == SIGSEGV) << ending->describe();
  EXPECT_NE(supd.stderr_text().find("supd crashed: SIGSEGV"), std::string::npos);

  auto page = supd.snapshot();
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->crashed);
  ASSERT_TRUE(page->last_crash);
  EXPECT_EQ(page->last_crash->signo, SIGSEGV);
  EXPECT_EQ(page->last_crash->pid, crashed_pid);
  if (!supctl_binary().empty()) {
    RunResult r = supd.supctl({"status"});
    EXPECT_NE(r.out.find("supd crashed at"), std::string::npos) << r.out << r.err;
    EXPECT_NE(r.out.find("SIGSEGV"), std::string::npos) << r.out << r.err;
    nlohmann::json j = nlohmann::json::parse(supd.supctl({"--json", "status"}).out, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["daemon"]["state"], "not running");
    EXPECT_EQ(j["last_crash"]["signal"], "SIGSEGV") << j.dump();
  }

  // The next supd at the same place knows.
  ASSERT_TRUE(supd.start());
  EXPECT_TRUE(supd.wait_for_log("the previous supd crashed"));
  page = supd.snapshot();
  ASSERT_TRUE(page);
  EXPECT_FALSE(page->crashed);
  EXPECT_TRUE(page->previous_run_crashed);
  ASSERT_TRUE(page->last_crash);
  EXPECT_EQ(page->last_crash->signo, SIGSEGV);
  EXPECT_EQ(page->last_crash->pid, crashed_pid);
  EXPECT_EQ(page->daemon.pid, supd.daemon_pid());
  if (!supctl_binary().empty()) {
    nlohmann::json j = nlohmann::json::parse(supd.supctl({"--json", "status"}).out, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["daemon"]["state"], "running");
    EXPECT_EQ(j["last_crash"]["signal"], "SIGSEGV") << j.dump();
    EXPECT_EQ(j["last_crash"]["previous_run"], true) << j.dump();
  }
}

TEST(OneDaemon, SecondSupdOnTheSameSocketExits1AndTouchesNothing) {
  SupdInstance first(R"(
services:
  web:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
)");
  ASSERT_TRUE(first.start());
  ASSERT_TRUE(first.wait_for_state("web", "running"));
  const Pid web = first.service("web")->pid;
  const std::string log_before = read_file(first.log_path("web.out.log"));

  SupdOptions same_place;
  same_place.dir = first.dir();
  SupdInstance second("", same_place);
  second.launch();
  auto ending = second.wait_exit(30s);
  ASSERT_TRUE(ending);
  EXPECT_FALSE(ending->signaled) << ending->describe();
  EXPECT_EQ(ending->code, 1);
  const std::string expected =
      "another supd is running (pid " + std::to_string(first.daemon_pid()) + ")";
  EXPECT_NE(second.stderr_text().find(expected), std::string::npos)
      << "expected \"" << expected << "\" in:\n"
      << second.stderr_text();

  // The first one goes on as before, on the same socket and page.
  nlohmann::json status = first.call_ok({{"cmd", "status"}});
  ASSERT_FALSE(status.is_null());
  EXPECT_EQ(status["daemon"]["pid"], first.daemon_pid());
  auto page = first.snapshot();
  ASSERT_TRUE(page);
  EXPECT_EQ(page->daemon.pid, first.daemon_pid());
  EXPECT_EQ(status::daemon_state_name(page->daemon.state), std::string("running"));
  EXPECT_EQ(first.service("web")->pid, web);
  EXPECT_EQ(first.service("web")->restarts, 0u);
  EXPECT_TRUE(process_alive(web));
  EXPECT_EQ(read_file(first.log_path("web.out.log")), log_before);
}

}  // namespace
}  // namespace supd::e2e
