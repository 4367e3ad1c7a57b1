// The status page read from outside while the daemon is stopped or very busy.
#include <signal.h>

#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "control/client.h"
#include "e2e/supd_instance.h"
#include "status/liveness.h"

namespace supd::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

status::DaemonLiveness liveness(const status::Snapshot& snap) {
  return status::judge(snap, unix_ms_now(), [](std::int64_t pid) { return process_alive(pid); });
}

// About 20 s: the heartbeat is every 5 s and stale after 15 s.
TEST(StatusPage, ReadableWhileTheDaemonIsStoppedAndSaysNotRespondingOnceStale) {
  SupdInstance supd(R"(
services:
  web:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
)");
  ASSERT_TRUE(supd.start());
  ASSERT_TRUE(supd.wait_for_state("web", "running"));
  auto snap = supd.snapshot();
  ASSERT_TRUE(snap);
  EXPECT_EQ(liveness(*snap), status::DaemonLiveness::Running);

  supd.signal_daemon(SIGSTOP);
  const auto stopped = Clock::now();
  while (process_state(supd.daemon_pid()) != 'T' && Clock::now() < stopped + 10s) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(process_state(supd.daemon_pid()), 'T');

  // The control socket has no answer now...
  {
    auto client = control::ControlClient::connect(supd.socket_path());
    ASSERT_TRUE(client) << client.error().message();
    auto answer = client->call({{"cmd", "status"}}, 500ms);
    EXPECT_FALSE(answer) << "a stopped daemon answered: " << answer->dump();
  }
  // ...but the page does, at once, with every service.
  const auto read_at = Clock::now();
  snap = supd.snapshot();
  const double read_took = seconds_between(read_at, Clock::now());
  report_measure("status page read while supd is stopped (ms)", std::to_string(read_took * 1000));
  ASSERT_TRUE(snap);
  EXPECT_LT(read_took, 1.0);
  ASSERT_EQ(snap->services.size(), 1u);
  EXPECT_EQ(snap->services[0].name, "web");
  EXPECT_EQ(status::state_name(snap->services[0].state), std::string("running"));
  if (!supctl_binary().empty()) {
    RunResult r = supd.supctl({"--json", "status"}, 20s);
    report_measure("supctl status while supd is stopped (s)",
                   std::to_string(std::chrono::duration<double>(r.took).count()));
    EXPECT_EQ(exit_code(r), 0) << r.out << r.err;
    EXPECT_LT(r.took, 5s);
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(j["daemon"]["state"], "running") << "judged before the heartbeat is stale";
    EXPECT_EQ(j["services"][0]["state"], "running");
  }

  status::DaemonLiveness seen = status::DaemonLiveness::Running;
  while (Clock::now() < stopped + 30s) {
    snap = supd.snapshot();
    ASSERT_TRUE(snap);
    seen = liveness(*snap);
    if (seen != status::DaemonLiveness::Running) break;
    std::this_thread::sleep_for(50ms);
  }
  const double stale_after = seconds_between(stopped, Clock::now());
  report_measure("stopped supd judged not responding after (s)", std::to_string(stale_after));
  EXPECT_EQ(seen, status::DaemonLiveness::NotResponding) << status::liveness_name(seen);
  EXPECT_GE(stale_after, 9.0);  // 15 s after a beat at most 5 s before the stop
  EXPECT_LT(stale_after, 25.0);
  if (!supctl_binary().empty()) {
    RunResult r = supd.supctl({"--json", "status"}, 20s);
    EXPECT_EQ(exit_code(r), 0) << r.out << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(j["daemon"]["state"], "not responding");
    r = supd.supctl({"status"}, 20s);
    EXPECT_NE(r.out.find("supd is not responding"), std::string::npos) << r.out << r.err;
  }

  supd.signal_daemon(SIGCONT);
  EXPECT_FALSE(supd.call_ok({{"cmd", "ping"}}, 10s).is_null());
  EXPECT_TRUE(supd.wait_for(
      [](const status::Snapshot& s) { return liveness(s) == status::DaemonLiveness::Running; },
      "the daemon to beat again", 15s));
}

