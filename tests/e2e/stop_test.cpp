// The stop sequence on real processes: stop_timeout and SIGKILL, whole process groups.
#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "e2e/supd_instance.h"

namespace supd::e2e {
namespace {

using Clock = std::chrono::steady_clock;

Pid read_pid(const std::string& path) {
  const std::string text = read_file(path);
  return text.empty() ? 0 : std::stol(text);
}

// Polls until the helper wrote its pid file; the pid (0 and a failure at the deadline).
Pid wait_pid_file(const std::string& path, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (Pid p = read_pid(path); p > 0) return p;
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "no pid in " << path;
      return 0;
    }
    std::this_thread::sleep_for(10ms);
  }
}

TEST(Stop, ChildIgnoringSigtermIsKilledAfterStopTimeout) {
  SupdInstance supd(R"(
services:
  stubborn:
    command: ["@HELPER@", "ignore-term"]
    start_secs: 100ms
    stop_timeout: 1s
)");
  ASSERT_TRUE(supd.start());
  ASSERT_TRUE(supd.wait_for_state("stubborn", "running"));
  const Pid pid = supd.service("stubborn")->pid;
  ASSERT_GT(pid, 0);

  const auto before = Clock::now();
  nlohmann::json result = supd.call_ok({{"cmd", "stop"}, {"names", {"stubborn"}}});
  const double took = seconds_between(before, Clock::now());
  report_measure("stop of a SIGTERM-ignoring child, stop_timeout 1s (s)", std::to_string(took));
  ASSERT_FALSE(result.is_null());
  EXPECT_EQ(result["services"][0]["state"], "stopped");
  EXPECT_GE(took, 0.95);
  EXPECT_LT(took, 1.0 + 5.0);
  EXPECT_FALSE(process_alive(pid));

  auto s = supd.service("stubborn");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->last_exit, "killed by SIGKILL after stop timeout");
  EXPECT_EQ(s->signal, "SIGKILL");
  EXPECT_EQ(s->pid, 0);
}

TEST(Stop, StopsTheWholeProcessGroup) {
  SupdInstance supd(R"(
services:
  family:
    command: ["@HELPER@", "grandchild", "@DIR@/grandchild.pid", "sleep", "60"]
    start_secs: 100ms
)");
  ASSERT_TRUE(supd.start());
  ASSERT_TRUE(supd.wait_for_state("family", "running"));
  const Pid main_pid = supd.service("family")->pid;
  const Pid grandchild = wait_pid_file(supd.path("grandchild.pid"));
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(process_alive(main_pid));
  ASSERT_TRUE(process_alive(grandchild));

  nlohmann::json result = supd.call_ok({{"cmd", "stop"}, {"names", {"family"}}});
  ASSERT_FALSE(result.is_null());
  // Once the stop is answered the group is gone (the grandchild may await its reaper).
  EXPECT_TRUE(wait_all_dead({main_pid, grandchild}, 5s));
  EXPECT_EQ(supd.service("family")->last_exit, "killed by SIGTERM");
}

TEST(Stop, LeftoversOfAnExitedMainProcessAreStoppedBeforeItSettles) {
  SupdInstance supd(R"(
services:
  parent:
    command: ["@HELPER@", "grandchild", "@DIR@/grandchild.pid", "sleep-then-exit", "300", "0"]
    restart: never
    start_secs: 100ms
)");
  ASSERT_TRUE(supd.start());
  const Pid grandchild = wait_pid_file(supd.path("grandchild.pid"));
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(supd.wait_for_state("parent", "exited"));
  EXPECT_FALSE(process_alive(grandchild)) << "the main process's child outlived the run";
  auto s = supd.service("parent");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->last_exit, "exited 0");
}

}  // namespace
}  // namespace supd::e2e
