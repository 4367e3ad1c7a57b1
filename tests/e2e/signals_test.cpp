// Signals to supd: SIGTERM and SIGINT shut down in reverse dependency order, a second
// SIGINT kills at once, SIGHUP reloads.
#include <signal.h>

#include <map>

#include <gtest/gtest.h>

#include "e2e/event_log.h"
#include "e2e/supd_instance.h"

namespace supd::e2e {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kChain = R"(
services:
  db:
    command: ["@HELPER@", "ignore-term"]
    start_secs: 100ms
    stop_timeout: 300ms
  app:
    command: ["@HELPER@", "ignore-term"]
    start_secs: 100ms
    stop_timeout: 300ms
    depends_on: [db]
  web:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
    depends_on: [app]
)";

void shuts_down_in_reverse_order(int signo) {
  SupdInstance supd(kChain);
  ASSERT_TRUE(supd.start());
  for (const char* name : {"db", "app", "web"}) ASSERT_TRUE(supd.wait_for_state(name, "running"));
  std::vector<Pid> services;
  for (const char* name : {"db", "app", "web"}) services.push_back(supd.service(name)->pid);
  EventLog events(supd.socket_path());

  const auto sent = Clock::now();
  supd.signal_keeper(signo);
  auto ending = supd.wait_exit();
  ASSERT_TRUE(ending);
  report_measure("shutdown took (s)", std::to_string(seconds_between(sent, Clock::now())));
  EXPECT_FALSE(ending->signaled) << ending->describe();
  EXPECT_EQ(ending->code, 0);
  EXPECT_TRUE(wait_all_dead(services, 5s));

  events.wait_closed();
  const auto all = events.events();
  const long web_stopped = index_of(all, "web", "stopped");
  const long app_stopping = index_of(all, "app", "stopping");
  const long app_stopped = index_of(all, "app", "stopped");
  const long db_stopping = index_of(all, "db", "stopping");
  ASSERT_GE(web_stopped, 0) << events.dump();
  ASSERT_GE(index_of(all, "db", "stopped"), 0) << events.dump();
  EXPECT_LT(web_stopped, app_stopping) << events.dump();
  EXPECT_LT(app_stopped, db_stopping) << events.dump();
  EXPECT_NE(all.front().reason.find("shutting down"), std::string::npos) << events.dump();
  const std::string log = supd.stderr_text();
  EXPECT_NE(log.find(signo == SIGTERM ? "SIGTERM: stopping every service"
                                      : "SIGINT: stopping every service"),
            std::string::npos);
  EXPECT_NE(log.find("supd stopped"), std::string::npos);
}

TEST(Signals, SigtermStopsEveryServiceInReverseDependencyOrderAndExits0) {
  shuts_down_in_reverse_order(SIGTERM);
}

TEST(Signals, SigintStopsEveryServiceInReverseDependencyOrderAndExits0) {
  shuts_down_in_reverse_order(SIGINT);
}

TEST(Signals, SecondSigintKillsAtOnce) {
  SupdInstance supd(R"(
services:
  stubborn:
    command: ["@HELPER@", "ignore-term"]
    start_secs: 100ms
    stop_timeout: 60s
  family:
    command: ["@HELPER@", "grandchild", "@DIR@/grandchild.pid", "ignore-term"]
    start_secs: 100ms
    stop_timeout: 60s
)",
                    with_supd_settings("  shutdown_timeout: 90s\n"));
  ASSERT_TRUE(supd.start());
  ASSERT_TRUE(supd.wait_for_state("stubborn", "running"));
  ASSERT_TRUE(supd.wait_for_state("family", "running"));
  supd.signal_keeper(SIGINT);
  ASSERT_TRUE(supd.wait_for_state("stubborn", "stopping"));
  ASSERT_TRUE(supd.wait_for_state("family", "stopping"));
  const auto second = Clock::now();
  supd.signal_keeper(SIGINT);
  auto ending = supd.wait_exit(30s);
  const double took = seconds_between(second, Clock::now());
  report_measure("second SIGINT to exit (s)", std::to_string(took));
  ASSERT_TRUE(ending);
  EXPECT_LT(took, 5.0);
  EXPECT_FALSE(ending->signaled) << ending->describe();
  EXPECT_EQ(ending->code, 0);
  EXPECT_NE(supd.stderr_text().find("SIGINT again: killing every service now"), std::string::npos);
}

