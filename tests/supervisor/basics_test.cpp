// The small pure pieces: state names, durations, exit descriptions, backoff delays.
#include <string>

#include <gtest/gtest.h>

#include "supervisor/backoff.h"
#include "supervisor/clock.h"
#include "supervisor/events.h"
#include "supervisor/policy.h"
#include "supervisor/service_state.h"
#include "supervisor/test_support.h"

namespace supd::supervisor {
namespace {

TEST(ServiceStateTest, NamesRoundTrip) {
  const char* names[] = {"stopped", "starting", "running", "stopping",
                         "backoff", "exited",   "fatal"};
  int i = 0;
  for (State s : kAllStates) {
    EXPECT_STREQ(to_string(s), names[i++]);
    EXPECT_EQ(parse_state(to_string(s)), s);
  }
}

TEST(ServiceStateTest, ParseRejectsAnythingElse) {
  EXPECT_EQ(parse_state("Running"), std::nullopt);
  EXPECT_EQ(parse_state(""), std::nullopt);
  EXPECT_EQ(parse_state("run"), std::nullopt);
}

TEST(ServiceStateTest, OnlyStoppedExitedAndFatalAreAtRest) {
  EXPECT_TRUE(is_at_rest(State::Stopped));
  EXPECT_TRUE(is_at_rest(State::Exited));
  EXPECT_TRUE(is_at_rest(State::Fatal));
  EXPECT_FALSE(is_at_rest(State::Starting));
  EXPECT_FALSE(is_at_rest(State::Running));
  EXPECT_FALSE(is_at_rest(State::Stopping));
  EXPECT_FALSE(is_at_rest(State::Backoff));
}

TEST(FormatDurationTest, ReadsLikeConfig) {
  EXPECT_EQ(format_duration(0ms), "0s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(1s), "1s");
  EXPECT_EQ(format_duration(30s), "30s");
  EXPECT_EQ(format_duration(5min), "5m");
  EXPECT_EQ(format_duration(1h), "1h");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(1250ms), "1.25s");
  EXPECT_EQ(format_duration(1h + 1ms), "1h0.001s");
  EXPECT_EQ(format_duration(26h + 3min), "26h3m");
  EXPECT_EQ(format_duration(-2s), "-2s");
}

TEST(ExitInfoTest, DescribesExitsLikeAPerson) {
  EXPECT_EQ(exit_code(3).describe(), "exited 3");
  EXPECT_EQ(exit_code(0).describe(), "exited 0");
  EXPECT_EQ(killed_by("SIGTERM").describe(), "killed by SIGTERM");
  EXPECT_EQ(killed_by("SIGSEGV", true).describe(), "killed by SIGSEGV (core dumped)");
  EXPECT_EQ(killed_by("").describe(), "killed by a signal");
}

TEST(ExitInfoTest, SuccessNeedsAListedCodeAndNoSignal) {
  EXPECT_TRUE(exit_code(0).success({0}));
  EXPECT_FALSE(exit_code(1).success({0}));
  EXPECT_TRUE(exit_code(3).success({0, 3}));
  EXPECT_FALSE(exit_code(0).success({}));
  ExitInfo signaled = killed_by("SIGTERM");
  EXPECT_FALSE(signaled.success({0}));
}

TEST(PolicyTest, NamesForLogs) {
  EXPECT_STREQ(to_string(StopSignal::Term), "SIGTERM");
  EXPECT_STREQ(to_string(StopSignal::Usr2), "SIGUSR2");
  EXPECT_STREQ(to_string(RestartPolicy::OnFailure), "on-failure");
  EXPECT_STREQ(to_string(DependencyCondition::Completed), "completed");
}

TEST(BackoffTest, DoublesFromInitialUpToMax) {
  BackoffPolicy p{1s, 60s, 2.0};
  EXPECT_EQ(backoff_delay(p, 1), 1s);
  EXPECT_EQ(backoff_delay(p, 2), 2s);
  EXPECT_EQ(backoff_delay(p, 3), 4s);
  EXPECT_EQ(backoff_delay(p, 6), 32s);
  EXPECT_EQ(backoff_delay(p, 7), 60s);
  EXPECT_EQ(backoff_delay(p, 8), 60s);
}

TEST(BackoffTest, ZeroFailuresCountsAsOne) { EXPECT_EQ(backoff_delay(BackoffPolicy{}, 0), 1s); }

TEST(BackoffTest, LongStreaksStayAtMaxWithoutOverflow) {
  BackoffPolicy p{1s, 60s, 2.0};
  EXPECT_EQ(backoff_delay(p, 1000), 60s);
  EXPECT_EQ(backoff_delay(p, 4'000'000'000U), 60s);
  BackoffPolicy huge{1s, Duration(Duration::max()), 10.0};
  EXPECT_GT(backoff_delay(huge, 100'000).count(), 0);
}

TEST(BackoffTest, FractionalFactor) {
  BackoffPolicy p{1s, 10s, 1.5};
  EXPECT_EQ(backoff_delay(p, 2), 1500ms);
  EXPECT_EQ(backoff_delay(p, 3), 2250ms);
}

TEST(BackoffTest, FactorBelowOneNeverShrinks) {
  EXPECT_EQ(backoff_delay(BackoffPolicy{2s, 60s, 0.5}, 5), 2s);
  EXPECT_EQ(backoff_delay(BackoffPolicy{2s, 60s, 1.0}, 5), 2s);
}

TEST(BackoffTest, MaxBelowInitialWins) {
  EXPECT_EQ(backoff_delay(BackoffPolicy{10s, 3s, 2.0}, 1), 3s);
}

TEST(BackoffTest, ZeroInitialMeansNoWait) {
  EXPECT_EQ(backoff_delay(BackoffPolicy{0s, 60s, 2.0}, 9), 0s);
}

}  // namespace
}  // namespace supd::supervisor
