// The restart-latency scenario against other supervisors, where installed (Debian packages
// runit, daemontools, supervisor; scripts/bench.sh --with-others installs them): the same
// child, the same SIGKILL, the same announcement, compared with the floor of the same run.
//
// runsv and daemontools' supervise wait until a service has been up for one second before
// they start it again, so kills here are spaced 1.1 s after each start; this measures their
// reaction, not that throttle. Fewer restarts are measured than for supd for that reason.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "benchmarks.h"
#include "sys.h"

namespace supd::bench {
namespace {

constexpr auto kSpacing = milliseconds(1100);
constexpr int kWarmup = 2;

struct Other {
  std::string name;    // "runit (runsv)"
  std::string binary;  // full path
  std::string kind;    // runsv | supervise | supervisord
};

std::vector<Other> installed_others() {
  std::vector<Other> found;
  if (auto p = find_in_path("runsv"); !p.empty()) found.push_back({"runit runsv", p, "runsv"});
  if (auto p = find_in_path("supervise"); !p.empty() && !find_in_path("svscan").empty()) {
    found.push_back({"daemontools supervise", p, "supervise"});
  }
  if (auto p = find_in_path("supervisord"); !p.empty()) {
    found.push_back({"supervisor supervisord", p, "supervisord"});
  }
  return found;
}

// Starts the supervisor on one service running the bench child; returns its pid.
pid_t start_other(const Other& o, const Context& ctx, const TempDir& dir, const Announcer& ann) {
  SpawnOptions options;
  options.stdout_path = dir.file("supervisor.out");
  options.stderr_path = dir.file("supervisor.out");
  options.setenv = {"SUPD_BENCH_ANNOUNCE=" + ann.path()};
  if (o.kind == "supervisord") {
    std::string conf;
    conf += "[supervisord]\nnodaemon=true\n";
    conf += "logfile=" + dir.file("supervisord.log") + "\n";
    conf += "pidfile=" + dir.file("supervisord.pid") + "\n";
    conf += "childlogdir=" + dir.path() + "\n";
    if (::geteuid() == 0) conf += "user=root\n";
    conf += "[program:child]\ncommand=" + ctx.child + " " + ann.path() + "\n";
    conf += "startsecs=0\nautorestart=true\nstartretries=1000000\n";
    write_file(dir.file("supervisord.conf"), conf);
    return spawn({o.binary, "-n", "-c", dir.file("supervisord.conf")}, options);
  }
  // runsv and supervise run DIR/run, here the child itself (it reads the socket path from
  // the environment), so no shell sits in between.
  const std::string service = dir.file("service");
  std::filesystem::create_directories(service);
  std::filesystem::create_symlink(ctx.child, service + "/run");
  return spawn({o.binary, service}, options);
}

void stop_other(const Other& o, pid_t supervisor, pid_t child) {
  if (o.kind == "supervisord") {
    ::kill(supervisor, SIGTERM);  // stops its program, then exits
    if (!wait_exit(supervisor, std::chrono::seconds(15))) kill_and_reap(supervisor);
  } else {
    kill_and_reap(supervisor);  // first, so it cannot start the child again
  }
  if (child > 0) ::kill(child, SIGKILL);
  sweep_descendants();
}

Row measure(const Other& o, const Context& ctx, double floor_ms) {
  TempDir dir(ctx.tmp, o.kind);
  Announcer ann(dir.file("ann"));
  const pid_t supervisor = start_other(o, ctx, dir, ann);
  pid_t child = -1;
  std::vector<double> ms;
  try {
    std::optional<pid_t> first = ann.next(std::chrono::seconds(15));
    if (!first) throw std::runtime_error("the service did not start within 15 s");
    child = *first;
    auto started = Clock::now();
    for (int i = 0; i < kWarmup + ctx.other_restarts; ++i) {
      const auto wait = kSpacing - (Clock::now() - started);
      if (wait.count() > 0) sleep_for(std::chrono::duration_cast<milliseconds>(wait));
      check_interrupted();
      const auto t0 = Clock::now();
      ::kill(child, SIGKILL);
      std::optional<pid_t> next = ann.next(std::chrono::seconds(10));
      started = Clock::now();
      if (!next) throw std::runtime_error("no restart within 10 s of SIGKILL");
      child = *next;
      if (i >= kWarmup) ms.push_back(ms_between(t0, started));
    }
  } catch (...) {
    stop_other(o, supervisor, child);
    throw;
  }
  stop_other(o, supervisor, child);
  Row row;
  row.group = "1. restart latency (SIGKILL -> replacement started)";
  row.figure = o.name;
  row.unit = "ms";
  row.value = median(ms);
  row.note = "median of " + std::to_string(ms.size()) + ", kills 1.1 s after each start, p90 " +
             format_number(percentile(ms, 90)) + " ms";
  if (floor_ms <= 0) return row;  // supd's restart benchmark did not run
  return with_floor(row, floor_ms, "the same run's floor (see supd's row)");
}

}  // namespace

std::vector<Row> bench_other_supervisors(const Context& ctx, double floor_ms) {
  std::vector<Row> rows;
  for (const Other& o : installed_others()) {
    std::fprintf(stderr, "bench: restart latency of %s\n", o.name.c_str());
    try {
      rows.push_back(measure(o, ctx, floor_ms));
    } catch (const std::exception& e) {
      rows.push_back(
          failed_row("1. restart latency (SIGKILL -> replacement started)", o.name, e.what()));
    }
  }
  return rows;
}

}  // namespace supd::bench
