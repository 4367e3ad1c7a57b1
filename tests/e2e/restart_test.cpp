// Restart policies, backoff, crash loops: what the supervisor decides, seen from outside.
#include <gtest/gtest.h>

#include "e2e/event_log.h"
#include "e2e/supd_instance.h"

namespace supd::e2e {
namespace {

std::optional<status::ServiceStatus> find(const status::Snapshot& snap, const std::string& name) {
  for (const status::ServiceStatus& s : snap.services) {
    if (s.name == name) return s;
  }
  return std::nullopt;
}

TEST(RestartPolicy, AlwaysOnFailureAndNeverDecideWhetherARunningServiceComesBack) {
  SupdInstance supd(R"(
services:
  always:
    command: ["@HELPER@", "stamp", "@DIR@/always", "run", "sleep-then-exit", "300", "0"]
    restart: always
    start_secs: 100ms
    max_restarts: 1000
  success:
    command: ["@HELPER@", "stamp", "@DIR@/success", "run", "sleep-then-exit", "300", "3"]
    restart: on-failure
    success_exit_codes: [0, 3]
    start_secs: 100ms
  failure:
    command: ["@HELPER@", "stamp", "@DIR@/failure", "run", "sleep-then-exit", "300", "4"]
    restart: on-failure
    success_exit_codes: [0, 3]
    start_secs: 100ms
    max_restarts: 1000
  never:
    command: ["@HELPER@", "stamp", "@DIR@/never", "run", "sleep-then-exit", "300", "1"]
    restart: never
    start_secs: 100ms
)");
  ASSERT_TRUE(supd.start());
  ASSERT_TRUE(supd.wait_for_state("success", "exited"));
  ASSERT_TRUE(supd.wait_for_state("never", "exited"));
  // Long enough for the settled ones to have come back had they been going to: the others
  // were restarted twice more meanwhile.
  ASSERT_TRUE(supd.wait_for(
      [](const status::Snapshot& snap) {
        auto a = find(snap, "always");
        auto f = find(snap, "failure");
        return a && f && a->restarts >= 3 && f->restarts >= 3;
      },
      "always and failure to be restarted 3 times"));
  auto snap = supd.snapshot();
  ASSERT_TRUE(snap);

  auto success = find(*snap, "success");
  ASSERT_TRUE(success);
  EXPECT_EQ(status::state_name(success->state), std::string("exited"));
  EXPECT_EQ(success->restarts, 0u);
  EXPECT_EQ(success->last_exit, "exited 3");
  EXPECT_EQ(success->exit_code, 3);
  EXPECT_EQ(success->pid, 0);
  EXPECT_EQ(read_stamps(supd.path("success")).size(), 1u);

  auto never = find(*snap, "never");
  ASSERT_TRUE(never);
  EXPECT_EQ(never->restarts, 0u);
  EXPECT_EQ(never->last_exit, "exited 1");
  EXPECT_EQ(never->exit_code, 1);
  EXPECT_EQ(read_stamps(supd.path("never")).size(), 1u);

  // 3 restarts: 4 runs (the last one's stamp may still be on its way).
  EXPECT_GE(wait_for_stamps(supd.path("always"), 4).size(), 4u);
  EXPECT_GE(wait_for_stamps(supd.path("failure"), 4).size(), 4u);
  auto failure = find(*snap, "failure");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->last_exit, "exited 4");
  // A run that had reached `running` is restarted at once, without backoff.
  const auto always = read_stamps(supd.path("always"));
  for (std::size_t i = 1; i < always.size(); ++i) {
    const double gap = always[i].unix_seconds - always[i - 1].unix_seconds;
    EXPECT_LT(gap, 0.3 + 2.0) << "run " << i;
  }
}

TEST(RestartPolicy, FailedStartsBackOffLongerEachTime) {
  SupdInstance supd(R"(
services:
  flaky:
    command: ["@HELPER@", "stamp", "@DIR@/spawns", "run", "exit", "1"]
    start_secs: 1s
    backoff: {initial: 200ms, factor: 2, max: 10s}
    max_restarts: 100
)");
  ASSERT_TRUE(supd.start());
  // Spawns at about 0, 0.2, 0.6, 1.4, 3.0 s.
  const auto stamps = wait_for_stamps(supd.path("spawns"), 5);
  ASSERT_GE(stamps.size(), 5u);
  std::vector<double> gaps;
  std::string printed;
  for (std::size_t i = 1; i < 5; ++i) {
    gaps.push_back(stamps[i].unix_seconds - stamps[i - 1].unix_seconds);
    printed += (printed.empty() ? "" : ", ") + std::to_string(gaps.back());
  }
  report_measure("gaps between failed starts (s), backoff 0.2 x2", printed);
  double expected = 0.2;
  for (std::size_t i = 0; i < gaps.size(); ++i) {
    EXPECT_GE(gaps[i], expected * 0.8) << "gap " << i;
    EXPECT_LT(gaps[i], expected + 3.0) << "gap " << i;
    if (i > 0) {
      EXPECT_GT(gaps[i], gaps[i - 1]) << "gap " << i << " did not grow";
    }
    expected *= 2;
  }
  auto s = supd.service("flaky");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->last_exit, "exited 1");
}

TEST(RestartPolicy, CrashLoopEndsFatalAndStartTakesItOut) {
  SupdInstance supd(R"(
services:
  crasher:
    command: ["@HELPER@", "stamp", "@DIR@/runs", "run", "exit", "1"]
    restart: always
    start_secs: 0
    max_restarts: 3
    restart_window: 60s
)");
  ASSERT_TRUE(supd.start());
  ASSERT_TRUE(supd.wait_for_state("crasher", "fatal"));
  // The first run and 3 restarts, then no more.
  EXPECT_EQ(read_stamps(supd.path("runs")).size(), 4u);
  auto s = supd.service("crasher");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->restarts, 3u);
  EXPECT_EQ(s->pid, 0);
  EXPECT_EQ(s->last_exit, "exited 1");
  nlohmann::json status = supd.call_ok({{"cmd", "status"}, {"names", {"crasher"}}});
  ASSERT_FALSE(status.is_null());
  EXPECT_EQ(status["services"][0]["state"], "fatal");
  EXPECT_NE(status["services"][0]["reason"].get<std::string>().find("gave up after 3 restarts"),
            std::string::npos)
      << status.dump();

  EventLog events(supd.socket_path(), {"crasher"});
  nlohmann::json answer =
      supd.call({{"cmd", "start"}, {"names", {"crasher"}}, {"timeout_ms", 30000}});
  // With start_secs 0 a run counts as running at once, so the wait may end either way: ok
  // when it saw a run, failed once it saw fatal again.
  ASSERT_FALSE(answer.is_null());
  events.wait_for([](const StateEvent& e) { return e.from == "fatal" && e.to == "starting"; },
                  "fatal -> starting");
  ASSERT_TRUE(supd.wait_for_state("crasher", "fatal"));
  // A start by request begins a fresh tally: four more runs.
  EXPECT_EQ(read_stamps(supd.path("runs")).size(), 8u);
}

}  // namespace
}  // namespace supd::e2e