TEST(StatusPage, ThousandReadsDuringARestartStormAreAllWhole) {
  SupdInstance supd(R"(
services:
  storm:
    command: ["@HELPER@", "exit", "1"]
    restart: always
    backoff: {initial: 5ms, factor: 1, max: 5ms}
    max_restarts: 1000000
  web:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
  db:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
)");
  ASSERT_TRUE(supd.start());
  ASSERT_TRUE(supd.wait_for_state("web", "running"));
  const std::set<std::string> names = {"storm", "web", "db"};
  const std::set<std::string> at_rest = {"stopped", "backoff", "exited", "fatal"};
  std::uint32_t first_restarts = 0;
  std::uint32_t last_restarts = 0;
  int unlocked = 0;
  std::set<std::string> storm_states;
  const auto start = Clock::now();
  for (int i = 0; i < 1000; ++i) {
    auto snap = supd.snapshot();
    ASSERT_TRUE(snap) << "read " << i;
    ASSERT_TRUE(snap->complete) << "read " << i << " saw a record mid-update";
    if (!snap->locked) ++unlocked;
    ASSERT_EQ(snap->services.size(), 3u) << "read " << i;
    for (const status::ServiceStatus& s : snap->services) {
      ASSERT_EQ(names.count(s.name), 1u) << "read " << i << ": name \"" << s.name << "\"";
      const std::string state = status::state_name(s.state);
      ASSERT_NE(state, "unknown") << "read " << i << ": " << s.name;
      if (at_rest.count(state) != 0) {
        EXPECT_EQ(s.pid, 0) << "read " << i << ": " << s.name << " " << state;
      }
      if (state == "running") {
        EXPECT_NE(s.pid, 0) << "read " << i << ": " << s.name;
      }
      if (s.name == "storm") {
        storm_states.insert(state);
        if (i == 0) first_restarts = s.restarts;
        ASSERT_GE(s.restarts, last_restarts) << "read " << i << ": restarts went back";
        last_restarts = s.restarts;
        if (!s.last_exit.empty()) {
          EXPECT_EQ(s.last_exit, "exited 1") << "read " << i;
        }
      } else {
        EXPECT_EQ(state, "running") << "read " << i << ": " << s.name;
      }
    }
    std::this_thread::sleep_for(2ms);  // spread the reads over the storm
  }
  const double took = seconds_between(start, Clock::now());
  std::string seen;
  for (const std::string& s : storm_states) seen += s + " ";
  report_measure("1000 reads took (s)", std::to_string(took));
  report_measure("storm restarts during the reads", std::to_string(last_restarts - first_restarts));
  report_measure("storm states seen", seen);
  report_measure("reads without the lock", std::to_string(unlocked));
  EXPECT_GE(last_restarts - first_restarts, 10u) << "no storm to speak of";

  if (supctl_binary().empty()) return;
    // The same through supctl, a process per read (fewer under the sanitizers, where each
    // start of supctl costs a lot more).
#if defined(__SANITIZE_ADDRESS__)
  constexpr int kSupctlReads = 200;
#else
  constexpr int kSupctlReads = 1000;
#endif
  const auto supctl_start = Clock::now();
  std::set<std::string> seen_states;
  for (int i = 0; i < kSupctlReads; ++i) {
    RunResult r = supd.supctl({"--json", "status"});
    // 0, or 3 while the storm is in backoff.
    ASSERT_TRUE(exit_code(r) == 0 || exit_code(r) == 3) << r.out << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "supctl read " << i << ": " << r.out;
    ASSERT_EQ(j["services"].size(), 3u) << r.out;
    for (const nlohmann::json& svc : j["services"]) {
      const std::string state = svc.value("state", "");
      ASSERT_TRUE(status::parse_state(state)) << "supctl read " << i << ": " << svc.dump();
      if (svc["name"] == "storm") seen_states.insert(state);
    }
  }
  std::string states;
  for (const std::string& st : seen_states) states += st + " ";
  report_measure(std::to_string(kSupctlReads) + " supctl --json status took (s)",
                 std::to_string(seconds_between(supctl_start, Clock::now())));
  report_measure("storm states seen by supctl", states);
}

}  // namespace
}  // namespace supd::e2e
