// Cold start of many services, then supd's footprint with them, on the same supd:
//   - from exec of supd until every service's child has announced itself, and until the
//     status page shows every service running, against the bench spawning as many
//     children directly (rounds interleaved: floor, supd, floor, supd, ...); the services'
//     log files exist beforehand, as after any earlier boot;
//   - the PSS of keeper + daemon (smaps_rollup);
//   - the context switches of keeper + daemon (every thread) while idle over a window.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>

#include "benchmarks.h"
#include "supd_instance.h"
#include "sys.h"

namespace supd::bench {
namespace {

constexpr auto kAnnounceTimeout = std::chrono::seconds(60);

// Waits until `count` distinct children have announced themselves.
void wait_announcements(Announcer& ann, int count, const char* who) {
  std::set<pid_t> seen;
  const auto deadline = Clock::now() + kAnnounceTimeout;
  while (static_cast<int>(seen.size()) < count) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    std::optional<pid_t> pid = left.count() > 0 ? ann.next(left) : std::nullopt;
    if (!pid) {
      throw std::runtime_error(std::string(who) + ": " + std::to_string(seen.size()) + " of " +
                               std::to_string(count) + " children started within 60 s");
    }
    seen.insert(*pid);
  }
}

// Enough descriptors for a thousand services' pipes, log files and process handles.
void raise_fd_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

double mib(std::int64_t kib) { return static_cast<double>(kib) / 1024.0; }

}  // namespace

std::vector<Row> bench_cold_start_footprint(const Context& ctx) {
  raise_fd_limit();
  const int n = ctx.cold_services;
  TempDir dir(ctx.tmp, "cold");
  Announcer ann(dir.file("ann"));
  const std::string config =
      write_supd_config(dir, {.count = n, .command = {ctx.child, ann.path()}});

  // The log files as a previous boot left them: every round opens existing files, and the
  // first round does not pay alone for creating them.
  std::filesystem::create_directories(dir.file("log"));
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "s%04d", i);
    write_file(dir.file("log/") + name + ".out.log", "");
    write_file(dir.file("log/") + name + ".err.log", "");
  }

  std::string child_path = ctx.child;
  std::string sock = ann.path();
  char* child_argv[] = {child_path.data(), sock.data(), nullptr};

  std::vector<double> floor_ms, started_ms, running_ms, stop_ms;
  std::unique_ptr<SupdInstance> supd;
  for (int round = 0; round < ctx.cold_rounds; ++round) {
    std::fprintf(stderr, "bench: cold start, round %d of %d\n", round + 1, ctx.cold_rounds);
    // The floor: the bench starts every child itself.
    std::vector<pid_t> pids;
    pids.reserve(static_cast<std::size_t>(n));
    auto t0 = Clock::now();
    try {
      for (int i = 0; i < n; ++i) pids.push_back(fork_exec(child_argv));
      wait_announcements(ann, n, "floor");
    } catch (...) {
      for (pid_t p : pids) ::kill(p, SIGKILL);
      for (pid_t p : pids) ::waitpid(p, nullptr, 0);
      throw;
    }
    floor_ms.push_back(ms_between(t0, Clock::now()));
    for (pid_t p : pids) ::kill(p, SIGKILL);
    for (pid_t p : pids) ::waitpid(p, nullptr, 0);
    ann.drain();

    // supd, from exec.
    if (supd) stop_ms.push_back(supd->stop());
    supd.reset();
    t0 = Clock::now();
    supd = std::make_unique<SupdInstance>(ctx.supd, dir, config);
    wait_announcements(ann, n, "supd");
    started_ms.push_back(ms_between(t0, Clock::now()));
    supd->wait_running(n, std::chrono::seconds(60));
    running_ms.push_back(ms_between(t0, Clock::now()));
  }

  std::vector<Row> rows;
  const std::string group = "2. cold start of " + std::to_string(n) + " services";
  {
    Row r;
    r.group = group;
    r.figure = "supd, until every child has started";
    r.unit = "s";
    r.value = median(started_ms) / 1000;
    r.target_value = 2.0;
    r.note = "median of " + std::to_string(ctx.cold_rounds) +
             " rounds, start_secs: 0, log files already there";
    rows.push_back(with_floor(r, median(floor_ms) / 1000, "the bench forks + execs every child"));
  }
  {
    Row r;
    r.group = group;
    r.figure = "supd, until the status page says running";
    r.unit = "s";
    r.value = median(running_ms) / 1000;
    r.target_value = 2.0;
    r.note = "polled every 2 ms";
    rows.push_back(with_floor(r, median(floor_ms) / 1000, "the bench forks + execs every child"));
  }

  // The footprint, on the last supd, once it has settled.
  sleep_for(milliseconds(2000));
  const pid_t keeper = supd->keeper();
  const pid_t daemon = supd->daemon();
  const std::int64_t keeper_kib = pss_kib(keeper);
  const std::int64_t daemon_kib = pss_kib(daemon);
  {
    Row r;
    r.group = "3. memory (PSS of keeper + daemon)";
    r.figure = std::to_string(n) + " services";
    r.unit = "MiB";
    r.value = mib(keeper_kib + daemon_kib);
    r.target_value = n >= 1000 ? 20.0 : 10.0;
    r.note = "keeper " + format_number(mib(keeper_kib)) + " MiB, daemon " +
             format_number(mib(daemon_kib)) + " MiB";
    rows.push_back(r);
  }

  std::fprintf(stderr, "bench: idle wake-ups over %.0f s\n", ctx.wakeup_window_s);
  const std::int64_t keeper_before = context_switches(keeper);
  const std::int64_t daemon_before = context_switches(daemon);
  const auto window = milliseconds(static_cast<long>(ctx.wakeup_window_s * 1000));
  const auto end = Clock::now() + window;
  while (Clock::now() < end) {
    check_interrupted();
    sleep_for(milliseconds(100));
  }
  const std::int64_t keeper_delta = context_switches(keeper) - keeper_before;
  const std::int64_t daemon_delta = context_switches(daemon) - daemon_before;
  {
    const double heartbeats = std::floor(ctx.wakeup_window_s / 5);
    Row r;
    r.group = "4. idle wake-ups (context switches, keeper + daemon)";
    r.figure = std::to_string(n) + " services, " + format_number(ctx.wakeup_window_s) + " s";
    r.unit = "wake-ups";
    r.value = static_cast<double>(keeper_delta + daemon_delta);
    r.target_value = heartbeats + 1;
    r.note = "keeper " + std::to_string(keeper_delta) + ", daemon " + std::to_string(daemon_delta) +
             " (" + std::to_string(thread_count(daemon)) + " threads)";
    rows.push_back(with_floor(r, heartbeats, "one heartbeat every 5 s"));
  }

  stop_ms.push_back(supd->stop());
  supd.reset();
  rows[0].note += "; SIGTERM to exit with " + std::to_string(n) + " services: median " +
                  format_number(median(stop_ms) / 1000) + " s";
  return rows;
}

}  // namespace supd::bench
