// Hung children (watchdog, health checks, max_runtime) and readiness by sd_notify.
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "e2e/event_log.h"
#include "e2e/supd_instance.h"

namespace supd::e2e {
namespace {

using Clock = std::chrono::steady_clock;

// A port on 127.0.0.1 that nothing listens on (bound once by the kernel's choice, then
// released).
unsigned short free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST(Hung, MissedWatchdogIsStoppedAndRestarted) {
  // READY=1, then a WATCHDOG=1 every 300 ms for 1.5 s, then silence: the pings must keep it
  // alive past the 1 s watchdog, and the silence must not.
  std::string command = R"(["@HELPER@", "notify", "READY=1")";
  for (int i = 0; i < 5; ++i) command += R"(, "sleep-ms", "300", "notify", "WATCHDOG=1")";
  command += R"(, "sleep", "60"])";
  SupdInstance supd(R"(
services:
  pinger:
    command: )" + command +
                    R"(
    autostart: false
    ready: {notify: true}
    start_secs: 0
    watchdog: 1s
    max_restarts: 100
)");
  ASSERT_TRUE(supd.start());
  EventLog events(supd.socket_path(), {"pinger"});
  ASSERT_FALSE(supd.call_ok({{"cmd", "start"}, {"names", {"pinger"}}}).is_null());
  const StateEvent running = events.wait_for_transition("pinger", "running");
  const StateEvent hung = events.wait_for(
      [](const StateEvent& e) { return e.to == "stopping" && e.reason == "hung: watchdog"; },
      "stopping with reason hung: watchdog");
  const double alive_for = hung.time - running.time;
  report_measure("watchdog 1s, pings for 1.5s: hung after (s)", std::to_string(alive_for));
  EXPECT_GE(alive_for, 1.5 + 0.9);
  EXPECT_LT(alive_for, 1.5 + 1.0 + 5.0);
  const StateEvent restarted = events.wait_for(
      [](const StateEvent& e) { return e.from == "stopping" && e.to == "starting"; },
      "the restart after the hang");
  EXPECT_EQ(restarted.reason, "hung: watchdog; restarting");
  ASSERT_TRUE(supd.wait_for_state("pinger", "running"));
  auto s = supd.service("pinger");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->last_exit, "hung: watchdog");
  EXPECT_EQ(s->restarts, 1u);
  EXPECT_NE(s->pid, running.pid);
}

TEST(Hung, FailingHttpHealthCheckIsStoppedAndRestarted) {
  const unsigned short port = free_port();
  SupdInstance supd(R"(
services:
  web:
    command: ["@HELPER@", "sleep", "60"]
    autostart: false
    start_secs: 100ms
    max_restarts: 100
    health:
      http: http://127.0.0.1:)" +
                    std::to_string(port) + R"(/healthz
      interval: 200ms
      timeout: 1s
      failures: 2
)");
  ASSERT_TRUE(supd.start());
  EventLog events(supd.socket_path(), {"web"});
  ASSERT_FALSE(supd.call_ok({{"cmd", "start"}, {"names", {"web"}}}).is_null());
  const StateEvent running = events.wait_for_transition("web", "running");
  const StateEvent hung = events.wait_for_transition("web", "stopping");
  const std::size_t after_hang = events.size();
  EXPECT_EQ(hung.reason, "hung: health check failed 2 times");
  report_measure("http health, interval 200ms, failures 2: hung after (s)",
                 std::to_string(hung.time - running.time));
  EXPECT_GE(hung.time - running.time, 0.35);
  const StateEvent restarted = events.wait_for_transition("web", "starting", after_hang);
  EXPECT_EQ(restarted.reason, "hung: health check failed 2 times; restarting");
  ASSERT_NE(supd.wait_for_new_pid("web", running.pid), 0);
  EXPECT_EQ(supd.service("web")->last_exit, "hung: health check failed 2 times");
}

