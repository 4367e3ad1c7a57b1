#include "ctl/render.h"

#include <gtest/gtest.h>

namespace supd::ctl {
namespace {

ServiceRow row(std::string name, std::string state, std::int64_t pid = 0, std::int64_t since = 0) {
  ServiceRow r;
  r.name = std::move(name);
  r.state = std::move(state);
  r.pid = pid;
  r.since = since;
  return r;
}

// The text without ANSI escape sequences.
std::string plain(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b') {
      while (i < text.size() && text[i] != 'm') ++i;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

TEST(FormatUptime, TwoLargestUnits) {
  EXPECT_EQ(format_uptime(0), "0s");
  EXPECT_EQ(format_uptime(5), "5s");
  EXPECT_EQ(format_uptime(59), "59s");
  EXPECT_EQ(format_uptime(60), "1m");
  EXPECT_EQ(format_uptime(192), "3m12s");
  EXPECT_EQ(format_uptime(3600), "1h");
  EXPECT_EQ(format_uptime(2 * 3600 + 5 * 60 + 59), "2h5m");
  EXPECT_EQ(format_uptime(3 * 86400 + 4 * 3600 + 59), "3d4h");
  EXPECT_EQ(format_uptime(std::int64_t{400} * 86400), "400d");
}

TEST(FormatUptime, ClockSetBackCountsAsZero) { EXPECT_EQ(format_uptime(-30), "0s"); }

TEST(FormatUtc, CalendarTime) {
  EXPECT_EQ(format_utc(0), "1970-01-01 00:00:00 UTC");
  EXPECT_EQ(format_utc(1795313663), "2026-11-22 02:14:23 UTC");
  EXPECT_EQ(format_utc(951782400), "2000-02-29 00:00:00 UTC");
}

TEST(UseColour, OnlyOnATerminalWithoutNoColor) {
  EXPECT_TRUE(use_colour(true, nullptr));
  EXPECT_TRUE(use_colour(true, ""));  // NO_COLOR set but empty does not count
  EXPECT_FALSE(use_colour(true, "1"));
  EXPECT_FALSE(use_colour(false, nullptr));
}

TEST(StateColour, PerState) {
  EXPECT_EQ(state_colour("running"), "\x1b[32m");
  EXPECT_EQ(state_colour("starting"), "\x1b[33m");
  EXPECT_EQ(state_colour("stopping"), "\x1b[33m");
  EXPECT_EQ(state_colour("backoff"), "\x1b[33m");
  EXPECT_EQ(state_colour("fatal"), "\x1b[31m");
  EXPECT_EQ(state_colour("stopped"), "\x1b[2m");
  EXPECT_EQ(state_colour("exited"), "\x1b[2m");
  EXPECT_EQ(state_colour("weird"), "");
}

TEST(Table, ColumnsAlignedWithoutTrailingSpaces) {
  ServiceRow web = row("web", "running", 1234, 1000);
  web.restarts = 2;
  web.last_exit = "exited 3";
  ServiceRow database = row("database", "backoff");
  database.last_exit = "killed by SIGSEGV (core dumped)";
  TableOptions options;
  options.now = 1192;
  EXPECT_EQ(render_table({web, database}, options),
            "NAME      STATE    PID   UPTIME  RESTARTS  LAST-EXIT\n"
            "web       running  1234  3m12s   2         exited 3\n"
            "database  backoff  -     -       0         killed by SIGSEGV (core dumped)\n");
}

TEST(Table, HeaderOnlyWithNoServices) {
  EXPECT_EQ(render_table({}, TableOptions{}), "NAME  STATE  PID  UPTIME  RESTARTS  LAST-EXIT\n");
}

TEST(Table, UptimeOnlyForRunningServices) {
  TableOptions options;
  options.now = 100;
  auto lines = table_lines({row("a", "starting", 5, 90), row("b", "running", 6, 90)}, options);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], "a     starting  5    -       0         -");
  EXPECT_EQ(lines[2], "b     running   6    10s     0         -");
}

TEST(Table, HealthColumnOnlyWhenSomeServiceHasAProbe) {
  TableOptions options;
  options.now = 100;
  auto without = table_lines({row("a", "running", 5, 90)}, options);
  EXPECT_EQ(without[0].find("HEALTH"), std::string::npos);

  ServiceRow probed = row("web", "running", 7, 90);
  probed.health = "failing";
  ServiceRow stopped = row("db", "stopped");
  stopped.health = "ok";  // the last verdict of a service no longer running is not shown
  auto with = table_lines({row("a", "running", 5, 90), probed, stopped}, options);
  EXPECT_EQ(with[0], "NAME  STATE    PID  UPTIME  RESTARTS  LAST-EXIT  HEALTH");
  EXPECT_EQ(with[1], "a     running  5    10s     0         -          -");
  EXPECT_EQ(with[2], "web   running  7    10s     0         -          failing");
  EXPECT_EQ(with[3], "db    stopped  -    -       0         -          -");
}

TEST(Table, SupdGoneShowsNoPidsOrUptimes) {
  TableOptions options;
  options.now = 100;
  options.live = false;
  auto lines = table_lines({row("web", "running", 1234, 50)}, options);
  EXPECT_EQ(lines[1], "web   running  -    -       0         -");
}

TEST(Table, ColourWrapsTheStateAndKeepsAlignment) {
  TableOptions options;
  options.colour = true;
  options.now = 100;
  auto coloured = table_lines({row("web", "running", 1, 90), row("db", "fatal")}, options);
  options.colour = false;
  auto uncoloured = table_lines({row("web", "running", 1, 90), row("db", "fatal")}, options);
  ASSERT_EQ(coloured.size(), uncoloured.size());
  for (std::size_t i = 0; i < coloured.size(); ++i) EXPECT_EQ(plain(coloured[i]), uncoloured[i]);
  EXPECT_NE(coloured[1].find("\x1b[32mrunning\x1b[0m  "), std::string::npos);
  EXPECT_NE(coloured[2].find("\x1b[31mfatal\x1b[0m    "), std::string::npos);
  EXPECT_EQ(coloured[0].find('\x1b'), std::string::npos);  // the header stays plain
}

TEST(Table, WideCharactersCountOnce) {
  ServiceRow a = row("a", "exited");
  a.last_exit = "héllo";
  ServiceRow b = row("bb", "exited");
  auto lines = table_lines({a, b}, TableOptions{});
  EXPECT_EQ(display_width(lines[1]), display_width("a     exited  -    -       0         héllo"));
  EXPECT_EQ(display_width("héllo"), 5u);
}

StatusView sample_view() {
  StatusView view;
  view.daemon.pid = 812;
  view.daemon.since = 1000;
  ServiceRow web = row("web", "running", 1234, 1100);
  web.health = "ok";
  ServiceRow worker = row("worker", "backoff");
  worker.restarts = 3;
  worker.last_exit = "killed by SIGSEGV (core dumped)";
  worker.signal = "SIGSEGV";
  ServiceRow job = row("job", "exited");
  job.last_exit = "exited 3";
  job.exit_code = 3;
  view.services = {web, worker, job};
  return view;
}

TEST(StatusJson, TheShapeOfSpec) {
  const StatusView view = sample_view();
  const nlohmann::ordered_json j = status_json(view, view.services);
  EXPECT_EQ(j.dump(), R"({"daemon":{"pid":812,"state":"running","since":1000},"services":[)"
                      R"({"name":"web","state":"running","pid":1234,"since":1100,"restarts":0,)"
                      R"("last_exit":"","exit_code":null,"signal":null,"health":"ok"},)"
                      R"({"name":"worker","state":"backoff","pid":null,"since":0,"restarts":3,)"
                      R"j("last_exit":"killed by SIGSEGV (core dumped)","exit_code":null,)j"
                      R"("signal":"SIGSEGV","health":null},)"
                      R"({"name":"job","state":"exited","pid":null,"since":0,"restarts":0,)"
                      R"("last_exit":"exited 3","exit_code":3,"signal":null,"health":null}]})");
}

TEST(StatusJson, DaemonStatesAndLastCrash) {
  StatusView view = sample_view();
  view.daemon.liveness = status::DaemonLiveness::NotResponding;
  EXPECT_EQ(status_json(view, {})["daemon"]["state"], "not responding");
  view.daemon.liveness = status::DaemonLiveness::NotRunning;
  view.daemon.pid = 0;
  EXPECT_EQ(status_json(view, {})["daemon"]["state"], "not running");
  EXPECT_TRUE(status_json(view, {})["daemon"]["pid"].is_null());
  EXPECT_FALSE(status_json(view, {}).contains("last_crash"));

  CrashRow crash;
  crash.time = 1795313663;
  crash.pid = 700;
  crash.signo = 11;
  crash.signal = "SIGSEGV";
  crash.address = 0xdead;
  crash.text = "supd crashed";
  crash.previous_run = true;
  view.last_crash = crash;
  EXPECT_EQ(status_json(view, {})["last_crash"].dump(),
            R"({"time":1795313663,"pid":700,"signal":"SIGSEGV","address":"0xdead",)"
            R"("text":"supd crashed","previous_run":true})");
}

TEST(DaemonNotice, SaysWhySupdIsNotThere) {
  DaemonRow d;
  d.pid = 1234;
  EXPECT_EQ(daemon_notice(d, 0), "");
  d.liveness = status::DaemonLiveness::NotRunning;
  d.gone = DaemonGone::PidGone;
  EXPECT_EQ(daemon_notice(d, 0),
            "supd is not running (pid 1234 is gone); showing its last known state");
  d.gone = DaemonGone::Stopped;
  EXPECT_EQ(daemon_notice(d, 0),
            "supd is not running (it shut down); showing its last known state");
  d.gone = DaemonGone::Crashed;
  EXPECT_EQ(daemon_notice(d, 0), "supd is not running (it crashed); showing its last known state");
  d.gone = DaemonGone::NeverStarted;
  EXPECT_EQ(daemon_notice(d, 0),
            "supd is not running (it never finished starting); showing its last known state");
  d.liveness = status::DaemonLiveness::NotResponding;
  d.heartbeat_ms = 100'000;
  EXPECT_EQ(daemon_notice(d, 147'500),
            "supd is not responding (pid 1234, no heartbeat for 47s); showing its last known "
            "state");
}

TEST(CrashLine, OnlyForThisRunOrThePreviousOne) {
  StatusView view;
  EXPECT_FALSE(crash_line(view));
  CrashRow crash;
  crash.time = 1795313663;
  crash.pid = 700;
  crash.signal = "SIGSEGV";
  view.last_crash = crash;
  EXPECT_FALSE(crash_line(view));  // an older crash, kept on the page
  view.last_crash->previous_run = true;
  EXPECT_EQ(crash_line(view),
            "supd crashed at 2026-11-22 02:14:23 UTC: SIGSEGV at 0x0 (previous run, pid 700)");
  view.last_crash->previous_run = false;
  view.last_crash->this_run = true;
  view.last_crash->address = 0x7f00;
  EXPECT_EQ(crash_line(view),
            "supd crashed at 2026-11-22 02:14:23 UTC: SIGSEGV at 0x7f00 (pid 700)");
}

TEST(EventLine, SpecOrderThenTheRest) {
  const nlohmann::json event = {
      {"reason", "up for 1s"}, {"to", "running"},  {"time", 12.5}, {"pid", 42},
      {"from", "starting"},    {"service", "web"}, {"extra", true}};
  EXPECT_EQ(event_line(event),
            R"({"time":12.5,"service":"web","from":"starting","to":"running","pid":42,)"
            R"("reason":"up for 1s","extra":true})");
}

}  // namespace
}  // namespace supd::ctl