constexpr const char* kBeforeReload = R"(
services:
  keep:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
  change:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
    env: {VERSION: "1"}
  remove:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
)";

constexpr const char* kAfterReload = R"(
services:
  keep:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
  change:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
    env: {VERSION: "2"}
  add:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
)";

std::map<std::string, Pid> running_pids(SupdInstance& supd) {
  std::map<std::string, Pid> pids;
  auto snap = supd.snapshot();
  if (!snap) return pids;
  for (const status::ServiceStatus& s : snap->services) pids[s.name] = s.pid;
  return pids;
}

TEST(Signals, SighupReloadsAddingRemovingAndRestartingOnlyWhatChanged) {
  SupdInstance supd(kBeforeReload);
  ASSERT_TRUE(supd.start());
  for (const char* name : {"keep", "change", "remove"}) {
    ASSERT_TRUE(supd.wait_for_state(name, "running"));
  }
  const auto before = running_pids(supd);

  supd.write_config(kAfterReload);
  supd.signal_keeper(SIGHUP);
  ASSERT_TRUE(supd.wait_for_state("add", "running"));
  ASSERT_TRUE(supd.wait_for(
      [](const status::Snapshot& snap) {
        for (const status::ServiceStatus& s : snap.services) {
          if (s.name == "remove") return false;
        }
        return true;
      },
      "remove to leave the status page"));
  const Pid changed = supd.wait_for_new_pid("change", before.at("change"));
  ASSERT_NE(changed, 0);
  ASSERT_TRUE(supd.wait_for_state("change", "running"));

  const auto after = running_pids(supd);
  EXPECT_EQ(after.at("keep"), before.at("keep")) << "an unchanged service was restarted";
  EXPECT_TRUE(process_alive(before.at("keep")));
  EXPECT_FALSE(process_alive(before.at("change")));
  EXPECT_TRUE(wait_all_dead({before.at("remove")}, 5s));
  EXPECT_EQ(after.count("remove"), 0u);
  EXPECT_EQ(supd.service("keep")->restarts, 0u);
  nlohmann::json status = supd.call_ok({{"cmd", "status"}});
  ASSERT_FALSE(status.is_null());
  EXPECT_EQ(status["services"].size(), 3u) << status.dump();
}

TEST(Signals, SighupWithBadConfigLeavesEverythingRunningUnchanged) {
  SupdInstance supd(kBeforeReload);
  ASSERT_TRUE(supd.start());
  for (const char* name : {"keep", "change", "remove"}) {
    ASSERT_TRUE(supd.wait_for_state(name, "running"));
  }
  const auto before = running_pids(supd);
  supd.write_config(R"(
services:
  keep:
    command: ["@HELPER@", "sleep", "60"]
    restart: sometimes
  add:
    command: ["@HELPER@", "sleep", "60"]
)");
  supd.signal_keeper(SIGHUP);
  ASSERT_TRUE(supd.wait_for_log("reload failed"));
  EXPECT_NE(supd.stderr_text().find("services.keep.restart"), std::string::npos);
  // The daemon is still answering, and nothing moved.
  nlohmann::json status = supd.call_ok({{"cmd", "status"}});
  ASSERT_FALSE(status.is_null());
  EXPECT_EQ(status["services"].size(), 3u) << status.dump();
  for (const auto& s : status["services"]) EXPECT_EQ(s["state"], "running") << s.dump();
  EXPECT_EQ(running_pids(supd), before);
  for (const auto& [name, pid] : before) EXPECT_TRUE(process_alive(pid)) << name;
}

}  // namespace
}  // namespace supd::e2e
