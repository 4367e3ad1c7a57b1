#include "ctl/top_screen.h"

#include <gtest/gtest.h>

#include "ctl/render.h"

namespace supd::ctl {
namespace {

ServiceRow row(std::string name, std::string state) {
  ServiceRow r;
  r.name = std::move(name);
  r.state = std::move(state);
  return r;
}

TEST(StateCounts, InLifecycleOrderOnlyThosePresent) {
  EXPECT_EQ(state_counts({}), "0 services");
  EXPECT_EQ(state_counts({row("a", "fatal")}), "1 service: 1 fatal");
  EXPECT_EQ(state_counts({row("a", "backoff"), row("b", "running"), row("c", "running")}),
            "3 services: 2 running, 1 backoff");
}

TEST(TopHeader, StatePidUptimeCountsTime) {
  StatusView view;
  view.daemon.pid = 812;
  view.daemon.since = 1795313663 - 125;
  view.services = {row("a", "running")};
  EXPECT_EQ(top_header(view, 1795313663'000),
            "supd running  pid 812  up 2m5s    1 service: 1 running    2026-11-22 02:14:23 UTC");
  view.daemon.liveness = status::DaemonLiveness::NotRunning;
  EXPECT_EQ(top_header(view, 1795313663'000),
            "supd not running  pid 812    1 service: 1 running    2026-11-22 02:14:23 UTC");
}

TEST(FitWidth, CutsShownCharactersKeepingEscapes) {
  EXPECT_EQ(fit_width("hello", 10), "hello");
  EXPECT_EQ(fit_width("hello", 3), "hel");
  EXPECT_EQ(fit_width("héllo", 2), "hé");
  EXPECT_EQ(fit_width("\x1b[32mrunning\x1b[0m  x", 9), "\x1b[32mrunning\x1b[0m  ");
  EXPECT_EQ(fit_width("\x1b[32mrunning\x1b[0m", 3), "\x1b[32mrun\x1b[0m");
  EXPECT_EQ(fit_width("abc", 0), "");
}

TEST(RenderTop, FitsTheTerminal) {
  StatusView view;
  for (int i = 0; i < 30; ++i) view.services.push_back(row("svc" + std::to_string(i), "running"));
  TopFrame frame;
  frame.view = &view;
  frame.rows = 10;
  frame.columns = 20;
  auto lines = render_top(frame);
  ASSERT_EQ(lines.size(), 10u);
  for (const std::string& line : lines) EXPECT_LE(display_width(line), 20u);
  EXPECT_EQ(lines[8], "... 25 more lines");
  EXPECT_EQ(lines[9], "q: quit");
}

TEST(RenderTop, EverythingWhenItFits) {
  StatusView view;
  view.services = {row("web", "running"), row("db", "stopped")};
  TopFrame frame;
  frame.view = &view;
  frame.rows = 24;
  frame.columns = 200;
  auto lines = render_top(frame);
  // header, blank, table header, 2 rows, hint
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2].rfind("NAME", 0), 0u);
  EXPECT_EQ(lines[3].rfind("web", 0), 0u);
  EXPECT_EQ(lines[5], "q: quit");
}

TEST(RenderTop, SaysWhenThePageCannotBeRead) {
  TopFrame frame;
  frame.problem = "status page /x: bad magic";
  auto lines = render_top(frame);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "supd: status page /x: bad magic");
}

TEST(RenderTop, NotRunningLineBeforeTheTable) {
  StatusView view;
  view.daemon.pid = 5;
  view.daemon.liveness = status::DaemonLiveness::NotRunning;
  view.daemon.gone = DaemonGone::PidGone;
  TopFrame frame;
  frame.view = &view;
  auto lines = render_top(frame);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1], "supd is not running (pid 5 is gone); showing its last known state");
}

}  // namespace
}  // namespace supd::ctl
