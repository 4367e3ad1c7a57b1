// supd_bench: runs supd's benchmarks and prints one table (optionally JSON). Each figure is
// set against a floor measured in the same run, because the machine's load changes from run
// to run. scripts/bench.sh builds everything and runs this; see bench/README.md.
//
// Exit code: 0 when every benchmark ran (targets missed or not), 1 when one failed to run,
// or with --check when a target was missed; 2 for bad arguments.
#include <unistd.h>

#include <cstdio>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>

#include "benchmarks.h"
#include "sys.h"

namespace {

using supd::bench::Row;

const std::set<std::string> kBenchmarks = {"restart", "others", "cold", "status", "log"};

}  // namespace

int main(int argc, char** argv) {
  supd::bench::Context ctx;
  ctx.supd = SUPD_BENCH_SUPD;
  ctx.supctl = SUPD_BENCH_SUPCTL;
  ctx.child = SUPD_BENCH_CHILD;
  ctx.log_throughput = SUPD_BENCH_LOG_THROUGHPUT;
  std::string json;
  std::string only;
  bool no_others = false;
  bool check = false;

  CLI::App app{"supd_bench: supd's benchmarks, each against a floor measured in the same run"};
  app.add_flag("--quick", ctx.quick, "about a minute: fewer runs, shorter windows");
  app.add_option("--json", json, "also write the figures to this file")->type_name("FILE");
  app.add_option("--only", only, "comma-separated: restart,others,cold,status,log");
  app.add_flag("--no-others", no_others, "skip runit, daemontools and supervisor");
  app.add_flag("--check", check, "exit 1 when a target is missed");
  app.add_option("--restarts", ctx.restarts, "measured restarts of supd (and of the floor)");
  app.add_option("--other-restarts", ctx.other_restarts, "measured restarts per other supervisor");
  app.add_option("--cold-services", ctx.cold_services, "services for the cold start");
  app.add_option("--cold-rounds", ctx.cold_rounds, "cold start rounds");
  app.add_option("--wakeup-window", ctx.wakeup_window_s, "idle window for wake-ups, seconds");
  app.add_option("--status-runs", ctx.status_runs, "measured supctl status runs");
  app.add_option("--log-mb", ctx.log_mb, "MiB written per log throughput case");
  app.add_option("--tmp", ctx.tmp, "where the private temp dirs go");
  app.add_option("--supd", ctx.supd, "the supd binary");
  app.add_option("--supctl", ctx.supctl, "the supctl binary");
  app.add_option("--child", ctx.child, "the supd_bench_child binary");
  app.add_option("--log-bench", ctx.log_throughput, "the supd_bench_log_throughput binary");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (ctx.quick) {
    auto unless_given = [&](const char* option, auto& value, auto quick_value) {
      if (app.count(option) == 0) value = quick_value;
    };
    unless_given("--restarts", ctx.restarts, 60);
    unless_given("--other-restarts", ctx.other_restarts, 5);
    unless_given("--cold-rounds", ctx.cold_rounds, 1);
    unless_given("--wakeup-window", ctx.wakeup_window_s, 10.0);
    unless_given("--status-runs", ctx.status_runs, 60);
    unless_given("--log-mb", ctx.log_mb, 64);
  }
  ctx.others = !no_others;
  std::set<std::string> selected = kBenchmarks;
  if (!only.empty()) {
    selected.clear();
    std::istringstream list(only);
    std::string name;
    while (std::getline(list, name, ',')) {
      if (!kBenchmarks.contains(name)) {
        std::fprintf(stderr, "supd_bench: --only: unknown benchmark %s\n", name.c_str());
        return 2;
      }
      selected.insert(name);
    }
  }
  if (!ctx.others) selected.erase("others");

  supd::bench::install_interrupt_handler();
  supd::bench::become_subreaper();
  supd::bench::RunInfo info;
  info.date = supd::bench::today();
  info.kernel = supd::bench::kernel_release();
  info.cores = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  info.load_before = supd::bench::load_average();
  info.quick = ctx.quick;
  const auto started = supd::bench::Clock::now();

  std::vector<Row> rows;
  double restart_floor_ms = 0;
  auto run = [&](const std::string& name, const std::string& what, auto&& benchmark) {
    if (!selected.contains(name) || supd::bench::interrupted()) return;
    std::fprintf(stderr, "bench: %s\n", what.c_str());
    try {
      std::vector<Row> got = benchmark();
      rows.insert(rows.end(), got.begin(), got.end());
    } catch (const std::exception& e) {
      rows.push_back(
          supd::bench::failed_row("failed: " + what, "(did not run to the end)", e.what()));
    }
    if (const int left = supd::bench::sweep_descendants(); left > 0) {
      std::fprintf(stderr, "bench: %d processes were left behind by %s; killed them\n", left,
                   what.c_str());
      info.leftover_processes += left;
    }
  };
  run("restart", "restart latency", [&] {
    auto got = supd::bench::bench_restart_latency(ctx);
    if (!got.empty() && got.front().floor) restart_floor_ms = *got.front().floor;
    return got;
  });
  run("others", "restart latency of other supervisors",
      [&] { return supd::bench::bench_other_supervisors(ctx, restart_floor_ms); });
  run("cold",
      "cold start, memory and wake-ups with " + std::to_string(ctx.cold_services) + " services",
      [&] { return supd::bench::bench_cold_start_footprint(ctx); });
  run("status", "memory and status latency with 100 services",
      [&] { return supd::bench::bench_status_latency(ctx); });
  run("log", "log throughput", [&] { return supd::bench::bench_log_throughput(ctx); });

  info.load_after = supd::bench::load_average();
  info.seconds = std::chrono::duration<double>(supd::bench::Clock::now() - started).count();
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.group < b.group; });
  supd::bench::print_table(info, rows);
  if (!json.empty()) {
    try {
      supd::bench::write_json(json, info, rows);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "supd_bench: %s\n", e.what());
      return 1;
    }
  }
  if (supd::bench::interrupted()) return 1;
  bool failed = false;
  bool missed = false;
  for (const Row& r : rows) {
    if (!r.error.empty()) failed = true;
    if (auto ok = r.ok(); ok && !*ok) missed = true;
  }
  return failed || (check && missed) ? 1 : 0;
}
