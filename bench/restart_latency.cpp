// Restart latency: from SIGKILL of a running child until its replacement has started (it
// announced its pid on a socket). The floor is the same cycle done by the bench itself:
// kill + waitpid + fork + exec of the same program, until it has announced itself.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "benchmarks.h"
#include "supd_instance.h"
#include "sys.h"

namespace supd::bench {

double median(std::vector<double> v) { return percentile(std::move(v), 50); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = p / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = static_cast<std::size_t>(std::ceil(pos));
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

namespace {

constexpr int kWarmup = 10;
constexpr int kBlock = 10;  // floor and supd take turns in blocks of this many restarts
// A pause before each kill: the supervisor finishes what it does after a start (log line,
// status page), so one restart's tail does not land in the next one's measurement.
constexpr auto kSettle = milliseconds(5);
constexpr auto kRestartTimeout = std::chrono::seconds(10);

pid_t expect_announcement(Announcer& ann, const char* what) {
  std::optional<pid_t> pid = ann.next(kRestartTimeout);
  if (!pid) throw std::runtime_error(std::string("no announcement within 10 s: ") + what);
  return *pid;
}

std::string spread(const std::vector<double>& ms) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "p10 %.2f, p90 %.2f ms", percentile(ms, 10), percentile(ms, 90));
  return buf;
}

}  // namespace

std::vector<Row> bench_restart_latency(const Context& ctx) {
  TempDir dir(ctx.tmp, "restart");
  Announcer supd_ann(dir.file("supd.ann"));
  Announcer floor_ann(dir.file("floor.ann"));
  const std::string config =
      write_supd_config(dir, {.count = 1, .command = {ctx.child, supd_ann.path()}});
  SupdInstance supd(ctx.supd, dir, config);
  pid_t supd_child = expect_announcement(supd_ann, "supd's first start of the service");
  supd.wait_running(1, std::chrono::seconds(10));

  std::string floor_path = ctx.child;
  std::string floor_sock = floor_ann.path();
  char* floor_argv[] = {floor_path.data(), floor_sock.data(), nullptr};
  pid_t floor_child = fork_exec(floor_argv);
  expect_announcement(floor_ann, "the floor's first start");

  auto restart_floor = [&]() -> double {
    sleep_for(kSettle);
    const auto t0 = Clock::now();
    ::kill(floor_child, SIGKILL);
    ::waitpid(floor_child, nullptr, 0);
    floor_child = fork_exec(floor_argv);
    expect_announcement(floor_ann, "the floor's restart");
    return ms_between(t0, Clock::now());
  };
  auto restart_supd = [&]() -> double {
    sleep_for(kSettle);
    const auto t0 = Clock::now();
    ::kill(supd_child, SIGKILL);
    const pid_t next = expect_announcement(supd_ann, "supd's restart of the killed child");
    const double ms = ms_between(t0, Clock::now());
    if (next == supd_child) throw std::runtime_error("the same pid announced twice");
    supd_child = next;
    return ms;
  };

  std::vector<double> floor_ms;
  std::vector<double> supd_ms;
  try {
    for (int i = 0; i < kWarmup; ++i) {
      restart_floor();
      restart_supd();
    }
    while (static_cast<int>(supd_ms.size()) < ctx.restarts) {
      for (int i = 0; i < kBlock && static_cast<int>(floor_ms.size()) < ctx.restarts; ++i) {
        floor_ms.push_back(restart_floor());
      }
      for (int i = 0; i < kBlock && static_cast<int>(supd_ms.size()) < ctx.restarts; ++i) {
        supd_ms.push_back(restart_supd());
      }
    }
  } catch (...) {
    kill_and_reap(floor_child);
    throw;
  }
  kill_and_reap(floor_child);
  sleep_for(milliseconds(50));
  const std::uint32_t counted = supd.restarts("s0000");
  supd.stop();

  const int expected = kWarmup + ctx.restarts;
  Row row;
  row.group = "1. restart latency (SIGKILL -> replacement started)";
  row.figure = "supd, restart: always";
  row.unit = "ms";
  row.value = median(supd_ms);
  row.target_ratio = 1.25;
  row.note =
      "median of " + std::to_string(supd_ms.size()) + " after " + std::to_string(kWarmup) +
      " warm-up, " + spread(supd_ms) + "; floor " + spread(floor_ms) + "; supd counted " +
      std::to_string(counted) + " restarts" +
      (static_cast<int>(counted) == expected ? "" : " (expected " + std::to_string(expected) + ")");
  return {with_floor(row, median(floor_ms), "kill + waitpid + fork + exec by the bench")};
}

}  // namespace supd::bench
