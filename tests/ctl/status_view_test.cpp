#include "ctl/status_view.h"

#include <gtest/gtest.h>

#include "ctl/exit_codes.h"
#include "os/signals.h"

namespace supd::ctl {
namespace {

status::Snapshot sample_snapshot() {
  status::Snapshot snapshot;
  snapshot.path = "/run/supd/supd.status";
  snapshot.daemon.pid = 812;
  snapshot.daemon.start_time = 1000;
  snapshot.daemon.heartbeat_ms = 1'500'000;
  snapshot.daemon.state = status::DaemonState::Running;
  status::ServiceStatus web;
  web.name = "web";
  web.state = status::ServiceState::Running;
  web.pid = 1234;
  web.since = 1100;
  web.health = status::Health::Failing;
  status::ServiceStatus worker;
  worker.name = "worker";
  worker.state = status::ServiceState::Exited;
  worker.exit_code = 3;
  worker.last_exit = "exited 3";
  worker.restarts = 4;
  snapshot.services = {web, worker};
  return snapshot;
}

ServiceRow row(std::string name, std::string state) {
  ServiceRow r;
  r.name = std::move(name);
  r.state = std::move(state);
  return r;
}

TEST(ViewFromSnapshot, CopiesServicesAndDaemon) {
  const StatusView view = view_from_snapshot(sample_snapshot(), status::DaemonLiveness::Running);
  EXPECT_TRUE(view.from_page);
  EXPECT_EQ(view.source, "/run/supd/supd.status");
  EXPECT_EQ(view.daemon.pid, 812);
  EXPECT_EQ(view.daemon.since, 1000);
  EXPECT_EQ(view.daemon.gone, DaemonGone::No);
  ASSERT_EQ(view.services.size(), 2u);
  EXPECT_EQ(view.services[0].name, "web");
  EXPECT_EQ(view.services[0].state, "running");
  EXPECT_EQ(view.services[0].pid, 1234);
  EXPECT_EQ(view.services[0].health, "failing");
  EXPECT_EQ(view.services[1].state, "exited");
  EXPECT_EQ(view.services[1].exit_code, 3);
  EXPECT_EQ(view.services[1].health, "");  // no probe
  EXPECT_EQ(view.services[1].restarts, 4u);
  EXPECT_FALSE(view.last_crash);
}

TEST(ViewFromSnapshot, SaysWhySupdIsGone) {
  status::Snapshot snapshot = sample_snapshot();
  const auto gone = status::DaemonLiveness::NotRunning;
  EXPECT_EQ(view_from_snapshot(snapshot, gone).daemon.gone, DaemonGone::PidGone);
  snapshot.daemon.state = status::DaemonState::Stopped;
  EXPECT_EQ(view_from_snapshot(snapshot, gone).daemon.gone, DaemonGone::Stopped);
  snapshot.crashed = true;
  EXPECT_EQ(view_from_snapshot(snapshot, gone).daemon.gone, DaemonGone::Crashed);
  snapshot = sample_snapshot();
  snapshot.daemon.pid = 0;
  EXPECT_EQ(view_from_snapshot(snapshot, gone).daemon.gone, DaemonGone::NeverStarted);
}

TEST(ViewFromSnapshot, NamesTheCrashSignal) {
  status::Snapshot snapshot = sample_snapshot();
  status::CrashInfo crash;
  crash.time = 99;
  crash.signo = os::native_signal(os::Signal::Kill);
  crash.fault_address = 16;
  crash.pid = 700;
  crash.text = "boom";
  snapshot.last_crash = crash;
  snapshot.previous_run_crashed = true;
  const StatusView view = view_from_snapshot(snapshot, status::DaemonLiveness::Running);
  ASSERT_TRUE(view.last_crash);
  EXPECT_EQ(view.last_crash->signal, "SIGKILL");
  EXPECT_EQ(view.last_crash->address, 16u);
  EXPECT_EQ(view.last_crash->pid, 700);
  EXPECT_EQ(view.last_crash->text, "boom");
  EXPECT_TRUE(view.last_crash->previous_run);
  EXPECT_FALSE(view.last_crash->this_run);
}

TEST(ViewFromAnswer, ReadsTheDaemonsStatusResult) {
  const nlohmann::json result = nlohmann::json::parse(R"({
    "daemon": {"pid": 812, "state": "running", "since": 1000},
    "services": [
      {"name": "web", "state": "running", "pid": 1234, "since": 1100, "restarts": 1,
       "last_exit": "exited 1", "exit_code": 1, "signal": null, "health": "unknown",
       "reason": "up for 3s"},
      {"name": "db", "state": "stopped", "pid": null, "since": 900, "restarts": 0,
       "last_exit": "", "exit_code": null, "signal": "SIGTERM", "health": null}
    ]})");
  auto view = view_from_answer(result, "/run/supd/supd.sock");
  ASSERT_TRUE(view) << view.error().message();
  EXPECT_FALSE(view->from_page);
  EXPECT_EQ(view->daemon.liveness, status::DaemonLiveness::Running);
  EXPECT_EQ(view->daemon.pid, 812);
  ASSERT_EQ(view->services.size(), 2u);
  EXPECT_EQ(view->services[0].pid, 1234);
  EXPECT_EQ(view->services[0].exit_code, 1);
  EXPECT_EQ(view->services[0].health, "unknown");
  EXPECT_EQ(view->services[1].pid, 0);
  EXPECT_EQ(view->services[1].signal, "SIGTERM");
  EXPECT_FALSE(view->services[1].exit_code);
}

TEST(ViewFromAnswer, RefusesOtherShapes) {
  EXPECT_FALSE(view_from_answer(nlohmann::json::array(), "s"));
  EXPECT_FALSE(view_from_answer({{"daemon", {}}}, "s"));
  EXPECT_FALSE(view_from_answer({{"services", {{{"state", "running"}}}}}, "s"));
  EXPECT_FALSE(view_from_answer({{"services", {42}}}, "s"));
  EXPECT_TRUE(view_from_answer({{"services", nlohmann::json::array()}}, "s"));
}

TEST(SelectServices, AllInPageOrderOrTheNamedInTheirOrder) {
  StatusView view;
  view.services = {row("web", "running"), row("db", "running"), row("cache", "stopped")};
  EXPECT_EQ(select_services(view, {}).rows, view.services);
  Selection s = select_services(view, {"cache", "web", "cache"});
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_EQ(s.rows[0].name, "cache");
  EXPECT_EQ(s.rows[1].name, "web");
  EXPECT_FALSE(s.missing);
}

TEST(SelectServices, UnknownNameWithASuggestion) {
  StatusView view;
  view.services = {row("web", "running"), row("db", "running")};
  Selection s = select_services(view, {"db", "webx"});
  EXPECT_EQ(s.missing, "webx");
  EXPECT_EQ(s.did_you_mean, "web");
  EXPECT_TRUE(s.rows.empty());
  s = select_services(view, {"zzzzzzzz"});
  EXPECT_EQ(s.missing, "zzzzzzzz");
  EXPECT_FALSE(s.did_you_mean);
}

TEST(StatusExitCode, NamedServicesMustRun) {
  StatusView view;
  EXPECT_EQ(status_exit_code(view, {row("web", "running")}, true), kExitOk);
  EXPECT_EQ(status_exit_code(view, {row("web", "running"), row("db", "starting")}, true),
            kExitNotRunning);
  EXPECT_EQ(status_exit_code(view, {row("db", "stopped")}, true), kExitNotRunning);
}

TEST(StatusExitCode, UnnamedOnlyBackoffAndFatalCount) {
  StatusView view;
  EXPECT_EQ(status_exit_code(view, {row("a", "stopped"), row("b", "exited"), row("c", "starting")},
                             false),
            kExitOk);
  EXPECT_EQ(status_exit_code(view, {row("a", "running"), row("b", "backoff")}, false),
            kExitNotRunning);
  EXPECT_EQ(status_exit_code(view, {row("a", "fatal")}, false), kExitNotRunning);
  EXPECT_EQ(status_exit_code(view, {}, false), kExitOk);
}

TEST(StatusExitCode, NothingRunsWhenSupdIsGone) {
  StatusView view;
  view.daemon.liveness = status::DaemonLiveness::NotRunning;
  EXPECT_EQ(status_exit_code(view, {row("web", "running")}, true), kExitNotRunning);
  EXPECT_EQ(status_exit_code(view, {row("web", "running")}, false), kExitNotRunning);
  EXPECT_EQ(status_exit_code(view, {row("a", "stopped"), row("b", "exited")}, false), kExitOk);
  // Not responding: it is still there; its page is taken at its word.
  view.daemon.liveness = status::DaemonLiveness::NotResponding;
  EXPECT_EQ(status_exit_code(view, {row("web", "running")}, true), kExitOk);
}

}  // namespace
}  // namespace supd::ctl