TEST(Hung, HealthCheckThatPassesThenFailsMarksTheServiceHung) {
  // A TCP listener in this test answers the probe (the kernel completes the handshake from
  // the backlog) until it is closed.
  asio::io_context io;
  auto listener = std::make_unique<asio::ip::tcp::acceptor>(
      io, asio::ip::tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0});
  const unsigned short port = listener->local_endpoint().port();
  SupdInstance supd(R"(
services:
  db:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
    health:
      tcp: 127.0.0.1:)" +
                    std::to_string(port) + R"(
      interval: 200ms
      timeout: 1s
      failures: 2
)");
  ASSERT_TRUE(supd.start());
  ASSERT_TRUE(supd.wait_for(
      [](const status::Snapshot& snap) {
        return !snap.services.empty() && snap.services[0].health == status::Health::Ok;
      },
      "db to be healthy"));
  const Pid first = supd.service("db")->pid;
  EXPECT_EQ(status::state_name(supd.service("db")->state), std::string("running"));
  listener.reset();
  ASSERT_NE(supd.wait_for_new_pid("db", first), 0);
  EXPECT_EQ(supd.service("db")->last_exit, "hung: health check failed 2 times");
}

TEST(Hung, RunLongerThanMaxRuntimeIsStoppedAndRestarted) {
  SupdInstance supd(R"(
services:
  batch:
    command: ["@HELPER@", "sleep", "60"]
    autostart: false
    restart: always
    start_secs: 100ms
    max_runtime: 1s
    max_restarts: 100
)");
  ASSERT_TRUE(supd.start());
  EventLog events(supd.socket_path(), {"batch"});
  ASSERT_FALSE(supd.call_ok({{"cmd", "start"}, {"names", {"batch"}}}).is_null());
  const StateEvent started = events.wait_for_transition("batch", "starting");
  const StateEvent hung = events.wait_for_transition("batch", "stopping");
  EXPECT_EQ(hung.reason, "hung: max_runtime 1s exceeded");
  report_measure("max_runtime 1s: stopped after (s)", std::to_string(hung.time - started.time));
  EXPECT_GE(hung.time - started.time, 0.95);
  EXPECT_LT(hung.time - started.time, 1.0 + 5.0);
  const std::size_t after = events.size();
  const StateEvent again = events.wait_for_transition("batch", "running", after);
  EXPECT_NE(again.pid, 0);
  EXPECT_EQ(supd.service("batch")->last_exit, "hung: max_runtime 1s exceeded");
}

TEST(Readiness, NotifyServiceIsRunningOnlyAfterReady) {
  SupdInstance supd(R"(
services:
  slow:
    command: ["@HELPER@", "wait-file", "@DIR@/go", "notify", "READY=1", "sleep", "60"]
    ready: {notify: true}
    start_secs: 0
)");
  ASSERT_TRUE(supd.start());
  ASSERT_TRUE(supd.wait_for(
      [](const status::Snapshot& snap) {
        return !snap.services.empty() && snap.services[0].pid != 0;
      },
      "slow to be spawned"));
  // Watched for a second: spawned, and still only starting.
  const auto watch_until = Clock::now() + 1s;
  while (Clock::now() < watch_until) {
    auto s = supd.service("slow");
    ASSERT_TRUE(s);
    ASSERT_EQ(status::state_name(s->state), std::string("starting"));
    std::this_thread::sleep_for(20ms);
  }
  EventLog events(supd.socket_path(), {"slow"});
  const auto released = Clock::now();
  write_file(supd.path("go"), "");
  const StateEvent running = events.wait_for_transition("slow", "running");
  EXPECT_EQ(running.reason, "sent READY=1");
  report_measure("READY=1 to running (s, includes the helper's 1 ms file poll)",
                 std::to_string(seconds_between(released, running.received)));
  EXPECT_LT(seconds_between(released, running.received), 5.0);
}

// A service of another user reaches its NOTIFY_SOCKET: no directory of supd's (0700) stands
// in the way.
TEST(Readiness, NotifyReachesAServiceRunningAsAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run a service as nobody";
  // A copy of the helper that nobody may run, whatever the modes of the build tree.
  char dir_template[] = "/tmp/supd-e2e-nobody-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::filesystem::path dir = dir_template;
  const std::filesystem::path helper = dir / "helper";
  std::filesystem::copy_file(helper_binary(), helper);
  std::filesystem::permissions(dir, std::filesystem::perms(0755));
  std::filesystem::permissions(helper, std::filesystem::perms(0755));

  SupdInstance supd(R"(
services:
  other:
    command: [")" + helper.string() +
                    R"(", "notify", "READY=1", "sleep", "60"]
    user: nobody
    ready: {notify: true}
    start_secs: 0
)");
  ASSERT_TRUE(supd.start());
  EXPECT_TRUE(supd.wait_for_state("other", "running"));
  EXPECT_EQ(supd.service("other")->last_exit, "");
  EXPECT_TRUE(supd.stop());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace supd::e2e
