// Dependency order: a service starts after what it depends on, and stops before it.
#include <gtest/gtest.h>

#include "e2e/event_log.h"
#include "e2e/supd_instance.h"

namespace supd::e2e {
namespace {

// db <- app <- web (condition `ready`, so the spawns are far enough apart for the helpers'
// own stamps to show their order), each ignoring SIGTERM for a while so every stop takes time and
// an order that only looked right by accident would show.
constexpr const char* kChain = R"(
services:
  db:
    command: ["@HELPER@", "stamp", "@DIR@/spawns", "db", "ignore-term"]
    autostart: false
    start_secs: 300ms
    stop_timeout: 300ms
  app:
    command: ["@HELPER@", "stamp", "@DIR@/spawns", "app", "ignore-term"]
    autostart: false
    start_secs: 300ms
    stop_timeout: 300ms
    depends_on: {db: ready}
  web:
    command: ["@HELPER@", "stamp", "@DIR@/spawns", "web", "ignore-term"]
    autostart: false
    start_secs: 300ms
    stop_timeout: 300ms
    depends_on: {app: ready}
)";

TEST(Dependencies, StartInDependencyOrderAndStopInReverse) {
  SupdInstance supd(kChain);
  ASSERT_TRUE(supd.start());
  EventLog events(supd.socket_path());
  // Starting web pulls in what it needs.
  nlohmann::json started = supd.call_ok({{"cmd", "start"}, {"names", {"web"}}});
  ASSERT_FALSE(started.is_null());
  ASSERT_TRUE(supd.wait_for_state("db", "running"));
  ASSERT_TRUE(supd.wait_for_state("app", "running"));
  const auto spawns = wait_for_stamps(supd.path("spawns"), 3);
  ASSERT_EQ(spawns.size(), 3u);
  EXPECT_EQ(spawns[0].tag, "db");
  EXPECT_EQ(spawns[1].tag, "app");
  EXPECT_EQ(spawns[2].tag, "web");
  // app waits for db to be ready (running: 300 ms after its spawn), web for app.
  report_measure("db spawn -> app spawn (s), db start_secs 0.3",
                 std::to_string(spawns[1].unix_seconds - spawns[0].unix_seconds));
  EXPECT_GE(spawns[1].unix_seconds - spawns[0].unix_seconds, 0.25);
  const auto before_start = events.events();
  EXPECT_EQ(index_of(before_start, "db", "starting"), 0) << events.dump();
  EXPECT_LT(index_of(before_start, "db", "running"), index_of(before_start, "app", "running"))
      << events.dump();
  auto web = events.wait_for_transition("web", "starting");
  EXPECT_EQ(web.reason, "waiting for app");
  EXPECT_NE(events.wait_for_transition("db", "starting").reason.find("needed by"),
            std::string::npos)
      << events.dump();

  const std::size_t mark = events.size();
  nlohmann::json stopped =
      supd.call_ok({{"cmd", "stop"}, {"names", {"db", "app", "web"}}}, std::chrono::seconds(60));
  ASSERT_FALSE(stopped.is_null());
  events.wait_for_transition("db", "stopped", mark);
  const auto all = events.events();
  const long web_stopped = index_of(all, "web", "stopped", mark);
  const long app_stopping = index_of(all, "app", "stopping", mark);
  const long app_stopped = index_of(all, "app", "stopped", mark);
  const long db_stopping = index_of(all, "db", "stopping", mark);
  ASSERT_GE(web_stopped, 0) << events.dump();
  EXPECT_LT(web_stopped, app_stopping) << events.dump();
  EXPECT_LT(app_stopped, db_stopping) << events.dump();
  // Each one's SIGKILL after 300 ms had to come before the next one's stop began.
  EXPECT_GE(all[static_cast<std::size_t>(db_stopping)].time -
                all[static_cast<std::size_t>(index_of(all, "web", "stopping", mark))].time,
            0.5)
      << events.dump();
}

}  // namespace
}  // namespace supd::e2e
