// Judging the daemon from its page, with made-up times and pids.
#include "status/liveness.h"

#include <gtest/gtest.h>

namespace supd::status {
namespace {

constexpr std::int64_t kNow = 1'700'000'100'000;  // unix ms
constexpr std::int64_t kPid = 4242;

bool alive(std::int64_t pid) { return pid == kPid; }
bool gone(std::int64_t) { return false; }

Snapshot page(std::int64_t heartbeat_ms, DaemonState state = DaemonState::Running) {
  Snapshot s;
  s.daemon.pid = kPid;
  s.daemon.start_time = 1'700'000'000;
  s.daemon.heartbeat_ms = heartbeat_ms;
  s.daemon.state = state;
  return s;
}

TEST(Liveness, ARecentHeartbeatIsRunning) {
  EXPECT_EQ(judge(page(kNow - 1000), kNow, alive), DaemonLiveness::Running);
  EXPECT_EQ(judge(page(kNow - 15000), kNow, alive), DaemonLiveness::Running);
}

TEST(Liveness, ThreeMissedBeatsIsNotResponding) {
  EXPECT_EQ(judge(page(kNow - 15001), kNow, alive), DaemonLiveness::NotResponding);
  EXPECT_EQ(judge(page(kNow - 600000), kNow, alive), DaemonLiveness::NotResponding);
}

TEST(Liveness, TheThresholdIsAParameter) {
  EXPECT_EQ(judge(page(kNow - 20000), kNow, alive, std::chrono::seconds(30)),
            DaemonLiveness::Running);
  EXPECT_EQ(judge(page(kNow - 2000), kNow, alive, std::chrono::seconds(1)),
            DaemonLiveness::NotResponding);
}

TEST(Liveness, AGonePidIsNotRunningHoweverFreshTheHeartbeat) {
  EXPECT_EQ(judge(page(kNow), kNow, gone), DaemonLiveness::NotRunning);
}

TEST(Liveness, ACleanStopIsNotRunningEvenIfThePidWasReused) {
  EXPECT_EQ(judge(page(kNow, DaemonState::Stopped), kNow, alive), DaemonLiveness::NotRunning);
}

TEST(Liveness, ARecordedCrashOfThisSupdIsNotRunning) {
  Snapshot s = page(kNow);
  s.crashed = true;
  EXPECT_EQ(judge(s, kNow, alive), DaemonLiveness::NotRunning);
  s.crashed = false;
  s.last_crash = CrashInfo{};  // an older supd's crash says nothing about this one
  EXPECT_EQ(judge(s, kNow, alive), DaemonLiveness::Running);
}

TEST(Liveness, StoppingAndStartingDaemonsAreJudgedByTheirHeartbeat) {
  EXPECT_EQ(judge(page(kNow, DaemonState::Stopping), kNow, alive), DaemonLiveness::Running);
  EXPECT_EQ(judge(page(kNow - 60000, DaemonState::Stopping), kNow, alive),
            DaemonLiveness::NotResponding);
  EXPECT_EQ(judge(page(kNow, DaemonState::Starting), kNow, alive), DaemonLiveness::Running);
}

TEST(Liveness, BeforeTheFirstHeartbeatTheStartTimeCounts) {
  Snapshot s = page(0);
  s.daemon.start_time = kNow / 1000 - 2;
  EXPECT_EQ(judge(s, kNow, alive), DaemonLiveness::Running);
  s.daemon.start_time = kNow / 1000 - 100;
  EXPECT_EQ(judge(s, kNow, alive), DaemonLiveness::NotResponding);
}

TEST(Liveness, AHeartbeatFromTheFutureCountsAsFresh) {
  EXPECT_EQ(judge(page(kNow + 3'600'000), kNow, alive), DaemonLiveness::Running);
}

TEST(Liveness, APageWithoutAPidIsNotRunning) {
  Snapshot s = page(kNow);
  s.daemon.pid = 0;
  bool asked = false;
  EXPECT_EQ(judge(s, kNow, [&](std::int64_t) { return asked = true; }), DaemonLiveness::NotRunning);
  EXPECT_FALSE(asked) << "pid 0 must never be probed";
}

TEST(Liveness, Names) {
  EXPECT_STREQ(liveness_name(DaemonLiveness::Running), "running");
  EXPECT_STREQ(liveness_name(DaemonLiveness::NotResponding), "not responding");
  EXPECT_STREQ(liveness_name(DaemonLiveness::NotRunning), "not running");
}

}  // namespace
}  // namespace supd::status
